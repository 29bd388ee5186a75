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
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// The document as UTF-8 bytes; `pretty` ends with a newline.
    public func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, indent: 0, into: &out)
        if style == .pretty { out.append(0x0A) }
        return out
    }

    private func newline(_ indent: Int, into out: inout [UInt8]) {
        out.append(0x0A)
        for _ in 0..<indent { out.append(0x20); out.append(0x20) }
    }

    private func separator(into out: inout [UInt8]) {
        out.append(0x2C)
        if style == .python { out.append(0x20) }
    }

    private func write(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out += Self.nullBytes
        case .bool(let b): out += b ? Self.trueBytes : Self.falseBytes
        case .int(let i): out += Array(String(i).utf8)
        case .double(let d): out += Array(Self.number(d).utf8)
        case .string(let s): Self.appendString(s, asciiOnly: asciiOnly, into: &out)
        case .array(let items):
            if items.isEmpty { out += [0x5B, 0x5D]; return }
            out.append(0x5B)
            for (index, item) in items.enumerated() {
                if index > 0 { separator(into: &out) }
                if style == .pretty { newline(indent + 1, into: &out) }
                write(item, indent: indent + 1, into: &out)
            }
            if style == .pretty { newline(indent, into: &out) }
            out.append(0x5D)
        case .object(let members):
            if members.isEmpty { out += [0x7B, 0x7D]; return }
            out.append(0x7B)
            for (index, member) in members.enumerated() {
                if index > 0 { separator(into: &out) }
                if style == .pretty { newline(indent + 1, into: &out) }
                Self.appendString(member.0, asciiOnly: asciiOnly, into: &out)
                out.append(0x3A)
                if style != .compact { out.append(0x20) }
                write(member.1, indent: indent + 1, into: &out)
            }
            if style == .pretty { newline(indent, into: &out) }
            out.append(0x7D)
        }
    }

    static let nullBytes: [UInt8] = Array("null".utf8)
    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)

    /// Appends `s` as a JSON string literal (quotes included). ASCII runs are copied as they
    /// are; `"`, `\`, control characters, U+2028/U+2029 (and with `asciiOnly` every
    /// non-ASCII character, as `\uXXXX` or a surrogate pair) are escaped.
    public static func appendString(_ s: String, asciiOnly: Bool, into out: inout [UInt8]) {
        out.append(0x22)
        var needsSlowPath = false
        for byte in s.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte >= 0x7F {
            needsSlowPath = true
            break
        }
        if !needsSlowPath {
            out += s.utf8
            out.append(0x22)
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += [0x5C, 0x22]
            case "\\": out += [0x5C, 0x5C]
            case "\n": out += [0x5C, 0x6E]
            case "\r": out += [0x5C, 0x72]
            case "\t": out += [0x5C, 0x74]
            case "\u{08}": out += [0x5C, 0x62]
            case "\u{0C}": out += [0x5C, 0x66]
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x2028 || v == 0x2029 || (asciiOnly && v > 0x7E) {
                    if v > 0xFFFF {
                        let w = v - 0x10000
                        appendHex4(0xD800 + (w >> 10), into: &out)
                        appendHex4(0xDC00 + (w & 0x3FF), into: &out)
                    } else {
                        appendHex4(v, into: &out)
                    }
                } else {
                    out += String(scalar).utf8
                }
            }
        }
        out.append(0x22)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func appendHex4(_ v: UInt32, into out: inout [UInt8]) {
        out += [0x5C, 0x75, hexDigits[Int(v >> 12 & 0xF)], hexDigits[Int(v >> 8 & 0xF)],
                hexDigits[Int(v >> 4 & 0xF)], hexDigits[Int(v & 0xF)]]
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
}
