import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// The GitHub Action (action/) and the GitLab component (templates/), checked with the CI
/// systems' own schemas and run the way the runners run them.
@Suite struct CIIntegrationTests {
    var python: String { ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3" }
    var root: String { MLCIBinary.packageRoot }

    /// Runs check-jsonschema (from the venv next to the Python the tests use).
    func checkSchema(_ schema: String, _ files: [String]) throws -> ProcessResult {
        let checker = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("check-jsonschema").path
        return try ProcessRunner.run(checker, ["--builtin-schema", schema] + files)
    }

    /// A GitLab component is two YAML documents (spec header, jobs); the schema takes one at a time.
    func splitComponent(_ path: String, into directory: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let parts = text.components(separatedBy: "\n---\n")
        #expect(parts.count == 2, "a component is a spec header and the jobs")
        return try parts.enumerated().map { index, part in
            let file = directory + "/component-\(index).yml"
            try part.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
    }

    /// A source build (the action's and the component's fallback, the release workflow) needs
    /// every system library Package.swift links: each `.apt` provider there is on the
    /// apt-get line of all three.
    @Test func everySourceBuildInstallsEveryLibraryThePackageLinks() throws {
        let manifest = try String(contentsOfFile: root + "/Package.swift", encoding: .utf8)
        let packages = manifest.matches(of: /\.apt\(\["([a-z0-9.+-]+)"\]\)/).map { String($0.1) }
        #expect(packages.count >= 10 && packages.contains("libdeflate-dev"))
        for file in ["action/install.sh", "templates/mlci/template.yml", ".github/workflows/release.yml"] {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8).replacingOccurrences(of: "\\\n", with: " ")
            let installs = text.split(separator: "\n").filter { $0.contains("apt-get install") }
                .flatMap { $0.split(separator: " ").map(String.init) }
            #expect(!installs.isEmpty, "\(file) has no apt-get install line")
            for package in packages { #expect(installs.contains(package), "\(file) does not install \(package)") }
        }
    }

    @Test func theActionTheWorkflowAndTheComponentValidateWithTheCISchemas() throws {
        let sandbox = try GitSandbox()
        let action = try checkSchema("vendor.github-actions", [root + "/action/action.yml"])
        #expect(action.status == 0, "\(action.stdout)\(action.stderr)")
        let workflow = try checkSchema("vendor.github-workflows", [root + "/examples/ci/github-workflow.yml"])
        #expect(workflow.status == 0, "\(workflow.stdout)\(workflow.stderr)")
        let documents = try splitComponent(root + "/templates/mlci/template.yml", into: sandbox.base)
        let gitlab = try checkSchema("vendor.gitlab-ci", documents + [root + "/examples/ci/gitlab-ci.yml"])
        #expect(gitlab.status == 0, "\(gitlab.stdout)\(gitlab.stderr)")

        // The schema is not vacuous: a misspelt report kind is refused.
        let broken = sandbox.base + "/broken.yml"
        try String(contentsOfFile: documents[1], encoding: .utf8).replacingOccurrences(of: "junit:", with: "junitt:")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try checkSchema("vendor.gitlab-ci", [broken]).status != 0)
    }

    @Test func theComponentPublishesTheFilesMlciWritesAndTheWorkflowUsesRealInputs() throws {
        let script = """
        import sys, yaml
        root = sys.argv[1]
        header, jobs = yaml.safe_load_all(open(f"{root}/templates/mlci/template.yml"))
        reports = jobs["mlci"]["artifacts"]["reports"]
        assert reports == {"junit": "mlci-reports/junit.xml", "codequality": "mlci-reports/gl-code-quality.json",
                           "metrics": "mlci-reports/metrics.txt", "dotenv": "mlci-reports/mlci.env"}, reports
        assert jobs["mlci"]["artifacts"]["when"] == "always"
        used = set()
        for text in [open(f"{root}/templates/mlci/template.yml").read()]:
            import re
            used |= set(re.findall(r"\\$\\[\\[ inputs\\.([\\w-]+) \\]\\]", text))
        assert used == set(header["spec"]["inputs"]), (used, header["spec"]["inputs"])
        action = yaml.safe_load(open(f"{root}/action/action.yml"))
        workflow = yaml.safe_load(open(f"{root}/examples/ci/github-workflow.yml"))
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if "/mlci/action@" in step.get("uses", ""):
                    assert set(step.get("with", {})) <= set(action["inputs"]), step
                    # Full-SHA pins, and no persisted credentials where code is checked out.
                assert "@" not in step.get("uses", "@" + "0" * 40) or len(step["uses"].split("@")[1]) == 40, step
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, step
        # The job that runs the pull request's code holds a read-only token.
        assert workflow["permissions"] == {}, workflow["permissions"]
        assert workflow["jobs"]["gate"]["permissions"] == {"contents": "read"}, workflow["jobs"]["gate"]
        writers = [name for name, job in workflow["jobs"].items() if "write" in job.get("permissions", {}).values()]
        for name in writers:
            assert "pull_request" in workflow["jobs"][name]["if"] and not any(s.get("uses", "").startswith("actions/checkout@") for s in workflow["jobs"][name]["steps"]) \
                or workflow["jobs"][name]["if"] == "github.event_name == 'push'", name
        assert {"verdict", "report-dir", "model-digest", "commit", "tested-tree"} <= set(action["outputs"])
        # Inputs reach the scripts through env only: no ${{ inputs.* }} inside a run: line.
        for step in action["runs"]["steps"]:
            assert "${{" not in step.get("run", ""), step
        print("consistent")
        """
        let sandbox = try GitSandbox()
        try script.write(toFile: sandbox.base + "/check.py", atomically: true, encoding: .utf8)
        let result = try ProcessRunner.run(python, [sandbox.base + "/check.py", root])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("consistent"))
    }

