import Crypto
import MLCIHashing
import MLCISupport
import MLCIYAML

/// The deploy artifacts of one release, in memory: path (relative to `--out`) → bytes.
///
/// `Dockerfile`, `.dockerignore`, the kustomize tree `k8s/base/` and `k8s/overlays/ENV/`, and
/// optionally `k8s/kserve/inferenceservice.yaml` and `k8s/jobs/train.yaml`. A value type.
public struct DeployBundle: Sendable, Equatable {
    public var files: [String: [UInt8]]

    /// Renders `release` through its templates.
    ///
    /// - Throws: ``InputError`` for a template that does not parse or renders a YAML file
    ///   that does not parse (located in the rendered file, named after its template).
    public static func render(_ release: Release) throws -> DeployBundle {
        let library = try release.templates.library()
        let context = DeployContext.values(for: release)
        var files: [String: [UInt8]] = [:]
        func render(_ template: String, to path: String, extra: [String: Any] = [:]) throws {
            var values = context
            for (k, v) in extra { values[k] = v }
            guard let text = library.render(values, withTemplate: template) else {
                throw InputError("the deploy template '\(template)' is missing")
            }
            if path.hasSuffix(".yaml") { try checkYAML(text, path: path, template: release.templates.origins[template] ?? "templates/deploy/\(template).mustache") }
            files[path] = Array(text.utf8)
        }
        try render("Dockerfile", to: "Dockerfile")
        try render("dockerignore", to: ".dockerignore")
        let workload = release.spec.canary == nil ? "deployment" : "rollout"
        for name in ["serviceaccount", workload, "service", "hpa", "pdb", "networkpolicy"] {
            try render("k8s/\(name).yaml", to: "k8s/base/\(name).yaml")
        }
        try render("k8s/base-kustomization.yaml", to: "k8s/base/kustomization.yaml")
        for env in release.spec.environments {
            try render("k8s/overlay-kustomization.yaml", to: "k8s/overlays/\(env.name)/kustomization.yaml",
                       extra: DeployContext.environment(env, release: release))
        }
        if release.spec.kserve { try render("k8s/inferenceservice.yaml", to: "k8s/kserve/inferenceservice.yaml") }
        if release.spec.trainJob != nil { try render("k8s/train-job.yaml", to: "k8s/jobs/train.yaml") }
        return DeployBundle(files: files)
    }

    /// The files of one environment as a GitOps folder holds them: `base/…` and
    /// `overlays/ENV/…`.
    public func gitOpsFiles(environment: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for (path, bytes) in files {
            if path.hasPrefix("k8s/base/") || path.hasPrefix("k8s/overlays/\(environment)/") {
                out[String(path.dropFirst(4))] = bytes
            }
        }
        return out
    }

    /// SHA-256 over the sorted `sha256  path` lines of `files`: one digest for a set of
    /// manifests, reproducible with `sha256sum $(find . -type f | sort) | sha256sum`.
    public static func digest(of files: [String: [UInt8]]) -> String {
        let lines = files.keys.sorted().map { "\(Hex.string(SHA256.hash(data: files[$0]!)))  \($0)\n" }.joined()
        return "sha256:" + Hex.string(SHA256.hash(data: Array(lines.utf8)))
    }

    static func checkYAML(_ text: String, path: String, template: String) throws {
        do {
            _ = try YAML.composeAll(text)
        } catch {
            throw InputError("\(template) rendered \(path) as YAML that does not parse: \(error)",
                             hint: "a template must render valid YAML; insert text values with {{value}} so they are quoted")
        }
    }
}
