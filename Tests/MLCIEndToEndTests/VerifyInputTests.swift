import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// Bad metrics and bad pipelines: one clear message, exit 2, mlci.lock unchanged.
@Suite struct VerifyBadInputTests {
    func expectRefusal(_ sandbox: GitSandbox, _ words: String..., sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let lock = try sandbox.read("mlci.lock")
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 2, "exit \(result.status): \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        for word in words { #expect(result.stderr.contains(word), "\(result.stderr)", sourceLocation: sourceLocation) }
        #expect(try sandbox.read("mlci.lock") == lock, "mlci.lock changed", sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        ("echo nothing\n", "did not write its metrics file 'metrics.json'"),
        ("echo 'accuracy: 0.9' > metrics.json\n", "metrics.json:1:1: error: unexpected character 'a'; expected a value"),
        ("printf '{\"accuracy\": NaN}' > metrics.json\n", "metrics.json:1:14: error: NaN and Infinity are not JSON numbers"),
        ("printf '{\"accuracy\": \"high\"}' > metrics.json\n", "metric 'accuracy' in metrics.json is the string \"high\", not a number"),
        ("printf '{\"acc\": 0.9}' > metrics.json\n", "metric 'accuracy' is in none of the metrics files (metrics.json)"),
        ("printf '' > metrics.json\n", "metrics.json is empty"),
    ])
    func badMetricsStopTheGateWithNothingRecorded(script: String, words: String) throws {
        let sandbox = try pipeline()
        try sandbox.write("eval.sh", script)
        try expectRefusal(sandbox, words)
    }

    @Test func aMissingTopLevelMetricsFileIsNamed() throws {
        let sandbox = try pipeline()
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml") + "metrics: [extra.json]\n")
        try expectRefusal(sandbox, "the metrics file 'extra.json' does not exist")
    }

    @Test(arguments: [
        ("prepare: {cmd: \"sh prepare.sh\", ", "prepare: {", "the required key 'cmd' is missing"),
        ("deps: [data.csv, prepare.sh]", "deps: [data.csv, prepare.sh, model.bin]", "the stages form a cycle"),
        ("outs: [prepared.csv]", "outs: [../prepared.csv]", "leaves the repository"),
        ("outs: [prepared.csv]", "outs: [/tmp/prepared.csv]", "leaves the repository"),
    ])
    func aBrokenPipelineIsRefusedBeforeAnythingRuns(old: String, new: String, words: String) throws {
        let sandbox = try pipeline()
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(of: old, with: new))
        try expectRefusal(sandbox, "mlci.yaml:", words)
    }

    @Test func aDepThatNothingWritesIsNamed() throws {
        let sandbox = try pipeline()
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(of: "deps: [data.csv, prepare.sh]", with: "deps: [data.csv, prepare.sh, nowhere.csv]"))
        try expectRefusal(sandbox, "stage 'prepare' depends on 'nowhere.csv', which does not exist and no stage before it writes it")
    }
}

