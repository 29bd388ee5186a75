import MLCIConfig
import MLCISupport
import MLCIYAML

/// The recorded hash of one file or directory.
public struct LockedArtifact: Sendable, Equatable {
    /// SHA-256 hex for a file, `<hex>.dir` for a directory.
    public var sha256: String
    public var size: Int64
    /// The number of files, for a directory.
    public var files: Int?

    public init(sha256: String, size: Int64, files: Int? = nil) {
        self.sha256 = sha256
        self.size = size
        self.files = files
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = []
        if let files { members.append(("files", .int(Int64(files)))) }
        members.append(("sha256", .string(sha256)))
        members.append(("size", .int(size)))
        return .object(members)
    }
}

/// What one stage was last run with and produced.
public struct StageLock: Sendable, Equatable {
    public var command: String
    public var deps: [String: LockedArtifact]
    /// Params values used, by params file then dotted key.
    public var params: [String: [String: JSONValue]]
    public var outs: [String: LockedArtifact]
    /// Metric values produced, by metrics file then dotted key.
    public var metrics: [String: [String: JSONValue]]

    public init(command: String, deps: [String: LockedArtifact] = [:], params: [String: [String: JSONValue]] = [:],
                outs: [String: LockedArtifact] = [:], metrics: [String: [String: JSONValue]] = [:]) {
        self.command = command
        self.deps = deps
        self.params = params
        self.outs = outs
        self.metrics = metrics
    }
}

/// `mlci.lock`: the committed record of which data, params, models and metrics a commit is.
///
/// Stable bytes: keys sorted by UTF-8 bytes, no timestamps, so the same content always
/// serialises identically and git diffs stay small. A value type: `Sendable`.
public struct Lock: Sendable, Equatable {
    public static let fileName = "mlci.lock"
    public static let header = "# mlci.lock: the hashes of this commit's data, models and stage runs.\n# Written by mlci; do not edit by hand.\n"

    public var data: [String: LockedArtifact] = [:]
    public var models: [String: LockedArtifact] = [:]
    public var stages: [String: StageLock] = [:]

    public init() {}

    public var isEmpty: Bool { data.isEmpty && models.isEmpty && stages.isEmpty }

    /// The serialised file.
    public func serialized() -> String {
        YAMLWriter.string(json, header: Self.header)
    }

    var json: JSONValue {
        func artifacts(_ map: [String: LockedArtifact]) -> JSONValue {
            .object(map.sorted { Self.byteOrder($0.key, $1.key) }.map { ($0.key, $0.value.json) })
        }
        func values(_ map: [String: [String: JSONValue]]) -> JSONValue {
            .object(map.sorted { Self.byteOrder($0.key, $1.key) }.map { file, keys in
                (file, .object(keys.sorted { Self.byteOrder($0.key, $1.key) }.map { ($0.key, $0.value) }))
            })
        }
        var members: [(String, JSONValue)] = []
        if !data.isEmpty { members.append(("data", artifacts(data))) }
        if !models.isEmpty { members.append(("models", artifacts(models))) }
        if !stages.isEmpty {
            members.append(("stages", .object(stages.sorted { Self.byteOrder($0.key, $1.key) }.map { name, stage in
                var s: [(String, JSONValue)] = [("cmd", .string(stage.command))]
                if !stage.deps.isEmpty { s.append(("deps", artifacts(stage.deps))) }
                if !stage.metrics.isEmpty { s.append(("metrics", values(stage.metrics))) }
                if !stage.outs.isEmpty { s.append(("outs", artifacts(stage.outs))) }
                if !stage.params.isEmpty { s.append(("params", values(stage.params))) }
                return (name, .object(s))
            })))
        }
        members.append(("version", 1))
        return .object(members)
    }

    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

extension Lock {
    static let artifactSchema: Schema = .object([
        .init("sha256", .string(.text), required: true),
        .init("size", .integer(minimum: 0), required: true),
        .init("files", .integer(minimum: 0)),
    ])

    static let valuesSchema: Schema = .map(key: .path, value: .map(key: .text, value: .scalar()))

