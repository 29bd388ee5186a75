import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// Signed verdicts: ssh-keygen checks what mlci signs, mlci accepts what ssh-keygen signs, and
/// every forgery is refused by emit and promote (exit 1, nothing written).
@Suite struct SignedVerdictTests {
    /// The note of `revision`, parsed.
    func note(_ sandbox: GitSandbox, _ revision: String = "HEAD") throws -> JSONValue {
        try JSONParser().parse(try sandbox.git("notes", "--ref=mlci", "show", revision))
    }

    /// Replaces the note of `revision` with `value`, as anyone who can push refs could.
    func forge(_ sandbox: GitSandbox, _ value: JSONValue, on revision: String = "HEAD") throws {
        try sandbox.write(".git/forged-note", JSONWriter().string(value))
        try sandbox.git("notes", "--ref=mlci", "add", "-f", "-F", sandbox.root + "/.git/forged-note", revision)
    }

    /// Runs promote and emit, expecting both to refuse with `reason` and to write nothing.
    func expectRefused(_ sandbox: GitSandbox, _ reasons: [String], _ comment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let out = sandbox.base + "/refused-out"
        let promote = try mlci("promote", "--env", "staging", in: sandbox)
        #expect(promote.status == 1, "\(comment): \(promote.stdout)\(promote.stderr)", sourceLocation: sourceLocation)
        #expect(reasons.contains { promote.stderr.contains($0) }, "\(comment): \(promote.stderr)", sourceLocation: sourceLocation)
        #expect(try sandbox.git(["branch", "--list", "gitops"]).isEmpty, "\(comment): nothing committed", sourceLocation: sourceLocation)
        let emit = try mlci("emit", "--out", out, in: sandbox)
        #expect(emit.status == 1, "\(comment): \(emit.stderr)", sourceLocation: sourceLocation)
        #expect(reasons.contains { emit.stderr.contains($0) }, "\(comment): \(emit.stderr)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: out), "\(comment): nothing written", sourceLocation: sourceLocation)
    }

    /// The value changed in the smallest way that keeps its type.
    func mutated(_ value: JSONValue) -> JSONValue {
        switch value {
        case .null: return "x"
        case .bool(let b): return .bool(!b)
        case .int(let i): return .int(i + 1)
        case .double(let d): return .double(d + 0.001)
        case .string(let s): return .string(s.isEmpty ? "x" : String(s.dropLast()) + (s.last == "0" ? "1" : "0"))
        case .array(let items): return .array(items + ["x"])
        case .object(let members):
            if let first = members.first { return .object([(first.0, mutated(first.1))] + members.dropFirst()) }
            return .object([("x", 1)])
        }
    }

    @Test func aVerdictMlciSignedVerifiesWithSshKeygenAgainstTheRepositorysAllowedSigners() throws {
        let sandbox = try approvedProject()
        let payload = try mlci("lineage", "HEAD", "--payload", in: sandbox)
        #expect(payload.status == 0, "\(payload.stderr)")
        #expect(payload.stdoutBytes.allSatisfy { $0 < 0x80 }, "the payload is ASCII")
        let signature = try mlci("lineage", "HEAD", "--signature", in: sandbox)
        try signature.stdout.write(toFile: sandbox.base + "/verdict.sig", atomically: true, encoding: .utf8)
        let verified = try ProcessRunner.run("ssh-keygen", ["-Y", "verify", "-f", sandbox.root + "/allowed_signers", "-I", "ci@example.com",
                                                            "-n", "mlci-verdict@v1", "-s", sandbox.base + "/verdict.sig"], input: payload.stdoutBytes)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let lineage = try mlci("lineage", "HEAD", in: sandbox)
        #expect(lineage.stdout.contains("signed by ci@example.com (SHA256:"), "\(lineage.stdout)")
        let noteText = JSONWriter().string(try note(sandbox))
        #expect(!lineage.stdout.contains("OPENSSH PRIVATE KEY") && !noteText.contains("OPENSSH PRIVATE KEY"))
        // A promotion is signed as well, and models shows it.
        #expect(try mlci("promote", "--env", "staging", in: sandbox).status == 0)
        let promotion = try #require(try note(sandbox)["promotions"]?.arrayValue?.first)
        #expect(promotion["signature"]?.stringValue?.hasPrefix("-----BEGIN SSH SIGNATURE-----") == true)
        let models = try mlci("models", in: sandbox)
        #expect(models.status == 0 && models.stdout.contains("staging") && models.stderr.isEmpty, "\(models.stdout)\(models.stderr)")
    }