@Suite struct InitHookCITests {
    @Test func initLeavesDvcStagesInDvcYamlAndIgnoresTheLocalFolder() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("dvc.yaml", """
        stages:
          prepare:
            cmd: python prepare.py
            deps: [prepare.py, data/raw.csv]
            outs: [data/clean.csv]
          train:
            cmd: python train.py
            deps: [train.py, data/clean.csv]
            params: [train.lr, {other.yaml: [seed]}]
            outs: [{model.pkl: {cache: false}}]
            metrics: [{metrics.json: {cache: false}}]
          sweep:
            foreach: [1, 2]
            do:
              cmd: echo ${item}
        """)
        try sandbox.write("data/raw.csv", "x\n")
        try sandbox.write("params.yaml", "train:\n  lr: 0.1\n")
        try sandbox.write(".gitignore", "*.pyc")
        let result = try mlci("init", in: sandbox)
        #expect(result.status == 0, "\(result.stderr)")
        // dvc.yaml stays the pipeline (issue 10): nothing is copied, foreach stages included.
        #expect(result.stdout.contains("the pipeline is dvc.yaml: 4 stage(s)"), "\(result.stdout)")
        let config = try sandbox.read("mlci.yaml")
        #expect(!config.contains("\nstages:"))
        #expect(config.contains("metrics:\n  - metrics.json\n"))
        // data/ holds a stage out (data/clean.csv): no data entry over it.
        #expect(!config.contains("\ndata:"))
        #expect(try sandbox.read(".gitignore") == "*.pyc\n# mlci's local files (hash cache, logs, reports)\n.mlci/\n")
        // The written file is a valid configuration: status reads it.
        #expect(try mlci("status", in: sandbox).status != 2)
        let again = try mlci("init", in: sandbox)
        #expect(again.status == 2)
        #expect(again.stderr.contains("mlci.yaml already exists"))
    }

    @Test func hookInstallWritesAPrePushHookAndRefusesToReplaceAnother() throws {
        let sandbox = try pipeline()
        let hook = sandbox.root + "/.git/hooks/pre-push"
        let installed = try mlci("hook", "install", in: sandbox)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(FileManager.default.isExecutableFile(atPath: hook))
        // The hook really runs verify: a push to a local bare remote triggers it.
        try sandbox.git(["init", "-q", "--bare", sandbox.base + "/remote.git"], in: sandbox.base)
        try sandbox.git("remote", "add", "origin", sandbox.base + "/remote.git")
        let push = try ProcessRunner.run("git", ["push", "-q", "origin", "main"], in: sandbox.root,
                                         environment: sandbox.environment(["PATH": (MLCIBinary.path as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")]))
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.contains("APPROVED") || push.stderr.contains("APPROVED"))
        #expect(try mlci("hook", "install", in: sandbox).stdout.contains("updated"))

        try "#!/bin/sh\necho mine\n".write(toFile: hook, atomically: true, encoding: .utf8)
        let refused = try mlci("hook", "install", in: sandbox)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("already exists and was not written by mlci"))
        #expect(try String(contentsOfFile: hook, encoding: .utf8) == "#!/bin/sh\necho mine\n")
        #expect(try mlci("hook", "install", "--force", in: sandbox).stdout.contains("replaced"))
    }

    @Test func ciTakesThePullRequestTargetAndRunURLFromGitHubActions() throws {
        let sandbox = try pipeline()
        try sandbox.git("checkout", "-q", "-b", "feature")
        try sandbox.write("acc.txt", "0.95\n")
        #expect(try mlci("verify", "--no-record", in: sandbox).status == 0)
        let head = try sandbox.commit("feature")
        try sandbox.git("update-ref", "refs/remotes/origin/main", "main")
        try sandbox.write(".git/event.json", "{\"pull_request\": {\"number\": 7, \"head\": {\"sha\": \"\(head)\"}, \"base\": {\"ref\": \"main\"}}}")
        let result = try MLCIBinary.run(["ci", "--json"], in: sandbox, environment: [
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main",
            "GITHUB_SHA": "0000000000000000000000000000000000000000", "GITHUB_EVENT_PATH": sandbox.root + "/.git/event.json",
            "GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "acme/churn", "GITHUB_RUN_ID": "42",
            "GITHUB_TOKEN": "ghs_secret_token_value",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try json(result)
        #expect(document["ci"]?["provider"] == "github")
        #expect(document["ci"]?["head_sha"]?.stringValue == head)
        #expect(document["ci"]?["change"] == "7")
        #expect(document["ci"]?["run_url"] == "https://github.example/acme/churn/actions/runs/42")
        #expect(document["baseline"]?["ref"] == "main")
        #expect(!result.stdout.contains("ghs_secret") && !result.stderr.contains("ghs_secret"))
        let note = try sandbox.git("notes", "--ref=mlci", "show", head)
        #expect(note.contains("https://github.example/acme/churn/actions/runs/42"))
        #expect(!note.contains("ghs_secret"))
    }

    @Test func ciReadsGitLabMergeRequestsAndPrintsPlainText() throws {
        let sandbox = try pipeline()
        try sandbox.git("checkout", "-q", "-b", "mr")
        try sandbox.write("acc.txt", "0.80\n")
        let result = try MLCIBinary.run(["ci"], in: sandbox, environment: [
            "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            "CI_COMMIT_SHA": "abc", "CI_MERGE_REQUEST_IID": "3", "CI_JOB_URL": "https://gitlab.example/acme/churn/-/jobs/9",
            "TERM": "xterm-256color",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("REJECTED"))
        #expect(!result.stdout.contains("\u{1B}["))
    }
}

@Suite struct ModelGateVerifyTests {
    @Test func anUnsafeModelRejectsTheChangeWithItsLocation() throws {
        let sandbox = try pipeline(gate: "accuracy: {min: 0.5}\n  model:\n    scan: [model.bin]\n    max_size_mb: 5")
        let clean = try mlci("verify", "--json", in: sandbox)
        #expect(clean.status == 0, "\(clean.stdout)")
        let passed = try json(clean)["checks"]?.arrayValue?.first { $0["check"] == "model.scan" }
        #expect(passed?["outcome"] == "passed")
        // A model that is text, not a model format: mlci cannot read it, so it fails closed.
        try sandbox.write("train.sh", "cat prepared.csv > model.bin\n")
        let unreadable = try mlci("verify", "--json", in: sandbox)
        #expect(unreadable.status == 1, "\(unreadable.stdout)")
        #expect(try json(unreadable)["checks"]?.arrayValue?.contains { $0["check"] == "model.malformed" } == true)
        // A stage that writes a pickle reaching os.system (written byte by byte, never pickled).
        try sandbox.write("train.sh", "printf 'cposix\\nsystem\\n(S'\"'\"'id'\"'\"'\\ntR.' > model.bin\n")
        let result = try mlci("verify", "--json", in: sandbox)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let finding = try json(result)["checks"]?.arrayValue?.first { $0["check"] == "model.unsafe_global" }
        #expect(finding?["observed"] == "posix.system")
        #expect(finding?["location"]?["line"] == 16)
    }
}
