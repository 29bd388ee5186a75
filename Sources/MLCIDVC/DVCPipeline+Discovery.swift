import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DVCPipeline {
    /// The repository-relative paths of every `dvc.yaml`, walking top-down as DVC's
    /// `collect_files` does: `.git`, `.dvc`, `.mlci`, symbolic links, nested DVC repositories,
    /// `.dvcignore`d and git-ignored folders are skipped. Siblings are visited by name, so the
    /// order is the same on every file system.
    public static func discover(root: String, isIgnored: (String) -> Bool = { _ in false }) -> [String] {
        walk(root: root, isIgnored: isIgnored) { $0 == "dvc.yaml" }
    }

    /// The repository-relative paths of every `*.dvc` file (`dvc add`'s records), found as
    /// ``discover(root:isIgnored:)`` finds dvc.yaml files.
    public static func trackingFiles(root: String, isIgnored: (String) -> Bool = { _ in false }) -> [String] {
        walk(root: root, isIgnored: isIgnored) { $0.hasSuffix(".dvc") && $0 != ".dvc" }
    }

    static func walk(root: String, isIgnored: (String) -> Bool, matching: (String) -> Bool) -> [String] {
        let ignore = DVCIgnore(root: root)
        var found: [String] = []
        var pending: [String] = [""]
        while let directory = pending.popLast() {
            let absolute = directory.isEmpty ? root : root + "/" + directory
            var folders: [String] = []
            for (name, isDirectory) in entries(of: absolute) {
                let relative = directory.isEmpty ? name : directory + "/" + name
                if isDirectory {
                    if name == ".git" || name == ".dvc" || name == ".mlci" || name == ".hg" { continue }
                    if ignore.ignores(relative, isDirectory: true) || isIgnored(relative) { continue }
                    // A DVC repository of its own (a subrepo) is not part of this one.
                    if FileSystem.isDirectory(absolute + "/" + name + "/.dvc") { continue }
                    folders.append(relative)
                } else if matching(name), !ignore.ignores(relative, isDirectory: false) {
                    found.append(relative)
                }
            }
            // Depth-first, top-down, siblings by name: push in reverse.
            pending += folders.reversed()
        }
        return found
    }

    /// The entries of a folder, sorted by name (bytes), each with whether it is a real folder.
    static func entries(of path: String) -> [(String, Bool)] {
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var out: [(String, Bool)] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var isDirectory: Bool
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): isDirectory = true
            case Int32(DT_REG), Int32(DT_LNK): isDirectory = false
            default:
                var info = stat()
                isDirectory = lstat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            out.append((name, isDirectory))
        }
        return out.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
    }
}

/// The root `.dvcignore` (gitignore syntax), enough for collecting dvc.yaml files: `name`,
/// `dir/`, `/anchored`, `*`/`?` globs and `!` re-includes.
struct DVCIgnore {
    struct Rule {
        var pattern: String
        var anchored: Bool
        var directoryOnly: Bool
        var negated: Bool
    }

    var rules: [Rule] = []

    init(root: String) {
        guard let bytes = try? FileSystem.read(root + "/.dvcignore", limit: 1 << 20) else { return }
        for raw in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            var line = String(raw)
            while line.last == " " { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            var rule = Rule(pattern: line, anchored: false, directoryOnly: false, negated: false)
            if rule.pattern.hasPrefix("!") { rule.negated = true; rule.pattern.removeFirst() }
            if rule.pattern.hasSuffix("/") { rule.directoryOnly = true; rule.pattern.removeLast() }
            if rule.pattern.hasPrefix("/") { rule.anchored = true; rule.pattern.removeFirst() }
            if rule.pattern.contains("/") { rule.anchored = true }
            rules.append(rule)
        }
    }

    func ignores(_ path: String, isDirectory: Bool) -> Bool {
        var ignored = false
        let name = path.split(separator: "/").last.map(String.init) ?? path
        for rule in rules where !rule.directoryOnly || isDirectory {
            let subject = rule.anchored ? path : name
            if fnmatch(rule.pattern, subject, rule.anchored ? FNM_PATHNAME : 0) == 0 { ignored = !rule.negated }
        }
        return ignored
    }
}
