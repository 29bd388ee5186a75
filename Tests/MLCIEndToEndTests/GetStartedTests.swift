import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// DVC's get-started project, built at test time and taken through mlci as a new user would:
/// `dvc add` the raw data, `dvc repro`, commit, `mlci init`, commit the config, `mlci verify`.
/// The model is real (numpy logistic regression), evaluate really uses dvclive, and the gate
/// `mlci init` wrote judges branches on the metric that model really scores.
@Suite(.serialized) struct GetStartedTests {
    var dvc: String { PeerTools.dvc }

    var python: String { PeerTools.python }

    @discardableResult
    func run(_ sandbox: GitSandbox, _ arguments: String...) throws -> ProcessResult {
        let result = try ProcessRunner.run(dvc, arguments, in: sandbox.root,
                                           environment: sandbox.environment(["DVC_NO_ANALYTICS": "1"]))
        #expect(result.status == 0, "dvc \(arguments.joined(separator: " ")): \(result.stdout) \(result.stderr)")
        return result
    }

    /// Raw data as XML rows whose label depends on two features (fresh each run), under
    /// `dvc add`; four stages; params.yaml; dvclive in evaluate; top-level metrics, plots and
    /// artifacts.
    func makeProject(_ sandbox: GitSandbox) throws {
        var g = SystemRandomNumberGenerator()
        let rows = (0..<300).map { id -> String in
            let x1 = Double.random(in: -1...1, using: &g), x2 = Double.random(in: -1...1, using: &g)
            let label = x1 + x2 + Double.random(in: -0.3...0.3, using: &g) > 0 ? 1 : 0
            return "  <row id=\"\(id)\" x1=\"\(x1)\" x2=\"\(x2)\" label=\"\(label)\"/>"
        }
        try sandbox.write("data/data.xml", "<rows>\n" + rows.joined(separator: "\n") + "\n</rows>\n")
        try run(sandbox, "add", "-q", "data/data.xml")
        try sandbox.write("params.yaml", "prepare:\n  split: 0.3\n  seed: 20170428\nfeaturize:\n  max_features: 1\ntrain:\n  epochs: 200\n  lr: 0.5\n")
        try sandbox.write("src/prepare.py", """
        import os, random, sys
        import xml.etree.ElementTree as ET
        import yaml
        params = yaml.safe_load(open("params.yaml"))["prepare"]
        rows = [(r.get("x1"), r.get("x2"), r.get("label")) for r in ET.parse(sys.argv[1]).getroot()]
        random.Random(params["seed"]).shuffle(rows)
        cut = int(len(rows) * params["split"])
        os.makedirs("data/prepared", exist_ok=True)
        for name, part in (("test", rows[:cut]), ("train", rows[cut:])):
            with open(f"data/prepared/{name}.csv", "w") as out:
                out.write("x1,x2,label\\n" + "".join(",".join(r) + "\\n" for r in part))

        """)
        try sandbox.write("src/featurization.py", """
        import os, sys
        import numpy as np
        import yaml
        keep = yaml.safe_load(open("params.yaml"))["featurize"]["max_features"]
        source, target = sys.argv[1], sys.argv[2]
        os.makedirs(target, exist_ok=True)
        train = np.loadtxt(f"{source}/train.csv", delimiter=",", skiprows=1)
        mean, std = train[:, :keep].mean(axis=0), train[:, :keep].std(axis=0)
        for name in ("train", "test"):
            data = np.loadtxt(f"{source}/{name}.csv", delimiter=",", skiprows=1)
            np.save(f"{target}/{name}.npy", np.column_stack([(data[:, :keep] - mean) / std, data[:, -1]]))

        """)
        try sandbox.write("src/train.py", """
        import sys
        import numpy as np
        import yaml
        params = yaml.safe_load(open("params.yaml"))["train"]
        data = np.load(f"{sys.argv[1]}/train.npy")
        x, y = np.column_stack([data[:, :-1], np.ones(len(data))]), data[:, -1]
        w = np.zeros(x.shape[1])
        for _ in range(params["epochs"]):
            w -= params["lr"] * x.T @ (1 / (1 + np.exp(-x @ w)) - y) / len(y)
        with open(sys.argv[2], "wb") as out:
            np.save(out, w)

        """)
        try sandbox.write("src/evaluate.py", """
        import sys
        import numpy as np
        from dvclive import Live
        with open(sys.argv[1], "rb") as model:
            w = np.load(model)
        data = np.load(f"{sys.argv[2]}/test.npy")
        x, y = np.column_stack([data[:, :-1], np.ones(len(data))]), data[:, -1]
        score = x @ w
        accuracy = float(((score > 0) == (y == 1)).mean())
        positives, negatives = score[y == 1], score[y == 0]
        auc = float(((positives[:, None] > negatives[None, :]).sum()
                     + 0.5 * (positives[:, None] == negatives[None, :]).sum()) / (len(positives) * len(negatives)))
        thresholds = np.unique(score)[::-1]
        roc = [{"fpr": float((negatives >= t).mean()), "tpr": float((positives >= t).mean())} for t in thresholds]
        with Live("eval", dvcyaml=False) as live:
            live.log_metric("test/accuracy", round(accuracy, 6), plot=False)
            live.log_metric("test/roc_auc", round(auc, 6), plot=False)
            live.log_plot("roc", roc, x="fpr", y="tpr", template="simple")

        """)
        try sandbox.write("dvc.yaml", """
        stages:
          prepare:
            cmd: \(python) src/prepare.py data/data.xml
            deps:
              - data/data.xml
              - src/prepare.py
            params:
              - prepare.seed
              - prepare.split
            outs:
              - data/prepared
          featurize:
            cmd: \(python) src/featurization.py data/prepared data/features
            deps:
              - data/prepared
              - src/featurization.py
            params:
              - featurize.max_features
            outs:
              - data/features
          train:
            cmd: \(python) src/train.py data/features model.pkl
            deps:
              - data/features
              - src/train.py
            params:
              - train.epochs
              - train.lr
            outs:
              - model.pkl
          evaluate:
            cmd: \(python) src/evaluate.py model.pkl data/features
            deps:
              - data/features
              - model.pkl
              - src/evaluate.py
            outs:
              - eval
        metrics:
          - eval/metrics.json
        plots:
          - eval/plots/custom/roc.json:
              template: simple
              x: fpr
              y: tpr
        artifacts:
          classifier:
            path: model.pkl
            type: model

        """)
    }

