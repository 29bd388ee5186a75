#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MLCISupport

/// DVC's configuration as `dvc config --list` sees it: the system, global, repository
/// (`.dvc/config`) and local (`.dvc/config.local`) files merged in that order, later keys
/// winning one by one.
///
/// The files are INI as configobj reads them: `[core]`, `[cache]`, `['remote "name"']`;
/// `key = value`; `#` comments; values optionally quoted. Section and key names are lower-cased
/// as DVC does (`_lower_keys`), so remote names are too. Paths (`url`, `credentialpath`,
/// `configpath`, `cache.dir`, ...) that are relative are resolved against the folder of the file
/// that set them, and `~` is expanded, as DVC's `_load_paths` does.
///
/// A value type; safe to share between threads.
public struct DVCConfig: Sendable, Equatable {
    /// One value and where it was set (for messages).
    public struct Value: Sendable, Equatable {
        public var text: String
        public var location: SourceLocation
        public init(_ text: String, at location: SourceLocation) {
            self.text = text
            self.location = location
        }
    }

    /// The `[core]` keys (`remote`, `no_scm`, ...).
    public var core: [String: Value] = [:]
    /// The `[cache]` keys (`dir`, `type`, `shared`, ...).
    public var cache: [String: Value] = [:]
    /// Each `['remote "name"']` section by its lower-cased name.
    public var remotes: [String: [String: Value]] = [:]
    /// The `.dvc` folder the configuration belongs to (absolute); `cache.dir` defaults below it.
    public var dvcDirectory: String

    public init(dvcDirectory: String) { self.dvcDirectory = dvcDirectory }

    /// The keys whose values are paths resolved against the file that sets them.
    static let pathKeys: Set<String> = [
        "url", "credentialpath", "configpath", "keyfile", "cert_path", "key_path",
        "gdrive_user_credentials_file", "gdrive_service_account_json_file_path",
    ]

    /// The remote `core.remote` names (`dvc remote add -d`), lower-cased as DVC stores it.
    public var defaultRemote: String? {
        guard let name = core["remote"]?.text, !name.isEmpty else { return nil }
        return name.lowercased()
    }

    /// The cache folder: `cache.dir` (already resolved), or `<.dvc>/cache`.
    public var cacheDirectory: String { cache["dir"]?.text ?? dvcDirectory + "/cache" }

    /// The link types `cache.type` lists, in the order DVC tries them (`reflink,copy` when unset).
    public func cacheLinkTypes() throws(InputError) -> [DVCCache.LinkType] {
        guard let value = cache["type"] else { return [.reflink, .copy] }
        var out: [DVCCache.LinkType] = []
        for part in value.text.split(separator: ",") {
            let name = String(part.trimmingSpaces())
            guard let type = DVCCache.LinkType(rawValue: name) else {
                throw InputError("unsupported cache type '\(name)' in cache.type", at: value.location,
                                 hint: "use reflink, hardlink, symlink or copy, separated by commas")
            }
            out.append(type)
        }
        guard !out.isEmpty else {
            throw InputError("cache.type is empty", at: value.location, hint: "use reflink, hardlink, symlink or copy")
        }
        return out
    }

    /// `cache.type` as link types (see ``cacheLinkTypes()``).
    public var cacheTypes: [DVCCache.LinkType] {
        get throws(InputError) { try cacheLinkTypes() }
    }

    /// The repository root: the folder holding `.dvc`.
    public var root: String { FileSystem.parent(of: dvcDirectory) }

    /// Adds `other`'s keys over this one's (DVC's `merge`: per key, the later level wins).
    public mutating func merge(_ other: DVCConfig) {
        core.merge(other.core) { _, new in new }
        cache.merge(other.cache) { _, new in new }
        for (name, keys) in other.remotes { remotes[name, default: [:]].merge(keys) { _, new in new } }
    }
}

