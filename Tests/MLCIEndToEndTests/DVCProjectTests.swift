import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// A DVC user's repository under mlci: `mlci init` writes a config that needs no edits, `-C`
/// goes before the subcommand, `log -- PATH` finds DVC-tracked paths, and data committed to git
/// is tracked by git.
@Suite(.serialized) struct DVCProjectTests {
    var dvc: String { PeerTools.dvc }

    @discardableResult
    func run(_ sandbox: GitSandbox, _ arguments: String..., directory: String? = nil) throws -> ProcessResult {
        let result = try ProcessRunner.run(dvc, arguments, in: directory ?? sandbox.root,
                                           environment: sandbox.environment(["DVC_NO_ANALYTICS": "1"]))
        #expect(result.status == 0, "dvc \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    func dvcRepository() throws -> GitSandbox {
        let sandbox = try GitSandbox()
        try run(sandbox, "init", "-q")
        try run(sandbox, "config", "--local", "core.site_cache_dir", sandbox.base + "/dvc-site-cache")
        try run(sandbox, "config", "--local", "core.analytics", "false")
        return sandbox
    }

    /// The shape of DVC's get-started project: `dvc add`-ed raw data, four stages, metrics
    /// written by evaluate, top-level metrics/plots/artifacts.
    func getStarted(_ sandbox: GitSandbox, metrics: String) throws {
        var g = SystemRandomNumberGenerator()
        try sandbox.write("data/data.xml", (0..<50).map { "<row id=\"\($0)\" v=\"\(Int.random(in: 0...99, using: &g))\"/>" }.joined(separator: "\n"))
        try run(sandbox, "add", "-q", "data/data.xml")
        try sandbox.write("params.yaml", "prepare:\n  split: 0.2\n  seed: 20170428\nfeaturize:\n  max_features: 100\ntrain:\n  n_est: 50\n")
        try sandbox.write("dvc.yaml", """
        stages:
          prepare:
            cmd: python src/prepare.py data/data.xml
            deps:
              - data/data.xml
              - src/prepare.py
            params:
              - prepare.seed
              - prepare.split
            outs:
              - data/prepared
          featurize:
            cmd: python src/featurization.py data/prepared data/features
            deps:
              - data/prepared
              - src/featurization.py
            params:
              - featurize.max_features
            outs:
              - data/features
          train:
            cmd: python src/train.py data/features model.pkl
            deps:
              - data/features
              - src/train.py
            params:
              - train.n_est
            outs:
              - model.pkl
          evaluate:
            cmd: python src/evaluate.py model.pkl data/features
            deps:
              - data/features
              - model.pkl
              - src/evaluate.py
            outs:
              - eval
        metrics:
          - eval/metrics.json
        plots:
          - ROC:
              template: simple
              x: fpr
              y:
                eval/plots/sklearn/roc/train.json: tpr
        artifacts:
          text-classification:
            path: model.pkl
            type: model

        """)
        try sandbox.write("eval/metrics.json", metrics)
        try sandbox.write(".gitignore", "/model.pkl\n/eval\n")
    }

    @Test func initOnAGetStartedProjectWritesAConfigThatNeedsNoEdits() throws {
        let sandbox = try dvcRepository()
        try sandbox.git("checkout", "-q", "-b", "master")
        let metrics = "{\"avg_prec\": {\"train\": 0.97, \"test\": 0.9\(Int.random(in: 0...9))}, \"roc_auc\": {\"train\": 0.96, \"test\": 0.94}, \"step\": 3}"
        try getStarted(sandbox, metrics: metrics)
        try sandbox.commit("get started")

        let result = try mlci("init", in: sandbox)
        #expect(result.status == 0, "\(result.stderr)")
        let config = try sandbox.read("mlci.yaml")
        let lines = config.split(separator: "\n").map(String.init)
        // The repository's branch is master: no hard-coded main.
        #expect(lines.contains("target: master"), "\(config)")
        // No data entry over DVC-tracked data or stage outs.
        #expect(!lines.contains("data:"), "\(config)")
        // dvc.yaml is the pipeline: no stages copied.
        #expect(!lines.contains("stages:"), "\(config)")
        #expect(lines.contains("  - eval/metrics.json"), "\(config)")
        // The gate names the keys DVC itself reads from the metrics file.
        let shown = try run(sandbox, "metrics", "show", "--json")
        let document = try JSONParser().parse(shown.stdout)
        var dvcKeys: Set<String> = []
        func collect(_ value: JSONValue, _ prefix: String) {
            if case .object(let members) = value {
                for (key, inner) in members { collect(inner, prefix.isEmpty ? key : prefix + "." + key) }
            } else if value.doubleValue != nil {
                dvcKeys.insert(prefix)
            }
        }
        let data = document[""]?["data"]?["eval/metrics.json"]?["data"] ?? .null
        collect(data, "")
        #expect(!dvcKeys.isEmpty, "\(shown.stdout)")
        let gated = Set(lines.compactMap { line -> String? in
            guard line.hasPrefix("    "), let colon = line.firstIndex(of: ":"), line.contains("max_") else { return nil }
            return String(line[..<colon]).trimmingCharacters(in: .whitespaces)
        })
        #expect(gated == dvcKeys.subtracting(["step"]), "\(config)")
        // The config validates: a command that loads it succeeds.
        #expect(try mlci("lineage", "--json", in: sandbox).status == 0)
        #expect(try mlci("dvc", "stages", in: sandbox).stdout.contains("evaluate"))
    }

