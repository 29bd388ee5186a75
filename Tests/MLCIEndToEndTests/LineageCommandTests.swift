import Foundation
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct LineageCommandTests {
    @Test func lineageListsEveryDataPathWithTheHashSha256sumPrints() throws {
        let sandbox = try project()
        let record = try json(mlci("lineage", "--json", in: sandbox))
        #expect(record["commit"]?.stringValue == (try sandbox.git("rev-parse", "HEAD")))
        let csv = entry(record["data"], path: "data/train.csv")
        #expect(csv?["hash"]?.stringValue == (try sha256sum(sandbox.root + "/data/train.csv")))
        #expect(csv?["algorithm"]?.stringValue == "sha256")
        let images = entry(record["data"], path: "data/images")
        let recipe = try ProcessRunner.run(
            "sh", ["-c", "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum"],
            in: sandbox.root + "/data/images")
        #expect(images?["hash"]?.stringValue == String(recipe.stdout.prefix(64)) + ".dir")
        #expect(images?["files"] == 2)
        #expect(entry(record["models"], path: "models/model.pkl")?["hash"]?.stringValue == (try sha256sum(sandbox.root + "/models/model.pkl")))
        #expect(record["params"]?["params.yaml"]?["train.lr"] == 0.01)
        #expect(record["params"]?["params.yaml"]?["seed"] == 42)
        #expect(record["metrics"]?["metrics.json"]?["loss.val"] == 0.4)
        #expect(record["verdict"] == .null)
    }

    @Test func lineageReadsAnOldRevisionWithoutTouchingTheWorkingTree() throws {
        let sandbox = try project()
        let first = try sha256sum(sandbox.root + "/data/train.csv")
        try sandbox.write("data/train.csv", "x,y\n5,6\n")
        try mlci("lock", in: sandbox)
        try sandbox.commit("second")
        try sandbox.write("data/train.csv", "uncommitted\n")
        let old = try json(mlci("lineage", "HEAD~1", "--json", in: sandbox))
        #expect(entry(old["data"], path: "data/train.csv")?["hash"]?.stringValue == first)
        #expect(try sandbox.read("data/train.csv") == "uncommitted\n")
    }

    @Test func dataOutsideGitComesFromTheLock() throws {
        let sandbox = try project()
        try sandbox.write(".gitignore", "/data/big.bin\n")
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(of: "  - data/images\n", with: "  - data/images\n  - data/big.bin\n"))
        try sandbox.write("data/big.bin", bytes: Array(repeating: 7, count: 100_000))
        #expect(try mlci("lock", in: sandbox).status == 0)
        try sandbox.commit("big data, ignored by git")
        let record = try json(mlci("lineage", "--json", in: sandbox))
        let big = entry(record["data"], path: "data/big.bin")
        #expect(big?["source"]?.stringValue == "mlci.lock")
        #expect(big?["hash"]?.stringValue == (try sha256sum(sandbox.root + "/data/big.bin")))
    }

    @Test func aGitLFSPointerGivesItsOid() throws {
        let sandbox = try project()
        let oid = try sha256sum(sandbox.root + "/data/train.csv")
        try sandbox.write("data/train.csv", "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize 12\n")
        try sandbox.commit("lfs")
        let record = try json(mlci("lineage", "--json", in: sandbox))
        let csv = entry(record["data"], path: "data/train.csv")
        #expect(csv?["hash"]?.stringValue == oid)
        #expect(csv?["source"]?.stringValue == "lfs")
        #expect(csv?["size"] == 12)
    }

    @Test func theVerdictNoteIsShown() throws {
        let sandbox = try project()
        try sandbox.git("notes", "--ref=mlci", "add", "-m", "{\"verdict\": \"approved\", \"promotions\": [{\"env\": \"staging\", \"time\": \"2026-11-21T10:00:00Z\"}]}")
        let record = try json(mlci("lineage", "--json", in: sandbox))
        #expect(record["verdict"]?.stringValue == "approved")
        let text = try mlci("lineage", in: sandbox)
        #expect(text.stdout.contains("approved"))
        #expect(text.stdout.contains("staging"))
    }

    @Test func aMalformedNoteIsAWarningNotAFailure() throws {
        let sandbox = try project()
        try sandbox.git("notes", "--ref=mlci", "add", "-m", "{not json")
        let result = try mlci("lineage", in: sandbox)
        #expect(result.status == 0)
        #expect(result.stderr.contains("is not valid JSON"))
    }

    @Test func lineageWorksFromALinkedWorktreeSubdirectory() throws {
        let sandbox = try project()
        try sandbox.git("worktree", "add", "-q", "-b", "exp", sandbox.base + "/wt")
        let result = try mlci("lineage", "--json", in: sandbox, directory: sandbox.base + "/wt/data")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try json(result)["commit"]?.stringValue == (try sandbox.git("rev-parse", "HEAD")))
    }

    @Test func aShallowCloneReadsWhatItHasAndSaysHowToGetTheRest() throws {
        let sandbox = try project()
        for index in 0..<3 {
            try sandbox.write("metrics.json", "{\"accuracy\": 0.\(82 + index)}\n")
            try sandbox.commit("more \(index)")
        }
        let clone = sandbox.base + "/shallow"
        try sandbox.git(["clone", "-q", "--depth", "2", "--no-local", "file://" + sandbox.root, clone], in: sandbox.base)
        #expect(try mlci("lineage", in: sandbox, directory: clone).status == 0)
        #expect(try mlci("log", in: sandbox, directory: clone).stdout.split(separator: "\n").count == 2)
        let deep = try mlci("lineage", "HEAD~3", in: sandbox, directory: clone)
        #expect(deep.status == 2)
        #expect(deep.stderr.contains("shallow clone"))
        #expect(deep.stderr.contains("fetch-depth: 0"))
    }
}

