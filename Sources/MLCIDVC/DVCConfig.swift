import MLCISupport

/// The settings of a DVC repository: `.dvc/config` overlaid with `.dvc/config.local`, as
/// DVC's INI files write them (`[core]`, `[cache]`, `['remote "storage"']`, `key = value`).
///
/// Only what mlci uses is interpreted (``cacheTypes``, ``cacheDirectory``); every section and
/// key is kept for the others. A value type; safe to share between threads.
public struct DVCConfig: Sendable, Equatable {
    /// Sections by name as DVC spells them after unquoting: `core`, `cache`, `remote "storage"`.
    public var sections: [String: [String: String]]
    /// The repository root (absolute), for resolving relative paths.
    public var root: String

    public init(root: String, sections: [String: [String: String]] = [:]) {
        self.root = root
        self.sections = sections
    }

    /// Reads `.dvc/config` and `.dvc/config.local` below `root` (either may be absent).
    public static func load(root: String) throws(InputError) -> DVCConfig {
        var config = DVCConfig(root: root)
        for name in ["config", "config.local"] {
            let path = root + "/.dvc/" + name
            guard FileSystem.exists(path) else { continue }
            let bytes = try FileSystem.read(path, limit: 1 << 20, display: ".dvc/" + name)
            try config.merge(parsing: String(decoding: bytes, as: UTF8.self), file: ".dvc/" + name)
        }
        return config
    }

    /// Adds the sections of one INI text; later keys win.
    public mutating func merge(parsing text: String, file: String) throws(InputError) {
        var section: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw InputError("bad section header in \(file)", at: SourceLocation(file: file, line: index + 1, column: 1),
                                     hint: "DVC writes sections as [core] or ['remote \"name\"']")
                }
                var name = String(line.dropFirst().dropLast()).trimmingWhitespace()
                if name.count >= 2, name.hasPrefix("'"), name.hasSuffix("'") { name = String(name.dropFirst().dropLast()) }
                section = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section, let equals = line.firstIndex(of: "=") else {
                throw InputError("expected 'key = value' inside a section in \(file)",
                                 at: SourceLocation(file: file, line: index + 1, column: 1))
            }
            let key = String(line[..<equals]).trimmingWhitespace()
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            sections[section, default: [:]][key] = value
        }
    }

    /// `cache.type` as link types in the order DVC tries them; `reflink,copy` by default.
    public var cacheTypes: [DVCCache.LinkType] {
        get throws(InputError) {
            guard let value = sections["cache"]?["type"] else { return [.reflink, .copy] }
            var out: [DVCCache.LinkType] = []
            for item in value.split(separator: ",") {
                let name = String(item).trimmingWhitespace()
                guard let type = DVCCache.LinkType(rawValue: name) else {
                    throw InputError("unknown cache.type '\(name)' in .dvc/config",
                                     hint: "DVC's link types are reflink, hardlink, symlink and copy")
                }
                out.append(type)
            }
            return out.isEmpty ? [.reflink, .copy] : out
        }
    }

    /// `cache.dir` made absolute (relative values are relative to `.dvc/`, as DVC resolves
    /// them); `<root>/.dvc/cache` by default.
    public var cacheDirectory: String {
        guard let value = sections["cache"]?["dir"], !value.isEmpty else { return root + "/.dvc/cache" }
        return value.hasPrefix("/") ? value : root + "/.dvc/" + value
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}
