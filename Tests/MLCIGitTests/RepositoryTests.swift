import Foundation
import MLCIGit
import MLCITestSupport
import Testing

/// libgit2 must not read the developer's or CI's git configuration.
let isolated: Void = LibGit2.isolateFromUserConfiguration()

@Suite struct RepositoryTests {
    init() { _ = isolated }

    /// A history with a feature branch, a tag and a merge:
    ///   main:    c1 - c2 - c3 ------- m
    ///                  \             /
    ///   feature:        f1 - f2 ----
    func branchedHistory() throws -> GitSandbox {
        let sandbox = try GitSandbox()
        try sandbox.write("README.md", "hello\n")
        try sandbox.write("data/a.csv", "x\n1\n")
        try sandbox.commit("c1")
        try sandbox.write("data/a.csv", "x\n1\n2\n")
        try sandbox.commit("c2")
        try sandbox.git("tag", "-a", "v1", "-m", "release 1")
        try sandbox.git("checkout", "-q", "-b", "feature")
        try sandbox.write("src/train.py", "print(1)\n")
        try sandbox.commit("f1")
        try sandbox.write("data/b.csv", "y\n")
        try sandbox.commit("f2")
        try sandbox.git("checkout", "-q", "main")
        try sandbox.write("README.md", "hello again\n")
        try sandbox.commit("c3")
        try sandbox.git(["merge", "-q", "--no-ff", "feature", "-m", "m"], date: 1_700_100_000)
        return sandbox
    }

    @Test func resolvesRevisionsTheWayGitDoes() throws {
        let sandbox = try branchedHistory()
        try sandbox.git("update-ref", "refs/remotes/origin/main", "HEAD~1")
        let repository = try Repository.open(at: sandbox.root)
        for revision in ["HEAD", "main", "feature", "v1", "HEAD~1", "HEAD^2", "HEAD~2", "origin/main", "feature~1"] {
            let expected = try sandbox.git("rev-parse", "\(revision)^{commit}")
            #expect(try repository.resolve(revision).hex == expected, "revision \(revision)")
        }
        let full = try sandbox.git("rev-parse", "HEAD~1")
        #expect(try repository.resolve(String(full.prefix(7))).hex == full)
    }

    @Test func unknownRevisionIsNotFoundAndSaysWhichName() throws {
        let sandbox = try branchedHistory()
        let repository = try Repository.open(at: sandbox.root)
        let error = #expect(throws: GitError.self) { try repository.resolve("nosuchbranch") }
        #expect(error?.kind == .notFound)
        #expect(error?.description.contains("nosuchbranch") == true)
        #expect(error?.description.contains("-3") == false)
    }

    @Test func mergeBaseAgreesWithGit() throws {
        let sandbox = try branchedHistory()
        let repository = try Repository.open(at: sandbox.root)
        let main = try repository.resolve("main~1")
        let feature = try repository.resolve("feature")
        let expected = try sandbox.git("merge-base", "main~1", "feature")
        #expect(try repository.mergeBase(main, feature)?.hex == expected)
    }

    @Test func unrelatedHistoriesHaveNoMergeBase() throws {
        let sandbox = try branchedHistory()
        try sandbox.git("checkout", "-q", "--orphan", "other")
        try sandbox.git("rm", "-rqf", ".")
        try sandbox.write("x.txt", "x\n")
        try sandbox.commit("orphan")
        let repository = try Repository.open(at: sandbox.root)
        #expect(try repository.mergeBase(repository.resolve("other"), repository.resolve("main")) == nil)
    }

    @Test func logListsTheSameCommitsAsGitLog() throws {
        let sandbox = try branchedHistory()
        let repository = try Repository.open(at: sandbox.root)
        let ours = try repository.log(from: [repository.resolve("HEAD")]).map(\.id.hex)
        let theirs = try sandbox.git("log", "--format=%H").split(separator: "\n").map(String.init)
        #expect(Set(ours) == Set(theirs))
        #expect(ours.count == theirs.count)
        #expect(ours.first == theirs.first)
    }

