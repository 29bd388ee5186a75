import Foundation
import MLCISupport
import MLCITestSupport
import Testing

@Suite("mlci emit")
struct EmitTests {
    /// The apiVersions Kubernetes serves today for what mlci emits; anything else (a removed
    /// beta such as autoscaling/v2beta2 or policy/v1beta1) fails the test.
    static let servedAPIVersions: Set<String> = ["v1", "apps/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1", "batch/v1",
                                                "kustomize.config.k8s.io/v1beta1", "argoproj.io/v1alpha1", "serving.kserve.io/v1beta1"]

    @Test("an approved commit's artifacts pass hadolint, kubernetes-validate --strict, checkov and kustomize")
    func approvedArtifactsPassEveryValidator() throws {
        let sandbox = try approvedProject()
        let out = sandbox.base + "/out"
        let emit = try mlci("emit", "--out", out, in: sandbox)
        #expect(emit.status == 0, "\(emit.stderr)")
        try expectValid(out, environments: ["staging", "production"])

        let files = try filesBelow(out)
        let dockerfile = String(decoding: files["Dockerfile"] ?? [], as: UTF8.self)
        let head = try sandbox.git("rev-parse", "HEAD")
        let model = try sha256sum(sandbox.root + "/models/model.bin")
        #expect(dockerfile.hasPrefix("# syntax=docker/dockerfile:1\n"))
        #expect(dockerfile.contains("org.opencontainers.image.revision=\"\(head)\""))
        #expect(dockerfile.contains("io.mlci.model.digest=\"sha256:\(model)\""))
        #expect(dockerfile.contains("COPY --chown=10001:10001 [\"models/model.bin\", \"/app/models/model.bin\"]"))
        #expect(dockerfile.contains("USER 10001:10001"))
        #expect(dockerfile.contains("CMD [\"python\",\"src/serve.py\"]"))
        // Dependencies are installed in a layer before the code is copied.
        let pip = try #require(dockerfile.range(of: "pip install"))
        let code = try #require(dockerfile.range(of: "[\"src/\""))
        #expect(pip.lowerBound < code.lowerBound)
        let deployment = String(decoding: files["k8s/base/deployment.yaml"] ?? [], as: UTF8.self)
        #expect(deployment.contains("image: \"registry.example.com/ml/churn-model:\(head)\""))
        #expect(deployment.contains("mlci.io/model-digest: \"sha256:\(model)\""))
        #expect(deployment.contains("maxUnavailable: 0"))
        #expect(!deployment.contains("\n  replicas:"), "the autoscaler owns the replica count")
        let overlay = String(decoding: files["k8s/overlays/production/kustomization.yaml"] ?? [], as: UTF8.self)
        #expect(overlay.contains("namespace: \"ml-serving\""))
        #expect(overlay.contains("newTag: \"\(head)\""))
    }