    static let schema: Schema = .object([
        .init("version", .integer(minimum: 1, maximum: 1), required: true),
        .init("data", .map(key: .path, value: artifactSchema)),
        .init("models", .map(key: .path, value: artifactSchema)),
        .init("stages", .map(key: .identifier, value: .object([
            .init("cmd", .string(.text), required: true),
            .init("deps", .map(key: .path, value: artifactSchema)),
            .init("params", valuesSchema),
            .init("outs", .map(key: .path, value: artifactSchema)),
            .init("metrics", valuesSchema),
        ]))),
    ])

    /// Parses lock text; every problem is reported with its line and column.
    public static func parse(_ text: String, file: String = Lock.fileName) throws(InputError) -> Lock {
        guard let root = try YAMLDocument.parse(text, file: file) else {
            throw InputError("\(file) is empty", at: SourceLocation(file: file, line: 1, column: 1),
                             hint: "delete it and run 'mlci lock' to write it again")
        }
        var diagnostics = SchemaCheck.validate(root, against: schema, file: file)
        var lock = Lock()
        func artifact(_ node: Node, _ key: String) -> LockedArtifact? {
            guard case .mapping(let m) = node, let sha = m["sha256"]?.string, let size = m["size"]?.int else { return nil }
            let valid = sha.utf8.count == 64 || (sha.utf8.count == 68 && sha.hasSuffix(".dir"))
            if !valid || !sha.utf8.prefix(64).allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
                diagnostics.append(.error("'\(key)': '\(sha)' is not a SHA-256 hex digest", at: YAMLDocument.location(of: m["sha256"], file: file),
                                          hint: "delete the entry and run 'mlci lock'"))
                return nil
            }
            return LockedArtifact(sha256: sha, size: Int64(size), files: m["files"]?.int)
        }
        func artifacts(_ node: Node?) -> [String: LockedArtifact] {
            guard case .mapping(let m)? = node else { return [:] }
            var out: [String: LockedArtifact] = [:]
            for (k, v) in m { if let key = k.string, let a = artifact(v, key) { out[key] = a } }
            return out
        }
        func values(_ node: Node?) -> [String: [String: JSONValue]] {
            guard case .mapping(let files)? = node else { return [:] }
            var out: [String: [String: JSONValue]] = [:]
            for (f, keys) in files {
                guard let file = f.string, case .mapping(let km) = keys else { continue }
                var inner: [String: JSONValue] = [:]
                for (k, v) in km { if let key = k.string { inner[key] = YAMLDocument.value(v) } }
                out[file] = inner
            }
            return out
        }
        if case .mapping(let m) = root {
            lock.data = artifacts(m["data"])
            lock.models = artifacts(m["models"])
            if case .mapping(let stages)? = m["stages"] {
                for (k, v) in stages {
                    guard let name = k.string, case .mapping(let s) = v, let cmd = s["cmd"]?.string else { continue }
                    lock.stages[name] = StageLock(command: cmd, deps: artifacts(s["deps"]), params: values(s["params"]),
                                                  outs: artifacts(s["outs"]), metrics: values(s["metrics"]))
                }
            }
        }
        if !diagnostics.isEmpty {
            throw InputError(diagnostics.map {
                Diagnostic(.error, $0.message, at: $0.location,
                           hint: $0.hint ?? "\(file) is written by mlci; restore it from git (git checkout -- \(file)) or delete it and run 'mlci lock'")
            })
        }
        return lock
    }

    /// Reads the lock in the working tree; an absent file is an empty lock.
    public static func load(root: String) throws(InputError) -> Lock {
        let path = root + "/" + fileName
        guard FileSystem.exists(path) else { return Lock() }
        let bytes = try FileSystem.read(path, limit: 256 << 20, display: fileName)
        return try parse(try TextDecoding.utf8(bytes, file: fileName), file: fileName)
    }

    /// Writes the lock into the working tree atomically.
    public func write(root: String) throws(InputError) {
        try FileSystem.writeAtomically(root + "/" + Self.fileName, serialized(), temporaryDirectory: try FileSystem.scratchDirectory(repositoryRoot: root))
    }
}
