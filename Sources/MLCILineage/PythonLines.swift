import MLCISupport

/// Python source cut into logical lines of tokens (brackets, `\` continuations and `;` handled),
/// each with its indentation: what ``PythonParams`` needs to find assignments and class bodies.
///
/// Stateless; safe from any thread.
enum PythonLines {
    struct Token {
        enum Kind: Equatable {
            case name, `operator`
            case number(JSONValue)
            case string(String)
            /// Valid Python mlci does not read (bytes, complex numbers).
            case unsupported(String)
        }
        var kind: Kind
        var text: String
        var location: SourceLocation
    }

    struct Line {
        var indent: Int
        var tokens: [Token]
    }

    static let keywords: Set<String> = ["False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
                                        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
                                        "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield"]

    static let operators: [String] = ["**=", "//=", ">>=", "<<=", "...", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "|=",
                                      "^=", "@=", "->", ":=", "**", "//", "<<", ">>"]

    static func split(_ text: String, file: String) throws(InputError) -> [Line] {
        let b = Array(text.utf8)
        var lines: [Line] = []
        var current: [Token] = []
        var indent = 0
        var atLineStart = true
        var depth = 0
        var i = 0
        var line = 1
        var lineStart = 0
        func location(_ at: Int) -> SourceLocation { SourceLocation(file: file, line: line, column: at - lineStart + 1) }
        func finish() {
            if !current.isEmpty {
                // `a = 1; b = 2`: two statements at the same indentation.
                var part: [Token] = []
                for token in current {
                    if case .operator = token.kind, token.text == ";" {
                        if !part.isEmpty { lines.append(Line(indent: indent, tokens: part)) }
                        part = []
                    } else {
                        part.append(token)
                    }
                }
                if !part.isEmpty { lines.append(Line(indent: indent, tokens: part)) }
            }
            current = []
            atLineStart = true
        }
        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c >= 0x80
        }
        while i < b.count {
            let c = b[i]
            if atLineStart && depth == 0 {
                var column = 0
                while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0C {
                    column = b[i] == 0x09 ? (column / 8 + 1) * 8 : column + 1
                    i += 1
                }
                if i < b.count, b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x23 { // blank or comment line
                    while i < b.count, b[i] != 0x0A { i += 1 }
                    if i < b.count { i += 1; line += 1; lineStart = i }
                    continue
                }
                if i >= b.count { break }
                indent = column
                atLineStart = false
                continue
            }
            switch c {
            case 0x0A:
                i += 1
                line += 1
                lineStart = i
                if depth == 0 { finish() }
            case 0x20, 0x09, 0x0C, 0x0D: i += 1
            case 0x23: while i < b.count, b[i] != 0x0A { i += 1 }
            case 0x5C: // `\` continuation
                guard i + 1 < b.count, b[i + 1] == 0x0A || b[i + 1] == 0x0D else {
                    throw InputError("unexpected '\\' in a Python params file", at: location(i))
                }
                i += 1
                if b[i] == 0x0D { i += 1 }
                if i < b.count, b[i] == 0x0A { i += 1 }
                line += 1
                lineStart = i
            case 0x22, 0x27:
                current.append(try string(b, &i, prefix: "", location: location(i), line: &line, lineStart: &lineStart, file: file))
            case 0x30...0x39:
                current.append(number(b, &i, location: location(i)))
            case 0x2E where i + 1 < b.count && (0x30...0x39).contains(b[i + 1]):
                current.append(number(b, &i, location: location(i)))
            default:
                if isNameByte(c) {
                    let start = i
                    while i < b.count, isNameByte(b[i]) { i += 1 }
                    let name = String(decoding: b[start..<i], as: UTF8.self)
                    if i < b.count, b[i] == 0x22 || b[i] == 0x27, name.count <= 2,
                       name.lowercased().allSatisfy({ "rbuf".contains($0) }) {
                        current.append(try string(b, &i, prefix: name.lowercased(), location: location(start), line: &line,
                                                  lineStart: &lineStart, file: file))
                    } else {
                        current.append(Token(kind: .name, text: name, location: location(start)))
                    }
                    continue
                }
                let start = i
                var text = String(UnicodeScalar(c))
                for op in operators where b.count - i >= op.utf8.count && Array(b[i..<(i + op.utf8.count)]) == Array(op.utf8) {
                    text = op
                    break
                }
                i += text.utf8.count
                if text == "(" || text == "[" || text == "{" { depth += 1 }
                if text == ")" || text == "]" || text == "}" { depth = max(0, depth - 1) }
                current.append(Token(kind: .operator, text: text, location: location(start)))
            }
        }
        if depth > 0 { throw InputError("a bracket is never closed in the Python params file", at: SourceLocation(file: file, line: line)) }
        finish()
        return lines
    }

    static func number(_ b: [UInt8], _ i: inout Int, location: SourceLocation) -> Token {
        let start = i
        while i < b.count {
            let c = b[i]
            let isExponentSign = (c == 0x2B || c == 0x2D) && i > start && (b[i - 1] == 0x65 || b[i - 1] == 0x45)
                && !(String(decoding: b[start..<i], as: UTF8.self).lowercased().hasPrefix("0x"))
            if (0x30...0x39).contains(c) || (0x61...0x7A).contains(c) || (0x41...0x5A).contains(c) || c == 0x5F || c == 0x2E || isExponentSign {
                i += 1
            } else {
                break
            }
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        let clean = text.replacing("_", with: "").lowercased()
        if clean.hasSuffix("j") { return Token(kind: .unsupported("the complex number \(text)"), text: text, location: location) }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where clean.hasPrefix(prefix) {
            if let v = Int64(clean.dropFirst(2), radix: radix) { return Token(kind: .number(.int(v)), text: text, location: location) }
            return Token(kind: .unsupported("the number \(text)"), text: text, location: location)
        }
        if let v = Int64(clean), !(clean.count > 1 && clean.hasPrefix("0") && v != 0) {
            return Token(kind: .number(.int(v)), text: text, location: location)
        }
        if clean.contains(".") || clean.contains("e"), let d = Double(clean) {
            return Token(kind: .number(.double(d)), text: text, location: location)
        }
        return Token(kind: .unsupported("the number \(text)"), text: text, location: location)
    }

    static func string(_ b: [UInt8], _ i: inout Int, prefix: String, location: SourceLocation, line: inout Int, lineStart: inout Int,
                       file: String) throws(InputError) -> Token {
        let quote = b[i]
        let triple = i + 2 < b.count && b[i + 1] == quote && b[i + 2] == quote
        i += triple ? 3 : 1
        let raw = prefix.contains("r")
        var out: [UInt8] = []
        var closed = false
        while i < b.count {
            let c = b[i]
            if c == quote && (!triple || (i + 2 < b.count && b[i + 1] == quote && b[i + 2] == quote)) {
                i += triple ? 3 : 1
                closed = true
                break
            }
            if c == 0x0A {
                guard triple else { break }
                line += 1
                lineStart = i + 1
            }
            if c == 0x5C, i + 1 < b.count {
                let next = b[i + 1]
                if raw {
                    out.append(c)
                    out.append(next)
                    if next == 0x0A { line += 1; lineStart = i + 2 }
                    i += 2
                    continue
                }
                i += 2
                switch next {
                case 0x0A: line += 1; lineStart = i
                case 0x6E: out.append(0x0A)
                case 0x74: out.append(0x09)
                case 0x72: out.append(0x0D)
                case 0x30: out.append(0)
                case 0x5C, 0x27, 0x22: out.append(next)
                case 0x61: out.append(0x07)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x76: out.append(0x0B)
                case 0x78, 0x75, 0x55:
                    let count = next == 0x78 ? 2 : next == 0x75 ? 4 : 8
                    guard i + count <= b.count, let v = UInt32(String(decoding: b[i..<(i + count)], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(v) else {
                        throw InputError("a bad escape in a Python string", at: location)
                    }
                    out += Array(String(Character(scalar)).utf8)
                    i += count
                default:
                    // Python keeps unknown escapes (`\d`) as they are; `\N{…}` and octal are not read.
                    if next == 0x4E || (0x31...0x37).contains(next) {
                        throw InputError("this escape in a Python string is not supported by mlci", at: location)
                    }
                    out.append(0x5C)
                    out.append(next)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        guard closed else { throw InputError("a string is never closed in the Python params file", at: location) }
        let text = String(decoding: out, as: UTF8.self)
        if prefix.contains("b") { return Token(kind: .unsupported("a bytes value"), text: text, location: location) }
        if prefix.contains("f") { return Token(kind: .name, text: "f-string", location: location) }
        return Token(kind: .string(text), text: text, location: location)
    }
}