    @Test("canary, KServe, a GPU training Job and a pinned digest also validate")
    func everyOptionalArtifactValidates() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("mlci.yaml", """
        version: 1
        target: main
        models: [models/model.bin]
        stages:
          train: {cmd: ["echo training", "echo done"], deps: [src/serve.py], timeout: 2h}
        deploy:
          name: churn-model
          image: registry.example.com/ml/churn-model
          model: models/model.bin
          base_image: python:3.12-slim@sha256:\(String(repeating: "ab", count: 32))
          serve: {command: [python, src/serve.py], port: 9000, health: /ready}
          resources: {cpu: 500m, memory: 1Gi, cpu_limit: "2", memory_limit: 2Gi, gpu: 1}
          replicas: {min: 3, max: 12, cpu_target: 60}
          canary: {steps: [10, 50], pause: 10m}
          kserve: true
          train_job: {stage: train, resources: {cpu: "4", memory: 16Gi, gpu: 2}}
        gate: {allow_empty: true}

        """)
        try sandbox.write("models/model.bin", "weights")
        try sandbox.write("src/serve.py", "print('serving')\n")
        #expect(try mlci("lock", in: sandbox).status == 0)
        try sandbox.commit("everything")
        #expect(try mlci("verify", in: sandbox).status == 0)
        try sandbox.commit("record the train stage")
        try verifyApproved(sandbox)
        let out = sandbox.base + "/out"
        let digest = "sha256:" + String(repeating: "c", count: 64)
        let emit = try mlci("emit", "--allow-unsigned", "--out", out, "--image-digest", digest, in: sandbox)
        #expect(emit.status == 0, "\(emit.stderr)")
        let files = try filesBelow(out)
        #expect(files["k8s/base/rollout.yaml"] != nil && files["k8s/base/deployment.yaml"] == nil)
        #expect(files["k8s/kserve/inferenceservice.yaml"] != nil)
        let job = String(decoding: files["k8s/jobs/train.yaml"] ?? [], as: UTF8.self)
        #expect(job.contains("nvidia.com/gpu: 2"))
        #expect(job.contains("- \"echo training && echo done\""))
        #expect(job.contains("activeDeadlineSeconds: 7200"))
        let rollout = String(decoding: files["k8s/base/rollout.yaml"] ?? [], as: UTF8.self)
        #expect(rollout.contains("- setWeight: 10\n        - pause:\n            duration: \"600s\""))
        #expect(rollout.contains("@\(digest)\""))
        #expect(!rollout.contains("CKV_K8S_43"), "with a digest there is nothing to skip")
        let overlay = String(decoding: files["k8s/overlays/production/kustomization.yaml"] ?? [], as: UTF8.self)
        #expect(overlay.contains("digest: \"\(digest)\""))
        try expectValid(out, environments: ["production"])
    }

    @Test("emitting twice, and from another clone, gives identical bytes")
    func emitIsReproducible() throws {
        let sandbox = try approvedProject()
        #expect(try mlci("emit", "--out", sandbox.base + "/one", in: sandbox).status == 0)
        #expect(try mlci("emit", "--out", sandbox.base + "/two", in: sandbox).status == 0)
        let one = try filesBelow(sandbox.base + "/one")
        #expect(one.count >= 12)
        #expect(one == (try filesBelow(sandbox.base + "/two")))

        let clone = sandbox.base + "/clone"
        try sandbox.git(["clone", "-q", sandbox.root, clone])
        try sandbox.git(["fetch", "-q", "origin", "refs/notes/mlci:refs/notes/mlci"], in: clone)
        let again = try MLCIBinary.run(["emit", "--out", sandbox.base + "/three"], in: sandbox, directory: clone)
        #expect(again.status == 0, "\(again.stderr)")
        var three = try filesBelow(sandbox.base + "/three")
        // The clone's origin is the first repository: the only difference allowed is the source label.
        #expect(three.keys.sorted() == one.keys.sorted())
        three["Dockerfile"] = one["Dockerfile"]
        three[".mlci-emit.json"] = one[".mlci-emit.json"]
        #expect(three == one)
    }

    @Test("an unapproved, rejected or dirty commit is refused with exit 1 and nothing is written")
    func unapprovedCommitsAreRefused() throws {
        let sandbox = try approvedProject()
        let out = sandbox.base + "/out"

        // A new commit nobody verified.
        try sandbox.write("src/serve.py", "print('changed')\n")
        try sandbox.commit("unverified change")
        var result = try mlci("emit", "--out", out, in: sandbox)
        #expect(result.status == 1)
        #expect(result.stderr.contains("has no verdict"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))

        // A rejected commit: the model is not what mlci.lock records.
        try sandbox.write("models/model.bin", "tampered")
        try sandbox.commit("model without lock")
        #expect(try mlci("verify", in: sandbox).status == 1)
        result = try mlci("emit", "--out", out, in: sandbox)
        #expect(result.status == 1)
        #expect(result.stderr.contains("was rejected"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))

        // A note that approves another tree (copied from the first commit).
        let first = try sandbox.git("rev-list", "--max-parents=0", "HEAD")
        try sandbox.git("notes", "--ref=mlci", "add", "-f", "-C", try sandbox.git("notes", "--ref=mlci", "list", first), "HEAD")
        result = try mlci("emit", "--out", out, in: sandbox)
        #expect(result.status == 1)
        #expect(result.stderr.contains("copied onto"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))

        // HEAD of a dirty working tree: what would ship is not what the user has.
        try sandbox.git("reset", "-q", "--hard", first)
        try sandbox.write("src/serve.py", "print('uncommitted')\n")
        result = try mlci("emit", "--out", out, in: sandbox)
        #expect(result.status == 1)
        #expect(result.stderr.contains("uncommitted changes"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        // Naming the approved commit explicitly ships it.
        #expect(try mlci("emit", first, "--out", out, in: sandbox).status == 0)
    }

    @Test("a second emit removes files the first one wrote and it no longer does, and nothing else")
    func staleFilesAreRemoved() throws {
        let sandbox = try approvedProject()
        let out = sandbox.base + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "mine".write(toFile: out + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(try mlci("emit", "--out", out, in: sandbox).status == 0)
        #expect(FileManager.default.fileExists(atPath: out + "/k8s/overlays/staging/kustomization.yaml"))
        let config = try sandbox.read("mlci.yaml").replacingOccurrences(of: "    staging: {namespace: ml-staging}\n", with: "")
        try sandbox.write("mlci.yaml", config)
        try sandbox.commit("no staging")
        try verifyApproved(sandbox)
        #expect(try mlci("emit", "--out", out, in: sandbox).status == 0)
        #expect(!FileManager.default.fileExists(atPath: out + "/k8s/overlays/staging"))
        #expect(FileManager.default.fileExists(atPath: out + "/k8s/overlays/production/kustomization.yaml"))
        #expect(FileManager.default.fileExists(atPath: out + "/notes.txt"))
    }

    @Test("the installed binary needs no source tree: its templates are built in")
    func installedBinaryWorksAlone() throws {
        let sandbox = try approvedProject()
        let bin = sandbox.base + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: MLCIBinary.path, toPath: bin + "/mlci")
        let result = try ProcessRunner.run(bin + "/mlci", ["emit", "-C", sandbox.root, "--out", sandbox.base + "/out"], in: bin,
                                           environment: sandbox.environment())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: sandbox.base + "/out/k8s/base/deployment.yaml"))
    }

    // MARK: - Validators

    /// Runs every validator on an emitted folder.
    func expectValid(_ out: String, environments: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        // hadolint: nothing at all to report, and the OCI labels have the required formats.
        if let lint = try DeployTools.run("hadolint", ["--no-color", "--require-label", "org.opencontainers.image.revision:hash",
                                                       "--require-label", "org.opencontainers.image.created:rfc3339",
                                                       "--require-label", "org.opencontainers.image.title:text", "Dockerfile"], in: out) {
            #expect(lint.status == 0 && lint.stdout.isEmpty, "hadolint: \(lint.stdout)\(lint.stderr)", sourceLocation: sourceLocation)
        }
        // kustomize builds every overlay.
        var built: [String] = []
        for env in environments {
            guard let build = try DeployTools.run("kubectl", ["kustomize", "k8s/overlays/\(env)"], in: out) else { continue }
            #expect(build.status == 0, "kubectl kustomize \(env): \(build.stderr)", sourceLocation: sourceLocation)
            let path = out + "/../built-\(env).yaml"
            // Custom resources have no Kubernetes schema: the Rollout is checked below as the
            // Deployment it wraps.
            let core = build.stdout.components(separatedBy: "\n---\n").filter { !$0.contains("kind: Rollout") }
            try core.joined(separator: "\n---\n").write(toFile: path, atomically: true, encoding: .utf8)
            built.append(path)
            #expect(build.stdout.contains("namespace: ml-") || build.stdout.contains("namespace: churn-model"), sourceLocation: sourceLocation)
        }
        // Every manifest (and every built overlay) validates strictly against current Kubernetes
        // schemas; custom resources are validated through the core kind they wrap.
        var manifests: [String] = []
        for (path, bytes) in try filesBelow(out + "/k8s") where path.hasSuffix(".yaml") && !path.hasSuffix("kustomization.yaml") {
            let text = String(decoding: bytes, as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("apiVersion: ") {
                let version = String(line.dropFirst("apiVersion: ".count))
                #expect(Self.servedAPIVersions.contains(version), "\(path) uses apiVersion \(version)", sourceLocation: sourceLocation)
            }
            if text.contains("kind: Rollout") {
                // A Rollout's pod template is a Deployment's: validate it as one.
                let asDeployment = text.replacingOccurrences(of: "apiVersion: argoproj.io/v1alpha1\nkind: Rollout", with: "apiVersion: apps/v1\nkind: Deployment")
                    .replacingOccurrences(of: #"(?s)  strategy:\n    canary:.*?\n  template:"#, with: "  template:", options: .regularExpression)
                let file = out + "/../rollout-as-deployment.yaml"
                try asDeployment.write(toFile: file, atomically: true, encoding: .utf8)
                manifests.append(file)
            } else if !text.contains("kind: InferenceService") {
                manifests.append(out + "/k8s/" + path)
            }
        }
        if let validate = try DeployTools.run("kubernetes-validate", ["--strict", "-k", "1.37.0"] + manifests + built) {
            #expect(validate.status == 0 && !validate.stdout.contains("WARN") && !validate.stdout.contains("ERROR"),
                    "kubernetes-validate: \(validate.stdout)\(validate.stderr)", sourceLocation: sourceLocation)
        }
        // checkov: no failed check on the manifests or the built overlays; each skip has a reason.
        // (A Rollout's pods are the Deployment's, which the default output checks; checkov has no
        // Rollout checks, so the converted file is left to kubernetes-validate.)
        for target in [["-d", out + "/k8s"]] + built.map({ ["-f", $0] }) {
            if let scan = try DeployTools.run("checkov", target + ["--framework", "kubernetes", "--quiet", "--compact", "--skip-download", "-o", "json"]) {
                #expect(scan.status == 0, "checkov \(target): \(scan.stdout.prefix(4000))", sourceLocation: sourceLocation)
                let report = try JSONParser().parse(scan.stdout)
                let summary = report["summary"] ?? report.arrayValue?.first?["summary"]
                #expect(summary?["failed"] == .int(0), "checkov \(target): \(summary.map { JSONWriter().string($0) } ?? scan.stdout.prefix(2000).description)", sourceLocation: sourceLocation)
                if target[0] == "-d" {
                    #expect((summary?["passed"]?.doubleValue ?? 0) > 50, "checkov \(target) checked almost nothing", sourceLocation: sourceLocation)
                }
            }
        }
        for (path, bytes) in try filesBelow(out + "/k8s") {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.contains("checkov.io/skip") {
                let reason = line.split(separator: "=", maxSplits: 1).last ?? ""
                #expect(line.contains("=") && reason.count > 40, "\(path): a skip needs a written reason: \(line)", sourceLocation: sourceLocation)
            }
        }
    }
}
