/// Writes a ``LockValue`` document the way ruamel.yaml 0.19's round-trip dumper does with
/// DVC's settings (block style, 2-space indent, sequences in their key's column, width 80,
/// unicode allowed), so that dvc.lock comes out byte for byte as `dvc repro` writes it.
///
/// A port of the parts of `ruamel/yaml/emitter.py` such documents reach (`analyze_scalar`,
/// `choose_scalar_style`, `write_plain`, `write_single_quoted`, `write_double_quoted`,
/// `write_indent`). Widths are counted in Unicode scalars, as Python counts code points.
/// A value type used by one thread.
public struct RuamelEmitter {
    static let bestWidth = 80
    private var out: [UInt8] = []
    private var column = 0
    private var whitespace = true
    private var indention = true
    /// The indent continuation lines of the scalar being written take.
    private var indent = 0

    public init() {}

    /// The document's bytes: UTF-8, LF, a final newline.
    public static func emit(_ document: LockValue) -> [UInt8] {
        var emitter = RuamelEmitter()
        emitter.node(document, column: 0, inSequence: false, topLevel: true)
        if emitter.column != 0 { emitter.lineBreak() }
        return emitter.out
    }

    // MARK: Structure

    private mutating func node(_ value: LockValue, column base: Int, inSequence: Bool, topLevel: Bool = false) {
        switch value {
        case .mapping(let members) where !members.isEmpty:
            for (index, (key, child)) in members.enumerated() {
                if !(index == 0 && (inSequence || topLevel)) { writeIndent(base) }
                scalar(key, isKey: true, indent: base + 2)
                indicator(":", needWhitespace: false)
                childValue(child, keyColumn: base)
            }
        case .sequence(let items) where !items.isEmpty:
            for (index, item) in items.enumerated() {
                if !(index == 0 && (inSequence || topLevel)) { writeIndent(base) }
                indicator("-", needWhitespace: true, whitespace: true, indention: true)
                // `- ` is followed by the item's content at base + 2.
                writeRaw(" ")
                whitespace = true
                switch item {
                case .mapping(let m) where !m.isEmpty: node(item, column: base + 2, inSequence: true)
                case .sequence(let s) where !s.isEmpty: node(item, column: base + 2, inSequence: true)
                default: scalarValue(item, indent: base + 2)
                }
            }
        default:
            scalarValue(value, indent: base + 2)
        }
    }

    private mutating func childValue(_ child: LockValue, keyColumn: Int) {
        switch child {
        case .mapping(let members) where !members.isEmpty:
            node(child, column: keyColumn + 2, inSequence: false)
        case .sequence(let items) where !items.isEmpty:
            node(child, column: keyColumn, inSequence: false)
        default:
            scalarValue(child, indent: keyColumn + 2)
        }
    }

    private mutating func scalarValue(_ value: LockValue, indent: Int) {
        switch value {
        case .null: return  // `key:` with nothing after it
        case .bool(let b): plain(b ? "true" : "false", indent: indent, split: true)
        case .int(let i): plain(String(i), indent: indent, split: true)
        case .float(let d, let text):
            if let text { plain(text, indent: indent, split: true) } else { plain(Self.floatText(d), indent: indent, split: true) }
        case .string(let s): scalar(s, isKey: false, indent: indent)
        case .sequence: writeFlow("[]")
        case .mapping: writeFlow("{}")
        }
    }

    static func floatText(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        return PythonFloat.repr(d).lowercased()
    }

    private mutating func writeFlow(_ text: String) {
        if !whitespace { writeRaw(" ") }
        writeRaw(text)
        whitespace = false
        indention = false
    }

    // MARK: Scalars

    enum Style { case plain, single, double }

    private mutating func scalar(_ text: String, isKey: Bool, indent: Int) {
        let chars = Array(text.unicodeScalars)
        let style = Self.style(for: chars, text: text, isKey: isKey)
        switch style {
        case .plain: plain(text, indent: indent, split: !isKey)
        case .single: singleQuoted(chars, indent: indent, split: !isKey)
        case .double: doubleQuoted(chars, indent: indent, split: !isKey)
        }
    }

    static func style(for chars: [Unicode.Scalar], text: String, isKey: Bool) -> Style {
        if chars.isEmpty { return .single }
        let analysis = analyze(chars)
        if case .string = LockValue.resolvePlain(text), !Self.resolvesSpecially(text),
           !(isKey && analysis.multiline), analysis.allowBlockPlain {
            return .plain
        }
        if text.contains("'") || text.contains("\n") { return .double }
        if analysis.allowSingleQuoted && !(isKey && analysis.multiline) { return .single }
        return .double
    }

