import MLCIConfig
import MLCISupport

/// The `deploy` section of mlci.yaml, typed, with mlci's defaults filled in.
///
/// Every value here has passed the schema's grammar (DNS-1123 names, image references,
/// quantities, ports, plain paths, probe paths, command words without control characters);
/// ``init(config:)`` adds the checks that need several keys at once. A value type: `Sendable`.
public struct DeploySpec: Sendable, Equatable {
    public enum Preset: String, Sendable { case python, mlflow, custom }

    public struct Resources: Sendable, Equatable {
        public var cpu = "250m"
        public var memory = "512Mi"
        public var cpuLimit = "1"
        public var memoryLimit = "1Gi"
        public var gpu = 0
    }

    public struct Environment: Sendable, Equatable {
        public enum Stage: String, Sendable { case staging, production }
        public var name: String
        public var namespace: String
        /// A fixed minimum number of replicas for this environment.
        public var replicas: Int?
        public var branch: String?
        public var dir: String?
        public var stage: Stage
    }

    public struct TrainJob: Sendable, Equatable {
        public var stage: String
        public var cpu = "1"
        public var memory = "2Gi"
        public var gpu = 0
    }

    public var name: String
    public var image: String
    public var model: String
    public var preset: Preset
    public var baseImage: String
    public var requirements: String?
    /// Code copied into the image; `nil` means "src when the commit has it".
    public var code: [String]?
    public var command: [String]
    public var port: Int
    public var health: String
    public var resources: Resources
    public var minReplicas: Int
    public var maxReplicas: Int
    public var cpuTarget: Int
    /// An Argo Rollouts canary: weights (percent) and the pause after each step.
    public struct Canary: Sendable, Equatable {
        public var steps: [Int]
        /// Seconds; `nil` waits for a manual promotion.
        public var pauseSeconds: Int?
    }

    public var canary: Canary?
    public var kserve: Bool
    public var trainJob: TrainJob?
    public var environments: [Environment]
    public var templates: String?
    /// Where the section is in mlci.yaml, for messages.
    public var location: SourceLocation

    /// The default base image: a slim Debian Python, which has `groupadd` and `python` for the
    /// health check. Pin it by digest in mlci.yaml for reproducible builds.
    public static let defaultBaseImage = "python:3.12-slim"

