import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// mlci runs dvc.yaml pipelines with dvc.lock as their record, against DVC 3 itself: the same
/// stages run, dvc.lock comes out with the same bytes as `dvc repro`'s on a twin repository, and
/// `dvc status`, `dvc push` and `dvc pull` work on what mlci left.
@Suite(.serialized) struct DVCStoreTests {
    var dvc: String { PeerTools.dvc }

    @discardableResult
    func dvc(_ sandbox: GitSandbox, _ arguments: String..., in directory: String? = nil, mustSucceed: Bool = true) throws -> ProcessResult {
        let result = try ProcessRunner.run(dvc, arguments, in: directory ?? sandbox.root, environment: sandbox.environment())
        if mustSucceed { #expect(result.status == 0, "dvc \(arguments.joined(separator: " ")): \(result.stdout) \(result.stderr)") }
        return result
    }

    /// A pipeline of the shapes DVC projects have, with random raw data: `dvc add`-ed input, a
    /// directory out, `foreach`, params keys and a whole params section, `cache: false` metrics,
    /// a cached plot, an `always_changed` stage and a nested dvc.yaml with `wdir`.
    func pipeline() throws -> GitSandbox {
        let sandbox = try GitSandbox()
        try dvc(sandbox, "init", "-q")
        try dvc(sandbox, "config", "--local", "core.site_cache_dir", sandbox.base + "/dvc-site-cache")
        var rng = SystemRandomNumberGenerator()
        let rows = (0..<Int.random(in: 20...60, using: &rng)).map { i in "\(i),\(Double.random(in: 0...1, using: &rng))" }
        try sandbox.write("data/raw.csv", "id,x\n" + rows.joined(separator: "\n") + "\n")
        try sandbox.write("params.yaml", "prepare:\n  split: 0.25\ntrain:\n  lr: 0.001\n  epochs: 3\n  opts: {batch: 32, tag: v 1}\nseed: 7\n")
        try sandbox.write("src/prepare.py", """
        import os, sys
        os.makedirs("data/prepared", exist_ok=True)
        rows = open("data/raw.csv").read().splitlines()[1:]
        for shard in ("a", "b"):
            keep = [r for r in rows if (int(r.split(",")[0]) % 2 == 0) == (shard == "a")]
            open(f"data/prepared/{shard}.csv", "w").write("\\n".join(keep) + "\\n")
        print("prepared", len(rows), "rows with split", sys.argv[1])
        """)
        try sandbox.write("src/featurize.py", """
        import sys
        shard = sys.argv[1]
        xs = [float(r.split(",")[1]) for r in open(f"data/prepared/{shard}.csv").read().split()]
        open(f"data/features-{shard}.txt", "w").write(repr(sum(xs) / len(xs)) + "\\n")
        """)
        try sandbox.write("src/train.py", """
        import sys
        fa = float(open("data/features-a.txt").read()); fb = float(open("data/features-b.txt").read())
        open("model.bin", "w").write(repr(fa * float(sys.argv[1]) + fb) + "\\n")
        """)
        try sandbox.write("src/evaluate.py", """
        import json
        w = float(open("model.bin").read())
        json.dump({"accuracy": round(1 - abs(w - 0.5), 6), "loss": round(abs(w - 0.5), 6)}, open("metrics.json", "w"))
        open("plots.csv", "w").write("step,loss\\n0,%.6f\\n" % abs(w - 0.5))
        """)
        try sandbox.write("dvc.yaml", """
        vars:
          - shards: [a, b]
        stages:
          prepare:
            cmd: python3 src/prepare.py ${prepare.split}
            deps:
            - data/raw.csv
            - src/prepare.py
            params:
            - prepare.split
            - seed
            outs:
            - data/prepared
          featurize:
            foreach: ${shards}
            do:
              cmd: python3 src/featurize.py ${item}
              deps:
              - data/prepared
              - src/featurize.py
              outs:
              - data/features-${item}.txt
          train:
            cmd: python3 src/train.py ${train.lr}
            deps:
            - data/features-a.txt
            - data/features-b.txt
            - src/train.py
            params:
            - train
            outs:
            - model.bin
          evaluate:
            cmd: python3 src/evaluate.py
            deps:
            - model.bin
            - src/evaluate.py
            metrics:
            - metrics.json:
                cache: false
            plots:
            - plots.csv
          stamp:
            always_changed: true
            cmd: echo stamped > stamp.txt
            outs:
            - stamp.txt:
                cache: false
        """)
        try sandbox.write("report/dvc.yaml", """
        stages:
          summarize:
            wdir: ..
            cmd: python3 -c "import json; m = json.load(open('metrics.json')); open('report/summary.txt', 'w').write(str(m['accuracy']))"
            deps:
            - metrics.json
            outs:
            - report/summary.txt
        """)
        try sandbox.write("mlci.yaml", "version: 1\ntarget: main\nmetrics: [metrics.json]\ngate:\n  metrics:\n    accuracy: {min: 0}\n")
        try dvc(sandbox, "add", "-q", "data/raw.csv")
        try sandbox.git("add", "-A")
        try sandbox.commit("pipeline")
        try dvc(sandbox, "repro", "-q", "--all-pipelines")
        try sandbox.git("add", "-A")
        try sandbox.commit("dvc repro")
        return sandbox
    }

    /// The stages a `mlci verify --json` ran.
    func ran(_ result: ProcessResult) throws -> Set<String> {
        let document = try json(result)
        return Set((document["stages"]?.arrayValue ?? []).filter { $0["outcome"] != nil }.compactMap { $0["name"]?.stringValue })
    }

    /// The stages `dvc repro` said it ran.
    func ranByDVC(_ output: String) -> Set<String> {
        Set(output.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("Running stage '") else { return nil }
            return String(line.dropFirst("Running stage '".count).prefix { $0 != "'" })
        })
    }

