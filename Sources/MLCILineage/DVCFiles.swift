import MLCIConfig
import MLCISupport
import MLCIYAML

/// One output recorded by DVC: in a `.dvc` file or a `dvc.lock` stage.
public struct DVCOutput: Sendable, Equatable {
    /// The path relative to the repository root.
    public var path: String
    /// The md5 DVC recorded, `.dir` suffixed for directories.
    public var md5: String
    public var size: Int64?
    public var fileCount: Int?
    /// A DVC 2 entry (no `hash: md5`): its md5 was taken after CRLF→LF in text chunks.
    public var isLegacy: Bool
    /// The file it was read from (`data/raw.dvc`, `dvc.lock`).
    public var recordedIn: String
    /// The `dvc.lock` stage, if any.
    public var stage: String?
    /// False for `cache: false` outs (metrics, plots kept in git): DVC neither caches nor pushes them.
    public var isCached = true

    public var isDirectory: Bool { md5.hasSuffix(".dir") }
}

/// Readers for DVC's `.dvc` files and `dvc.lock`, as DVC 2 and 3 write them.
///
/// Stateless; safe from any thread.
public enum DVCFiles {
    /// The outputs of a `.dvc` file, paths made repository-relative.
    ///
    /// - Parameter file: the `.dvc` file's repository-relative path (for paths and messages).
    public static func parseDVCFile(_ text: String, file path: String, display: String? = nil) throws(InputError) -> [DVCOutput] {
        let file = display ?? path
        guard let root = try YAMLDocument.parse(text, file: file) else {
            throw InputError("\(file) is empty; a .dvc file lists its outs", at: SourceLocation(file: file, line: 1, column: 1),
                             hint: "restore it from git, or run 'dvc add' again")
        }
        guard case .mapping(let m) = root else {
            throw InputError("expected a mapping with 'outs' in \(file)", at: YAMLDocument.location(of: root, file: file))
        }
        guard let outsNode = m["outs"] else {
            throw InputError("\(file) has no 'outs'", at: YAMLDocument.location(of: root, file: file),
                             hint: "a .dvc file written by 'dvc add' lists its outputs under 'outs'")
        }
        let base = FileSystem.parent(of: path)
        var wdir = base
        if let w = m["wdir"]?.string { wdir = try join(base == "." ? "" : base, w, file: file, node: m["wdir"]) }
        return try outputs(outsNode, base: wdir, file: file, recordedIn: path, stage: nil)
    }

    /// The outputs of every stage in a `dvc.lock`.
    /// The literal `wdir` of each stage of a dvc.yaml (by stage key; `foreach`/`matrix`
    /// stages by their key before `@`): dvc.lock paths are relative to it, and the lock does
    /// not record it. Interpolated values are skipped. Returns `[:]` for text it cannot read.
    public static func stageDirectories(dvcYAML text: String) -> [String: String] {
        guard let root = try? YAMLDocument.parse(text, file: "dvc.yaml"), case .mapping(let top) = root,
              case .mapping(let stages)? = top["stages"] else { return [:] }
        var out: [String: String] = [:]
        for (key, value) in stages {
            guard let name = key.string, case .mapping(let stage) = value else { continue }
            let body: Node.Mapping
            if case .mapping(let inner)? = stage["do"] { body = inner } else { body = stage }
            if let wdir = body["wdir"]?.string, !wdir.contains("${") { out[name] = wdir }
        }
        return out
    }