    /// Types the `deploy` section of `config`.
    ///
    /// - Throws: ``InputError`` (located at the `deploy` section) when the section is missing
    ///   or keys contradict each other.
    public init(config: Config) throws(InputError) {
        guard let section = config.deploy else {
            throw InputError("\(config.file) has no deploy section",
                             hint: "add deploy: {name, image, model} (see docs/config.md#deploy)")
        }
        let d = section.value
        let at = section.location
        location = at
        name = d["name"]?.stringValue ?? ""
        image = d["image"]?.stringValue ?? ""
        model = d["model"]?.stringValue ?? ""
        preset = d["preset"]?.stringValue.flatMap(Preset.init(rawValue:)) ?? .python
        baseImage = d["base_image"]?.stringValue ?? Self.defaultBaseImage
        requirements = d["requirements"]?.stringValue
        switch d["code"] {
        case .string(let one)?: code = [one]
        case .array(let many)?: code = many.compactMap(\.stringValue)
        default: code = nil
        }
        let serve = d["serve"]
        port = Self.int(serve?["port"]) ?? 8080
        health = serve?["health"]?.stringValue ?? (preset == .mlflow ? "/ping" : "/health")
        let modelInImage = "/app/" + model
        if let words = serve?["command"]?.arrayValue?.compactMap(\.stringValue), !words.isEmpty {
            command = words
        } else {
            switch preset {
            case .python: command = ["python", "serve.py"]
            case .mlflow:
                command = ["mlflow", "models", "serve", "-m", modelInImage, "-h", "0.0.0.0", "-p", String(port), "--env-manager", "local"]
            case .custom:
                throw InputError("deploy.serve.command is required with preset: custom", at: at,
                                 hint: "give the server's command as a list, e.g. command: [\"./server\", \"--port\", \"8080\"]")
            }
        }
        var resources = Resources()
        if let r = d["resources"] {
            resources.cpu = r["cpu"]?.stringValue ?? resources.cpu
            resources.memory = r["memory"]?.stringValue ?? resources.memory
            resources.cpuLimit = r["cpu_limit"]?.stringValue ?? resources.cpuLimit
            resources.memoryLimit = r["memory_limit"]?.stringValue ?? resources.memoryLimit
            resources.gpu = Self.int(r["gpu"]) ?? 0
        }
        for (request, limit, what) in [(resources.cpu, resources.cpuLimit, "cpu"), (resources.memory, resources.memoryLimit, "memory")] {
            if let a = Quantity.value(request), let b = Quantity.value(limit), a > b {
                throw InputError("deploy.resources: the \(what) request \(request) is above its limit \(limit)", at: at,
                                 hint: "Kubernetes rejects a request above the limit; raise \(what)_limit or lower \(what)")
            }
        }
        self.resources = resources
        minReplicas = Self.int(d["replicas"]?["min"]) ?? 2
        maxReplicas = Self.int(d["replicas"]?["max"]) ?? max(10, minReplicas)
        cpuTarget = Self.int(d["replicas"]?["cpu_target"]) ?? 70
        if let c = d["canary"] {
            let steps = c["steps"]?.arrayValue?.compactMap { Self.int($0) } ?? [10, 50]
            guard steps == steps.sorted(), Set(steps).count == steps.count else {
                throw InputError("deploy.canary.steps must rise: \(steps.map(String.init).joined(separator: ", "))", at: at,
                                 hint: "list the canary's share of traffic in increasing order, e.g. [10, 50]")
            }
            let pause = c["pause"]?.stringValue.flatMap(Duration.parseSeconds).map { Int($0.rounded(.up)) }
            canary = Canary(steps: steps, pauseSeconds: pause)
        } else {
            canary = nil
        }
        kserve = d["kserve"] == .bool(true)
        if let job = d["train_job"] {
            let stageName = job["stage"]?.stringValue ?? "train"
            guard config.stages.contains(where: { $0.name == stageName }) else {
                let hint = Suggestion.closest(to: stageName, in: config.stages.map(\.name)).map { "did you mean '\($0)'?" }
                throw InputError("deploy.train_job.stage: there is no stage '\(stageName)'", at: at,
                                 hint: hint ?? "name one of the stages in mlci.yaml")
            }
            var t = TrainJob(stage: stageName)
            t.cpu = job["resources"]?["cpu"]?.stringValue ?? t.cpu
            t.memory = job["resources"]?["memory"]?.stringValue ?? t.memory
            t.gpu = Self.int(job["resources"]?["gpu"]) ?? 0
            trainJob = t
        } else {
            trainJob = nil
        }
        var environments: [Environment] = []
        for (envName, e) in d["environments"]?.objectValue ?? [] {
            let replicas = Self.int(e["replicas"])
            if replicas == 0 {
                throw InputError("deploy.environments.\(envName).replicas: 0 cannot be served; the autoscaler needs at least 1", at: at,
                                 hint: "remove the environment, or give it 1 or more replicas")
            }
            let stage = e["stage"]?.stringValue.flatMap(Environment.Stage.init(rawValue:))
                ?? (["production", "prod", "live"].contains(envName) ? .production : .staging)
            environments.append(Environment(name: envName, namespace: e["namespace"]?.stringValue ?? envName, replicas: replicas,
                                            branch: e["branch"]?.stringValue, dir: e["dir"]?.stringValue, stage: stage))
        }
        if environments.isEmpty {
            environments = [Environment(name: "production", namespace: name, replicas: nil, branch: nil, dir: nil, stage: .production)]
        }
        self.environments = environments
        templates = d["templates"]?.stringValue
    }

    /// The environment called `name`.
    public func environment(_ name: String) throws(InputError) -> Environment {
        if let env = environments.first(where: { $0.name == name }) { return env }
        let hint = Suggestion.closest(to: name, in: environments.map(\.name)).map { "did you mean '\($0)'?" }
        throw InputError("there is no environment '\(name)' in deploy.environments (\(environments.map(\.name).joined(separator: ", ")))",
                         at: location, hint: hint)
    }

    static func int(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let i)?: Int(exactly: i)
        case .double(let d)? where d == d.rounded(): Int(exactly: d)
        default: nil
        }
    }
}
