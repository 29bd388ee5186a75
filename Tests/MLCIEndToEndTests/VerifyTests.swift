import Foundation
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct PlanTests {
    @Test func nothingRunsWhenNothingChanged() throws {
        let sandbox = try pipeline()
        let stages = try plan(sandbox)
        #expect(stages.values.allSatisfy { $0.0 == "skip" }, "\(stages)")
        #expect(stages["train"]?.1 == ["up to date: command, deps, params and outs unchanged"])
    }

    @Test func aChangedCommandReRunsItsStageAndWhatFollows() throws {
        let sandbox = try pipeline()
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(of: "cmd: sh train.sh", with: "cmd: sh ./train.sh"))
        let stages = try plan(sandbox)
        #expect(stages["prepare"]?.0 == "skip")
        #expect(stages["train"]?.1 == ["command changed"])
        #expect(stages["evaluate"]?.1 == ["upstream stage 'train' runs"])
    }

    @Test func changedDepContentReRunsButATouchDoesNot() throws {
        let sandbox = try pipeline()
        let past = Date(timeIntervalSinceNow: -5)
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: sandbox.root + "/data.csv")
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: sandbox.root + "/train.sh")
        #expect(try plan(sandbox).values.allSatisfy { $0.0 == "skip" })
        try sandbox.write("data.csv", "x,y\n3,4\n")
        let stages = try plan(sandbox)
        #expect(stages["prepare"]?.1 == ["dep data.csv changed"])
        #expect(stages["train"]?.1 == ["upstream stage 'prepare' runs"])
        #expect(stages["evaluate"]?.0 == "run")
    }

    @Test func onlyTheParamsKeysAStageUsesReRunIt() throws {
        let sandbox = try pipeline()
        try sandbox.write("params.yaml", "train:\n  lr: 0.1\n  epochs: 3\nseed: 99\n")
        #expect(try plan(sandbox).values.allSatisfy { $0.0 == "skip" })
        try sandbox.write("params.yaml", "train:\n  lr: 0.2\n  epochs: 3\nseed: 99\n")
        let stages = try plan(sandbox)
        #expect(stages["prepare"]?.0 == "skip")
        #expect(stages["train"]?.1 == ["params train.lr changed: 0.1 → 0.2"])
    }

    @Test func aMissingOrEditedOutReRunsItsStage() throws {
        let sandbox = try pipeline()
        try sandbox.remove("model.bin")
        #expect(try plan(sandbox)["train"]?.1 == ["out model.bin is missing"])
        try sandbox.write("model.bin", "hand made\n")
        #expect(try plan(sandbox)["train"]?.1 == ["out model.bin differs from its record"])
    }

    @Test func forceAndStageSelectTheirStages() throws {
        let sandbox = try pipeline()
        #expect(try plan(sandbox, "--force").values.allSatisfy { $0.0 == "run" })
        let only = try plan(sandbox, "--stage", "train")
        #expect(only["train"]?.1 == ["selected with --stage"])
        #expect(only["prepare"]?.1 == ["not selected (--stage train)"])
        let unknown = try mlci("verify", "--stage", "trian", in: sandbox)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown stage 'trian'"))
        #expect(unknown.stderr.contains("did you mean 'train'?"))
    }

    @Test func aDryRunRunsAndWritesNothing() throws {
        let sandbox = try pipeline()
        try sandbox.write("acc.txt", "0.1\n")
        let lock = try sandbox.read("mlci.lock")
        let result = try mlci("verify", "--dry-run", in: sandbox)
        #expect(result.status == 0)
        #expect(result.stdout.contains("would run"))
        #expect(try sandbox.read("mlci.lock") == lock)
        #expect(!(try sandbox.read("metrics.json")).contains("0.1"))
    }
}

