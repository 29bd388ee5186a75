/// How a plain scalar without a tag gets its tag: the rules of Yams' `Resolver.default`
/// (YAML 1.1-like: `yes`/`on` are booleans, `017` is an int, `2024-01-02` a timestamp), or
/// none at all (`.basic`: every plain scalar is a string, for callers that type values
/// themselves, such as the YAML 1.2 reading of DVC files).
///
/// The patterns are Yams' regular expressions, written out as code so that no regular
/// expression engine (and no ICU) is needed. A value type; `Sendable`.
public enum Resolver: Sendable, Hashable {
    case `default`
    case basic

    /// The tag of plain text `text`: the first of bool, int, float, merge, null, timestamp,
    /// value whose pattern matches all of it, else `str`.
    public func resolve(_ text: String) -> Tag.Name {
        guard self == .default else { return .str }
        let b = Array(text.utf8)
        if Self.isBool(text) { return .bool }
        if Self.isInt(b) { return .int }
        if Self.isFloat(b) { return .float }
        if text == "<<" { return .merge }
        if text == "~" || text == "null" || text == "Null" || text == "NULL" || text.isEmpty { return .null }
        if Self.isTimestamp(b) { return .timestamp }
        if text == "=" { return .value }
        return .str
    }

    static func isBool(_ text: String) -> Bool {
        switch text {
        case "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
             "on", "On", "ON", "off", "Off", "OFF": true
        default: false
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static let underscore = UInt8(ascii: "_")

    /// Skips an optional `+` or `-`.
    private static func sign(_ b: [UInt8], _ i: Int) -> Int {
        i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) ? i + 1 : i
    }

    /// Whether `b[i...]` is one or more bytes satisfying `ok`.
    private static func allOf(_ b: [UInt8], from i: Int, _ ok: (UInt8) -> Bool) -> Bool {
        i < b.count && b[i...].allSatisfy(ok)
    }

    /// `(?::[0-5]?[0-9])+` over the whole of `b[i..<end]`.
    private static func isSexagesimalTail(_ b: [UInt8], from i: Int, to end: Int) -> Bool {
        guard i < end, b[i] == UInt8(ascii: ":") else { return false }
        var parts: [ArraySlice<UInt8>] = []
        var start = i + 1
        for j in (i + 1)..<end where b[j] == UInt8(ascii: ":") {
            parts.append(b[start..<j])
            start = j + 1
        }
        parts.append(b[start..<end])
        return parts.allSatisfy { part in
            switch part.count {
            case 1: return isDigit(part.first!)
            case 2: return (0x30...0x35).contains(part.first!) && isDigit(part.last!)
            default: return false
            }
        }
    }

    /// `[-+]?[1-9][0-9_]*` from `i`: the end of the match, or nil.
    private static func decimalHead(_ b: [UInt8], _ i: Int) -> Int? {
        guard i < b.count, b[i] >= 0x31 && b[i] <= 0x39 else { return nil }
        var j = i + 1
        while j < b.count, isDigit(b[j]) || b[j] == underscore { j += 1 }
        return j
    }

    /// `^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+
    /// |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`
    static func isInt(_ b: [UInt8]) -> Bool {
        let i = sign(b, 0)
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "0") {
            if b.count == i + 1 { return true }
            let next = b[i + 1]
            if next == UInt8(ascii: "b"), allOf(b, from: i + 2, { $0 == 0x30 || $0 == 0x31 || $0 == underscore }) { return true }
            if next == UInt8(ascii: "x"),
               allOf(b, from: i + 2, { isDigit($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) || $0 == underscore }) { return true }
            let octal = next == UInt8(ascii: "o") ? i + 2 : i + 1
            return allOf(b, from: octal, { (0x30...0x37).contains($0) || $0 == underscore })
        }
        guard let end = decimalHead(b, i) else { return false }
        if end == b.count { return true }
        return isSexagesimalTail(b, from: end, to: b.count)
    }

    /// `^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?
    /// |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`
    static func isFloat(_ b: [UInt8]) -> Bool {
        let text = String(decoding: b, as: UTF8.self)
        if [".nan", ".NaN", ".NAN"].contains(text) { return true }
        let i = sign(b, 0)
        let rest = String(decoding: b[i...], as: UTF8.self)
        if [".inf", ".Inf", ".INF"].contains(rest) { return true }
        let digitOrUnderscore = { (c: UInt8) in isDigit(c) || c == underscore }
        // `.5`, `.5e+3` (no sign before the dot; the exponent needs its sign)
        if b.first == UInt8(ascii: ".") {
            var j = 1
            while j < b.count, digitOrUnderscore(b[j]) { j += 1 }
            guard j > 1 else { return false }
            if j == b.count { return true }
            guard b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") else { return false }
            j += 1
            guard j < b.count, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") else { return false }
            return allOf(b, from: j + 1, isDigit)
        }
        guard i < b.count, isDigit(b[i]) else { return false }
        var j = i + 1
        while j < b.count, digitOrUnderscore(b[j]) { j += 1 }
        // Base 60 with a fraction: `1:30.5`.
        if j < b.count, b[j] == UInt8(ascii: ":") {
            guard let dot = b[j...].firstIndex(of: UInt8(ascii: ".")) else { return false }
            return isSexagesimalTail(b, from: j, to: dot) && b[(dot + 1)...].allSatisfy(digitOrUnderscore)
        }
        if j < b.count, b[j] == UInt8(ascii: ".") {
            j += 1
            while j < b.count, digitOrUnderscore(b[j]) { j += 1 }
        }
        if j < b.count, b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") {
            j = sign(b, j + 1)
            return allOf(b, from: j, isDigit)
        }
        return j == b.count
    }

    /// `YYYY-MM-DD`, or `YYYY-M-D` then `T`/`t`/blanks, `h:mm:ss`, a fraction and a zone.
    static func isTimestamp(_ b: [UInt8]) -> Bool {
        func digits(_ from: Int, _ count: Int) -> Bool { from + count <= b.count && b[from..<(from + count)].allSatisfy(isDigit) }
        guard digits(0, 4), b.count > 4, b[4] == UInt8(ascii: "-") else { return false }
        if b.count == 10, digits(5, 2), b[7] == UInt8(ascii: "-"), digits(8, 2) { return true }
        var i = 5
        func oneOrTwo() -> Bool {
            guard digits(i, 1) else { return false }
            i += digits(i, 2) ? 2 : 1
            return true
        }
        guard oneOrTwo(), i < b.count, b[i] == UInt8(ascii: "-") else { return false }
        i += 1
        guard oneOrTwo(), i < b.count else { return false }
        let blank = { (c: UInt8) in c == 0x20 || c == 0x09 }
        if b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") {
            i += 1
        } else {
            guard blank(b[i]) else { return false }
            while i < b.count, blank(b[i]) { i += 1 }
        }
        guard oneOrTwo(), i < b.count, b[i] == UInt8(ascii: ":"), digits(i + 1, 2) else { return false }
        i += 3
        guard i < b.count, b[i] == UInt8(ascii: ":"), digits(i + 1, 2) else { return false }
        i += 3
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i == b.count { return true }
        while i < b.count, blank(b[i]) { i += 1 }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "Z") { return i + 1 == b.count }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return false }
        i += 1
        guard oneOrTwo() else { return false }
        if i == b.count { return true }
        guard b[i] == UInt8(ascii: ":"), digits(i + 1, 2) else { return false }
        return i + 3 == b.count
    }
}
