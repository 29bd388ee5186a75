import MLCIConfig
import MLCISupport
import MLCIYAML

/// Params and metrics files (YAML or JSON), flattened to dotted keys the way DVC shows them:
/// `{train: {lr: 0.01}}` becomes `train.lr: 0.01`; lists are values, not descended into.
///
/// Stateless; safe from any thread.
public enum FlatValues {
    /// The flattened values of `text`; an empty document is empty.
    public static func parse(_ text: String, file: String) throws(InputError) -> [String: JSONValue] {
        guard let root = try YAMLDocument.parse(text, file: file) else { return [:] }
        guard case .mapping = root else {
            throw InputError("expected a mapping of keys at the top of \(file)", at: YAMLDocument.location(of: root, file: file))
        }
        var out: [String: JSONValue] = [:]
        flatten(YAMLDocument.value(root), prefix: "", into: &out)
        return out
    }

    /// Parses bytes, checking UTF-8 first.
    public static func parse(bytes: [UInt8], file: String) throws(InputError) -> [String: JSONValue] {
        try parse(try TextDecoding.utf8(bytes, file: file), file: file)
    }

    static func flatten(_ value: JSONValue, prefix: String, into out: inout [String: JSONValue]) {
        if case .object(let members) = value, !members.isEmpty {
            for (key, inner) in members { flatten(inner, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &out) }
        } else if !prefix.isEmpty {
            out[prefix] = value
        }
    }

    /// The values of `keys` (a key may name a whole section: `train` takes `train.*`).
    public static func select(_ values: [String: JSONValue], keys: [String]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for key in keys {
            if let value = values[key] { out[key] = value }
            for (k, v) in values where k.hasPrefix(key + ".") { out[k] = v }
        }
        return out
    }
}

/// A params or vars file loaded whole, by its suffix as DVC picks the loader: `.json`,
/// `.toml`, `.py`, anything else YAML 1.2 (``YAML12``). Used for `${}` templating and for the
/// values dvc.lock records.
///
/// Stateless; safe from any thread.
public enum ParamsDocument {
    /// The file's format, from its name.
    public enum Format: Sendable { case yaml, json, toml, python }

    public static func format(of path: String) -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".toml") { return .toml }
        if lower.hasSuffix(".py") { return .python }
        return .yaml
    }

    /// Parses `bytes` (the file named `file`, for messages) as its suffix says.
    ///
    /// - Parameter templating: read for `${}` (vars, the params.yaml beside dvc.yaml): DVC's
    ///   templating context refuses Python tuples ("Unsupported value of type 'tuple'"), which
    ///   params dependencies accept as lists.
    public static func parse(bytes: [UInt8], file: String, templating: Bool = false) throws(InputError) -> JSONValue {
        let text = try TextDecoding.utf8(bytes, file: file)
        switch format(of: file) {
        case .yaml: return try YAML12.load(text, file: file)
        case .json:
            do {
                return try JSONParser().parse(text)
            } catch {
                throw InputError("invalid JSON: \(error.message)", at: SourceLocation(file: file, line: error.line, column: error.column))
            }
        case .toml: return try TOMLReader.parse(text, file: file)
        case .python: return try PythonParams.parse(text, file: file, allowTuples: !templating)
        }
    }

    /// Reads and parses the file at `path`.
    public static func load(_ path: String, display: String, templating: Bool = false) throws(InputError) -> JSONValue {
        try parse(bytes: try FileSystem.read(path, limit: 64 << 20, display: display), file: display, templating: templating)
    }
}
