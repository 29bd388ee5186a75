import MLCIConfig
import MLCIGit
import MLCISupport

/// One value that differs between two revisions.
public struct ValueChange: Sendable {
    public var file: String
    public var key: String
    public var old: JSONValue?
    public var new: JSONValue?

    /// `new - old` when both are numbers.
    public var delta: Double? {
        guard let a = old?.doubleValue, let b = new?.doubleValue else { return nil }
        return b - a
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("old", old ?? .null), ("new", new ?? .null)]
        if case .int(let a)? = old, case .int(let b)? = new {
            members.append(("diff", .int(b &- a)))
        } else if let delta {
            members.append(("diff", .double(delta)))
        }
        return .object(members)
    }
}

/// One data or model path whose hash differs.
public struct ArtifactChange: Sendable {
    public enum Kind: String, Sendable { case added, deleted, modified }
    public var path: String
    public var role: ArtifactHash.Role
    public var kind: Kind
    public var old: String?
    public var new: String?

    public var json: JSONValue {
        ["path": .string(path), "role": .string(role.rawValue), "change": .string(kind.rawValue),
         "old": .optional(old), "new": .optional(new)]
    }
}

/// What changed between two revisions (or a revision and the working tree).
public struct LineageDiff: Sendable {
    public var old: LineageRecord
    public var new: LineageRecord
    public var artifacts: [ArtifactChange]
    public var params: [ValueChange]
    public var metrics: [ValueChange]

    public var isEmpty: Bool { artifacts.isEmpty && params.isEmpty && metrics.isEmpty }

    public var json: JSONValue {
        func grouped(_ changes: [ValueChange]) -> JSONValue {
            var files: [String] = []
            for change in changes where !files.contains(change.file) { files.append(change.file) }
            return .object(files.map { file in
                (file, .object(changes.filter { $0.file == file }.map { ($0.key, $0.json) }))
            })
        }
        return [
            "old": .optional(old.commit?.id.hex),
            "new": .optional(new.commit?.id.hex),
            "data": .array(artifacts.map(\.json)),
            "params": grouped(params),
            "metrics": grouped(metrics),
        ]
    }

    init(old: LineageRecord, new: LineageRecord) {
        self.old = old
        self.new = new
        var artifacts: [ArtifactChange] = []
        let oldByPath = Dictionary(old.artifacts.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let newByPath = Dictionary(new.artifacts.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var order: [String] = []
        for artifact in old.artifacts + new.artifacts where !order.contains(artifact.path) { order.append(artifact.path) }
        for path in order {
            let a = oldByPath[path]?.hash
            let b = newByPath[path]?.hash
            let role = newByPath[path]?.role ?? oldByPath[path]?.role ?? .data
            switch (a, b) {
            case (nil, nil): continue
            case (nil, .some): artifacts.append(ArtifactChange(path: path, role: role, kind: .added, old: nil, new: b))
            case (.some, nil): artifacts.append(ArtifactChange(path: path, role: role, kind: .deleted, old: a, new: nil))
            case let (.some(x), .some(y)) where x != y:
                artifacts.append(ArtifactChange(path: path, role: role, kind: .modified, old: x, new: y))
            default: continue
            }
        }
        self.artifacts = artifacts
        self.params = Self.changes(old.params, new.params)
        self.metrics = Self.changes(old.metrics, new.metrics)
    }

    static func changes(_ a: [String: [String: JSONValue]], _ b: [String: [String: JSONValue]]) -> [ValueChange] {
        var out: [ValueChange] = []
        let files = Set(a.keys).union(b.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for file in files {
            let old = a[file] ?? [:]
            let new = b[file] ?? [:]
            for key in Set(old.keys).union(new.keys).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where old[key] != new[key] {
                out.append(ValueChange(file: file, key: key, old: old[key], new: new[key]))
            }
        }
        return out
    }
}

extension Workspace {
    /// What changed from `old` to `new`; `new == nil` compares with the working tree.
    public func diff(from old: ObjectID, to new: ObjectID?) throws -> LineageDiff {
        let a = try lineage(at: old)
        let b = try new.map { try lineage(at: $0) } ?? workingTreeLineage()
        return LineageDiff(old: a, new: b)
    }
}
