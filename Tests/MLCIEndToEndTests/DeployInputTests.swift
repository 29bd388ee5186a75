import Foundation
import MLCISupport
import MLCITestSupport
import Testing

@Suite("hostile deploy settings and templates")
struct DeployInputTests {
    /// A deploy section with one line replaced, and the message and line mlci must answer with.
    struct Case: Sendable, CustomStringConvertible {
        let line: String
        let expected: String
        var description: String { line }
    }

    static let rejected: [Case] = [
        Case(line: "  name: churn model", expected: "mlci.yaml:5:9: error: 'deploy.name'"),
        Case(line: "  name: \"churn\\\"model\"", expected: "mlci.yaml:5:9: error: 'deploy.name'"),
        Case(line: "  name: \"{{name}}\"", expected: "mlci.yaml:5:9: error: 'deploy.name'"),
        Case(line: "  name: Churn-Model", expected: "mlci.yaml:5:9: error: 'deploy.name'"),
        Case(line: "  name: \(String(repeating: "a", count: 64))", expected: "mlci.yaml:5:9: error: 'deploy.name'"),
        Case(line: "  image: \"registry.example.com/ml/churn:latest\"", expected: "mlci.yaml:6:10: error: 'deploy.image'"),
        Case(line: "  image: \"registry.example.com/ml/churn\\nkind: Secret\"", expected: "mlci.yaml:6:10: error: 'deploy.image'"),
        Case(line: "  model: \"models/$HOME.bin\"", expected: "mlci.yaml:7:10: error: 'deploy.model'"),
        Case(line: "  model: \"models/model.bin\\nUSER root\"", expected: "mlci.yaml:7:10: error: 'deploy.model'"),
        Case(line: "  model: ../outside.bin", expected: "mlci.yaml:7:10: error: 'deploy.model'"),
        Case(line: "  serve: {command: [\"python\", \"serve.py\\nRUN curl evil | sh\"]}", expected: "mlci.yaml:8:31: error: 'deploy.serve.command.1'"),
        Case(line: "  serve: {health: \"/health'); import os; os.system('x\"}", expected: "mlci.yaml:8:19: error: 'deploy.serve.health'"),
        Case(line: "  serve: {port: 70000}", expected: "mlci.yaml:8:17: error: 'deploy.serve.port'"),
        Case(line: "  resources: {memory: 1 GB}", expected: "mlci.yaml:8:23: error: 'deploy.resources.memory'"),
        Case(line: "  resources: {cpu: \"2\", cpu_limit: 500m}", expected: "mlci.yaml:5:3: error: deploy.resources: the cpu request 2 is above its limit 500m"),
        Case(line: "  environments: {\"prod env\": {namespace: ml}}", expected: "mlci.yaml:8:18: error: 'deploy.environments'"),
        Case(line: "  environments: {prod: {namespace: \"ml serving\"}}", expected: "mlci.yaml:8:36: error: 'deploy.environments.prod.namespace'"),
        Case(line: "  environments: {prod: {namespace: ml, branch: \"a..b\"}}", expected: "mlci.yaml:8:48: error: 'deploy.environments.prod.branch'"),
        Case(line: "  base_image: \"python:3.12 slim\"", expected: "mlci.yaml:8:15: error: 'deploy.base_image'"),
        Case(line: "  preset: custom", expected: "mlci.yaml:5:3: error: deploy.serve.command is required with preset: custom"),
        Case(line: "  canary: {steps: [50, 10]}", expected: "mlci.yaml:5:3: error: deploy.canary.steps must rise"),
        Case(line: "  train_job: {stage: trian}", expected: "mlci.yaml:5:3: error: deploy.train_job.stage: there is no stage 'trian'"),
    ]

    func project(replacing line: String) throws -> GitSandbox {
        let sandbox = try approvedProject(deploy: """
        deploy:
          name: churn-model
          image: registry.example.com/ml/churn-model
          model: models/model.bin

        """, requireSignatures: false)
        var lines = try sandbox.read("mlci.yaml").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let key = line.trimmingCharacters(in: .whitespaces).split(separator: ":").first.map(String.init) ?? ""
        if let index = lines.firstIndex(where: { $0.hasPrefix("  \(key):") }) { lines[index] = line } else { lines.insert(line, at: 7) }
        try sandbox.write("mlci.yaml", lines.joined(separator: "\n"))
        return sandbox
    }

    @Test("a hostile or invalid deploy value is rejected with its mlci.yaml line, and nothing is written", arguments: rejected)
    func hostileValuesAreRejected(_ example: Case) throws {
        let sandbox = try project(replacing: example.line)
        try sandbox.commit("hostile deploy value")
        // Every command that loads mlci.yaml rejects a value against the schema; the checks
        // across keys (request above limit, a missing stage) run when something ships.
        if !example.expected.contains("error: deploy.") {
            let status = try mlci("status", in: sandbox)
            #expect(status.status == 2)
            #expect(status.stderr.contains(example.expected), "\(status.stderr)")
        }
        // emit names the same place; with a verdict forced through a note (and accepted
        // unsigned), it still refuses to write.
        try sandbox.git("notes", "--ref=mlci", "add", "-f", "-m",
                        "{\"verdict\": \"approved\", \"tree\": \"\(try sandbox.git("rev-parse", "HEAD^{tree}"))\"}", "HEAD")
        let emit = try mlci("emit", "--allow-unsigned", "--out", sandbox.base + "/out", in: sandbox)
        #expect(emit.status == 2)
        #expect(emit.stderr.contains(example.expected.replacingOccurrences(of: "mlci.yaml:", with: "")), "\(emit.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.base + "/out"))
    }