    func copy(_ sandbox: GitSandbox, to name: String) throws -> String {
        let twin = sandbox.base + "/" + name
        let result = try ProcessRunner.run("cp", ["-a", sandbox.root, twin])
        #expect(result.status == 0)
        // DVC's state DB is keyed by path; the twin gets a site cache of its own.
        _ = try ProcessRunner.run(dvc, ["config", "--local", "core.site_cache_dir", sandbox.base + "/dvc-site-cache-" + name],
                                  in: twin, environment: sandbox.environment())
        return twin
    }

    func cacheObjects(_ root: String) throws -> [String] {
        let files = try ProcessRunner.run("find", [".dvc/cache/files", "-type", "f", "-printf", "%P %m\n"], in: root).stdout
        return files.split(separator: "\n").map(String.init).sorted()
    }

    @Test func afterDvcReproAndACommitVerifyRunsNothingButAlwaysChangedAndApproves() throws {
        let sandbox = try pipeline()
        let result = try mlci("verify", "--json", in: sandbox)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(try ran(result) == ["stamp"])
        #expect(try json(result)["verdict"]?.stringValue == "approved")
        #expect(try sandbox.git("status", "--porcelain") == "", "mlci left the tree as DVC had it")
    }

    @Test func aBranchChangingParamsAndDataRunsWhatDvcRunsAndLeavesDvcsRecords() throws {
        let sandbox = try pipeline()
        try sandbox.git("checkout", "-q", "-b", "change")
        try sandbox.write("params.yaml", "prepare:\n  split: 0.25\ntrain:\n  lr: 0.002\n  epochs: 3\n  opts: {batch: 32, tag: v 1}\nseed: 7\n")
        var raw = try sandbox.read("data/raw.csv")
        raw += "999,0.125\n"
        try sandbox.write("data/raw.csv", raw)
        try dvc(sandbox, "add", "-q", "data/raw.csv")
        try sandbox.commit("more data, higher lr")

        let twin = try copy(sandbox, to: "twin")
        let status = try dvc(sandbox, "status", "--json", in: twin)
        let changed = Set((try JSONParser().parse(status.stdout).objectValue ?? []).map(\.0))
        let repro = try dvc(sandbox, "repro", "--all-pipelines", in: twin)
        let dvcRan = ranByDVC(repro.stdout)
        #expect(changed.isSubset(of: dvcRan))

        let verify = try mlci("verify", "--json", in: sandbox)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(try ran(verify) == dvcRan)
        // The plan came before the work, and each stage announced itself before its output.
        let plan = try #require(verify.stderr.range(of: "plan: "))
        let start = try #require(verify.stderr.range(of: "▶ stage 'prepare': running"))
        let output = try #require(verify.stderr.range(of: "[prepare] prepared"))
        #expect(plan.lowerBound < start.lowerBound && start.lowerBound < output.lowerBound)

        let after = try dvc(sandbox, "status", "--json")
        #expect(try JSONParser().parse(after.stdout) == ["stamp": ["always changed"]], "\(after.stdout)")
        for lock in ["dvc.lock", "report/dvc.lock", ".gitignore", "data/.gitignore", "report/.gitignore"] {
            let ours = FileManager.default.contents(atPath: sandbox.root + "/" + lock)
            let theirs = FileManager.default.contents(atPath: twin + "/" + lock)
            #expect(ours == theirs, "\(lock) differs from dvc repro's:\n\(String(decoding: ours ?? Data(), as: UTF8.self))\n---\n\(String(decoding: theirs ?? Data(), as: UTF8.self))")
        }
        #expect(try cacheObjects(sandbox.root) == cacheObjects(twin))

        // dvc push from what mlci left, dvc pull into a new clone: the outs come back.
        try dvc(sandbox, "remote", "add", "-d", "local", sandbox.base + "/remote")
        try dvc(sandbox, "push", "-q")
        try sandbox.git("add", "-A")
        try sandbox.commit("verified by mlci")
        let clone = sandbox.base + "/clone"
        try sandbox.git(["clone", "-q", sandbox.root, clone], in: sandbox.base)
        _ = try ProcessRunner.run(dvc, ["config", "--local", "core.site_cache_dir", sandbox.base + "/dvc-site-cache-clone"],
                                  in: clone, environment: sandbox.environment())

        // Before the pull, the data DVC records is missing: exit 2 naming it, dvc pull as the hint, nothing run.
        let missing = try MLCIBinary.run(["verify"], in: sandbox, directory: clone)
        #expect(missing.status == 2, "\(missing.stdout) \(missing.stderr)")
        #expect(missing.stderr.contains("data/raw.csv") && missing.stderr.contains("dvc pull"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: clone + "/.mlci/logs/stamp.log"), "no stage ran")

        try dvc(sandbox, "pull", "-q", in: clone)
        for out in ["model.bin", "data/features-a.txt", "data/prepared/a.csv", "plots.csv", "report/summary.txt"] {
            #expect(FileManager.default.contents(atPath: clone + "/" + out) == FileManager.default.contents(atPath: sandbox.root + "/" + out), "\(out)")
        }
    }