    @Test func editingAnyFieldOfASignedNoteGetsItRefused() throws {
        let sandbox = try approvedProject()
        let original = try note(sandbox)
        let fields = (original.objectValue ?? []).map(\.0).filter { $0 != "signature" }
        #expect(fields.contains("verdict") && fields.contains("tree") && fields.contains("models") && fields.contains("metrics") && fields.contains("time"))
        for field in fields {
            var members = original.objectValue ?? []
            let index = members.firstIndex { $0.0 == field }!
            members[index].1 = mutated(members[index].1)
            try forge(sandbox, .object(members))
            try expectRefused(sandbox, ["does not match the signed content", "copied onto"], "field \(field) edited")
        }
        // Back to the signed note: it ships.
        try forge(sandbox, original)
        #expect(try mlci("promote", "--env", "staging", in: sandbox).status == 0)
    }

    @Test func aNoteCopiedToAnotherCommitAnUnsignedNoteAndAStrangersSignatureAreRefused() throws {
        let sandbox = try approvedProject()
        let first = try sandbox.git("rev-parse", "HEAD")
        // Same tree, new commit: the approval would fit it, but it was signed for the first one.
        try sandbox.git("commit", "-q", "--allow-empty", "-m", "empty")
        try sandbox.git("notes", "--ref=mlci", "copy", "-f", first, "HEAD")
        try expectRefused(sandbox, ["copied onto"], "copied note")

        // Unsigned: verified without a key.
        sandbox.variables["MLCI_SIGNING_KEY"] = nil
        try sandbox.git("notes", "--ref=mlci", "remove", "HEAD")
        #expect(try mlci("verify", in: sandbox).status == 0)
        try expectRefused(sandbox, ["is not signed"], "unsigned note")
        let allowed = try mlci("promote", "--env", "staging", "--allow-unsigned", in: sandbox)
        #expect(allowed.status == 1 && allowed.stderr.contains("requires signatures"), "require_signatures wins over --allow-unsigned")

        // Signed by a key that allowed_signers does not list.
        let stranger = try SigningKeyFixture(in: sandbox.base + "/stranger", principal: "mallory@example.com")
        try sandbox.git("notes", "--ref=mlci", "remove", "HEAD")
        let verify = try MLCIBinary.run(["verify", "--signing-key", stranger.path], in: sandbox)
        #expect(verify.status == 0 && !verify.stdout.contains("BEGIN OPENSSH"), "\(verify.stdout)")
        try expectRefused(sandbox, ["unknown signer"], "stranger's signature")
    }

    @Test func aSignatureSshKeygenMadeOverMlcisPayloadIsAccepted() throws {
        let sandbox = try approvedProject()
        let signer = try SigningKeyFixture(in: sandbox.base + "/keys2", principal: "release@example.com")
        try sandbox.write("allowed_signers", try sandbox.read("allowed_signers") + signer.allowedSignersLine + "\n")
        try sandbox.commit("a second signer")
        sandbox.variables["MLCI_SIGNING_KEY"] = nil
        #expect(try mlci("verify", in: sandbox).status == 0)
        let payload = try mlci("lineage", "HEAD", "--payload", in: sandbox)
        let signed = try ProcessRunner.run("ssh-keygen", ["-q", "-Y", "sign", "-f", signer.path, "-n", "mlci-verdict@v1"], input: payload.stdoutBytes)
        #expect(signed.status == 0, "\(signed.stderr)")
        var members = try note(sandbox).objectValue ?? []
        members.append(("signature", .string(signed.stdout)))
        try forge(sandbox, .object(members))
        let emit = try mlci("emit", "--out", sandbox.base + "/out", in: sandbox)
        #expect(emit.status == 0, "\(emit.stderr)")
        #expect(emit.stdout.contains("signed by release@example.com"), "\(emit.stdout)")
    }

