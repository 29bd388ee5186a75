import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// The deploy section the fixtures use, with two environments.
let deploySection = """
deploy:
  name: churn-model
  image: registry.example.com/ml/churn-model
  model: models/model.bin
  requirements: requirements.txt
  code: [src]
  serve: {command: [python, src/serve.py], port: 8080, health: /health}
  resources: {cpu: 250m, memory: 256Mi, cpu_limit: "1", memory_limit: 512Mi}
  environments:
    staging: {namespace: ml-staging}
    production: {namespace: ml-serving, replicas: 3}

"""

/// A repository with a model, code and a deploy section, whose first commit is verified
/// (approved, recorded in its note) on main. `extra` is appended to the deploy section.
///
/// Verdicts and promotions are signed with a fresh Ed25519 key (ssh-keygen) that the
/// committed `allowed_signers` names, and mlci.yaml requires signatures.
func approvedProject(deploy: String = deploySection, model: String = "weights v1", requireSignatures: Bool = true) throws -> GitSandbox {
    let sandbox = try GitSandbox()
    let signer = try SigningKeyFixture(in: sandbox.base + "/keys", principal: "ci@example.com")
    sandbox.variables["MLCI_SIGNING_KEY"] = signer.privateKey
    try sandbox.write("allowed_signers", signer.allowedSignersLine + "\n")
    try sandbox.write("mlci.yaml", "version: 1\ntarget: main\nmodels: [models/model.bin]\n" + deploy
                      + "gate: {allow_empty: true}\ntrust: {allowed_signers: allowed_signers, require_signatures: \(requireSignatures)}\n")
    try sandbox.write("models/model.bin", model)
    try sandbox.write("src/serve.py", "print('serving')\n")
    try sandbox.write("requirements.txt", "numpy==2.4.6\n")
    #expect(try mlci("lock", in: sandbox).status == 0)
    try sandbox.commit("model and deploy settings")
    try verifyApproved(sandbox)
    return sandbox
}

/// Runs mlci verify and expects it to approve and record the commit.
func verifyApproved(_ sandbox: GitSandbox, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let verify = try mlci("verify", in: sandbox)
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)", sourceLocation: sourceLocation)
    #expect(verify.stdout.contains("recorded in refs/notes/mlci"), "\(verify.stdout)", sourceLocation: sourceLocation)
}

/// Commits a new model on main and verifies it.
@discardableResult
func shipNewModel(_ sandbox: GitSandbox, _ content: String) throws -> String {
    try sandbox.write("models/model.bin", content)
    #expect(try mlci("lock", in: sandbox).status == 0)
    let commit = try sandbox.commit("model \(content)")
    try verifyApproved(sandbox)
    return commit
}

/// Every regular file below `directory`, relative path → bytes.
func filesBelow(_ directory: String) throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    guard let walker = FileManager.default.enumerator(atPath: directory) else { return [:] }
    while let relative = walker.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
            out[relative] = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + relative)))
        }
    }
    return out
}

/// The validators of deploy artifacts: checkov, kubernetes-validate and hadolint from
/// `MLCI_DEPLOY_TOOLS` (make sets it to .venv-deploy/bin), and kubectl from PATH.
enum DeployTools {
    static var directory: String {
        ProcessInfo.processInfo.environment["MLCI_DEPLOY_TOOLS"] ?? MLCIBinary.packageRoot + "/.venv-deploy/bin"
    }

    static func path(_ tool: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String? {
        let candidate = directory + "/" + tool
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        if tool == "kubectl", let found = try? ProcessRunner.run("/bin/sh", ["-c", "command -v kubectl"]).stdout, !found.isEmpty {
            return found.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        Issue.record("\(tool) is not installed (run make deps, which installs it into .venv-deploy)", sourceLocation: sourceLocation)
        return nil
    }

    static func run(_ tool: String, _ arguments: [String], in directory: String? = nil) throws -> ProcessResult? {
        guard let path = path(tool) else { return nil }
        return try ProcessRunner.run(path, arguments, in: directory, environment: ["HOME": NSTemporaryDirectory(), "PATH": "/usr/bin:/bin"])
    }
}

/// An Ed25519 key pair made by ssh-keygen, for signing verdicts in tests.
struct SigningKeyFixture {
    let directory: String
    let principal: String
    /// The OpenSSH private key text (what MLCI_SIGNING_KEY holds).
    let privateKey: String
    /// `ssh-ed25519 AAAA… comment`.
    let publicKey: String
    var path: String { directory + "/key" }
    var allowedSignersLine: String { "\(principal) \(publicKey)" }

    init(in directory: String, principal: String) throws {
        self.directory = directory
        self.principal = principal
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let made = try ProcessRunner.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", principal, "-f", directory + "/key"])
        guard made.status == 0 else { throw SandboxError("ssh-keygen failed: \(made.stderr)") }
        privateKey = try String(contentsOfFile: directory + "/key", encoding: .utf8)
        publicKey = try String(contentsOfFile: directory + "/key.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
