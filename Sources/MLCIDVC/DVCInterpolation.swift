import MLCILineage
import MLCISupport

/// DVC 3's `${…}` templating (`dvc/parsing/interpolate.py`): matching, key parsing, lookup,
/// whole-value substitution and `to_str` rendering, with DVC's error texts.
///
/// Stateless; safe from any thread.
public enum DVCInterpolation {
    /// A failure with DVC's own message (`Could not find 'x'`), without location: the caller
    /// adds where it happened.
    public struct Failure: Error, Sendable, Equatable {
        public let message: String
        /// Where in the string the failing `${` starts, in characters (`nil`: the whole string).
        public var offset: Int?

        public init(message: String, offset: Int? = nil) {
            self.message = message
            self.offset = offset
        }
    }

    /// One `${…}` in a string: its byte range and the text between the braces.
    struct Match {
        var start: Int
        var end: Int
        var inner: String
    }

    /// `(?<!\\)\${(?P<inner>.*?)}`: ends at the first `}`; `\${` is not a match.
    static func matches(_ bytes: [UInt8]) -> [Match] {
        var out: [Match] = []
        var i = 0
        let n = bytes.count
        while i + 1 < n {
            if bytes[i] == UInt8(ascii: "$"), bytes[i + 1] == UInt8(ascii: "{"), i == 0 || bytes[i - 1] != UInt8(ascii: "\\") {
                var j = i + 2
                // `.` in the regex does not match a newline.
                while j < n, bytes[j] != UInt8(ascii: "}"), bytes[j] != 0x0A { j += 1 }
                if j < n, bytes[j] == UInt8(ascii: "}") {
                    out.append(Match(start: i, end: j + 1, inner: String(decoding: bytes[(i + 2)..<j], as: UTF8.self)))
                    i = j + 1
                    continue
                }
            }
            i += 1
        }
        return out
    }

    /// Whether `text` holds a `${` at all: the fast path for the many strings that do not.
    @inline(__always)
    static func mightInterpolate(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{") && previous == UInt8(ascii: "$") { return true }
            previous = byte
        }
        return false
    }

