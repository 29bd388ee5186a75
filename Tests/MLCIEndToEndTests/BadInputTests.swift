import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// Every file mlci reads can be malformed: one clear message, exit 2, nothing written.
@Suite struct BadInputTests {
    func expectRefusal(_ result: ProcessResult, _ words: String..., sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        for word in words { #expect(result.stderr.contains(word), "\(result.stderr)", sourceLocation: sourceLocation) }
    }

    /// The working tree's files and their bytes, to show a failed command wrote nothing.
    func snapshot(_ sandbox: GitSandbox) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: sandbox.root)
        while let path = enumerator?.nextObject() as? String {
            if path.hasPrefix(".git/") || path == ".git" || path.hasPrefix(".mlci") { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: sandbox.root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[path] = FileManager.default.contents(atPath: sandbox.root + "/" + path)
            }
        }
        return out
    }

    @Test func aBadConfigIsReportedWithLineAndColumnByEveryCommand() throws {
        let sandbox = try project()
        try sandbox.write("mlci.yaml", "version: 1\ndata:\n  - data/train.csv\nstages:\n  train:\n    cmnd: python train.py\n")
        let before = try snapshot(sandbox)
        for command in ["lineage", "status", "lock", "log"] {
            let result = try MLCIBinary.run([command], in: sandbox)
            expectRefusal(result, "mlci.yaml:6:5: error: unknown key 'cmnd' in 'stages.train' (did you mean 'cmd'?)",
                          "mlci.yaml:6:5: error: 'stages.train': the required key 'cmd' is missing")
        }
        #expect(try snapshot(sandbox) == before)
    }

    @Test func aMalformedLockIsLocatedAndLeftAlone() throws {
        let sandbox = try project()
        let broken = "version: 1\ndata:\n  data/train.csv:\n    sha256: nothex\n    size: 12\n"
        try sandbox.write("mlci.lock", broken)
        expectRefusal(try mlci("status", in: sandbox), "mlci.lock:4:13: error:", "is not a SHA-256 hex digest")
        expectRefusal(try mlci("lock", in: sandbox), "mlci.lock:4:13")
        #expect(try sandbox.read("mlci.lock") == broken)
        try sandbox.write("mlci.lock", "version: 1\ndata: [oops\n")
        expectRefusal(try mlci("status", in: sandbox), "mlci.lock:", "invalid YAML")
        try sandbox.write("mlci.lock", bytes: [0x76, 0xff, 0x00])
        expectRefusal(try mlci("status", in: sandbox), "mlci.lock:1:2: error: the file is not valid UTF-8")
    }

    @Test func aMalformedLockInAnOldCommitNamesTheCommit() throws {
        let sandbox = try project()
        try sandbox.write("mlci.lock", "version: 1\nmodels:\n  m.pkl: {sha256: 12, size: -1}\n")
        let bad = try sandbox.commit("bad lock")
        let result = try mlci("lineage", in: sandbox)
        expectRefusal(result, "\(bad.prefix(7)):mlci.lock:3:")
    }

    @Test func aMalformedDVCFileIsLocated() throws {
        let sandbox = try project()
        try sandbox.write("data/raw.dvc", "outs:\n- md5: zz\n  path: raw\n")
        expectRefusal(try mlci("status", in: sandbox), "data/raw.dvc:2:8: error: the md5 'zz' of 'raw' in data/raw.dvc is not 32 hex digits")
        try sandbox.write("data/raw.dvc", "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: ../../etc/passwd\n")
        expectRefusal(try mlci("status", in: sandbox), "data/raw.dvc:3:9", "leads out of the repository")
        try sandbox.write("data/raw.dvc", "")
        expectRefusal(try mlci("status", in: sandbox), "data/raw.dvc is empty")
        try sandbox.write("data/raw.dvc", "outs: {path: raw}\n")
        expectRefusal(try mlci("status", in: sandbox), "'outs' in data/raw.dvc must be a list")
    }

    @Test func aMalformedDvcLockIsLocated() throws {
        let sandbox = try project()
        try sandbox.write("dvc.lock", "schema: '2.0'\nstages:\n  train:\n    outs:\n    - path: model.pkl\n      hash: md5\n")
        expectRefusal(try mlci("status", in: sandbox), "dvc.lock:5:7: error: the out 'model.pkl' in dvc.lock has no md5")
        try sandbox.write("dvc.lock", "schema: '9.0'\nstages: {}\n")
        expectRefusal(try mlci("status", in: sandbox), "dvc.lock:1:9", "schema '9.0'")
    }

    @Test func aMalformedLFSPointerIsLocated() throws {
        let sandbox = try project()
        try sandbox.write("data/train.csv", "version https://git-lfs.github.com/spec/v1\noid sha256:1234\nsize 3\n")
        let commit = try sandbox.commit("broken pointer")
        expectRefusal(try mlci("lineage", in: sandbox), "\(commit.prefix(7)):data/train.csv:2: error: a malformed Git LFS pointer",
                      "64 lowercase hex")
    }

    @Test func aPathLeavingTheRepositoryIsRefused() throws {
        let sandbox = try project()
        try "secret\n".write(toFile: sandbox.base + "/secret.csv", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/data/leak.csv", withDestinationPath: sandbox.base + "/secret.csv")
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(of: "  - data/images\n", with: "  - data/images\n  - data/leak.csv\n"))
        let before = try snapshot(sandbox)
        expectRefusal(try mlci("lock", in: sandbox), "data/leak.csv", "symbolic link that leads out of the repository")
        #expect(try snapshot(sandbox) == before)
        try sandbox.write("mlci.yaml", "version: 1\ndata: [../secret.csv]\n")
        expectRefusal(try mlci("status", in: sandbox), "mlci.yaml:2:8", "leaves the repository")
    }

    @Test func lockWritesNothingWhenADeclaredPathIsMissing() throws {
        let sandbox = try project()
        let lockBefore = try sandbox.read("mlci.lock")
        try sandbox.write("data/train.csv", "changed\n")
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml") + "# and more\n"
            .replacingOccurrences(of: "# and more", with: "stages:\n  s: {cmd: x}"))
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(of: "  - data/images\n", with: "  - data/images\n  - data/absent.csv\n"))
        let result = try mlci("lock", in: sandbox)
        expectRefusal(result, "mlci.yaml:5:5: error: 'data/absent.csv' is declared in mlci.yaml but does not exist")
        #expect(try sandbox.read("mlci.lock") == lockBefore)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.root).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func aRepositoryOfAnotherUserIsExplainedNotMistakenForNone() throws {
        guard getuid() == 0 else { return }  // needs root to run as another user
        let sandbox = try project()
        chmod(sandbox.base, 0o755)
        try ProcessRunner.run("chmod", ["-R", "a+rwX", sandbox.root])
        let result = try ProcessRunner.run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", MLCIBinary.path, "status"],
                                           in: sandbox.root, environment: sandbox.environment())
        expectRefusal(result, "owned by another user", "safe.directory")
    }

    @Test func anUnreadableFileIsNamed() throws {
        let sandbox = try project()
        try sandbox.write("data/train.csv", "changed so the cache cannot answer\n")
        chmod(sandbox.root + "/data/train.csv", 0)
        // As root every file is readable; run mlci as nobody so the permission applies.
        chmod(sandbox.base, 0o755)
        let runAs: (String, [String]) = getuid() == 0
            ? ("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", MLCIBinary.path, "status"])
            : (MLCIBinary.path, ["status"])
        try ProcessRunner.run("chmod", ["-R", "a+rwX", sandbox.root])
        try "[safe]\n\tdirectory = \(sandbox.root)\n".write(toFile: sandbox.base + "/.gitconfig", atomically: true, encoding: .utf8)
        chmod(sandbox.base + "/.gitconfig", 0o644)
        chmod(sandbox.root + "/data/train.csv", 0)
        let result = try ProcessRunner.run(runAs.0, runAs.1, in: sandbox.root, environment: sandbox.environment())
        expectRefusal(result, "data/train.csv: cannot read it: permission denied")
    }
}