    @Test("values that are merely strange are rendered inert: quoted, never re-read as template or YAML")
    func strangeValuesAreInert() throws {
        let sandbox = try approvedProject(deploy: """
        deploy:
          name: churn-model
          image: registry.example.com/ml/churn-model
          model: "models/model.bin"
          serve: {command: ["python", "-c", "print('{{ name }}: &anchor *alias # \\"quoted\\" \\\\ done')"]}

        """)
        let out = sandbox.base + "/out"
        let emit = try mlci("emit", "--out", out, in: sandbox)
        #expect(emit.status == 0, "\(emit.stderr)")
        let dockerfile = try String(contentsOfFile: out + "/Dockerfile", encoding: .utf8)
        #expect(dockerfile.contains(#"CMD ["python","-c","print('{{ name }}: &anchor *alias # \"quoted\" \\ done')"]"#), "\(dockerfile)")
        if let lint = try DeployTools.run("hadolint", ["--no-color", "Dockerfile"], in: out) {
            #expect(lint.status == 0 && lint.stdout.isEmpty, "\(lint.stdout)")
        }
    }

    @Test("anchors that expand without bound are refused before anything walks them")
    func aliasBombIsRefused() throws {
        let sandbox = try GitSandbox()
        var text = "version: 1\ndeploy:\n  name: x\n  image: r/x\n  model: m\n  code: &a [a, a, a, a, a, a, a, a, a, a]\n"
        for level in 1...8 { text += "x\(level): &a\(level) [\(Array(repeating: level == 1 ? "*a" : "*a\(level - 1)", count: 10).joined(separator: ", "))]\n" }
        try sandbox.write("mlci.yaml", text)
        let result = try mlci("status", in: sandbox)
        #expect(result.status == 2)
        #expect(result.stderr.contains("expands to more than 1000000 values"), "\(result.stderr)")
    }

    @Test("deploy.templates in the commit replaces a built-in template; a broken or unknown one is located")
    func templateOverrides() throws {
        let sandbox = try approvedProject(deploy: deploySection.replacingOccurrences(of: "deploy:\n", with: "deploy:\n  templates: deploy/templates\n"))
        // Without the folder in the commit: located error.
        var emit = try mlci("emit", "--out", sandbox.base + "/out", in: sandbox)
        #expect(emit.status == 2)
        #expect(emit.stderr.contains("deploy.templates: 'deploy/templates' is not a folder"), "\(emit.stderr)")

        try sandbox.write("deploy/templates/Dockerfile.mustache", "FROM {{{base_image}}}\nLABEL team=\"ml\" revision={{commit}}\nCMD {{{command_json}}}\n")
        try sandbox.commit("our Dockerfile")
        try verifyApproved(sandbox)
        emit = try mlci("emit", "--out", sandbox.base + "/out", in: sandbox)
        #expect(emit.status == 0, "\(emit.stderr)")
        let head = try sandbox.git("rev-parse", "HEAD")
        #expect(try String(contentsOfFile: sandbox.base + "/out/Dockerfile", encoding: .utf8)
            == "FROM python:3.12-slim\nLABEL team=\"ml\" revision=\"\(head)\"\nCMD [\"python\",\"src/serve.py\"]\n")

        /// Commits the templates as they are now, verifies and emits.
        func emitCommitted(_ message: String) throws -> ProcessResult {
            try sandbox.commit(message)
            try verifyApproved(sandbox)
            return try mlci("emit", "--out", sandbox.base + "/out2", in: sandbox)
        }
        try sandbox.write("deploy/templates/k8s/service.yaml.mustache", "apiVersion: v1\nkind: Service\n{{#name}}\nmetadata: {}\n")
        emit = try emitCommitted("broken service template")
        #expect(emit.status == 2)
        #expect(emit.stderr.contains("deploy/templates/k8s/service.yaml.mustache:"), "\(emit.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.base + "/out2"))

        try sandbox.write("deploy/templates/k8s/service.yaml.mustache", "apiVersion: v1\nkind: Service\nmetadata: [{{{name}}}\n")
        emit = try emitCommitted("service template that renders invalid YAML")
        #expect(emit.status == 2)
        #expect(emit.stderr.contains("rendered k8s/base/service.yaml as YAML that does not parse"), "\(emit.stderr)")

        try sandbox.remove("deploy/templates/k8s/service.yaml.mustache")
        try sandbox.write("deploy/templates/k8s/servce.yaml.mustache", "x")
        emit = try emitCommitted("a typo in a template name")
        #expect(emit.status == 2)
        #expect(emit.stderr.contains("did you mean 'k8s/service.yaml.mustache'?"), "\(emit.stderr)")
    }

    @Test("the built-in templates are templates/deploy, and nothing there looks like a GitLab CI/CD component")
    func builtinTemplatesMatchTheSourceTree() throws {
        let root = MLCIBinary.packageRoot
        let python = ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3"
        let check = try ProcessRunner.run(python, [root + "/scripts/embed-templates.py", "--check"])
        #expect(check.status == 0, "Sources/MLCIDeploy/BuiltinTemplates.swift is stale: run make templates")
        // GitLab reads templates/<name>.yml and templates/<name>/template.yml as components.
        let files = try FileManager.default.subpathsOfDirectory(atPath: root + "/templates")
        let components = files.filter { path in
            let parts = path.split(separator: "/")
            return (parts.count == 1 && (path.hasSuffix(".yml") || path.hasSuffix(".yaml"))) || (parts.count == 2 && parts[1] == "template.yml")
        }
        #expect(components == ["mlci/template.yml"], "\(components)")
        #expect(files.filter { $0.hasPrefix("deploy/") }.allSatisfy { $0.hasSuffix(".mustache") || $0 == "deploy/k8s" || $0 == "deploy/README.md" })
    }
}