@Suite struct VerifyRunTests {
    @Test func aReRunStageStreamsItsOutputAndUpdatesTheLock() throws {
        let sandbox = try pipeline()
        try sandbox.write("params.yaml", "train:\n  lr: 0.3\n  epochs: 3\nseed: 1\n")
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("[train] training with lr: 0.3"))
        #expect(try sandbox.read(".mlci/logs/train.log").contains("training with lr: 0.3"))
        #expect(try sandbox.read("mlci.lock").contains("train.lr: 0.3"))
        #expect(result.stdout.contains("APPROVED"))
    }

    @Test func aFailingStageStopsTheSequenceAndRejects() throws {
        let sandbox = try pipeline()
        let lock = try sandbox.read("mlci.lock")
        try sandbox.write("train.sh", "echo about to fail\nexit 3\n")
        let result = try mlci("verify", "--json", in: sandbox)
        #expect(result.status == 1)
        let document = try json(result)
        #expect(document["verdict"] == "rejected")
        let train = document["stages"]?.arrayValue?.first { $0["name"] == "train" }
        #expect(train?["outcome"] == "failed")
        let evaluate = document["stages"]?.arrayValue?.first { $0["name"] == "evaluate" }
        #expect(evaluate?["reasons"] == ["not run: stage 'train' failed"])
        let finding = document["checks"]?.arrayValue?.first { $0["check"] == "stage.run" && $0["outcome"] == "failed" }
        #expect(finding?["message"]?.stringValue?.contains("failed with exit code 3 (last output: about to fail)") == true)
        #expect(result.stderr.contains("[train] about to fail"))
        #expect(try sandbox.read("mlci.lock") == lock)
    }

    @Test func aStageOverItsTimeoutIsStoppedWithItsChildren() throws {
        let sandbox = try pipeline()
        let marker = "sleep 31\(Int.random(in: 100...999))"
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(
            of: "    outs: [model.bin]\n", with: "    outs: [model.bin]\n    timeout: 1s\n"))
        try sandbox.write("train.sh", "sh -c '\(marker)' &\n\(marker)\n")
        let started = Date()
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 1)
        #expect(result.stdout.contains("timed out after 1 s"))
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(!(try processRunning(marker)))
    }

    @Test func sigtermStopsTheStageRecordsNothingAndLeavesNoProcess() throws {
        let sandbox = try pipeline()
        let lock = try sandbox.read("mlci.lock")
        let marker = "sleep 32\(Int.random(in: 100...999))"
        try sandbox.write("train.sh", "echo started\nsh -c '\(marker)' &\n\(marker)\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MLCIBinary.path)
        process.arguments = ["verify"]
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.root)
        process.environment = sandbox.environment()
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline, !(try processRunning(marker)) { usleep(50_000) }
        #expect(try processRunning(marker))
        process.terminate()  // SIGTERM
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2, "\(text)")
        #expect(text.contains("interrupted by SIGTERM during stage 'train'"))
        #expect(try sandbox.read("mlci.lock") == lock)
        usleep(200_000)
        #expect(!(try processRunning(marker)))
    }
}

@Suite struct GateTests {
    @Test func aBranchThatImprovesIsApprovedAndOneThatDegradesIsRejected() throws {
        let sandbox = try pipeline(accuracy: "0.90")
        try sandbox.git("checkout", "-q", "-b", "better")
        try sandbox.write("acc.txt", "0.93\n")
        #expect(try mlci("verify", in: sandbox).status == 0)
        try sandbox.commit("better model")
        let better = try mlci("verify", "--json", in: sandbox)
        #expect(better.status == 0)
        let document = try json(better)
        #expect(document["verdict"] == "approved")
        let metric = document["metrics"]?.arrayValue?.first
        #expect(metric?["baseline"] == 0.9)
        #expect(metric?["candidate"] == 0.93)

        try sandbox.git("checkout", "-q", "main")
        try sandbox.git("checkout", "-q", "-b", "worse")
        try sandbox.write("acc.txt", "0.85\n")
        let worse = try mlci("verify", in: sandbox)
        #expect(worse.status == 1)
        #expect(worse.stdout.contains("REJECTED"))
        #expect(worse.stdout.contains("accuracy dropped by 0.05 (0.9 → 0.85), more than the 0.02 allowed"))
        #expect(worse.stdout.contains("mlci.yaml:14"))
    }

