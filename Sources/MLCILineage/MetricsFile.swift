import MLCIConfig
import MLCISupport
import MLCIYAML

/// Reads metrics files: JSON strictly (a `NaN` is refused with its line and column, as no
/// JSON parser outside Python accepts it), YAML otherwise; nested keys flattened to dotted
/// paths.
///
/// Stateless; safe from any thread.
public enum MetricsFile {
    public static func parse(_ bytes: [UInt8], file: String) throws(InputError) -> [String: JSONValue] {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw InputError("\(file) is empty; the stage that writes it must write its metrics", at: SourceLocation(file: file))
        }
        let root: JSONValue
        if file.lowercased().hasSuffix(".json") {
            do {
                root = try JSONParser().parse(bytes)
            } catch {
                let hint = error.message.contains("NaN")
                    ? "write a number, or leave the metric out; Python's json.dump writes NaN for float('nan')"
                    : "the file must be JSON (or use a .yaml name for YAML)"
                throw InputError("\(error.message)", at: SourceLocation(file: file, line: error.line, column: error.column), hint: hint)
            }
        } else {
            let text = try TextDecoding.utf8(bytes, file: file)
            guard let node = try YAMLDocument.parse(text, file: file) else {
                throw InputError("\(file) is empty", at: SourceLocation(file: file))
            }
            root = YAMLDocument.value(node)
        }
        guard case .object = root else {
            throw InputError("expected an object of metrics at the top of \(file)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        var out: [String: JSONValue] = [:]
        flatten(root, prefix: "", into: &out)
        return out
    }

    static func flatten(_ value: JSONValue, prefix: String, into out: inout [String: JSONValue]) {
        if case .object(let members) = value, !members.isEmpty {
            for (key, inner) in members { flatten(inner, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &out) }
        } else if !prefix.isEmpty {
            out[prefix] = value
        }
    }

    /// A metric's value as a finite number, or an error saying what it is instead.
    public static func number(_ value: JSONValue, key: String, file: String) throws(InputError) -> Double {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d) where d.isFinite: return d
        case .double(let d): throw InputError("metric '\(key)' in \(file) is \(d), not a finite number", at: SourceLocation(file: file))
        case .string(let s):
            throw InputError("metric '\(key)' in \(file) is the string \"\(s)\", not a number", at: SourceLocation(file: file),
                             hint: "write the number without quotes")
        case .null: throw InputError("metric '\(key)' in \(file) is null, not a number", at: SourceLocation(file: file))
        case .bool(let b): throw InputError("metric '\(key)' in \(file) is \(b), not a number", at: SourceLocation(file: file))
        case .array, .object: throw InputError("metric '\(key)' in \(file) is not a single number", at: SourceLocation(file: file))
        }
    }
}
