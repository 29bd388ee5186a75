import MLCISupport

/// How mlci quotes a value for a YAML, Dockerfile or JSON file: a JSON string literal, which
/// is also a YAML double-quoted scalar and a Dockerfile quoted string.
///
/// `"` and `\` are escaped, and so is every control character and every character YAML 1.1
/// reads as a line break (U+0085, U+2028, U+2029), so a quoted value can never end its line or
/// its scalar. Pure; thread-safe.
public enum QuotedText {
    public static func quote(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONWriter.appendString(text, asciiOnly: false, into: &bytes)
        let json = String(decoding: bytes, as: UTF8.self)
        // JSON leaves DEL and NEL as they are; YAML does not allow DEL unescaped and YAML 1.1
        // reads NEL as a line break.
        guard json.unicodeScalars.contains(where: { $0 == "\u{7f}" || $0 == "\u{85}" }) else { return json }
        var out = ""
        for scalar in json.unicodeScalars {
            switch scalar {
            case "\u{7f}": out += "\\u007f"
            case "\u{85}": out += "\\u0085"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