    /// zizmor and actionlint (wheels in .venv-ci, run offline) find nothing to say.
    @Test func zizmorAndActionlintFindNothingInTheActionAndTheExampleWorkflow() throws {
        let tools = ProcessInfo.processInfo.environment["MLCI_CI_TOOLS"] ?? root + "/.venv-ci/bin"
        let files = [root + "/action/action.yml", root + "/examples/ci/github-workflow.yml"]
        let zizmor = try ProcessRunner.run(tools + "/zizmor", ["--offline", "--no-progress", "--format", "plain"] + files)
        #expect(zizmor.status == 0, "\(zizmor.stdout)\(zizmor.stderr)")
        #expect(zizmor.stdout.contains("No findings"), "\(zizmor.stdout)")
        let actionlint = try ProcessRunner.run(tools + "/actionlint", ["-no-color", root + "/examples/ci/github-workflow.yml"])
        #expect(actionlint.status == 0 && actionlint.stdout.isEmpty, "\(actionlint.stdout)\(actionlint.stderr)")
        // Not vacuous: an unpinned action is reported by both.
        let sandbox = try GitSandbox()
        let unpinned = sandbox.base + "/unpinned.yml"
        try String(contentsOfFile: files[1], encoding: .utf8).replacingOccurrences(of: "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", with: "actions/checkout@v4")
            .replacingOccurrences(of: "persist-credentials: false", with: "fetch-tags: false")
            .write(toFile: unpinned, atomically: true, encoding: .utf8)
        #expect(try ProcessRunner.run(tools + "/zizmor", ["--offline", "--no-progress", unpinned]).status != 0)
    }

