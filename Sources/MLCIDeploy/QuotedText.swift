import Mustache

/// How mlci quotes a value for a YAML, Dockerfile or JSON file: a JSON string literal, which
/// is also a YAML double-quoted scalar and a Dockerfile quoted string.
///
/// `"` and `\` are escaped, and so is every control character and every character YAML 1.1
/// reads as a line break (U+0085, U+2028, U+2029), so a quoted value can never end its line or
/// its scalar. Pure; thread-safe.
public enum QuotedText {
    public static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// The Mustache content type of mlci's deploy templates: `{{value}}` is quoted by
/// ``QuotedText``.
struct QuotedContentType: MustacheContentType {
    static let name = "MLCI_QUOTED"
    static let registered: Bool = {
        MustacheContentTypes.register(QuotedContentType(), named: name)
        return true
    }()

    func escapeText(_ text: String) -> String { QuotedText.quote(text) }
}