    /// The key path of `inner`: `word (("." word) | ("[" word "]"))*`, where a word has no
    /// `.`, `[` or `]`; segments are stripped (`${ a.b }` is `a.b`).
    static func keyPath(_ inner: String) throws(Failure) -> [String] {
        let bytes = Array(inner.utf8)
        var segments: [String] = []
        var i = 0
        func word() -> String? {
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "."), bytes[i] != UInt8(ascii: "["), bytes[i] != UInt8(ascii: "]") { i += 1 }
            return i > start ? String(decoding: bytes[start..<i], as: UTF8.self) : nil
        }
        guard let first = word() else {
            throw Failure(message: i < bytes.count ? "ParseException: Expected W:(.[]), found '\(Character(Unicode.Scalar(bytes[i])))'"
                                                   : "Expected !W:(.[]), found '}'")
        }
        segments.append(first)
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard let next = word() else {
                    throw Failure(message: "ParseException: Expected end of text, found '.'")
                }
                segments.append(next)
            } else if bytes[i] == UInt8(ascii: "[") {
                i += 1
                guard let next = word(), i < bytes.count, bytes[i] == UInt8(ascii: "]") else {
                    throw Failure(message: "ParseException: Expected end of text, found '['")
                }
                i += 1
                segments.append(next)
            } else {
                throw Failure(message: "ParseException: Expected end of text, found '\(Character(Unicode.Scalar(bytes[i])))'")
            }
        }
        return segments.map(strip)
    }

    static func strip(_ s: String) -> String {
        var slice = Substring(s)
        while let f = slice.first, f.isWhitespace { slice = slice.dropFirst() }
        while let l = slice.last, l.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }

    /// `Container.select`: mappings by key, lists by `int()` of the segment (negative counts
    /// from the end); anything else is `Could not find`.
    static func select(_ path: [String], in context: JSONValue) throws(Failure) -> JSONValue {
        var current = context
        for (index, segment) in path.enumerated() {
            let found: JSONValue?
            switch current {
            case .object(let members):
                found = members.last { $0.0 == segment }?.1
            case .array(let items):
                if let i = Int(segment) ?? Int(strip(segment)) {
                    let position = i < 0 ? items.count + i : i
                    found = items.indices.contains(position) ? items[position] : nil
                } else {
                    found = nil
                }
            default:
                found = nil
            }
            guard let found else { throw Failure(message: "Could not find '\(path[...index].joined(separator: "."))'") }
            current = found
        }
        return current
    }

    /// How a `${}` value may be used, from the field it is in (`validate_value`).
    public enum Field: Sendable, Equatable {
        /// `cmd`: a dict is unpacked into `--key value` options.
        case command
        /// `foreach`, `matrix`, and the top-level `params`/`metrics`/`plots`/`artifacts`: any value.
        case anything
        /// Every other stage field: scalars only.
        case scalar
    }

    /// Resolves the `${…}` in `text` against `context`: a string that is exactly one `${x}`
    /// keeps the value's type; otherwise values are rendered with DVC's `to_str`, and every
    /// `\${` becomes `${`.
    public static func resolve(_ text: String, context: JSONValue, field: Field) throws(Failure) -> JSONValue {
        guard mightInterpolate(text) else { return .string(text) }
        let bytes = Array(text.utf8)
        let found = matches(bytes)
        func at(_ match: Match, _ body: () throws(Failure) -> JSONValue) throws(Failure) -> JSONValue {
            do {
                return try body()
            } catch {
                var located = error
                located.offset = String(decoding: bytes[0..<match.start], as: UTF8.self).count
                throw located
            }
        }
        if found.count == 1, found[0].start == 0, found[0].end == bytes.count {
            return try at(found[0]) { () throws(Failure) -> JSONValue in
                let value = try select(try keyPath(found[0].inner), in: context)
                try validate(value, field: field)
                return value
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var index = 0
        for match in found {
            let value = try at(match) { () throws(Failure) -> JSONValue in
                let value = try select(try keyPath(match.inner), in: context)
                try validate(value, field: field)
                return .string(try render(value, field: field))
            }
            out += bytes[index..<match.start]
            if case .string(let rendered) = value { out += Array(rendered.utf8) }
            index = match.end
        }
        out += bytes[index...]
        return .string(unescape(String(decoding: out, as: UTF8.self)))
    }

    /// `\${` → `${` everywhere in a resolved string.
    static func unescape(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return text }
        return text.replacing("\\${", with: "${")
    }

    static func validate(_ value: JSONValue, field: Field) throws(Failure) {
        switch value {
        case .array:
            if field != .anything { throw Failure(message: "Cannot interpolate data of type 'list'") }
        case .object:
            if field == .scalar { throw Failure(message: "Cannot interpolate data of type 'dict'") }
        default: break
        }
    }

    /// DVC's `to_str`; a dict in `cmd` becomes `--key value` options (default `parsing` config).
    static func render(_ value: JSONValue, field: Field) throws(Failure) -> String {
        switch value {
        case .object:
            var parts: [String] = []
            try options(value, prefix: "", into: &parts)
            var text = parts.joined(separator: " ")
            while text.last == " " { text.removeLast() }
            return text
        default:
            return PythonText.string(value)
        }
    }

    static func options(_ value: JSONValue, prefix: String, into parts: inout [String]) throws(Failure) {
        guard case .object(let members) = value else { return }
        for (key, inner) in members {
            let name = prefix.isEmpty ? key : prefix + "." + key
            switch inner {
            case .object: try options(inner, prefix: name, into: &parts)
            case .bool(true): parts.append("--\(name)")
            case .bool(false): break
            case .string(let s): parts.append("--\(name) \(shellQuote(s))")
            case .array(let items):
                var rendered: [String] = []
                for item in items {
                    switch item {
                    case .array, .object: throw Failure(message: "Cannot interpolate nested iterable in '\(name)'")
                    case .string(let s): rendered.append(shellQuote(s))
                    default: rendered.append(PythonText.string(item))
                    }
                }
                parts.append("--\(name) " + rendered.joined(separator: " "))
            case .null: parts.append("--\(name) None")
            case .int, .double: parts.append("--\(name) \(PythonText.string(inner))")
            }
        }
    }

    /// Python's `shlex.quote`.
    static func shellQuote(_ s: String) -> String {
        if s.isEmpty { return "''" }
        let safe = s.utf8.allSatisfy { b in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || "@%+=:,./-_".utf8.contains(b)
        }
        if safe { return s }
        return "'" + s.replacing("'", with: "'\"'\"'") + "'"
    }
}
