import MLCIConfig
import MLCISupport

/// One `path/hash/md5/size/nfiles/isexec` entry of a dvc.lock stage.
public struct DVCLockEntry: Sendable, Equatable {
    /// As DVC writes it: relative to the stage's working directory.
    public var path: String
    /// `<32 hex>`, or `<32 hex>.dir` for a directory; `nil` when DVC recorded none.
    public var md5: String?
    public var size: Int64?
    public var fileCount: Int?
    public var isExecutable: Bool

    public init(path: String, md5: String?, size: Int64?, fileCount: Int? = nil, isExecutable: Bool = false) {
        self.path = path
        self.md5 = md5
        self.size = size
        self.fileCount = fileCount
        self.isExecutable = isExecutable
    }

    /// The entry in DVC's key order: `path, hash, md5, size, nfiles, isexec`.
    public var value: LockValue {
        var members: [(String, LockValue)] = [("path", .string(path))]
        if let md5 {
            members.append(("hash", .string("md5")))
            members.append(("md5", .string(md5)))
        }
        if let size { members.append(("size", .int(size))) }
        if let fileCount { members.append(("nfiles", .int(Int64(fileCount)))) }
        if isExecutable { members.append(("isexec", .bool(true))) }
        return .mapping(members)
    }

    init?(_ value: LockValue) {
        guard let path = value["path"]?.string else { return nil }
        self.path = path
        md5 = value["md5"]?.string
        if case .int(let size) = value["size"] { self.size = size } else { size = nil }
        if case .int(let n) = value["nfiles"] { fileCount = Int(n) } else { fileCount = nil }
        if case .bool(let x) = value["isexec"] { isExecutable = x } else { isExecutable = false }
    }
}

/// What dvc.lock records for one stage.
public struct DVCLockStage: Sendable, Equatable {
    /// The resolved `cmd`: a string, or a list of strings when dvc.yaml has a list.
    public var command: LockValue
    public var deps: [DVCLockEntry]
    /// Params file → key → value, in DVC's order.
    public var params: [(file: String, values: [(String, LockValue)])]
    public var outs: [DVCLockEntry]

    public init(command: LockValue, deps: [DVCLockEntry] = [], params: [(file: String, values: [(String, LockValue)])] = [],
                outs: [DVCLockEntry] = []) {
        self.command = command
        self.deps = deps
        self.params = params
        self.outs = outs
    }

    public static func == (lhs: DVCLockStage, rhs: DVCLockStage) -> Bool { lhs.value == rhs.value }

    /// The stage's lock value: `cmd, deps, params, outs`, the lists sorted by path as Python
    /// sorts strings (code points), params files with `params.yaml` first.
    public var value: LockValue {
        var members: [(String, LockValue)] = [("cmd", command)]
        if !deps.isEmpty { members.append(("deps", .sequence(deps.sorted { Self.pythonLess($0.path, $1.path) }.map(\.value)))) }
        if !params.isEmpty {
            let files = params.sorted { a, b in
                if (a.file == "params.yaml") != (b.file == "params.yaml") { return a.file == "params.yaml" }
                return Self.pythonLess(a.file, b.file)
            }
            members.append(("params", .mapping(files.map { ($0.file, .mapping($0.values)) })))
        }
        if !outs.isEmpty { members.append(("outs", .sequence(outs.sorted { Self.pythonLess($0.path, $1.path) }.map(\.value)))) }
        return .mapping(members)
    }

    /// Python's `str` order: by code point.
    public static func pythonLess(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }

    init(_ value: LockValue) {
        command = value["cmd"] ?? .null
        if case .sequence(let items) = value["deps"] { deps = items.compactMap(DVCLockEntry.init) } else { deps = [] }
        if case .sequence(let items) = value["outs"] { outs = items.compactMap(DVCLockEntry.init) } else { outs = [] }
        if case .mapping(let files) = value["params"] {
            params = files.map { file, values in
                if case .mapping(let members) = values { return (file, members) }
                return (file, [])
            }
        } else {
            params = []
        }
    }

    /// The recorded entry for a dep or out path as written in dvc.yaml.
    public func dep(_ path: String) -> DVCLockEntry? { deps.first { $0.path == path } }
    public func out(_ path: String) -> DVCLockEntry? { outs.first { $0.path == path } }
    public func params(in file: String) -> [(String, LockValue)]? { params.first { $0.file == file }?.values }
}

/// One dvc.lock (beside its dvc.yaml): read with YAML 1.2 typing, changed one stage at a
/// time and written back whole, as DVC does after each stage (an existing entry keeps its
/// place, a new one is appended, nothing is removed).
///
/// A value type; not shared between threads while being changed.
public struct DVCLockFile: Sendable {
    /// Repository-relative (`dvc.lock`, `sub/dvc.lock`).
    public var path: String
    /// Every top-level key in order (`schema`, `stages`, anything else DVC may add).
    public private(set) var document: [(String, LockValue)]
    /// Whether the file existed when read.
    public private(set) var existed: Bool
    /// Each stage's emitted block (`  name:\n    cmd: …`) with the value it was emitted from:
    /// a run rewrites the file after every stage, and re-emitting every entry each time made
    /// that quadratic (most of a 200-stage run's own time).
    private var emittedStages: [String: (value: LockValue, bytes: [UInt8])] = [:]