    @Test func pathLimitedLogAgreesWithGitLog() throws {
        let sandbox = try branchedHistory()
        let repository = try Repository.open(at: sandbox.root)
        for path in ["data", "data/a.csv", "src", "README.md"] {
            let ours = try repository.log(from: [repository.resolve("HEAD")], paths: [path]).map(\.id.hex)
            let theirs = try sandbox.git("log", "--format=%H", "--", path).split(separator: "\n").map(String.init)
            #expect(ours == theirs, "git log -- \(path)")
        }
    }

    @Test func rangeHidesTheCommitsOfItsBase() throws {
        let sandbox = try branchedHistory()
        let repository = try Repository.open(at: sandbox.root)
        let ours = try repository.log(from: [repository.resolve("feature")], hiding: [repository.resolve("main~1")]).map(\.id.hex)
        let theirs = try sandbox.git("rev-list", "main~1..feature").split(separator: "\n").map(String.init)
        #expect(ours == theirs)
        #expect(try repository.log(from: [repository.resolve("HEAD")], limit: 2).count == 2)
    }

    @Test func readsABlobAtARevisionWithoutACheckout() throws {
        let sandbox = try branchedHistory()
        let repository = try Repository.open(at: sandbox.root)
        let c1 = try repository.resolve("HEAD~3")
        #expect(try repository.blob(at: c1, path: "data/a.csv") == Array("x\n1\n".utf8))
        #expect(try repository.blob(at: repository.resolve("HEAD"), path: "data/a.csv") == Array("x\n1\n2\n".utf8))
        #expect(try repository.blob(at: c1, path: "data/b.csv") == nil)
        #expect(try repository.blob(at: c1, path: "data") == nil)
        let files = try repository.files(at: repository.resolve("HEAD"), under: "data").map(\.path)
        #expect(files == ["data/a.csv", "data/b.csv"])
    }