    /// - Parameter wdirs: stage key → `wdir` from the dvc.yaml beside the lock
    ///   (``stageDirectories(dvcYAML:)``).
    public static func parseLock(_ text: String, file path: String = "dvc.lock", display: String? = nil,
                                 wdirs: [String: String] = [:]) throws(InputError) -> [DVCOutput] {
        let file = display ?? path
        guard let root = try YAMLDocument.parse(text, file: file) else { return [] }
        guard case .mapping(let m) = root else {
            throw InputError("expected a mapping with 'stages' in \(file)", at: YAMLDocument.location(of: root, file: file))
        }
        let base = FileSystem.parent(of: path)
        let schema = m["schema"]?.string
        if let schema, schema != "2.0" {
            throw InputError("\(file) has schema '\(schema)'; mlci reads DVC's dvc.lock schema 2.0",
                             at: YAMLDocument.location(of: m["schema"], file: file), hint: "run 'dvc repro' with DVC 2 or 3 to rewrite it")
        }
        guard let stagesNode = m["stages"] else { return [] }
        guard case .mapping(let stages) = stagesNode else {
            throw InputError("'stages' in \(file) must be a mapping of stage names", at: YAMLDocument.location(of: stagesNode, file: file))
        }
        var out: [DVCOutput] = []
        for (nameNode, stageNode) in stages {
            guard let name = nameNode.string, case .mapping(let stage) = stageNode else {
                throw InputError("each stage in \(file) must be a mapping", at: YAMLDocument.location(of: stageNode, file: file))
            }
            var wdir = base == "." ? "" : base
            let key = String(name.prefix { $0 != "@" })
            if let w = stage["wdir"]?.string ?? wdirs[key], w != "." { wdir = try join(wdir, w, file: file, node: stage["wdir"]) }
            if let outs = stage["outs"] { out += try outputs(outs, base: wdir, file: file, recordedIn: path, stage: name) }
        }
        return out
    }

    private static func outputs(_ node: Node, base: String, file: String, recordedIn: String, stage: String?) throws(InputError) -> [DVCOutput] {
        guard case .sequence(let items) = node else {
            throw InputError("'outs' in \(file) must be a list", at: YAMLDocument.location(of: node, file: file))
        }
        var out: [DVCOutput] = []
        for item in items {
            guard case .mapping(let entry) = item else {
                throw InputError("each out in \(file) must be a mapping with 'path' and 'md5'", at: YAMLDocument.location(of: item, file: file))
            }
            guard let path = entry["path"]?.string, !path.isEmpty else {
                throw InputError("an out in \(file) has no 'path'", at: YAMLDocument.location(of: item, file: file))
            }
            let md5Node = entry["md5"] ?? entry["checksum"]
            guard let md5 = md5Node?.string else {
                // An out not committed to the cache yet (`dvc add --no-commit` keeps md5): skip
                // only when explicitly uncached; otherwise the entry is broken.
                if entry["cache"]?.bool == false { continue }
                throw InputError("the out '\(path)' in \(file) has no md5", at: YAMLDocument.location(of: item, file: file),
                                 hint: "run 'dvc commit' or 'dvc repro' to record its hash")
            }
            let hex = md5.hasSuffix(".dir") ? String(md5.dropLast(4)) : md5
            guard hex.utf8.count == 32, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw InputError("the md5 '\(md5)' of '\(path)' in \(file) is not 32 hex digits",
                                 at: YAMLDocument.location(of: md5Node, file: file), hint: "restore \(file) from git or run 'dvc commit'")
            }
            let hashName = entry["hash"]?.string
            if let hashName, hashName != "md5" {
                throw InputError("the out '\(path)' in \(file) uses hash '\(hashName)'; mlci reads md5 entries",
                                 at: YAMLDocument.location(of: entry["hash"], file: file))
            }
            let full = try join(base, path, file: file, node: entry["path"])
            out.append(DVCOutput(path: full, md5: md5, size: entry["size"]?.int.map(Int64.init),
                                 fileCount: entry["nfiles"]?.int, isLegacy: hashName == nil, recordedIn: recordedIn, stage: stage,
                                 isCached: entry["cache"]?.bool != false))
        }
        return out
    }

    private static func join(_ base: String, _ path: String, file: String, node: Node?) throws(InputError) -> String {
        let combined = base.isEmpty || base == "." ? path : base + "/" + path
        switch RepositoryPath.normalize(combined) {
        case .success(let clean): return clean
        case .failure(let problem):
            throw InputError("'\(path)' in \(file): \(problem)", at: YAMLDocument.location(of: node, file: file),
                             hint: "mlci only reads data inside the repository")
        }
    }
}