    public init(path: String) {
        self.path = path
        document = [("schema", .string("2.0")), ("stages", .mapping([]))]
        existed = false
    }

    /// Reads `path` below `root`; an absent file is an empty lock.
    public static func load(root: String, path: String) throws(InputError) -> DVCLockFile {
        var lock = DVCLockFile(path: path)
        let absolute = root + "/" + path
        guard FileSystem.exists(absolute) else { return lock }
        let text = String(decoding: try FileSystem.read(absolute, limit: 64 << 20, display: path), as: UTF8.self)
        try lock.parse(text)
        return lock
    }

    mutating func parse(_ text: String) throws(InputError) {
        existed = true
        guard let (value, node) = try LockValue.parseYAML(text, file: path) else {
            document = []
            return
        }
        guard case .mapping(let members) = value else {
            throw InputError("\(path) must be a mapping with 'schema' and 'stages'", at: YAMLDocument.location(of: node, file: path),
                             hint: "restore it from git, or delete it and run the pipeline again")
        }
        if let schema = value["schema"], schema.string != "2.0" {
            throw InputError("\(path) has schema \(schema.json); mlci reads DVC 2 and 3 lock files (schema '2.0')",
                             at: SourceLocation(file: path, line: 1, column: 1))
        }
        if let stages = value["stages"] {
            guard case .mapping = stages else {
                throw InputError("'stages' in \(path) must be a mapping", at: SourceLocation(file: path, line: 1, column: 1))
            }
        }
        document = members
    }

    /// Parses lock text (for tests and for reading a lock from a commit).
    public static func parse(_ text: String, path: String) throws(InputError) -> DVCLockFile {
        var lock = DVCLockFile(path: path)
        try lock.parse(text)
        return lock
    }

    /// Stage names in file order.
    public var stageNames: [String] {
        guard case .mapping(let stages) = document.first(where: { $0.0 == "stages" })?.1 else { return [] }
        return stages.map(\.0)
    }

    public func stage(_ name: String) -> DVCLockStage? {
        guard case .mapping(let stages) = document.first(where: { $0.0 == "stages" })?.1,
              let value = stages.first(where: { $0.0 == name })?.1 else { return nil }
        return DVCLockStage(value)
    }

    /// Records `stage` under `name`: in place if present, else appended.
    public mutating func set(_ name: String, _ stage: DVCLockStage) {
        if !document.contains(where: { $0.0 == "stages" }) {
            if !existed && document.isEmpty { document.append(("schema", .string("2.0"))) }
            document.append(("stages", .mapping([])))
        }
        let index = document.firstIndex { $0.0 == "stages" }!
        guard case .mapping(var stages) = document[index].1 else { return }
        if let at = stages.firstIndex(where: { $0.0 == name }) {
            stages[at].1 = stage.value
        } else {
            stages.append((name, stage.value))
        }
        document[index].1 = .mapping(stages)
    }

    /// The file's bytes as DVC's ruamel dumper writes them.
    public var bytes: [UInt8] { RuamelEmitter.emit(.mapping(document)) }

    /// ``bytes``, assembled from each stage's block, emitted once per distinct value. A block
    /// mapping's entries are emitted independently of each other, so the concatenation is the
    /// whole document's emission (a test compares the two on DVC's own files).
    public mutating func renderedBytes() -> [UInt8] {
        var out: [UInt8] = []
        for (key, value) in document {
            guard key == "stages", case .mapping(let stages) = value, !stages.isEmpty else {
                out += RuamelEmitter.emit(.mapping([(key, value)]))
                continue
            }
            out += Array("stages:\n".utf8)
            for (name, stage) in stages {
                if let known = emittedStages[name], known.value == stage {
                    out += known.bytes
                    continue
                }
                // `stages:\n  name: …` with the first line dropped: the entry at its own indent.
                let whole = RuamelEmitter.emit(.mapping([("stages", .mapping([(name, stage)]))]))
                let block = Array(whole.drop(while: { $0 != 0x0A }).dropFirst())
                emittedStages[name] = (stage, block)
                out += block
            }
        }
        return out
    }

    /// Writes the file atomically (temporary file beside it, then rename); `durable: false`
    /// leaves the fsync to the caller (see `FileSystem.flush`).
    public mutating func write(root: String, durable: Bool = true) throws(InputError) {
        try FileSystem.writeAtomically(root + "/" + path, renderedBytes(), durable: durable)
    }
}
