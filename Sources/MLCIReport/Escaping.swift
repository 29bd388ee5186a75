/// Escaping for every format mlci writes, so hostile text (names, messages, paths) stays
/// valid and inert wherever it lands.
public enum Escaping {
    /// Text for XML attributes and content: `& < > " '` escaped, characters XML 1.0 forbids
    /// (control characters other than tab, newline and return; U+FFFE, U+FFFF) removed.
    public static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF || (0x7F...0x9F).contains(v) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for a Markdown table cell or line: no HTML, no pipes, no code fences, no
    /// mentions, no line breaks; ANSI and other control characters removed.
    public static func markdown(_ text: String, limit: Int = 300) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) {
                if scalar == "\n" || scalar == "\t" { out += " " }
                continue
            }
            switch scalar {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "#", "~", "!", "{", "}":
                out += "\\"
                out.unicodeScalars.append(scalar)
            case "@":
                out += "@\u{200B}"  // a zero-width space keeps @name from notifying anyone
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        if out.count > limit { out = String(out.prefix(limit)) + "…" }
        return out
    }

    /// Text inside a quoted Mermaid label: letters, digits and a few safe marks only.
    public static func mermaidLabel(_ text: String) -> String {
        String(text.unicodeScalars.filter { ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._- ".unicodeScalars.contains($0)) && $0.value < 0x3000 }
            .map(Character.init).prefix(60))
    }

    /// A label value in OpenMetrics: `\`, `"` and newlines escaped.
    public static func openMetrics(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A dotenv value: one token without spaces or shell-active characters.
    public static func dotenv(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && !"\"'`$\\#;&|<>()".unicodeScalars.contains($0) }.map(Character.init))
    }

    /// Text for a GitHub workflow command's message (`%`, CR and LF encoded, as the runner
    /// expects) or property (also `:` and `,`).
    public static func workflowCommand(_ text: String, property: Bool = false) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case ":" where property: out += "%3A"
            case "," where property: out += "%2C"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