    @Test func cacheTypeSymlinkLinksOutsAsDvcDoes() throws {
        let sandbox = try pipeline()
        try dvc(sandbox, "config", "cache.type", "symlink")
        try sandbox.git("add", "-A")
        try sandbox.commit("symlinks")
        try sandbox.write("src/train.py", try sandbox.read("src/train.py") + "# retrained\n")
        try sandbox.commit("touch train")
        let twin = try copy(sandbox, to: "twin")
        try dvc(sandbox, "repro", "-q", "--all-pipelines", in: twin)
        let verify = try mlci("verify", "--json", in: sandbox)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let ours = try FileManager.default.destinationOfSymbolicLink(atPath: sandbox.root + "/model.bin")
        let theirs = try FileManager.default.destinationOfSymbolicLink(atPath: twin + "/model.bin")
        #expect((ours as NSString).lastPathComponent == (theirs as NSString).lastPathComponent)
        #expect(ours.hasPrefix(sandbox.root + "/.dvc/cache/files/md5/"))
        #expect(FileManager.default.contents(atPath: sandbox.root + "/dvc.lock") == FileManager.default.contents(atPath: twin + "/dvc.lock"))
    }
}

/// Lineage never lies: a commit's metrics are that commit's, read from the out its dvc.lock
/// records when git does not hold the file; when neither has it, mlci says so.
@Suite(.serialized) struct DVCLineageTests {
    @Test func aCommitsMetricsComeFromItsOwnDvcLockOrAreReportedMissing() throws {
        let sandbox = try GitSandbox()
        let dvcTests = DVCStoreTests()
        try dvcTests.dvc(sandbox, "init", "-q")
        try dvcTests.dvc(sandbox, "config", "--local", "core.site_cache_dir", sandbox.base + "/dvc-site-cache")
        var rng = SystemRandomNumberGenerator()
        let first = Double(Int.random(in: 100...499, using: &rng)) / 1000
        let second = Double(Int.random(in: 500...999, using: &rng)) / 1000
        try sandbox.write("params.yaml", "acc: \(first)\n")
        try sandbox.write("eval.py", "import yaml, json\njson.dump({'accuracy': yaml.safe_load(open('params.yaml'))['acc']}, open('metrics.json', 'w'))\n")
        try sandbox.write("dvc.yaml", """
        stages:
          evaluate:
            cmd: python3 eval.py
            deps:
            - eval.py
            params:
            - acc
            metrics:
            - metrics.json
        """)
        try sandbox.write("mlci.yaml", "version: 1\nmetrics: [metrics.json]\n")
        try dvcTests.dvc(sandbox, "repro", "-q")
        try sandbox.git("add", "-A")
        let one = try sandbox.commit("first run")
        try sandbox.write("params.yaml", "acc: \(second)\n")
        try dvcTests.dvc(sandbox, "repro", "-q")
        try sandbox.git("add", "-A")
        let two = try sandbox.commit("second run, made with dvc repro")

        for (commit, value) in [(one, first), (two, second)] {
            let record = try json(mlci("lineage", "--json", commit, in: sandbox))
            #expect(record["metrics"]?["metrics.json"]?["accuracy"]?.doubleValue == value, "\(record)")
        }
        let diff = try mlci("diff", "--json", one, two, in: sandbox)
        #expect(diff.stdout.contains("\(first)") && diff.stdout.contains("\(second)"), "\(diff.stdout)")

        // Without the cache object, the first commit's metrics are not shown, and mlci says why.
        try FileManager.default.removeItem(atPath: sandbox.root + "/.dvc/cache")
        let missing = try mlci("lineage", "--json", one, in: sandbox)
        let record = try json(missing)
        #expect(record["metrics"]?["metrics.json"] == nil, "\(record)")
        let warnings = (record["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(warnings.contains { $0.contains("metrics.json") && $0.contains("not shown") }, "\(warnings)")
    }
}