    /// The action pushes the ledger only on a push to the default branch, never on a pull request.
    @Test func theActionSyncsNotesOnlyOnPushesToTheDefaultBranch() throws {
        let sandbox = try GitSandbox()
        let bin = sandbox.base + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\necho \"mlci $*\"\necho \"token=${MLCI_GIT_TOKEN:-none}\" | sed 's/=.\\{1,\\}secret.*/=(set)/'\n".write(toFile: bin + "/mlci", atomically: true, encoding: .utf8)
        chmod(bin + "/mlci", 0o755)
        func run(_ event: String, _ ref: String) throws -> String {
            try ProcessRunner.run(root + "/action/run.sh", [], in: sandbox.root, environment: sandbox.environment([
                "PATH": bin + ":/usr/bin:/bin", "MLCI_COMMAND": "ci", "MLCI_SYNC_NOTES": "true", "MLCI_DEFAULT_BRANCH": "main",
                "GITHUB_EVENT_NAME": event, "GITHUB_REF": ref, "GITHUB_REPOSITORY": "acme/churn", "GITHUB_TOKEN": "ghs_secret",
            ])).stdout
        }
        let main = try run("push", "refs/heads/main")
        #expect(main.contains("mlci ci --sync-notes --remote https://github.com/acme/churn.git"), "\(main)")
        #expect(main.contains("token=(set)"), "\(main)")
        for (event, ref) in [("pull_request", "refs/pull/7/merge"), ("push", "refs/heads/feature"), ("pull_request_target", "refs/heads/main")] {
            let other = try run(event, ref)
            #expect(!other.contains("--sync-notes") && other.contains("token=none"), "\(event) \(ref): \(other)")
        }
    }

    @Test func theActionKeysItsBuildCacheByTheSourceItBuilds() throws {
        let sandbox = try GitSandbox()
        let extract = "import yaml, sys; print(next(s for s in yaml.safe_load(open(sys.argv[1]))['runs']['steps'] if s.get('id') == 'key')['run'])"
        let step = try ProcessRunner.run(python, ["-c", extract, root + "/action/action.yml"]).stdout
        func key(version: String, fromSource: String = "false") throws -> String {
            let output = sandbox.base + "/output-\(UUID().uuidString)"
            let result = try ProcessRunner.run("bash", ["-c", step], environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "GITHUB_ACTION_PATH": root + "/action",
                "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "GITHUB_OUTPUT": output, "MLCI_VERSION": version,
                "MLCI_FROM_SOURCE": fromSource,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            return try String(contentsOfFile: output, encoding: .utf8)
        }
        let source = try key(version: "", fromSource: "true")
        #expect(source.range(of: #"^key=mlci-Linux-X64-source-[0-9a-f]{16}\n$"#, options: .regularExpression) != nil, "\(source)")
        #expect(try key(version: "", fromSource: "true") == source)
        #expect(try key(version: "1.2.3").hasPrefix("key=mlci-Linux-X64-release-1.2.3-"))
    }

    @Test func theActionsRunScriptGatesAndRendersTheExtraFormats() throws {
        let sandbox = try pipeline()
        let bin = URL(fileURLWithPath: MLCIBinary.path).deletingLastPathComponent().path
        var environment = [
            "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": sandbox.base + "/output",
            "MLCI_COMMAND": "ci", "MLCI_FORMATS": "html, junit", "MLCI_COMMENT": "false",
        ]
        try? FileManager.default.removeItem(atPath: sandbox.root + "/.mlci/reports")
        let run = try ProcessRunner.run(root + "/action/run.sh", [], in: sandbox.root, environment: sandbox.environment(environment))
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let outputs = try String(contentsOfFile: sandbox.base + "/output", encoding: .utf8)
        #expect(outputs.contains("verdict=approved\n") && outputs.contains("exit-code=0\n"))
        #expect(FileManager.default.fileExists(atPath: sandbox.root + "/.mlci/reports/report.html"))

        // Hostile inputs are refused, not run.
        environment["MLCI_COMMAND"] = "ci; touch pwned"
        let hostile = try ProcessRunner.run(root + "/action/run.sh", [], in: sandbox.root, environment: sandbox.environment(environment))
        #expect(hostile.status == 2)
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/pwned"))
        environment["MLCI_COMMAND"] = "ci"
        environment["MLCI_FORMATS"] = "nope\n::error::injected"
        let formats = try ProcessRunner.run(root + "/action/run.sh", [], in: sandbox.root, environment: sandbox.environment(environment))
        #expect(formats.status == 0)
        #expect(!formats.stdout.contains("::error::injected"))
    }
}