    @Test func withoutRequiredSignaturesAnUnsignedVerdictShipsOnlyWithTheRecordedOverride() throws {
        let sandbox = try approvedProject(requireSignatures: false)
        sandbox.variables["MLCI_SIGNING_KEY"] = nil
        try sandbox.git("notes", "--ref=mlci", "remove", "HEAD")
        #expect(try mlci("verify", in: sandbox).status == 0)
        try expectRefused(sandbox, ["is not signed"], "unsigned without the flag")
        let promote = try mlci("promote", "--env", "staging", "--allow-unsigned", in: sandbox)
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(try note(sandbox)["promotions"]?.arrayValue?.first?["override"] == "unsigned-verdict")
        #expect(try sandbox.git("log", "-1", "--format=%B", "gitops").contains("Mlci-Override: unsigned-verdict"))
    }
}

/// In CI the verdict belongs to the change's head, never to the synthetic merge CI tested.
@Suite struct RightCommitTests {
    @Test func aGitHubPullRequestJobRecordsTheVerdictOnTheHeadAndNamesTheTestedTree() throws {
        let sandbox = try pipeline()
        try sandbox.git("checkout", "-q", "-b", "feature")
        try sandbox.write("acc.txt", "0.95\n")
        #expect(try mlci("verify", "--no-record", in: sandbox).status == 0)
        let head = try sandbox.commit("feature")
        try sandbox.git("checkout", "-q", "main")
        try sandbox.write("unrelated.txt", "main moved on\n")
        try sandbox.commit("main moves")
        // What GitHub checks out for pull_request: refs/pull/7/merge, a merge of the head into main.
        try sandbox.git("checkout", "-q", "--detach", "main")
        try sandbox.git("merge", "-q", "--no-ff", "-m", "Merge \(head) into main", head)
        let merge = try sandbox.git("rev-parse", "HEAD")
        try sandbox.git("update-ref", "refs/pull/7/merge", merge)
        try sandbox.git("update-ref", "refs/remotes/origin/main", "main")
        try sandbox.write(".git/event.json", "{\"pull_request\": {\"number\": 7, \"head\": {\"sha\": \"\(head)\"}, \"base\": {\"ref\": \"main\"}}}")
        let result = try MLCIBinary.run(["ci", "--json"], in: sandbox, environment: [
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main", "GITHUB_REF": "refs/pull/7/merge",
            "GITHUB_SHA": merge, "GITHUB_EVENT_PATH": sandbox.root + "/.git/event.json",
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let document = try json(result)
        let mergeTree = try sandbox.git("rev-parse", "\(merge)^{tree}")
        #expect(document["commit"]?.stringValue == head)
        #expect(document["tested"]?["commit"]?.stringValue == merge)
        #expect(document["tested"]?["tree"]?.stringValue == mergeTree)
        let note = try JSONParser().parse(try sandbox.git("notes", "--ref=mlci", "show", head))
        #expect(note["tree"]?.stringValue == mergeTree)
        #expect(note["tested_merge"]?.stringValue == merge)
        let summary = try sandbox.read(".mlci/reports/summary.md")
        #expect(summary.contains("tested tree `\(mergeTree.prefix(12))` of CI's merge `\(merge.prefix(12))`"), "\(summary)")
        #expect(try sandbox.git("notes", "--ref=mlci", "list").contains(head))
        #expect(!(try sandbox.git("notes", "--ref=mlci", "list")).contains(merge), "nothing on the synthetic merge")
        let text = try MLCIBinary.run(["ci", "--no-record"], in: sandbox, environment: [
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_SHA": merge, "GITHUB_EVENT_PATH": sandbox.root + "/.git/event.json",
        ])
        #expect(text.stdout.contains("tested tree \(mergeTree.prefix(12))"), "\(text.stdout)")
    }
}

/// No silent approval; ledger hygiene.
@Suite struct LedgerHygieneTests {
    @Test func withNothingConfiguredVerifyExitsTwoNamingWhereItLooked() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("sub/mlci.yaml", "version: 1\n")
        try sandbox.commit("config in a subfolder")
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 2)
        #expect(result.stderr.contains("no mlci.yaml or dvc.yaml in \(sandbox.root)/"), "\(result.stderr)")
        #expect(try sandbox.git("notes", "--ref=mlci", "list").isEmpty)
    }