    func verify(_ sandbox: GitSandbox) throws -> (status: Int32, document: JSONValue, result: ProcessResult) {
        let result = try mlci("verify", "--json", in: sandbox)
        return (result.status, try json(result), result)
    }

    func metric(_ sandbox: GitSandbox, _ key: String) throws -> Double? {
        let document = try JSONParser().parse(try sandbox.read("eval/metrics.json"))
        return document["test"]?[key]?.doubleValue
    }

    @Test func aGetStartedProjectIsApprovedAndARegressionOfItsRealMetricIsRejected() throws {
        let sandbox = try GitSandbox()
        try run(sandbox, "init", "-q")
        try run(sandbox, "config", "--local", "core.site_cache_dir", sandbox.base + "/dvc-site-cache")
        try run(sandbox, "config", "--local", "core.analytics", "false")
        try makeProject(sandbox)
        try sandbox.commit("get started")
        try run(sandbox, "repro", "-q")
        try sandbox.commit("first run")
        let baseline = try #require(try metric(sandbox, "roc_auc"))

        // mlci init, no hand edits: the gate names the metrics dvclive wrote.
        let initialized = try mlci("init", in: sandbox)
        #expect(initialized.status == 0, "\(initialized.stderr)")
        let config = try sandbox.read("mlci.yaml")
        #expect(config.contains("    test.roc_auc:"), "\(config)")
        #expect(config.contains("    test.accuracy:"), "\(config)")
        try sandbox.commit("mlci init")
        let approved = try verify(sandbox)
        #expect(approved.status == 0, "\(approved.result.stdout) \(approved.result.stderr)")
        #expect(approved.document["verdict"] == "approved")

        // A branch whose params make the model worse: mlci runs train and evaluate (dvclive as
        // under dvc repro: no experiment saved) and the gate rejects the real regression.
        try sandbox.git("checkout", "-q", "-b", "fewer-epochs")
        try sandbox.write("params.yaml", "prepare:\n  split: 0.3\n  seed: 20170428\nfeaturize:\n  max_features: 1\ntrain:\n  epochs: 0\n  lr: 0.5\n")
        try sandbox.commit("train for zero epochs")
        let worse = try verify(sandbox)
        #expect(worse.status == 1, "\(worse.result.stdout) \(worse.result.stderr)")
        #expect(worse.document["verdict"] == "rejected")
        let failed = worse.document["checks"]?.arrayValue?.filter { $0["outcome"] == "failed" }.compactMap { $0["check"]?.stringValue } ?? []
        #expect(failed.contains("metrics.max_drop_pct") && failed.allSatisfy { $0.hasPrefix("metrics.") }, "\(failed)")
        let regressed = try #require(try metric(sandbox, "roc_auc"))
        #expect(regressed < baseline, "the model really got worse: \(regressed) vs \(baseline)")
        #expect(try sandbox.git("for-each-ref", "refs/exps").isEmpty, "dvclive saved an experiment")
        #expect(try run(sandbox, "status", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "{}")

        // A branch that gives the model its second feature: better, approved.
        try sandbox.git("checkout", "-q", "-f", "main")
        try run(sandbox, "checkout", "-q")
        try sandbox.git("checkout", "-q", "-b", "two-features")
        try sandbox.write("params.yaml", "prepare:\n  split: 0.3\n  seed: 20170428\nfeaturize:\n  max_features: 2\ntrain:\n  epochs: 200\n  lr: 0.5\n")
        try sandbox.commit("use both features")
        let better = try verify(sandbox)
        #expect(better.status == 0, "\(better.result.stdout) \(better.result.stderr)")
        #expect(better.document["verdict"] == "approved")
        let improved = try #require(try metric(sandbox, "roc_auc"))
        #expect(improved > baseline, "the model really got better: \(improved) vs \(baseline)")
        #expect(try sandbox.git("for-each-ref", "refs/exps").isEmpty, "dvclive saved an experiment")
        #expect(try run(sandbox, "status", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "{}")
    }
}
