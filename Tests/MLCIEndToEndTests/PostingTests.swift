import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// The local stand-in for GitHub's and GitLab's REST APIs (Tests/Fixtures/forge_server.py).
final class ForgeServer {
    let process = Process()
    let port: Int
    let stateFile: String

    init(_ mode: String, token: String, in sandbox: GitSandbox, environment: [String: String] = [:]) throws {
        stateFile = sandbox.base + "/forge-\(mode)-\(UUID().uuidString).json"
        let python = ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "/usr/bin/python3"
        process.executableURL = URL(fileURLWithPath: python.contains("/") ? python : "/usr/bin/python3")
        process.arguments = [MLCIBinary.packageRoot + "/Tests/Fixtures/forge_server.py", mode, token, stateFile]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The server writes its port next to its state once it listens.
        var port = 0
        for _ in 0..<200 where port == 0 {
            port = (try? String(contentsOfFile: stateFile + ".port", encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            if port == 0 { Thread.sleep(forTimeInterval: 0.05) }
        }
        self.port = port
        if port == 0 { throw InputError("the forge server did not start") }
    }

    // SIGKILL: a child of the test runner inherits its blocked signal mask, so SIGTERM would wait.
    deinit { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }

    var url: String { "http://127.0.0.1:\(port)" }

    func state() throws -> JSONValue { try JSONParser().parse(try FileSystem.read(stateFile, limit: 64 << 20)) }
}

@Suite struct PostingTests {
    static let token = "ghp_s3cretT0kenThatMustNeverAppear"

    /// A GitHub pull_request job on the sandbox's HEAD.
    func github(_ sandbox: GitSandbox, _ server: ForgeServer) throws -> [String: String] {
        let head = try sandbox.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let event = sandbox.base + "/event.json"
        try "{\"pull_request\": {\"number\": 7, \"head\": {\"sha\": \"\(head)\"}, \"base\": {\"ref\": \"main\"}}}"
            .write(toFile: event, atomically: true, encoding: .utf8)
        return ["GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/churn", "GITHUB_API_URL": server.url,
                "GITHUB_SERVER_URL": "https://github.example", "GITHUB_RUN_ID": "99", "GITHUB_EVENT_NAME": "pull_request",
                "GITHUB_EVENT_PATH": event, "GITHUB_SHA": head, "GITHUB_TOKEN": Self.token,
                "GITHUB_OUTPUT": sandbox.base + "/output", "GITHUB_STEP_SUMMARY": sandbox.base + "/summary"]
    }

    func gitlab(_ sandbox: GitSandbox, _ server: ForgeServer) throws -> [String: String] {
        let head = try sandbox.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        return ["GITLAB_CI": "true", "CI_API_V4_URL": server.url + "/api/v4", "CI_PROJECT_ID": "42",
                "CI_MERGE_REQUEST_IID": "3", "CI_COMMIT_SHA": head, "CI_PIPELINE_SOURCE": "merge_request_event",
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_JOB_URL": "https://gitlab.example/acme/churn/-/jobs/5",
                "MLCI_GITLAB_TOKEN": Self.token]
    }

    /// Nothing mlci printed or wrote holds the token.
    func expectNoToken(_ results: [ProcessResult], _ sandbox: GitSandbox) throws {
        for result in results {
            #expect(!result.stdout.contains(Self.token) && !result.stderr.contains(Self.token))
        }
        let files = try ProcessRunner.run("grep", ["-rl", "--exclude=forge-*", "--exclude=*.log", Self.token, sandbox.base])
        #expect(files.stdout.isEmpty, "token written to \(files.stdout)")
    }

    @Test func aGitHubPullRequestGetsOneStickyCommentAndAStatus() throws {
        let sandbox = try pipeline()
        let server = try ForgeServer("github", token: Self.token, in: sandbox)
        let environment = try github(sandbox, server)
        let first = try MLCIBinary.run(["ci", "--comment"], in: sandbox, environment: environment)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stderr.contains("commented on pull request #7"))
        try sandbox.write("acc.txt", "0.91\n")
        try sandbox.commit("a little better")
        let second = try MLCIBinary.run(["ci", "--comment"], in: sandbox, environment: try github(sandbox, server))
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stderr.contains("updated the mlci comment on pull request #7"))

        let state = try server.state()
        #expect(state["violations"]?.arrayValue?.isEmpty == true, "\(state["violations"] ?? .null)")
        let comments = state["comments"]?.arrayValue ?? []
        #expect(comments.count == 1)
        #expect(comments.first?["body"]?.stringValue?.hasPrefix("<!-- mlci:report -->\n## ✅ mlci: approved") == true)
        #expect(comments.first?["body"]?.stringValue?.contains("0.91") == true)
        let methods = (state["log"]?.arrayValue ?? []).map { "\($0["method"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "")" }
        #expect(methods.contains("POST /repos/acme/churn/issues/7/comments"))
        #expect(methods.contains("PATCH /repos/acme/churn/issues/comments/1000"))
        let statuses = state["statuses"]?.arrayValue ?? []
        #expect(statuses.count == 2)
        #expect(statuses.last?["state"] == "success" && statuses.last?["context"] == "mlci")
        #expect(statuses.last?["target_url"] == "https://github.example/acme/churn/actions/runs/99")
        try expectNoToken([first, second], sandbox)
    }

