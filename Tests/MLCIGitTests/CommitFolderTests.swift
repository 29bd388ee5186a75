import MLCIGit
import MLCITestSupport
import Testing

@Suite struct CommitFolderTests {
    @Test("a folder is committed to a new branch, then replaced, without touching the checkout")
    func folderCommitsReplaceOnlyTheirFolder() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("README", "hello\n")
        let head = try sandbox.commit("first")
        let repository = try Repository.open(at: sandbox.root)

        let first = try repository.commitFolder(branch: "gitops", folder: "app/staging",
                                                content: .files(["base/a.yaml": Array("a: 1\n".utf8), "b.yaml": Array("b\n".utf8)]),
                                                message: "first\n")
        #expect(first.commit != nil)
        #expect(try sandbox.git("ls-tree", "-r", "--name-only", "gitops") == "app/staging/b.yaml\napp/staging/base/a.yaml")
        #expect(try sandbox.git("rev-list", "--parents", "-n", "1", "gitops").split(separator: " ").count == 1, "a root commit")

        _ = try repository.commitFolder(branch: "gitops", folder: "app/prod", content: .files(["x.yaml": Array("x\n".utf8)]), message: "prod\n")
        let replaced = try repository.commitFolder(branch: "gitops", folder: "app/staging", content: .files(["c.yaml": Array("c\n".utf8)]),
                                                   message: "replace\n")
        #expect(try sandbox.git("ls-tree", "-r", "--name-only", "gitops") == "app/prod/x.yaml\napp/staging/c.yaml")
        #expect(try sandbox.git("cat-file", "blob", "gitops:app/staging/c.yaml") == "c")
        #expect(try sandbox.git("log", "--format=%s", "gitops") == "replace\nprod\nfirst")

        let same = try repository.commitFolder(branch: "gitops", folder: "app/staging", content: .files(["c.yaml": Array("c\n".utf8)]),
                                               message: "again\n")
        #expect(same.commit == nil)
        #expect(same.tip == replaced.tip)

        // Restoring an old tree puts back exactly the old folder.
        let firstCommit = try #require(first.commit)
        let old = try #require(try repository.treeID(at: firstCommit, path: "app/staging"))
        _ = try repository.commitFolder(branch: "gitops", folder: "app/staging", content: .tree(old), message: "restore\n")
        #expect(try sandbox.git("rev-parse", "gitops:app/staging") == old.hex)

        #expect(try sandbox.git("rev-parse", "HEAD") == head)
        #expect(try sandbox.git("status", "--porcelain").isEmpty)
    }

    @Test("folders and branches that are not plain names are refused")
    func badNamesAreRefused() throws {
        let sandbox = try GitSandbox()
        try sandbox.commit("first")
        let repository = try Repository.open(at: sandbox.root)
        for folder in ["", "../x", "a/../b", ".git/hooks", "/"] {
            #expect(throws: GitError.self) { try repository.commitFolder(branch: "gitops", folder: folder, content: .files([:]), message: "x") }
        }
        #expect(throws: GitError.self) { try repository.commitFolder(branch: "a..b", folder: "x", content: .files([:]), message: "x") }
        #expect(throws: GitError.self) {
            try repository.commitFolder(branch: "gitops", folder: "x", content: .files(["../escape": [1]]), message: "x")
        }
    }
}
