/// Serialises ``JSONValue`` deterministically.
///
/// Two styles: `pretty` (two-space indent, `": "`, a trailing newline; what mlci prints and
/// stores) and `compact`. Numbers use Swift's shortest round-trip form, the same digits as
/// Python's `repr(float)`. Strings escape `"`, `\`, control characters, and U+2028/U+2029;
/// with `asciiOnly` every non-ASCII character becomes `\uXXXX` (surrogate pairs above the
/// BMP), as Python's `json.dumps` does by default.
public struct JSONWriter: Sendable {
    public enum Style: Sendable { case pretty, compact, python }

    public var style: Style
    public var asciiOnly: Bool

    public init(style: Style = .pretty, asciiOnly: Bool = false) {
        self.style = style
        self.asciiOnly = asciiOnly
    }

    /// The document as text; `pretty` ends with a newline.
    public func string(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        if style == .pretty { out += "\n" }
        return out
    }

    private func write(_ value: JSONValue, indent: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += Self.number(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += style == .compact ? "," : ", " }
                if style == .pretty {
                    if index > 0 { out.removeLast() }
                    out += "\n" + String(repeating: "  ", count: indent + 1)
                }
                write(item, indent: indent + 1, into: &out)
            }
            if style == .pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += style == .compact ? "," : ", " }
                if style == .pretty {
                    if index > 0 { out.removeLast() }
                    out += "\n" + String(repeating: "  ", count: indent + 1)
                }
                writeString(member.0, into: &out)
                out += style == .compact ? ":" : ": "
                write(member.1, indent: indent + 1, into: &out)
            }
            if style == .pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        }
    }

    /// A finite double in shortest round-trip form (`1.0`, `0.1`, `1e-07`), `null` otherwise.
    public static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e16 {
            return String(Int64(d)) + ".0"
        }
        // Swift's description is the shortest round-trip form, with Python's exponent style.
        return "\(d)"
    }

    private func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f && asciiOnly
                    || scalar.value == 0x2028 || scalar.value == 0x2029
                    || (asciiOnly && scalar.value > 0x7e)
                {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += Self.hex4(0xD800 + (v >> 10)) + Self.hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        out += Self.hex4(scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return "\\u" + String([digits[Int(v >> 12 & 0xF)], digits[Int(v >> 8 & 0xF)],
                               digits[Int(v >> 4 & 0xF)], digits[Int(v & 0xF)]])
    }
}
