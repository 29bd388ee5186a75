import MLCISupport

/// TOML 1.0 params files, strictly: key/values (bare, quoted and dotted keys), `[tables]`,
/// `[[arrays of tables]]`, basic/literal/multi-line strings, integers (hex, octal, binary,
/// `_`), floats (`inf`, `nan`), booleans, arrays and inline tables, in document order (as
/// tomlkit keeps it). Dates and times are refused with their location (DVC fails on them too);
/// so is every redefinition TOML forbids.
///
/// Stateless; safe from any thread.
public enum TOMLReader {
    public static func parse(_ text: String, file: String) throws(InputError) -> JSONValue {
        var parser = TOMLParser(bytes: Array(text.utf8), file: file)
        try parser.document()
        return parser.root.json
    }
}

/// A table being built: keys in order, and how it was defined (for TOML's redefinition rules).
final class TOMLTable {
    enum Entry {
        case value(JSONValue)
        case table(TOMLTable)
        case tables([TOMLTable])
    }
    var order: [String] = []
    var entries: [String: Entry] = [:]
    /// Defined by a `[header]` (cannot be defined again).
    var explicit = false
    /// An inline table or a value's table: closed to later additions.
    var sealed = false
    /// Created by dotted keys in a key/value: cannot be reopened by a `[header]`.
    var dotted = false

    var json: JSONValue {
        .object(order.map { key in
            switch entries[key]! {
            case .value(let v): (key, v)
            case .table(let t): (key, t.json)
            case .tables(let ts): (key, .array(ts.map(\.json)))
            }
        })
    }

    func set(_ key: String, _ entry: Entry) {
        if entries[key] == nil { order.append(key) }
        entries[key] = entry
    }
}