    @Test func initTakesTheRemotesDefaultBranchAsTarget() throws {
        let origin = try GitSandbox()
        try origin.git("checkout", "-q", "-b", "trunk")
        try origin.write("README.md", "hello\n")
        try origin.commit("first")
        let clone = origin.base + "/clone"
        _ = try origin.git(["clone", "-q", origin.root, clone])
        try origin.git(["-C", clone, "checkout", "-q", "-b", "feature"])
        let result = try MLCIBinary.run(["init"], in: origin, directory: clone)
        #expect(result.status == 0, "\(result.stderr)")
        let config = try String(contentsOfFile: clone + "/mlci.yaml", encoding: .utf8)
        #expect(config.contains("\ntarget: trunk\n"), "\(config)")
    }

    @Test func globalOptionsGoBeforeTheSubcommand() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("mlci.yaml", "version: 1\n")
        try sandbox.commit("first")
        let elsewhere = sandbox.base
        let first = try MLCIBinary.run(["-C", sandbox.root, "status", "--json"], in: sandbox, directory: elsewhere)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try JSONParser().parse(first.stdout)["clean"] == true)
        let jsonFirst = try MLCIBinary.run(["--json", "-C", sandbox.root, "status"], in: sandbox, directory: elsewhere)
        #expect(jsonFirst.status == 0, "\(jsonFirst.stderr)")
        #expect(try JSONParser().parse(jsonFirst.stdout)["clean"] == true)
        // -C is relative to the directory before it, as in git.
        let relative = try MLCIBinary.run(["-C", (sandbox.root as NSString).lastPathComponent, "status"], in: sandbox, directory: elsewhere)
        #expect(relative.status == 0, "\(relative.stderr)")
        let missing = try MLCIBinary.run(["-C", sandbox.base + "/nope", "status"], in: sandbox, directory: elsewhere)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope"))
    }

    @Test func logOfADvcTrackedPathListsTheCommitsThatChangedIt() throws {
        let sandbox = try dvcRepository()
        try sandbox.write("mlci.yaml", "version: 1\n")
        try sandbox.write("raw.csv", "a\n1\n")
        try run(sandbox, "add", "-q", "raw.csv")
        try sandbox.write("dvc.yaml", "stages:\n  make:\n    cmd: cp raw.csv model.pkl\n    deps:\n      - raw.csv\n    outs:\n      - model.pkl\n")
        try run(sandbox, "repro", "-q")
        let first = try sandbox.commit("first model")
        try sandbox.write("notes.txt", "unrelated\n")
        let unrelated = try sandbox.commit("unrelated")
        try sandbox.write("raw.csv", "a\n2\n")
        try run(sandbox, "add", "-q", "raw.csv")
        try run(sandbox, "repro", "-q")
        let second = try sandbox.commit("new data, new model")
        // A commit that rewrites dvc.lock without changing the model's md5.
        try sandbox.write("dvc.yaml", "stages:\n  make:\n    cmd: cp raw.csv model.pkl  # same\n    deps:\n      - raw.csv\n    outs:\n      - model.pkl\n")
        try run(sandbox, "repro", "-q")
        let sameModel = try sandbox.commit("same model, new command")

        let model = try json(mlci("log", "--json", "--", "model.pkl", in: sandbox))
        #expect(model.arrayValue?.compactMap { $0["commit"]?.stringValue } == [second, first])
        let raw = try json(mlci("log", "--json", "--", "raw.csv", in: sandbox))
        #expect(raw.arrayValue?.compactMap { $0["commit"]?.stringValue } == [second, first])
        let notes = try json(mlci("log", "--json", "--", "notes.txt", in: sandbox))
        #expect(notes.arrayValue?.compactMap { $0["commit"]?.stringValue } == [unrelated])
        let both = try json(mlci("log", "--json", "-n", "1", "--", "model.pkl", "notes.txt", in: sandbox))
        #expect(both.arrayValue?.compactMap { $0["commit"]?.stringValue } == [second])
        #expect(!(model.arrayValue?.contains { $0["commit"]?.stringValue == sameModel } ?? true))
    }

    @Test func dataCommittedToGitIsTrackedAndAnEditIsJudgedOnMetricsAlone() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("data/train.csv", "x,y\n1,1\n2,1\n3,0\n4,1\n")
        try sandbox.write("train.py", """
        import csv, json
        rows = list(csv.DictReader(open("data/train.csv")))
        accuracy = sum(int(r["y"]) for r in rows) / len(rows)
        json.dump({"accuracy": accuracy}, open("metrics.json", "w"))

        """)
        let initialized = try mlci("init", in: sandbox)
        #expect(initialized.status == 0, "\(initialized.stderr)")
        let config = try sandbox.read("mlci.yaml")
        #expect(config.contains("data:\n  - data\n"), "\(config)")
        try sandbox.write("mlci.yaml", config + """
        stages:
          train: {cmd: python3 train.py, deps: [train.py, data/train.csv], metrics: [metrics.json]}
        gate:
          metrics:
            accuracy: {min: 0.6}

        """)
        try sandbox.write(".gitignore", (try sandbox.read(".gitignore")) + "metrics.json\nmlci.lock\n")
        try sandbox.commit("a new project")
        // No 'mlci lock': git is the data's record.
        let first = try mlci("verify", "--json", in: sandbox)
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        let firstDocument = try json(first)
        #expect(firstDocument["verdict"] == "approved")
        let tracked = firstDocument["checks"]?.arrayValue?.filter { $0["check"] == "provenance.data_tracked" } ?? []
        #expect(!tracked.isEmpty && tracked.allSatisfy { $0["outcome"] == "passed" }, "\(tracked)")

        try sandbox.git("checkout", "-q", "-b", "more-rows")
        try sandbox.write("data/train.csv", "x,y\n1,1\n2,1\n3,0\n4,1\n5,1\n")
        try sandbox.commit("more rows")
        let edited = try mlci("verify", "--json", in: sandbox)
        #expect(edited.status == 0, "\(edited.stdout) \(edited.stderr)")
        let editedDocument = try json(edited)
        #expect(editedDocument["verdict"] == "approved")
        let failed = editedDocument["checks"]?.arrayValue?.filter { $0["outcome"] == "failed" } ?? []
        #expect(failed.isEmpty, "\(failed)")
        #expect(edited.stdout.contains("data/train.csv"), "the edit is shown as a data change")

        try sandbox.git("checkout", "-q", "main")
        try sandbox.git("checkout", "-q", "-b", "bad-rows")
        try sandbox.write("data/train.csv", "x,y\n1,0\n2,0\n3,0\n4,1\n")
        try sandbox.commit("bad rows")
        let worse = try mlci("verify", "--json", in: sandbox)
        #expect(worse.status == 1)
        let rejections = (try json(worse))["checks"]?.arrayValue?.filter { $0["outcome"] == "failed" }.compactMap { $0["check"]?.stringValue } ?? []
        // Judged on its metric alone.
        #expect(rejections == ["metrics.min"], "\(rejections)")
    }

    @Test func aPastCommitsMetricsAreReadFromTheCacheWhereCacheDirPutsIt() throws {
        let sandbox = try dvcRepository()
        // A cache shared outside the repository, as teams configure it (`dvc cache dir`).
        try run(sandbox, "cache", "dir", sandbox.base + "/shared-cache")
        try sandbox.write("mlci.yaml", "version: 1\nmetrics: [eval/metrics.json, score.json]\n")
        try sandbox.write("params.yaml", "seed: 1\n")
        try sandbox.write("evaluate.py", """
        import json, os, random
        r = random.Random(open("params.yaml").read())
        os.makedirs("eval", exist_ok=True)
        json.dump({"auc": r.random()}, open("eval/metrics.json", "w"))
        json.dump({"acc": r.random()}, open("score.json", "w"))

        """)
        try sandbox.write("dvc.yaml", """
        stages:
          evaluate:
            cmd: python3 evaluate.py
            deps: [evaluate.py]
            params: [seed]
            outs: [eval]
            metrics: [score.json]
        metrics: [eval/metrics.json]

        """)
        try run(sandbox, "repro", "-q")
        let first = try sandbox.commit("seed 1")
        try sandbox.write("params.yaml", "seed: \(Int.random(in: 2...1_000_000))\n")
        try run(sandbox, "repro", "-q")
        try sandbox.commit("another seed")
        // The workspace holds the second run's files; the first commit's are in the shared cache only.
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/.dvc/cache"))

        // DVC decides: `dvc metrics diff` reads the old revision's metrics from its cache.
        let diff = try run(sandbox, "metrics", "diff", first, "HEAD", "--json")
        let expected = try JSONParser().parse(Array(diff.stdout.utf8))
        let oldAUC = expected["eval/metrics.json"]?["auc"]?["old"]?.doubleValue
        let oldAcc = expected["score.json"]?["acc"]?["old"]?.doubleValue
        #expect(oldAUC != nil && oldAcc != nil, "\(diff.stdout)")

        let lineage = try mlci("lineage", "--json", first, in: sandbox)
        #expect(lineage.status == 0, "\(lineage.stderr)")
        let document = try json(lineage)
        #expect(document["metrics"]?["eval/metrics.json"]?["auc"]?.doubleValue == oldAUC, "\(lineage.stdout)")
        #expect(document["metrics"]?["score.json"]?["acc"]?.doubleValue == oldAcc, "\(lineage.stdout)")
        #expect(!lineage.stdout.contains("is not here"), "\(lineage.stdout)")
    }
}