    @Test func theStickyCommentIsFoundOnALaterPage() throws {
        let sandbox = try pipeline()
        let server = try ForgeServer("github", token: Self.token, in: sandbox, environment: ["FORGE_SEED": "150"])
        let result = try MLCIBinary.run(["ci", "--comment"], in: sandbox, environment: try github(sandbox, server))
        #expect(result.status == 0, "\(result.stderr)")
        let state = try server.state()
        let comments = state["comments"]?.arrayValue ?? []
        #expect(comments.count == 150)
        #expect(comments[120]["body"]?.stringValue?.contains("mlci: approved") == true)
        #expect(comments[0]["body"] == "a reviewer's comment 0")
    }

    @Test func aGitLabMergeRequestGetsOneNoteAndAFailedStatusWhenRejected() throws {
        let sandbox = try pipeline()
        let server = try ForgeServer("gitlab", token: Self.token, in: sandbox)
        try sandbox.write("acc.txt", "0.40\n")
        try sandbox.commit("much worse")
        let first = try MLCIBinary.run(["ci", "--comment"], in: sandbox, environment: try gitlab(sandbox, server))
        #expect(first.status == 1, "\(first.stdout)\(first.stderr)")
        let second = try MLCIBinary.run(["ci", "--comment"], in: sandbox, environment: try gitlab(sandbox, server))
        #expect(second.status == 1)
        let state = try server.state()
        #expect(state["violations"]?.arrayValue?.isEmpty == true, "\(state["violations"] ?? .null)")
        #expect(state["comments"]?.arrayValue?.count == 1)
        let methods = (state["log"]?.arrayValue ?? []).map { "\($0["method"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "")" }
        #expect(methods.contains("POST /api/v4/projects/42/merge_requests/3/notes"))
        #expect(methods.contains("PUT /api/v4/projects/42/merge_requests/3/notes/1000"))
        #expect(state["statuses"]?.arrayValue?.last?["state"] == "failed")
        #expect(state["statuses"]?.arrayValue?.last?["name"] == "mlci")
        try expectNoToken([first, second], sandbox)
    }

    @Test(arguments: [
        (401, "the token was refused"),
        (403, "pull-requests: write"),
        (404, "GitHub also answers 404 when the token cannot see the repository"),
        (422, "body is too long"),
    ])
    func eachErrorStatusIsExplainedAndNeverChangesTheVerdictsExitCode(status: Int, explanation: String) throws {
        let sandbox = try pipeline()
        let server = try ForgeServer("github", token: Self.token, in: sandbox, environment: ["FORGE_FAIL": String(status)])
        let environment = try github(sandbox, server)
        let lenient = try MLCIBinary.run(["ci", "--comment"], in: sandbox, environment: environment)
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stderr.contains("warning: could not post the report"))
        #expect(lenient.stderr.contains("HTTP \(status)") && lenient.stderr.contains(explanation), "\(lenient.stderr)")
        #expect(lenient.stdout.contains("::warning title=mlci::could not post the report"))
        let strict = try MLCIBinary.run(["ci", "--comment", "--strict-post"], in: sandbox, environment: environment)
        #expect(strict.status == 2, "\(strict.stderr)")
        let post = try MLCIBinary.run(["report", "post"], in: sandbox, environment: environment)
        #expect(post.status == 2)
        #expect(post.stderr.contains(explanation))
        try expectNoToken([lenient, strict, post], sandbox)
    }

    @Test func gitLabsForbiddenNamesTheApiScope() throws {
        let sandbox = try pipeline()
        let server = try ForgeServer("gitlab", token: Self.token, in: sandbox, environment: ["FORGE_FAIL": "403"])
        let result = try MLCIBinary.run(["report", "post"], in: sandbox, environment: try gitlab(sandbox, server))
        #expect(result.status == 2)
        #expect(result.stderr.contains("`api` scope"), "\(result.stderr)")
    }

    @Test func busyServersAreRetriedAndAMissingTokenIsNamed() throws {
        let sandbox = try pipeline()
        let server = try ForgeServer("github", token: Self.token, in: sandbox, environment: ["FORGE_FLAKY": "2"])
        var environment = try github(sandbox, server)
        let result = try MLCIBinary.run(["report", "post"], in: sandbox, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try server.state()["comments"]?.arrayValue?.count == 1)
        environment["GITHUB_TOKEN"] = nil
        let missing = try MLCIBinary.run(["report", "post"], in: sandbox, environment: environment)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("MLCI_GITHUB_TOKEN or GITHUB_TOKEN"))
    }
}

extension PostingTests {
    @Test func withoutLibcurlPostingFailsSayingWhatToInstallAndTheVerdictStands() throws {
        let sandbox = try pipeline()
        let server = try ForgeServer("github", token: Self.token, in: sandbox)
        var environment = try github(sandbox, server)
        environment["MLCI_LIBCURL"] = sandbox.base + "/no-such/libcurl.so.4"
        let lenient = try MLCIBinary.run(["ci", "--comment"], in: sandbox, environment: environment)
        #expect(lenient.status == 0, "\(lenient.stdout)\(lenient.stderr)")
        #expect(lenient.stderr.contains("libcurl could not be loaded"), "\(lenient.stderr)")
        #expect(lenient.stderr.contains("apt-get install libcurl4"))
        let strict = try MLCIBinary.run(["ci", "--comment", "--strict-post"], in: sandbox, environment: environment)
        #expect(strict.status == 2)
        #expect(try server.state()["log"]?.arrayValue?.isEmpty == true)
    }
}