    /// Plain texts ruamel's resolver reads as something other than a str even where our
    /// number/bool/null patterns do not: dates, `=`, `<<`.
    static func resolvesSpecially(_ text: String) -> Bool {
        if text == "=" || text == "<<" { return true }
        let bytes = Array(text.utf8)
        // [0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]? (a timestamp's date part starts it)
        func digit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        guard bytes.count >= 8, digit(0), digit(1), digit(2), digit(3), bytes[4] == UInt8(ascii: "-") else { return false }
        var i = 5
        guard digit(i) else { return false }
        i += 1
        if digit(i) { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "-"), digit(i + 1) else { return false }
        i += 2
        if digit(i) { i += 1 }
        if i == bytes.count { return true }
        // A date and time: [Tt]|[ \t]+ then H?H:MM:SS, then fractions and a zone only.
        guard bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "t") || bytes[i] == 0x20 || bytes[i] == 0x09 else { return false }
        i += 1
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        guard digit(i) else { return false }
        i += 1
        if digit(i) { i += 1 }
        guard i + 5 < bytes.count + 0, bytes[i] == UInt8(ascii: ":"), digit(i + 1), digit(i + 2), bytes[i + 3] == UInt8(ascii: ":"),
              digit(i + 4), digit(i + 5) else { return false }
        i += 6
        return bytes[i...].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":")
            || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "Z") || $0 == 0x20 || $0 == 0x09 }
    }

    struct Analysis {
        var multiline = false
        var allowBlockPlain = true
        var allowSingleQuoted = true
    }

    static func isSpace(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return true }
        return c == "\0" || c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}"
    }

    static func isBreak(_ c: Unicode.Scalar) -> Bool { c == "\n" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}" }

    static func analyze(_ s: [Unicode.Scalar]) -> Analysis {
        var blockIndicators = false, lineBreaks = false, special = false
        var leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false
        var breakSpace = false, spaceBreak = false
        let text = String(String.UnicodeScalarView(s))
        if text.hasPrefix("---") || text.hasPrefix("...") { blockIndicators = true }
        var followed = s.count == 1 || isSpace(s[1])
        var preceded = true
        var previousSpace = false, previousBreak = false
        for (index, ch) in s.enumerated() {
            if index == 0 {
                if "#,[]{}&*!|>'\"%@`".unicodeScalars.contains(ch) { blockIndicators = true }
                if (ch == "?" || ch == ":") && followed { blockIndicators = true }
                if ch == "-" && followed { blockIndicators = true }
            } else {
                if ch == ":" && followed { blockIndicators = true }
                if ch == "#" && preceded { blockIndicators = true }
            }
            if isBreak(ch) { lineBreaks = true }
            if !(ch == "\n" || (ch.value >= 0x20 && ch.value <= 0x7E)) {
                let v = ch.value
                let printable = (v == 0x85 || (v >= 0xA0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)) && v != 0xFEFF
                if !printable { special = true }
            }
            if ch == " " {
                if index == 0 { leadingSpace = true }
                if index == s.count - 1 { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true; previousBreak = false
            } else if isBreak(ch) {
                if index == 0 { leadingBreak = true }
                if index == s.count - 1 { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false; previousBreak = true
            } else {
                previousSpace = false; previousBreak = false
            }
            preceded = isSpace(ch)
            followed = index + 2 >= s.count || isSpace(s[index + 2])
        }
        var a = Analysis(multiline: lineBreaks)
        if leadingSpace || leadingBreak || trailingSpace || trailingBreak { a.allowBlockPlain = false }
        if breakSpace { a.allowBlockPlain = false; a.allowSingleQuoted = false }
        if special || spaceBreak { a.allowBlockPlain = false; a.allowSingleQuoted = false }
        if lineBreaks || blockIndicators { a.allowBlockPlain = false }
        return a
    }

    private mutating func plain(_ text: String, indent: Int, split: Bool) {
        self.indent = indent
        let s = Array(text.unicodeScalars)
        if s.isEmpty { return }
        if !whitespace { writeRaw(" ") }
        whitespace = false
        indention = false
        var spaces = false
        var start = 0, end = 0
        while end <= s.count {
            let ch: Unicode.Scalar? = end < s.count ? s[end] : nil
            if spaces {
                if ch != " " {
                    if start + 1 == end && column >= Self.bestWidth && split {
                        writeIndent(indent)
                        whitespace = false
                        indention = false
                    } else {
                        write(s[start..<end])
                    }
                    start = end
                }
            } else if ch == nil || ch == " " {
                let length = end - start
                if length + column > Self.bestWidth && column > indent {
                    writeIndent(indent)
                }
                write(s[start..<end])
                start = end
            }
            if let ch { spaces = ch == " " }
            end += 1
        }
    }

    private mutating func singleQuoted(_ s: [Unicode.Scalar], indent: Int, split: Bool) {
        self.indent = indent
        indicator("'", needWhitespace: true)
        var spaces = false
        var breaks = false
        var start = 0, end = 0
        while end <= s.count {
            let ch: Unicode.Scalar? = end < s.count ? s[end] : nil
            if spaces {
                if ch == nil || ch != " " {
                    if start + 1 == end && column > Self.bestWidth && split && start != 0 && end != s.count {
                        writeIndent(indent)
                    } else {
                        write(s[start..<end])
                    }
                    start = end
                }
            } else if breaks {
                if ch == nil || !Self.isBreak(ch!) {
                    if s[start] == "\n" { lineBreak() }
                    for br in s[start..<end] {
                        if br == "\n" { lineBreak() } else { out += Array(String(br).utf8); lineBreak(writing: false) }
                    }
                    writeIndent(indent)
                    start = end
                }
            } else if ch == nil || ch == " " || ch == "'" || Self.isBreak(ch!) {
                if start < end {
                    write(s[start..<end])
                    start = end
                }
            }
            if ch == "'" {
                writeRaw("''")
                start = end + 1
            }
            if let ch { spaces = ch == " "; breaks = Self.isBreak(ch) }
            end += 1
        }
        indicator("'", needWhitespace: false)
    }

    static let escapes: [Unicode.Scalar: String] = [
        "\0": "0", "\u{07}": "a", "\u{08}": "b", "\t": "t", "\n": "n", "\u{0B}": "v", "\u{0C}": "f", "\r": "r",
        "\u{1B}": "e", "\"": "\"", "\\": "\\", "\u{85}": "N", "\u{A0}": "_", "\u{2028}": "L", "\u{2029}": "P",
    ]

    private mutating func doubleQuoted(_ s: [Unicode.Scalar], indent: Int, split: Bool) {
        self.indent = indent
        indicator("\"", needWhitespace: true)
        var start = 0, end = 0
        func firstIndex(of target: Unicode.Scalar, from: Int, to: Int? = nil) -> Int? {
            var i = from
            let limit = to ?? s.count
            while i < limit { if s[i] == target { return i }; i += 1 }
            return nil
        }
        while end <= s.count {
            let ch: Unicode.Scalar? = end < s.count ? s[end] : nil
            var escape = ch == nil
            if let c = ch {
                let v = c.value
                let printable = (v >= 0x20 && v <= 0x7E) || (v >= 0xA0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)
                escape = "\"\\\u{85}\u{2028}\u{2029}\u{FEFF}".unicodeScalars.contains(c) || !printable
            }
            if escape {
                if start < end {
                    write(s[start..<end])
                    start = end
                }
                if let c = ch {
                    let data: String
                    if let short = Self.escapes[c] { data = "\\" + short }
                    else if c.value <= 0xFF { data = "\\x" + Self.hex(c.value, 2) }
                    else if c.value <= 0xFFFF { data = "\\u" + Self.hex(c.value, 4) }
                    else { data = "\\U" + Self.hex(c.value, 8) }
                    writeRaw(data)
                    start = end + 1
                }
            }
            if end > 0 && end < s.count - 1 && (ch == " " || start >= end) && column + (end - start) > Self.bestWidth && split {
                var needBackslash = true
                if s.count > end, let spaceFound = firstIndex(of: " ", from: end) {
                    var spacePos = spaceFound
                    if let newline = firstIndex(of: "\n", from: end, to: spacePos) { spacePos = newline }
                    if s[spacePos] == "\n" && spacePos + 1 < s.count && s[spacePos + 1] != " " {
                        // keep the backslash
                    } else if spacePos + 1 < s.count {
                        let between = s[end..<spacePos]
                        let dashPair = end >= 1 && end + 1 <= s.count && Array(s[(end - 1)..<min(end + 1, s.count)]) == [" ", " "]
                        if !between.contains("\"") && !between.contains("'") && s[spacePos + 1] != " " && s[spacePos + 1] != "\n"
                            && !dashPair && start != end {
                            needBackslash = false
                        }
                    }
                }
                if start < end { write(s[start..<end]) }
                if needBackslash { writeRaw("\\") }
                if start < end { start = end }
                writeIndent(indent)
                whitespace = false
                indention = false
                if s[start] == " " {
                    if !needBackslash { start += 1 }
                    if needBackslash { writeRaw("\\") }
                }
            }
            end += 1
        }
        indicator("\"", needWhitespace: false)
    }

    static func hex(_ value: UInt32, _ width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // MARK: Output

    private mutating func indicator(_ text: String, needWhitespace: Bool, whitespace newWhitespace: Bool = false, indention newIndention: Bool = false) {
        if whitespace || !needWhitespace { writeRaw(text) } else { writeRaw(" " + text) }
        whitespace = newWhitespace
        indention = indention && newIndention
    }

    private mutating func writeIndent(_ indent: Int) {
        if !indention || column > indent || (column == indent && !whitespace) { lineBreak() }
        if column < indent {
            whitespace = true
            out += Array(repeating: 0x20, count: indent - column)
            column = indent
        }
    }

    private mutating func lineBreak(writing: Bool = true) {
        if writing { out.append(0x0A) }
        whitespace = true
        indention = true
        column = 0
    }

    private mutating func write(_ scalars: ArraySlice<Unicode.Scalar>) {
        for scalar in scalars { out += Array(String(scalar).utf8) }
        column += scalars.count
    }

    private mutating func writeRaw(_ text: String) {
        out += Array(text.utf8)
        column += text.unicodeScalars.count
    }
}
