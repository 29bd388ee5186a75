import MLCIConfig
import MLCISupport

/// Every `dvc.yaml` of a repository, expanded as DVC 3 expands it: `vars`, `${}`, `foreach`,
/// `matrix`, `wdir`, `params` — one ``DVCStageDefinition`` per line of `dvc stage list --all`,
/// in DVC's order (files top-down, stages in definition order).
///
/// A value type; safe to share between threads once loaded.
public struct DVCPipeline: Sendable {
    /// The dvc.yaml files, repository-relative, root first then folders top-down (by name).
    public var files: [DVCPipelineFile]

    /// Every stage of every file, in order.
    public var stages: [DVCStageDefinition] { files.flatMap(\.stages) }

    /// Whether the repository has any dvc.yaml.
    public var isEmpty: Bool { files.isEmpty }

    public init(files: [DVCPipelineFile]) { self.files = files }

    /// Finds and expands every dvc.yaml under `root` and checks the stages together (an out
    /// claimed twice, overlapping outs, a cycle).
    ///
    /// - Parameters:
    ///   - root: the repository's absolute root.
    ///   - isIgnored: whether a repository-relative folder is git-ignored (DVC does not
    ///     collect dvc.yaml files there).
    /// - Throws: ``InputError`` with `dvc.yaml:line:col` for anything invalid or unsupported.
    public static func load(root: String, isIgnored: (String) -> Bool = { _ in false }) throws(InputError) -> DVCPipeline {
        var files: [DVCPipelineFile] = []
        for path in discover(root: root, isIgnored: isIgnored) {
            files.append(try DVCFileParser.parse(root: root, path: path))
        }
        let pipeline = DVCPipeline(files: files)
        try DVCGraphCheck.check(pipeline)
        return pipeline
    }

    /// The stage named `address` (`train`, `sub/dvc.yaml:train`).
    public func stage(_ address: String) -> DVCStageDefinition? { stages.first { $0.address == address } }
}

/// One dvc.yaml: its stages and its top-level `params`, `metrics`, `plots`, `artifacts`.
public struct DVCPipelineFile: Sendable {
    /// Repository-relative, `/`-separated (`dvc.yaml`, `nested/dvc.yaml`).
    public var path: String
    public var stages: [DVCStageDefinition]
    public var topLevel: DVCTopLevel

    /// The folder of the file, repository-relative (`""` for the root).
    public var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}

/// The top-level entries of a dvc.yaml that feed `dvc params/metrics/plots` and the model
/// registry (they never touch dvc.lock or the cache). Paths are relative to the dvc.yaml's folder.
public struct DVCTopLevel: Sendable, Equatable {
    public var params: [DVCPath] = []
    public var metrics: [DVCPath] = []
    /// Each plot: its path (or plot id) and its properties as written.
    public var plots: [Plot] = []
    public var artifacts: [Artifact] = []

    public struct Plot: Sendable, Equatable {
        public var id: String
        /// The file, when `id` names one inside the repository.
        public var path: DVCPath?
        public var properties: JSONValue
    }

    public struct Artifact: Sendable, Equatable {
        public var name: String
        public var path: DVCPath
        public var type: String?
        public var description: String?
        public var labels: [String]
    }

    public init() {}
}