struct TOMLParser {
    let bytes: [UInt8]
    let file: String
    var i = 0
    var line = 1
    var lineStart = 0
    let root = TOMLTable()
    var current: TOMLTable

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        current = root
    }

    var location: SourceLocation { SourceLocation(file: file, line: line, column: i - lineStart + 1) }

    func fail(_ message: String, hint: String? = nil) -> InputError { InputError("invalid TOML: \(message)", at: location, hint: hint) }

    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    mutating func skipSpaces() { while let c = peek, c == 0x20 || c == 0x09 { i += 1 } }

    mutating func skipComment() throws(InputError) {
        if peek == 0x23 {
            while let c = peek, c != 0x0A {
                if c < 0x20 && c != 0x09 && c != 0x0D { throw fail("control character in a comment") }
                i += 1
            }
        }
    }

    mutating func newline() {
        if peek == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
        if peek == 0x0A { i += 1; line += 1; lineStart = i }
    }

    /// Spaces, comments and newlines (inside arrays).
    mutating func skipBlank() throws(InputError) {
        while true {
            skipSpaces()
            try skipComment()
            if peek == 0x0A || peek == 0x0D { newline(); continue }
            return
        }
    }

    mutating func endOfLine() throws(InputError) {
        skipSpaces()
        try skipComment()
        guard peek == nil || peek == 0x0A || peek == 0x0D else { throw fail("expected the end of the line") }
        if peek == 0x0D && !(i + 1 < bytes.count && bytes[i + 1] == 0x0A) { throw fail("a lone carriage return") }
        newline()
    }

    mutating func document() throws(InputError) {
        while i < bytes.count {
            skipSpaces()
            guard let c = peek else { break }
            if c == 0x23 || c == 0x0A || c == 0x0D { try endOfLine(); continue }
            if c == 0x5B {
                try header()
            } else {
                try keyValue(into: current, inline: false)
            }
            try endOfLine()
        }
    }

    mutating func header() throws(InputError) {
        i += 1
        let isArray = peek == 0x5B
        if isArray { i += 1 }
        skipSpaces()
        let keys = try key()
        skipSpaces()
        guard peek == 0x5D else { throw fail("expected ']' to close the table header") }
        i += 1
        if isArray {
            guard peek == 0x5D else { throw fail("expected ']]' to close the array of tables header") }
            i += 1
        }
        var table = root
        for (index, name) in keys.enumerated() {
            let last = index == keys.count - 1
            switch table.entries[name] {
            case nil:
                if last && isArray {
                    let fresh = TOMLTable()
                    fresh.explicit = true
                    table.set(name, .tables([fresh]))
                    table = fresh
                } else {
                    let fresh = TOMLTable()
                    table.set(name, .table(fresh))
                    table = fresh
                }
            case .table(let existing):
                if existing.sealed { throw fail("'\(keys.joined(separator: "."))' extends an inline table or value") }
                if last {
                    if isArray { throw fail("'\(name)' is a table, not an array of tables") }
                    if existing.explicit || existing.dotted { throw fail("the table '\(keys.joined(separator: "."))' is defined twice") }
                    existing.explicit = true
                }
                table = existing
            case .tables(let list):
                if last {
                    guard isArray else { throw fail("'\(name)' is an array of tables; use [[\(keys.joined(separator: "."))]]") }
                    let fresh = TOMLTable()
                    fresh.explicit = true
                    table.set(name, .tables(list + [fresh]))
                    table = fresh
                } else {
                    table = list[list.count - 1]
                }
            case .value:
                throw fail("'\(keys[...index].joined(separator: "."))' is already a value")
            }
        }
        current = table
    }

    /// `a.b."c" = value` into `table`.
    mutating func keyValue(into table: TOMLTable, inline: Bool) throws(InputError) {
        let keys = try key()
        skipSpaces()
        guard peek == 0x3D else { throw fail("expected '=' after the key '\(keys.joined(separator: "."))'") }
        i += 1
        skipSpaces()
        let start = location
        let value = try self.value()
        var target = table
        for name in keys.dropLast() {
            switch target.entries[name] {
            case nil:
                let fresh = TOMLTable()
                fresh.dotted = true
                target.set(name, .table(fresh))
                target = fresh
            case .table(let existing):
                if existing.sealed { throw fail("'\(name)' is an inline table; it cannot be extended") }
                if existing.explicit && !existing.dotted { throw fail("the table '\(name)' was defined by a header; set its keys there") }
                target = existing
            default:
                throw fail("'\(name)' is already a value")
            }
        }
        let last = keys[keys.count - 1]
        guard target.entries[last] == nil else {
            throw InputError("invalid TOML: the key '\(keys.joined(separator: "."))' is defined twice", at: start)
        }
        switch value {
        case .table(let t): target.set(last, .table(t))
        default: target.set(last, value)
        }
    }

    mutating func key() throws(InputError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let c = peek else { throw fail("expected a key") }
            if c == 0x22 {
                parts.append(try basicString())
            } else if c == 0x27 {
                parts.append(try literalString())
            } else {
                let start = i
                while let c = peek, (0x61...0x7A).contains(c) || (0x41...0x5A).contains(c) || (0x30...0x39).contains(c) || c == 0x5F || c == 0x2D { i += 1 }
                guard i > start else { throw fail("expected a key") }
                parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
            }
            skipSpaces()
            if peek == 0x2E { i += 1; continue }
            return parts
        }
    }

    mutating func value() throws(InputError) -> TOMLTable.Entry {
        guard let c = peek else { throw fail("expected a value") }
        switch c {
        case 0x22:
            if i + 2 < bytes.count, bytes[i + 1] == 0x22, bytes[i + 2] == 0x22 { return .value(.string(try multilineString(literal: false))) }
            return .value(.string(try basicString()))
        case 0x27:
            if i + 2 < bytes.count, bytes[i + 1] == 0x27, bytes[i + 2] == 0x27 { return .value(.string(try multilineString(literal: true))) }
            return .value(.string(try literalString()))
        case 0x5B:
            i += 1
            var items: [JSONValue] = []
            while true {
                try skipBlank()
                if peek == 0x5D { i += 1; break }
                switch try value() {
                case .value(let v): items.append(v)
                case .table(let t): items.append(t.json)
                case .tables: throw fail("unexpected array of tables")
                }
                try skipBlank()
                if peek == 0x2C { i += 1; continue }
                guard peek == 0x5D else { throw fail("expected ',' or ']' in the array") }
                i += 1
                break
            }
            return .value(.array(items))
        case 0x7B:
            i += 1
            let table = TOMLTable()
            skipSpaces()
            if peek == 0x7D { i += 1; table.sealed = true; return .table(table) }
            while true {
                skipSpaces()
                try keyValue(into: table, inline: true)
                skipSpaces()
                if peek == 0x2C { i += 1; continue }
                guard peek == 0x7D else { throw fail("expected ',' or '}' in the inline table (it must fit on one line)") }
                i += 1
                break
            }
            seal(table)
            return .table(table)
        default:
            return .value(try scalar())
        }
    }

    func seal(_ table: TOMLTable) {
        table.sealed = true
        for entry in table.entries.values { if case .table(let t) = entry { seal(t) } }
    }

    mutating func scalar() throws(InputError) -> JSONValue {
        let start = i
        let at = location
        while let c = peek, !(c == 0x2C || c == 0x5D || c == 0x7D || c == 0x23 || c == 0x0A || c == 0x0D || c == 0x20 || c == 0x09) { i += 1 }
        // A date-time may hold one space (`1979-05-27 07:32:00`).
        var text = String(decoding: bytes[start..<i], as: UTF8.self)
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "inf", "+inf": return .double(.infinity)
        case "-inf": return .double(-.infinity)
        case "nan", "+nan", "-nan": return .double(.nan)
        default: break
        }
        if text.count >= 8, text.utf8.dropFirst(4).first == UInt8(ascii: "-") || text.utf8.dropFirst(2).first == UInt8(ascii: ":") {
            throw InputError("invalid TOML for DVC: '\(text)' is a date or time, and DVC cannot use dates in params", at: at,
                             hint: "quote it to make it text")
        }
        var sign = ""
        if text.hasPrefix("+") || text.hasPrefix("-") {
            sign = String(text.removeFirst())
        }
        func validUnderscores(_ digits: Substring) -> Bool {
            !digits.hasPrefix("_") && !digits.hasSuffix("_") && !digits.contains("__")
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where text.hasPrefix(prefix) {
            let digits = text.dropFirst(2)
            guard sign.isEmpty, validUnderscores(digits), let v = Int64(digits.replacing("_", with: ""), radix: radix) else {
                throw InputError("invalid TOML: '\(sign)\(text)' is not a number", at: at)
            }
            return .int(v)
        }
        guard validUnderscores(Substring(text)), !text.isEmpty else { throw InputError("invalid TOML: '\(sign)\(text)' is not a value", at: at) }
        let clean = text.replacing("_", with: "")
        let isDecimal = clean.utf8.allSatisfy { (0x30...0x39).contains($0) }
        if isDecimal {
            guard !(clean.count > 1 && clean.hasPrefix("0")), let v = Int64(sign + clean) else {
                throw InputError("invalid TOML: '\(sign)\(text)' is not a valid integer (no leading zeros)", at: at)
            }
            return .int(v)
        }
        // Float: int part, then `.digits` and/or exponent.
        let bytes = Array(clean.utf8)
        var k = 0
        func digits() -> Int { let s = k; while k < bytes.count, (0x30...0x39).contains(bytes[k]) { k += 1 }; return k - s }
        let intDigits = digits()
        var ok = intDigits > 0 && !(intDigits > 1 && bytes[0] == 0x30)
        var fractionOrExponent = false
        if ok, k < bytes.count, bytes[k] == 0x2E { k += 1; ok = digits() > 0; fractionOrExponent = true }
        if ok, k < bytes.count, bytes[k] == 0x65 || bytes[k] == 0x45 {
            k += 1
            if k < bytes.count, bytes[k] == 0x2B || bytes[k] == 0x2D { k += 1 }
            ok = digits() > 0
            fractionOrExponent = true
        }
        guard ok, fractionOrExponent, k == bytes.count, let d = Double(sign + clean) else {
            throw InputError("invalid TOML: '\(sign)\(text)' is not a value", at: at, hint: "quote text values: key = \"value\"")
        }
        return .double(d)
    }

    mutating func literalString() throws(InputError) -> String {
        i += 1
        let start = i
        while let c = peek, c != 0x27 {
            if c == 0x0A || (c < 0x20 && c != 0x09) { throw fail("a literal string must end on its line") }
            i += 1
        }
        guard peek == 0x27 else { throw fail("a string is never closed") }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        i += 1
        return text
    }

    mutating func basicString() throws(InputError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("a string is never closed") }
            if c == 0x22 { i += 1; break }
            if c == 0x0A || (c < 0x20 && c != 0x09) { throw fail("a basic string must end on its line") }
            if c == 0x5C { try escape(into: &out); continue }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func escape(into out: inout [UInt8]) throws(InputError) {
        i += 1
        guard let e = peek else { throw fail("a string is never closed") }
        i += 1
        switch e {
        case 0x62: out.append(0x08)
        case 0x74: out.append(0x09)
        case 0x6E: out.append(0x0A)
        case 0x66: out.append(0x0C)
        case 0x72: out.append(0x0D)
        case 0x22: out.append(0x22)
        case 0x5C: out.append(0x5C)
        case 0x75, 0x55:
            let count = e == 0x75 ? 4 : 8
            guard i + count <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + count)], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(v) else { throw fail("a bad \\u escape") }
            out += Array(String(Character(scalar)).utf8)
            i += count
        default: throw fail("the escape '\\\(Character(Unicode.Scalar(e)))' is not valid TOML")
        }
    }

    mutating func multilineString(literal: Bool) throws(InputError) -> String {
        let quote = bytes[i]
        i += 3
        if peek == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
        if peek == 0x0A { i += 1; line += 1; lineStart = i }  // a newline right after the opening is trimmed
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("a multi-line string is never closed") }
            if c == quote, i + 2 < bytes.count, bytes[i + 1] == quote, bytes[i + 2] == quote {
                // Up to two more quotes belong to the string.
                var extra = 0
                while i + 3 + extra < bytes.count, bytes[i + 3 + extra] == quote, extra < 2 { extra += 1 }
                out += Array(repeating: quote, count: extra)
                i += 3 + extra
                break
            }
            if c == 0x0A { out.append(c); i += 1; line += 1; lineStart = i; continue }
            if !literal && c == 0x5C {
                // A line-ending backslash trims the newline and the blanks after it.
                var j = i + 1
                while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
                if j < bytes.count, bytes[j] == 0x0A || bytes[j] == 0x0D {
                    i = j
                    while let w = peek, w == 0x20 || w == 0x09 || w == 0x0A || w == 0x0D {
                        if w == 0x0A { line += 1; lineStart = i + 1 }
                        i += 1
                    }
                    continue
                }
                try escape(into: &out)
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
