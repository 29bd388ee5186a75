/// A strict JSON (RFC 8259) parser that reports where a document is malformed.
///
/// Rejects trailing commas, comments, `NaN`, unescaped control characters, invalid UTF-8 and
/// nesting deeper than ``maximumDepth``; a duplicate key keeps the last value. Numbers without
/// a fraction or exponent that fit in `Int64` become `.int`, others `.double`.
/// Stateless and `Sendable`.
public struct JSONParser: Sendable {
    /// A malformed document: what is wrong and where (1-based line and column).
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, without the position.
        public let message: String
        public let line: Int
        public let column: Int
        public var description: String { "\(line):\(column): \(message)" }
    }

    public var maximumDepth: Int = 512

    public init() {}

    public func parse(_ text: String) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        var state = State(bytes: bytes, maximumDepth: maximumDepth)
        state.skipWhitespace()
        if state.index == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw state.failure("the document starts with a byte-order mark; save it as UTF-8 without BOM")
        }
        let value = try state.value(depth: 0)
        state.skipWhitespace()
        if state.index < bytes.count { throw state.failure("unexpected text after the JSON value") }
        return value
    }

    struct State {
        let bytes: [UInt8]
        let maximumDepth: Int
        var index = 0

        func failure(_ message: String) -> Failure {
            var line = 1
            var lineStart = 0
            var i = 0
            while i < min(index, bytes.count) {
                if bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
                i += 1
            }
            // Column counts characters, not bytes.
            let column = String(decoding: bytes[lineStart..<min(index, bytes.count)], as: UTF8.self).count + 1
            return Failure(message: message, line: line, column: column)
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard depth < maximumDepth else { throw failure("nesting deeper than \(maximumDepth) levels") }
            guard index < bytes.count else { throw failure("unexpected end of the document; expected a value") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            case UInt8(ascii: "N"), UInt8(ascii: "I"):
                throw failure("NaN and Infinity are not JSON numbers")
            default:
                throw failure("unexpected character '\(printable(bytes[index]))'; expected a value")
            }
        }

        func printable(_ byte: UInt8) -> String {
            byte >= 0x20 && byte < 0x7f ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
        }

        mutating func literal(_ word: String) throws(Failure) {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
                throw failure("unexpected text; expected '\(word)'")
            }
            index += w.count
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            index += 1
            var members: [(String, JSONValue)] = []
            var positions: [String: Int] = [:]
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object([]) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw failure(index < bytes.count && bytes[index] == UInt8(ascii: "}")
                                  ? "trailing comma before '}'" : "expected a member name in double quotes")
                }
                let key = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after the member name") }
                index += 1
                skipWhitespace()
                let v = try value(depth: depth + 1)
                if let existing = positions[key] { members[existing].1 = v } else {
                    positions[key] = members.count
                    members.append((key, v))
                }
                skipWhitespace()
                guard index < bytes.count else { throw failure("unexpected end of the document; expected ',' or '}'") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw failure("expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array([]) }
            while true {
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { throw failure("trailing comma before ']'") }
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw failure("unexpected end of the document; expected ',' or ']'") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw failure("expected ',' or ']'")
            }
        }

        mutating func string() throws(Failure) -> String {
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    guard let s = String(validating: out, as: UTF8.self) else {
                        throw failure("the string is not valid UTF-8")
                    }
                    return s
                }
                if byte < 0x20 { throw failure("control character in a string; escape it") }
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < bytes.count else { break }
                    switch bytes[index] {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\"),
                                  bytes[index + 2] == UInt8(ascii: "u") else { throw failure("unpaired surrogate in \\u escape") }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw failure("invalid surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw failure("unpaired surrogate in \\u escape")
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default: throw failure("invalid escape '\\\(printable(bytes[index]))'")
                    }
                    index += 1
                    continue
                }
                out.append(byte)
                index += 1
            }
            throw failure("unterminated string")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 < bytes.count else { throw failure("truncated \\u escape") }
            var v: UInt32 = 0
            for offset in 1...4 {
                let c = bytes[index + offset]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                default: throw failure("invalid \\u escape")
                }
                v = v << 4 | d
            }
            index += 4
            return v
        }

        mutating func number() throws(Failure) -> JSONValue {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { throw failure("invalid number") }
            if bytes[index] == 0x30, index + 1 < bytes.count, (0x30...0x39).contains(bytes[index + 1]) {
                throw failure("numbers must not have leading zeros")
            }
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            var isInteger = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { throw failure("invalid number: digits expected after '.'") }
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { throw failure("invalid number: digits expected in the exponent") }
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isInteger, let i = Int64(text) { return .int(i) }
            guard let d = Double(text), d.isFinite else { throw failure("number out of range") }
            return .double(d)
        }
    }
}