    @Test func aGateThatChecksNothingIsAFindingUnlessMlciYamlAllowsIt() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("mlci.yaml", "version: 1\nstages:\n  hello: {cmd: echo hi}\n")
        try sandbox.commit("no gate")
        let rejected = try mlci("verify", "--json", in: sandbox)
        #expect(rejected.status == 1)
        #expect(try json(rejected)["checks"]?.arrayValue?.contains { $0["check"] == "gate.empty" && $0["outcome"] == "failed" } == true)
        try sandbox.write("mlci.yaml", "version: 1\nstages:\n  hello: {cmd: echo hi}\ngate: {allow_empty: true}\n")
        try sandbox.commit("an explicit choice")
        let approved = try mlci("verify", "--json", in: sandbox)
        #expect(approved.status == 0, "\(approved.stdout)")
        #expect(try json(approved)["checks"]?.arrayValue?.contains { $0["check"] == "gate.empty" && $0["outcome"] == "passed" } == true)
    }

    @Test(arguments: [("newline", "Eve\\nEvil"), ("less-than", "Eve <evil@example.com"), ("greater-than", "Eve>"),
                      ("very long", String(repeating: "A", count: 5000)), ("NUL", "Eve\u{0}Evil")])
    func hostileIdentitiesAreRefusedBeforeAnyCommitIsWritten(_ example: (String, String)) throws {
        let sandbox = try approvedProject()
        let config = try sandbox.read(".git/config")
        try sandbox.write(".git/config", config + "[user]\n\tname = \"\(example.1)\"\n\temail = eve@example.com\n")
        let promote = try mlci("promote", "--env", "staging", in: sandbox)
        try sandbox.git("notes", "--ref=mlci", "remove", "HEAD")
        let verify = try mlci("verify", in: sandbox)
        try sandbox.write(".git/config", config)
        #expect(promote.status == 2, "\(example.0): \(promote.stdout)\(promote.stderr)")
        #expect(verify.status == 2, "\(example.0): \(verify.stdout)\(verify.stderr)")
        #expect(promote.stderr.contains("user.name") || promote.stderr.contains("config"), "\(example.0): \(promote.stderr)")
        #expect(try sandbox.git(["branch", "--list", "gitops"]).isEmpty, "\(example.0): no GitOps commit")
        let note = try ProcessRunner.run("git", ["notes", "--ref=mlci", "list", "HEAD"], in: sandbox.root, environment: sandbox.environment())
        #expect(note.status != 0, "\(example.0): no note written")
        let fsck = try ProcessRunner.run("git", ["fsck", "--strict", "--no-progress"], in: sandbox.root, environment: sandbox.environment())
        #expect(fsck.status == 0, "\(fsck.stdout)\(fsck.stderr)")
    }

    @Test func garbageNotesAreReportedWithTheirCommitAndSkipped() throws {
        let sandbox = try approvedProject()
        #expect(try mlci("promote", "--env", "staging", in: sandbox).status == 0)
        try sandbox.git("commit", "-q", "--allow-empty", "-m", "garbage note here")
        let garbage = try sandbox.git("rev-parse", "HEAD")
        try sandbox.git("notes", "--ref=mlci", "add", "-f", "-m", "not json {{{ \u{202E}", garbage)
        try sandbox.git("commit", "-q", "--allow-empty", "-m", "odd note here")
        try sandbox.git("notes", "--ref=mlci", "add", "-f", "-m", "{\"promotions\": [{\"env\": 5}, \"x\"], \"verdict\": [1]}", "HEAD")
        try sandbox.git("notes", "--ref=mlci", "add", "-f", "-m", "[1, 2]", try sandbox.git("rev-parse", "HEAD:allowed_signers"))
        let log = try mlci("log", in: sandbox)
        #expect(log.status == 0, "\(log.stderr)")
        #expect(log.stderr.contains(String(garbage.prefix(12))), "\(log.stderr)")
        #expect(!log.stdout.contains("\u{202E}") && !log.stderr.contains("\u{202E}"))
        let lineage = try mlci("lineage", garbage, in: sandbox)
        #expect(lineage.status == 0 && lineage.stderr.contains("ignored"), "\(lineage.stderr)")
        let models = try mlci("models", in: sandbox)
        #expect(models.status == 0, "\(models.stderr)")
        #expect(models.stdout.contains("staging"), "the signed promotion still counts: \(models.stdout)")
        #expect(models.stderr.contains(String(garbage.prefix(12))), "\(models.stderr)")
        #expect(try mlci("models", "--json", in: sandbox).status == 0)
    }

    @Test func formatControlsNeverReachTheTerminalRaw() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("mlci.yaml", "version: 1\n")
        try sandbox.write("e\u{202E}vil\u{2066}.txt", "x")
        try sandbox.git("add", "-A")
        try sandbox.git("commit", "-q", "-m", "subject \u{202E}desrever\u{200B} \u{2067}")
        for command in [["log"], ["lineage", "HEAD"], ["log", "--json"], ["lineage", "HEAD", "--json"]] {
            let result = try MLCIBinary.run(command, in: sandbox)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            for control in ["\u{202E}", "\u{2066}", "\u{2067}", "\u{200B}"] {
                #expect(!result.stdout.contains(control) && !result.stderr.contains(control), "\(command)")
            }
            if command.last == "--json" { _ = try json(result) }
        }
        #expect(try MLCIBinary.run(["log"], in: sandbox).stdout.contains("\\u202E"))
    }

    @Test func anInterruptedWriteLeavesNothingInTheRepositoryRoot() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("mlci.yaml", "version: 1\ndata: [d.txt]\n")
        try sandbox.write("d.txt", "data")
        // What an older mlci killed mid-write left (a process id that cannot be alive).
        try sandbox.write(".mlci.lock.tmp-999999999-1", "half")
        #expect(try mlci("lock", in: sandbox).status == 0)
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/.mlci.lock.tmp-999999999-1"))
        try sandbox.git("add", "-A")
        #expect(try sandbox.git("status", "--porcelain", "--untracked-files=all").split(separator: "\n").allSatisfy { !$0.contains(".tmp-") })
        #expect(try sandbox.git("ls-files").split(separator: "\n").allSatisfy { !$0.hasPrefix(".mlci/") })
    }
}