@Suite struct StatusDiffLogTests {
    @Test func statusIsCleanRightAfterLock() throws {
        let sandbox = try project()
        let result = try mlci("status", in: sandbox)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("match their records (3 paths)"))
        // The hash cache lives in .mlci/, which git never sees.
        #expect(FileManager.default.fileExists(atPath: sandbox.root + "/.mlci/cache/hashes"))
        #expect(try sandbox.git("status", "--porcelain") == "")
    }

    @Test func statusExitsOneAndNamesEachDifference() throws {
        let sandbox = try project()
        try sandbox.write("data/images/sub/b.png", bytes: [1])
        try sandbox.remove("models/model.pkl")
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml") + "models: [models/model.pkl, models/extra.bin]\n"
            .replacingOccurrences(of: "models:", with: "#"))
        let result = try mlci("status", "--json", in: sandbox)
        #expect(result.status == 1)
        let paths = try json(result)["paths"]
        #expect(entry(paths, path: "data/images")?["state"]?.stringValue == "modified")
        #expect(entry(paths, path: "models/model.pkl")?["state"]?.stringValue == "missing")
        #expect(entry(paths, path: "data/train.csv")?["state"]?.stringValue == "unchanged")
        #expect(try mlci("status", "-q", in: sandbox).stdout.isEmpty)
    }

    @Test func statusFlagsADeclaredPathThatIsNotLocked() throws {
        let sandbox = try project()
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(of: "  - data/images\n", with: "  - data/images\n  - data/new.csv\n"))
        try sandbox.write("data/new.csv", "a\n")
        let result = try mlci("status", in: sandbox)
        #expect(result.status == 1)
        #expect(result.stdout.contains("not locked:"))
        #expect(result.stdout.contains("data/new.csv"))
    }

    @Test func diffShowsEachChangedParamWithOldAndNewValue() throws {
        let sandbox = try project()
        try sandbox.write("params.yaml", "train:\n  lr: 0.02\n  epochs: 10\nseed: abc\n")
        try sandbox.write("metrics.json", "{\"accuracy\": 0.85, \"loss\": {\"val\": 0.4}}\n")
        try sandbox.write("data/train.csv", "x,y\n9,9\n")
        try mlci("lock", in: sandbox)
        try sandbox.commit("tune")
        let diff = try json(mlci("diff", "HEAD~1", "HEAD", "--json", in: sandbox))
        let params = diff["params"]?["params.yaml"]
        #expect(params?["train.lr"]?["old"] == 0.01)
        #expect(params?["train.lr"]?["new"] == 0.02)
        #expect(params?["seed"]?["old"] == 42)
        #expect(params?["seed"]?["new"] == "abc")
        #expect(params?["seed"]?["diff"] == nil)
        #expect(params?["train.epochs"] == nil)
        let accuracy = diff["metrics"]?["metrics.json"]?["accuracy"]
        #expect(accuracy?["new"] == 0.85)
        #expect(abs((accuracy?["diff"]?.doubleValue ?? 0) - 0.04) < 1e-12)
        let change: String? = entry(diff["data"], path: "data/train.csv")?["change"]?.stringValue
        #expect(change == "modified")
        let text = try mlci("diff", "HEAD~1", "HEAD", in: sandbox).stdout
        #expect(text.contains("train.lr: 0.01 → 0.02 (+0.01)"))
        #expect(text.contains("accuracy: 0.81 → 0.85 (+0.04)"))
    }

    @Test func diffAgainstTheWorkingTreeHashesWhatChanged() throws {
        let sandbox = try project()
        try sandbox.write("data/images/a.png", bytes: [0])
        let diff = try json(mlci("diff", "HEAD", "--json", in: sandbox))
        #expect(diff["new"] == .null)
        let changed: [String?] = diff["data"]?.arrayValue?.map { $0["path"]?.stringValue } ?? []
        #expect(changed == ["data/images"])
    }

    @Test func logListsDataChangesAndVerdictsOfCommitsTouchingAPath() throws {
        let sandbox = try project()
        try sandbox.write("README.md", "docs\n")
        try sandbox.commit("docs only")
        try sandbox.write("data/train.csv", "x,y\n7,7\n")
        try mlci("lock", in: sandbox)
        let third = try sandbox.commit("new data")
        try sandbox.git("notes", "--ref=mlci", "add", "-m", "{\"verdict\": \"rejected\"}", third)
        let entries = try json(mlci("log", "--json", "--", "data/", in: sandbox)).arrayValue ?? []
        #expect(entries.map { $0["summary"]?.stringValue } == ["new data", "first"])
        #expect(entries[0]["changed"] == ["data/train.csv"])
        #expect(entries[0]["verdict"] == "rejected")
        #expect(entries[1]["changed"]?.arrayValue?.count == 3)
        let gitLog = try sandbox.git("log", "--format=%H", "--", "data/").split(separator: "\n").map(String.init)
        #expect(entries.map { $0["commit"]?.stringValue } == gitLog)
        let text = try mlci("log", "-n", "1", in: sandbox).stdout
        #expect(text.contains("rejected"))
        #expect(text.contains("[data/train.csv]"))
    }
}
