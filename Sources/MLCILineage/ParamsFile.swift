import MLCIConfig
import MLCISupport
import Yams

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
