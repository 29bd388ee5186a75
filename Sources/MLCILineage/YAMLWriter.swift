import MLCISupport
import MLCIYAML

/// Writes a ``JSONValue`` tree as block-style YAML with stable bytes.
///
/// Object members are written in the order given (callers sort them); strings are plain
/// only when YAML would read them back as the same string, otherwise double-quoted with
/// JSON-compatible escapes, so hostile values (newlines, `: `, `#`, anchors) stay inert.
/// Stateless; safe from any thread.
public enum YAMLWriter {
    public static func string(_ value: JSONValue, header: String? = nil) -> String {
        var out = header.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" } ?? ""
        switch value {
        case .object(let members) where !members.isEmpty:
            writeMembers(members, indent: 0, into: &out)
        case .array(let items) where !items.isEmpty:
            writeItems(items, indent: 0, into: &out)
        default:
            out += scalar(value) + "\n"
        }
        return out
    }

    private static func writeMembers(_ members: [(String, JSONValue)], indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        for (key, value) in members {
            out += pad + scalar(.string(key)) + ":"
            switch value {
            case .object(let inner) where !inner.isEmpty:
                out += "\n"
                writeMembers(inner, indent: indent + 1, into: &out)
            case .array(let items) where !items.isEmpty:
                out += "\n"
                writeItems(items, indent: indent + 1, into: &out)
            default:
                out += " " + scalar(value) + "\n"
            }
        }
    }

    private static func writeItems(_ items: [JSONValue], indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        for item in items {
            switch item {
            case .object(let inner) where !inner.isEmpty:
                // "- key: value" then the other members aligned under the first.
                var first = true
                for (key, value) in inner {
                    let lead = first ? pad + "- " : pad + "  "
                    first = false
                    var line = ""
                    writeMembers([(key, value)], indent: 0, into: &line)
                    let lines = line.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                    for (index, text) in lines.enumerated() {
                        out += (index == 0 ? lead : pad + "  ") + text + "\n"
                    }
                }
            case .array(let inner) where !inner.isEmpty:
                out += pad + "-\n"
                writeItems(inner, indent: indent + 1, into: &out)
            default:
                out += pad + "- " + scalar(item) + "\n"
            }
        }
    }

    /// One scalar in YAML syntax.
    public static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d > 0 ? ".inf" : "-.inf" }
            return JSONWriter.number(d)
        case .string(let s): return isPlainSafe(s) ? s : quoted(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    static func quoted(_ s: String) -> String {
        // JSON string syntax is valid YAML double-quoted syntax.
        JSONWriter(style: .compact).string(.string(s))
    }

    static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        let allowed = s.unicodeScalars.allSatisfy {
            ($0.value >= 0x30 && $0.value <= 0x39) || ($0.value >= 0x41 && $0.value <= 0x5a)
                || ($0.value >= 0x61 && $0.value <= 0x7a) || "_./+-@ ".unicodeScalars.contains($0)
        }
        // Inner single spaces read back the same ("python train.py"); leading, trailing or
        // double spaces would not survive a reader's eye, so those are quoted.
        guard allowed, !"-+@. ".unicodeScalars.contains(first), !s.hasSuffix(" "), !s.contains("  ") else { return false }
        // Anything YAML would read as a number, boolean or null must be quoted.
        return Resolver.default.resolve(s) == .str
    }
}
