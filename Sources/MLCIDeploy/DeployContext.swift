import MLCISupport

/// The values deploy templates see. Text values are inserted quoted with `{{name}}`; numbers
/// and values validated to a strict grammar may be inserted as they are with `{{{name}}}`.
/// templates/deploy/README.md lists them.
enum DeployContext {
    static func values(for release: Release) -> [String: Any] {
        let spec = release.spec
        let commit = release.commit.id.hex
        var values: [String: Any] = [
            "mlci_version": Version.current,
            "name": spec.name,
            "namespace": spec.name,
            "commit": commit,
            "short_commit": release.commit.id.short(12),
            "version": release.commit.id.short(12),
            "created": release.created,
            "image": spec.image,
            "tag": commit,
            "image_ref": release.imageReference,
            "model_path": spec.model,
            "model_in_image": "/app/" + spec.model + (release.modelIsDirectory ? "/" : ""),
            "model_digest": release.modelDigest,
            "data_digest": release.dataDigest,
            "base_image": spec.baseImage,
            "port": spec.port,
            "port_text": String(spec.port),
            "health": spec.health,
            "command_json": JSONWriter(style: .compact).string(.array(spec.command.map(JSONValue.string))),
            "preset": spec.preset.rawValue,
            "cpu": spec.resources.cpu,
            "memory": spec.resources.memory,
            "cpu_limit": spec.resources.cpuLimit,
            "memory_limit": spec.resources.memoryLimit,
            "min_replicas": spec.minReplicas,
            "max_replicas": spec.maxReplicas,
            "cpu_target": spec.cpuTarget,
            "component": "model-server",
            "workload_kind": spec.canary == nil ? "Deployment" : "Rollout",
            "workload_api_version": spec.canary == nil ? "apps/v1" : "argoproj.io/v1alpha1",
            "workload_file": spec.canary == nil ? "deployment.yaml" : "rollout.yaml",
            "code": release.code.map { item -> [String: Any] in
                let suffix = item.isDirectory ? "/" : ""
                return ["path": item.path + suffix, "dest": "/app/" + item.path + suffix]
            },
        ]
        if release.modelIsDirectory { values["model_path"] = spec.model + "/" }
        if let requirements = spec.requirements { values["requirements"] = ["path": requirements] }
        if let source = release.source { values["source"] = ["url": source] }
        if let digest = release.imageDigest { values["digest"] = ["value": digest] }
        if spec.resources.gpu > 0 { values["gpu"] = ["count": spec.resources.gpu] }
        if let canary = spec.canary {
            values["canary_steps"] = canary.steps.map { weight -> [String: Any] in
                var step: [String: Any] = ["weight": weight]
                if let pause = canary.pauseSeconds { step["pause"] = ["duration": "\(pause)s"] }
                return step
            }
        }
        if let job = spec.trainJob, let stage = release.config.stages.first(where: { $0.name == job.stage }) {
            let prefix = String(spec.name.prefix(63 - "-train-".count - 7)).trimmingTrailingDashes()
            values["job_name"] = "\(prefix)-train-\(release.commit.id.short(7))"
            values["stage"] = stage.name
            values["stage_command"] = stage.commands.joined(separator: " && ")
            values["train_cpu"] = job.cpu
            values["train_memory"] = job.memory
            if job.gpu > 0 { values["train_gpu"] = ["count": job.gpu] }
            if let timeout = stage.timeout { values["deadline"] = ["seconds": Int(timeout.rounded(.up))] }
        }
        return values
    }

    /// The values an overlay adds: the environment's name, namespace and replica patch.
    static func environment(_ env: DeploySpec.Environment, release: Release) -> [String: Any] {
        var values: [String: Any] = ["env": env.name, "namespace": env.namespace]
        if let replicas = env.replicas {
            values["replicas"] = ["min": replicas, "max": max(replicas, release.spec.maxReplicas)]
        }
        return values
    }
}

extension String {
    func trimmingTrailingDashes() -> String {
        var s = Substring(self)
        while s.hasSuffix("-") { s.removeLast() }
        return String(s)
    }
}