extension DVCConfig {
    /// The merged configuration of the DVC project whose `.dvc` folder is `dvcDirectory`.
    ///
    /// - Parameter environment: where `DVC_SYSTEM_CONFIG_DIR`, `DVC_GLOBAL_CONFIG_DIR`,
    ///   `XDG_CONFIG_HOME`, `XDG_CONFIG_DIRS` and `HOME` are looked up (the process environment
    ///   by default).
    /// - Throws: ``InputError`` with file:line for a file that cannot be read or parsed.
    public static func load(dvcDirectory: String, environment: [String: String] = ProcessEnvironment.current) throws(InputError) -> DVCConfig {
        var merged = DVCConfig(dvcDirectory: dvcDirectory)
        let home = environment["HOME"] ?? ""
        let system = environment["DVC_SYSTEM_CONFIG_DIR"]
            ?? ((environment["XDG_CONFIG_DIRS"]?.split(separator: ":").first.map(String.init) ?? "/etc/xdg") + "/dvc")
        let global = environment["DVC_GLOBAL_CONFIG_DIR"]
            ?? ((environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config") + "/dvc")
        for file in [system + "/config", global + "/config", dvcDirectory + "/config", dvcDirectory + "/config.local"] {
            guard FileSystem.exists(file) else { continue }
            let bytes = try FileSystem.read(file, limit: 1 << 20)
            merged.merge(try parse(String(decoding: bytes, as: UTF8.self), file: file, home: home, dvcDirectory: dvcDirectory))
        }
        return merged
    }

    /// The merged configuration of the DVC repository at `root` (see ``load(dvcDirectory:environment:)``).
    public static func load(root: String) throws(InputError) -> DVCConfig {
        try load(dvcDirectory: root + "/.dvc")
    }

    /// One configuration file's sections, paths resolved against the file's folder.
    public static func parse(_ text: String, file: String, home: String = "", dvcDirectory: String? = nil) throws(InputError) -> DVCConfig {
        var config = DVCConfig(dvcDirectory: dvcDirectory ?? FileSystem.parent(of: file))
        let directory = absolute(FileSystem.parent(of: file))
        var section: String?
        var seenSections: Set<String> = []
        var seenKeys: Set<String> = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine).trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let here = SourceLocation(file: file, line: lineNumber, column: 1)
            if line.hasPrefix("[") {
                guard !line.hasPrefix("[["), let close = line.lastIndex(of: "]") else {
                    throw InputError("cannot read the section header '\(line)' in \(file)", at: here,
                                     hint: "DVC's config sections look like [core] or ['remote \"name\"']")
                }
                let rest = line[line.index(after: close)...].trimmingSpaces()
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw InputError("unexpected text after the section header in \(file)", at: here)
                }
                let name = unquote(line[line.index(after: line.startIndex)..<close].trimmingSpaces()).lowercased()
                guard seenSections.insert(name).inserted else {
                    throw InputError("the section [\(name)] appears twice in \(file)", at: here, hint: "merge the two sections")
                }
                section = name
                seenKeys = []
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw InputError("expected 'key = value' in \(file)", at: here)
            }
            let key = unquote(line[..<equals].trimmingSpaces()).lowercased()
            guard seenKeys.insert(key).inserted else {
                throw InputError("the key '\(key)' appears twice in [\(section ?? "")] of \(file)", at: here)
            }
            guard let current = section else { continue }  // keys before any section: DVC ignores them
            var value = try parseValue(line[line.index(after: equals)...].trimmingSpaces(), at: here, file: file)
            let isPath = pathKeys.contains(key) || (current == "cache" && key == "dir")
            if isPath { value = resolve(value, directory: directory, home: home) }
            let entry = Value(value, at: here)
            switch current {
            case "core": config.core[key] = entry
            case "cache": config.cache[key] = entry
            default:
                if let name = remoteName(current) { config.remotes[name, default: [:]][key] = entry }
            }
        }
        return config
    }

    /// `remote "name"` → `name` (DVC's `_parse_named`).
    static func remoteName(_ section: String) -> String? {
        let trimmed = section.trimmingSpaces()
        guard trimmed.hasPrefix("remote") else { return nil }
        let rest = trimmed.dropFirst("remote".count).trimmingSpaces()
        guard rest.count >= 2, rest.hasPrefix("\""), rest.hasSuffix("\"") else { return nil }
        return String(rest.dropFirst().dropLast())
    }

    /// A configobj value: quoted (`'...'` or `"..."`, then only a comment may follow) or bare
    /// (up to a `#` comment).
    static func parseValue(_ raw: Substring, at location: SourceLocation, file: String) throws(InputError) -> String {
        guard let first = raw.first, first == "\"" || first == "'" else {
            let bare = raw.firstIndex(of: "#").map { raw[..<$0] } ?? raw
            return String(bare.trimmingSpaces())
        }
        let body = raw.dropFirst()
        guard let close = body.firstIndex(of: first) else {
            throw InputError("unterminated quoted value in \(file)", at: location, hint: "close the quote")
        }
        let rest = body[body.index(after: close)...].trimmingSpaces()
        guard rest.isEmpty || rest.hasPrefix("#") else {
            throw InputError("unexpected text after the quoted value in \(file)", at: location)
        }
        return String(body[..<close])
    }

    static func unquote(_ text: Substring) -> String {
        if text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return String(text)
    }

    /// DVC's `_resolve`: URLs and absolute paths stay, `~` expands, the rest joins the file's folder.
    static func resolve(_ path: String, directory: String, home: String) -> String {
        if isURL(path) || path.hasPrefix("/") { return path }
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return normalize(directory + "/" + path)
    }

    /// Whether `text` starts with `scheme://` (DVC's `\w+://`).
    public static func isURL(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count, isWordByte(bytes[index]) { index += 1 }
        return index > 0 && index + 3 <= bytes.count && bytes[index] == 0x3A && bytes[index + 1] == 0x2F && bytes[index + 2] == 0x2F
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (byte >= 0x30 && byte <= 0x39) || (lower >= 0x61 && lower <= 0x7A) || byte == 0x5F
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : normalize(FileSystem.currentDirectory + "/" + path)
    }

    /// Collapses `.`, `..` and repeated slashes in an absolute path.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        let scalars = self[...]
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return Substring("") }
        let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return Substring(scalars[start...end])
    }
}