    @Test func theFirstCommitHasNoBaselineAndSaysSo() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("mlci.yaml", "version: 1\nmetrics: [m.json]\ngate:\n  metrics:\n    acc: {min: 0.5, max_drop: 0.1}\n")
        try sandbox.write("m.json", "{\"acc\": 0.7}\n")
        try sandbox.commit("first")
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("first commit of 'main': no baseline yet, only absolute gates apply"))
        #expect(result.stdout.contains("no baseline for acc on the target branch yet"))
        try sandbox.write("m.json", "{\"acc\": 0.4}\n")
        try sandbox.commit("second")
        let second = try mlci("verify", in: sandbox)
        #expect(second.status == 1)
        #expect(second.stdout.contains("compared with its previous commit"))
    }

    @Test func aShallowCloneWithoutTheMergeBaseCannotBeVerified() throws {
        let sandbox = try pipeline()
        try sandbox.git("checkout", "-q", "-b", "feature")
        try sandbox.write("acc.txt", "0.91\n")
        try sandbox.commit("feature 1")
        try sandbox.write("acc.txt", "0.92\n")
        try sandbox.commit("feature 2")
        try sandbox.git("checkout", "-q", "main")
        try sandbox.write("README.md", "main moves on\n")
        try sandbox.commit("main 2")
        let clone = sandbox.base + "/shallow"
        try sandbox.git(["clone", "-q", "--depth", "1", "--branch", "feature", "--no-local", "file://" + sandbox.root, clone], in: sandbox.base)
        try sandbox.git(["fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main"], in: clone)
        let result = try mlci("verify", in: sandbox, directory: clone)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("shallow clone"))
        #expect(result.stderr.contains("fetch-depth: 0"))
    }

    @Test func theVerdictIsRecordedOncePerCleanCommitAndShownByLineageAndLog() throws {
        let sandbox = try pipeline()
        let first = try mlci("verify", in: sandbox)
        #expect(first.stdout.contains("recorded in refs/notes/mlci"))
        let second = try mlci("verify", in: sandbox)
        #expect(second.stdout.contains("already recorded"))
        #expect(try sandbox.git("rev-list", "--count", "refs/notes/mlci") == "1")
        let note = try JSONParser().parse(try sandbox.git("notes", "--ref=mlci", "show", "HEAD"))
        #expect(note["verdict"] == "approved")
        #expect(note["metrics"]?["accuracy"] == 0.9)
        #expect(note["tool"] == "mlci 0.1.0")
        #expect(try json(mlci("lineage", "--json", in: sandbox))["verdict"] == "approved")
        #expect(try mlci("log", "-n", "1", in: sandbox).stdout.contains("approved"))
    }

    @Test func aDirtyTreeIsVerifiedButNotRecorded() throws {
        let sandbox = try pipeline()
        try sandbox.write("notes.txt", "uncommitted\n")
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 0)
        #expect(result.stdout.contains("not recorded: the working tree differs"))
        #expect(try ProcessRunner.run("git", ["notes", "--ref=mlci", "list"], in: sandbox.root, environment: sandbox.environment()).stdout.isEmpty)
    }

    @Test func concurrentVerificationsOfDifferentCommitsAreAllRecorded() throws {
        let sandbox = try pipeline()
        let branches = [("a", "0.91"), ("b", "0.92"), ("c", "0.93"), ("d", "0.94")]
        for (branch, accuracy) in branches {
            try sandbox.git("checkout", "-q", "main")
            try sandbox.git("checkout", "-q", "-b", branch)
            try sandbox.write("acc.txt", accuracy + "\n")
            #expect(try mlci("verify", "--no-record", in: sandbox).status == 0)
            try sandbox.commit(branch)
        }
        try sandbox.git("checkout", "-q", "main")
        for (branch, _) in branches { try sandbox.git("worktree", "add", "-q", sandbox.base + "/w" + branch, branch) }
        let results = ResultsBox()
        let base = sandbox.base
        let environment = sandbox.environment()
        let binary = MLCIBinary.path
        let threads = branches.map { "w" + $0.0 }.map { name in
            Thread {
                let result = try? ProcessRunner.run(binary, ["verify"], in: base + "/" + name, environment: environment)
                results.set(name, result)
            }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { usleep(20_000) }
        for (branch, _) in branches {
            #expect(results.get("w" + branch)?.status == 0, "\(results.get("w" + branch)?.stdout ?? "")")
        }
        let noted = try sandbox.git("notes", "--ref=mlci", "list").split(separator: "\n").map { String($0.split(separator: " ")[1]) }
        #expect(Set(noted) == Set(try branches.map { try sandbox.git("rev-parse", $0.0) }))
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: ProcessResult] = [:]
    func set(_ key: String, _ value: ProcessResult?) { lock.lock(); values[key] = value; lock.unlock() }
    func get(_ key: String) -> ProcessResult? { lock.lock(); defer { lock.unlock() }; return values[key] }
}
