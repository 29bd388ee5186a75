import MLCIConfig
import MLCIGit
import MLCILineage
import MLCISupport

/// The change being verified, the way users think of it: files by kind, data hashes and
/// params keys old → new.
public struct ChangeSummary: Sendable {
    public enum Kind: String, Sendable { case code, data, params, model, config }

    public struct File: Sendable {
        public var path: String
        public var status: FileChange.Status
        public var kind: Kind
    }

    public var files: [File]
    /// Data/model hashes and params/metrics values between the baseline and the working tree.
    public var lineage: LineageDiff?

    /// Files of one kind.
    public func files(_ kind: Kind) -> [File] { files.filter { $0.kind == kind } }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("files", .array(files.map { ["path": .string($0.path), "status": .string($0.status.rawValue), "kind": .string($0.kind.rawValue)] })),
        ]
        members.append(("data", lineage.map { .array($0.artifacts.map(\.json)) } ?? .array([])))
        members.append(("params", lineage.map { .array($0.params.map { change in
            var item = change.json
            if case .object(var inner) = item { inner.insert(("key", .string(change.key)), at: 0); inner.insert(("file", .string(change.file)), at: 0); item = .object(inner) }
            return item
        }) } ?? .array([])))
        return .object(members)
    }

    /// Sorts changed paths into kinds by what the configuration says they are.
    static func classify(_ path: String, config: Config, dvcOuts: Set<String>) -> Kind {
        func under(_ paths: [String]) -> Bool { paths.contains { path == $0 || path.hasPrefix($0 + "/") } }
        if path == "mlci.yaml" || path == "dvc.yaml" || path == Lock.fileName { return .config }
        if under(config.models) { return .model }
        if under(config.data.map(\.path)) || under(Array(dvcOuts)) || path.hasSuffix(".dvc") || path.hasSuffix("dvc.lock") { return .data }
        let params = config.paramsFiles.isEmpty ? ["params.yaml"] : config.paramsFiles
        if params.contains(path) { return .params }
        return .code
    }
}
