import MLCISupport

/// A loaded, validated `mlci.yaml`.
///
/// A value type: `Sendable`. Sections later commands act on (data expectations, drift,
/// fairness, model scanning, deploy, reports) are kept as validated JSON with their location,
/// and typed by the commands that use them.
public struct Config: Sendable {
    /// The file it came from, as displayed in messages (`mlci.yaml`).
    public var file: String
    public var version: Int
    /// The branch a change is compared with.
    public var target: String
    public var data: [DataEntry]
    /// Params files; keys are flattened to dotted paths (`train.lr`).
    public var paramsFiles: [String]
    /// Model artifacts: `models`, the deploy model and the scanned model files.
    public var models: [String]
    /// Metrics files not written by a stage.
    public var metricsFiles: [String]
    /// The stages, in the order they run.
    public var stages: [Stage]
    public var gate: Gate
    /// The `deploy` section as written, or `nil`.
    public var deploy: Located<JSONValue>?
    public var reports: Reports
    /// The `trust` section: who may sign verdicts.
    public var trust = Trust()

    /// A configuration with only `version: 1`: no stages, DVC data discovered automatically.
    public static func minimal(file: String = "mlci.yaml") -> Config {
        Config(file: file, version: 1, target: "main", data: [], paramsFiles: [], models: [], metricsFiles: [],
               stages: [], gate: Gate(), deploy: nil, reports: Reports())
    }

    /// Every metrics file: those of stages, then the top-level ones.
    public var allMetricsFiles: [String] {
        var seen: Set<String> = []
        return (stages.flatMap(\.metrics) + metricsFiles).filter { seen.insert($0).inserted }
    }
}

/// A value with the place in mlci.yaml it was configured.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// One entry of `data`.
public struct DataEntry: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// A file or directory mlci hashes itself.
        case path(String)
        /// The outs of a `.dvc` file.
        case dvc(String)
    }

    public var source: Source
    public var location: SourceLocation

    public var path: String {
        switch source {
        case .path(let p), .dvc(let p): p
        }
    }
}

/// One stage of the pipeline.
public struct Stage: Sendable {
    public var name: String
    /// Commands run in order with `/bin/sh -c`.
    public var commands: [String]
    public var deps: [String]
    /// Params keys this stage uses, by params file.
    public var params: [ParamsReference]
    public var outs: [String]
    public var metrics: [String]
    /// Seconds; `nil` for no limit.
    public var timeout: Double?
    public var environment: [(String, String)]
    public var alwaysChanged: Bool
    public var location: SourceLocation
    /// Where the commands run, repository-relative (`""` is the root; dvc.yaml's `wdir`).
    public var workingDirectory: String = ""
    /// The shell and its flags that run each command (`nil`: `/bin/sh`); dvc.yaml stages use
    /// `$SHELL` as `dvc repro` does.
    public var shell: [String]? = nil

    public init(name: String, commands: [String], deps: [String] = [], params: [ParamsReference] = [], outs: [String] = [],
                metrics: [String] = [], timeout: Double? = nil, environment: [(String, String)] = [], alwaysChanged: Bool = false,
                location: SourceLocation, workingDirectory: String = "", shell: [String]? = nil) {
        self.name = name
        self.commands = commands
        self.deps = deps
        self.params = params
        self.outs = outs
        self.metrics = metrics
        self.timeout = timeout
        self.environment = environment
        self.alwaysChanged = alwaysChanged
        self.location = location
        self.workingDirectory = workingDirectory
        self.shell = shell
    }

    /// The command as one string (what the lock records and compares).
    public var command: String { commands.joined(separator: "\n") }
}

/// Keys of one params file that a stage uses.
public struct ParamsReference: Sendable, Equatable {
    /// The params file; empty for the default one (`params` in mlci.yaml, or params.yaml).
    public var file: String
    public var keys: [String]

    public init(file: String, keys: [String]) {
        self.file = file
        self.keys = keys
    }
}

/// The `gate` section.
public struct Gate: Sendable {
    public var metrics: [MetricGate] = []
    public var data: Located<JSONValue>?
    public var drift: Located<JSONValue>?
    public var fairness: Located<JSONValue>?
    public var model: Located<JSONValue>?
    public var provenance = Provenance()
    /// `gate.allow_empty`: approving a change that no check looks at is a choice made here.
    public var allowEmpty = false
    public init() {}

    /// Whether no metric, data, drift, fairness or model check is configured.
    public var checksNothing: Bool { metrics.isEmpty && data == nil && drift == nil && fairness == nil && model == nil }
}

/// Bounds on one metric.
public struct MetricGate: Sendable {
    public enum Severity: String, Sendable { case error, warning }
    public var name: String
    public var minimum: Double?
    public var maximum: Double?
    public var maxDrop: Double?
    public var maxRise: Double?
    public var maxDropPercent: Double?
    public var maxRisePercent: Double?
    public var file: String?
    public var severity: Severity
    public var location: SourceLocation
}

/// `gate.provenance`.
public struct Provenance: Sendable {
    public var cleanTree = false
    public var dataTracked = true
    public var outsUnmodified = true
    /// Every cached DVC out must be in the default DVC remote (opt-in: it needs the network).
    public var dataPushed = false
    public var location: SourceLocation?
    public init() {}
}

/// The `reports` section.
public struct Reports: Sendable {
    public var directory = ".mlci/reports"
    public var formats = ["json", "junit", "sarif", "markdown", "gitlab", "html"]
    public var comment = false
    public var historyMetric: String?
    public init() {}
}

/// The `trust` section: which keys may sign verdicts and promotions.
public struct Trust: Sendable {
    /// The OpenSSH allowed_signers file, relative to the repository root.
    public var allowedSigners: String?
    /// Whether unsigned verdicts are refused even with `--allow-unsigned`.
    public var requireSignatures = false
    public var location: SourceLocation?
    public init() {}
}