    @Test func reportsAddedModifiedDeletedAndRenamedPaths() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("keep.txt", String(repeating: "line of text\n", count: 40))
        try sandbox.write("edit.txt", "one\n")
        try sandbox.write("gone.txt", "bye\n")
        try sandbox.write("src/a.py", "print('a')\n")
        let first = try sandbox.commit("first")
        try sandbox.git("mv", "keep.txt", "moved.txt")
        try sandbox.write("edit.txt", "two\n")
        try sandbox.remove("gone.txt")
        try sandbox.write("new.txt", "hi\n")
        try sandbox.write("src/b.py", "print('b')\n")
        let second = try sandbox.commit("second")
        let repository = try Repository.open(at: sandbox.root)
        let changes = Set(try repository.changes(from: ObjectID(hex: first)!, to: ObjectID(hex: second)!))
        #expect(changes == [
            FileChange(status: .renamed, oldPath: "keep.txt", newPath: "moved.txt"),
            FileChange(status: .modified, oldPath: "edit.txt", newPath: "edit.txt"),
            FileChange(status: .deleted, oldPath: "gone.txt", newPath: "gone.txt"),
            FileChange(status: .added, oldPath: "new.txt", newPath: "new.txt"),
            FileChange(status: .added, oldPath: "src/b.py", newPath: "src/b.py"),
        ])
        let python = try repository.changes(from: ObjectID(hex: first)!, to: ObjectID(hex: second)!, paths: ["*.py"])
        #expect(python.map(\.path) == ["src/b.py"])
        let fromEmpty = try repository.changes(from: nil, to: ObjectID(hex: first)!)
        #expect(fromEmpty.count == 4 && fromEmpty.allSatisfy { $0.status == .added })
    }

    @Test func reportsWorkingTreeChangesIncludingUntrackedFiles() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("a.txt", "a\n")
        try sandbox.write("b.txt", "b\n")
        try sandbox.write(".gitignore", "ignored/\n")
        let head = try sandbox.commit("first")
        try sandbox.write("a.txt", "changed\n")
        try sandbox.remove("b.txt")
        try sandbox.write("c.txt", "new\n")
        try sandbox.write("ignored/x.bin", "x")
        let repository = try Repository.open(at: sandbox.root)
        let changes = Set(try repository.changesInWorkingTree(from: ObjectID(hex: head)!))
        #expect(changes == [
            FileChange(status: .modified, oldPath: "a.txt", newPath: "a.txt"),
            FileChange(status: .deleted, oldPath: "b.txt", newPath: "b.txt"),
            FileChange(status: .added, oldPath: "c.txt", newPath: "c.txt"),
        ])
        #expect(try repository.isDirty())
        #expect(repository.isIgnored("ignored/x.bin"))
    }

    @Test func discoversTheRepositoryFromASubdirectory() throws {
        let sandbox = try branchedHistory()
        let repository = try Repository.discover(from: sandbox.root + "/data")
        #expect(repository.workingDirectory == sandbox.root)
        #expect(throws: GitError.self) { try Repository.open(at: sandbox.root + "/data") }
    }

    @Test func refusesADirectoryOutsideAnyRepository() throws {
        let sandbox = try GitSandbox(initialize: false)
        let error = #expect(throws: GitError.self) { try Repository.discover(from: sandbox.root) }
        #expect(error?.kind == .notARepository)
    }

    @Test func knowsAttachedDetachedAndUnbornHead() throws {
        let empty = try GitSandbox()
        let emptyRepository = try Repository.open(at: empty.root)
        #expect(try emptyRepository.head() == .unborn(branch: "main"))
        let unborn = #expect(throws: GitError.self) { try emptyRepository.resolve("HEAD") }
        #expect(unborn?.kind == .unbornBranch)

        let sandbox = try branchedHistory()
        let head = try sandbox.git("rev-parse", "HEAD")
        #expect(try Repository.open(at: sandbox.root).head() == .attached(branch: "main", commit: ObjectID(hex: head)!))
        try sandbox.git("checkout", "-q", "--detach", "HEAD~1")
        let detached = try sandbox.git("rev-parse", "HEAD")
        #expect(try Repository.open(at: sandbox.root).head() == .detached(commit: ObjectID(hex: detached)!))
    }

    @Test func opensALinkedWorktreeFromInsideIt() throws {
        let sandbox = try branchedHistory()
        try sandbox.git("worktree", "add", "-q", "-b", "experiment", sandbox.base + "/wt", "HEAD~1")
        try FileManager.default.createDirectory(atPath: sandbox.base + "/wt/deep/er", withIntermediateDirectories: true)
        let repository = try Repository.discover(from: sandbox.base + "/wt/deep/er")
        #expect(repository.isWorktree)
        #expect(repository.workingDirectory == sandbox.base + "/wt")
        #expect(try repository.head().branch == "experiment")
        #expect(try repository.head().commit?.hex == sandbox.git("rev-parse", "HEAD~1"))
        #expect(try repository.blob(at: repository.resolve("HEAD"), path: "data/a.csv") != nil)
    }

    @Test func refusesToWorkWithoutAWorkingTreeInABareRepository() throws {
        let sandbox = try GitSandbox(bare: true)
        let repository = try Repository.open(at: sandbox.root)
        #expect(repository.isBare)
        #expect(repository.workingDirectory == nil)
        let error = #expect(throws: GitError.self) { try repository.requireWorkingDirectory(for: "hash data") }
        #expect(error?.kind == .bareRepository)
        #expect(error?.description.contains("bare repository") == true)
    }

    @Test func detectsAShallowCloneAndSaysToFetchDeeper() throws {
        let sandbox = try branchedHistory()
        try sandbox.git(["clone", "-q", "--depth", "1", "--no-local", "file://" + sandbox.root, sandbox.base + "/shallow"], in: sandbox.base)
        let repository = try Repository.open(at: sandbox.base + "/shallow")
        #expect(repository.isShallow)
        let error = #expect(throws: GitError.self) { try repository.resolve("HEAD~3") }
        #expect(error?.kind == .shallowHistory)
        #expect(error?.description.contains("fetch-depth: 0") == true)
        // The whole (cut) history still walks without error.
        #expect(try repository.log(from: [repository.resolve("HEAD")]).count == 1)
    }
}