/// `mlci ci --sync-notes`: the ledger travels through the remote, and concurrent writers both land.
@Suite struct NotesSyncTests {
    @Test func twoClonesSyncingAtOnceBothLandTheirVerdictsInTheRemote() throws {
        let sandbox = try pipeline()
        let bare = sandbox.base + "/remote.git"
        try sandbox.git("init", "-q", "--bare", "-b", "main", bare)
        try sandbox.git("remote", "add", "origin", bare)
        try sandbox.git("push", "-q", "origin", "main")
        // An earlier verdict already in the remote's ledger.
        #expect(try mlci("ci", "--sync-notes", in: sandbox).status == 0)
        let first = try sandbox.git("rev-parse", "HEAD")
        let clone = sandbox.base + "/clone"
        try sandbox.git(["clone", "-q", bare, clone], in: sandbox.base)
        var commits: [String] = []
        for (index, directory) in [sandbox.root, clone].enumerated() {
            try sandbox.git(["checkout", "-q", "-b", "change-\(index)"], in: directory)
            try "0.9\(index + 1)\n".write(toFile: directory + "/acc.txt", atomically: true, encoding: .utf8)
            #expect(try MLCIBinary.run(["verify", "--no-record"], in: sandbox, directory: directory).status == 0)
            try sandbox.git(["add", "-A"], in: directory)
            try sandbox.git(["commit", "-q", "-m", "change \(index)"], in: directory)
            commits.append(try sandbox.git(["rev-parse", "HEAD"], in: directory))
        }
        let results = ResultBox()
        let environment = sandbox.environment()
        let directories = [sandbox.root, clone]
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = try? ProcessRunner.run(MLCIBinary.path, ["ci", "--sync-notes", "--remote", bare], in: directories[index], environment: environment)
            results.set(index, result)
        }
        for index in 0..<2 {
            let result = try #require(results.get(index))
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("notes: refs/notes/mlci"), "\(result.stderr)")
        }
        let listed = try sandbox.git("--git-dir", bare, "notes", "--ref=mlci", "list")
        for commit in commits + [first] { #expect(listed.contains(commit), "\(commit) in \(listed)") }
        let fsck = try ProcessRunner.run("git", ["--git-dir", bare, "fsck", "--strict", "--no-progress"], environment: sandbox.environment())
        #expect(fsck.status == 0, "\(fsck.stderr)")
    }
}

/// Results written from concurrent threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: ProcessResult] = [:]
    func set(_ index: Int, _ value: ProcessResult?) { lock.lock(); values[index] = value; lock.unlock() }
    func get(_ index: Int) -> ProcessResult? { lock.lock(); defer { lock.unlock() }; return values[index] }
}
