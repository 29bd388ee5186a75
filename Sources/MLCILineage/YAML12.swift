import MLCIConfig
import MLCISupport
import MLCIYAML

/// YAML read the way DVC 3 reads it: ruamel.yaml's safe loader in YAML 1.2 mode. `yes`/`on`
/// are strings, `1e-3` is a float, `017` is 17, `0o17` is 15, `1_000` is 1000, and a date or
/// timestamp is refused (DVC fails on it too).
///
/// Stateless; safe from any thread.
public enum YAML12 {
    /// The root node of `text` with every plain scalar left untyped (see ``value(_:file:)``).
    public static func parse(_ text: String, file: String) throws(InputError) -> Node? {
        try YAMLDocument.parse(text, file: file, resolver: .basic)
    }

    /// The document as a value: mappings keep their order, scalars typed by YAML 1.2's core
    /// schema as ruamel resolves it. An empty document is `{}` (as DVC loads it).
    public static func load(_ text: String, file: String) throws(InputError) -> JSONValue {
        guard let root = try parse(text, file: file) else { return .object([]) }
        return try value(root, file: file)
    }

    /// A node's value. Merge keys (`<<`) and timestamps are refused with their location.
    public static func value(_ node: Node, file: String) throws(InputError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return try self.scalar(scalar, node: node, file: file)
        case .mapping(let mapping):
            var members: [(String, JSONValue)] = []
            members.reserveCapacity(mapping.count)
            for (key, inner) in mapping {
                let name = try keyString(key, file: file)
                let resolved = try value(inner, file: file)
                // Keys equal after typing (`1` and `"1"` stay distinct in Python, but both are
                // text here): the later one wins, as in a Python dict built in order.
                if let index = members.firstIndex(where: { $0.0 == name }) {
                    members[index].1 = resolved
                } else {
                    members.append((name, resolved))
                }
            }
            return .object(members)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try value(item, file: file)) }
            return .array(items)
        }
    }

    /// A mapping key as text (`1` and `true` keys are written as Python's `str()` would).
    public static func keyString(_ key: Node, file: String) throws(InputError) -> String {
        guard case .scalar(let scalar) = key else {
            throw InputError("a mapping key must be a plain value, not a list or mapping", at: YAMLDocument.location(of: key, file: file))
        }
        if scalar.style == .plain && scalar.string == "<<" {
            throw InputError("YAML merge keys ('<<') are not supported", at: YAMLDocument.location(of: key, file: file),
                             hint: "write the merged keys out")
        }
        switch try self.scalar(scalar, node: key, file: file) {
        case .string(let s): return s
        case .bool(let b): return b ? "True" : "False"
        case .null: return "None"
        case .int(let i): return String(i)
        case .double(let d): return PythonText.float(d)
        default: return scalar.string
        }
    }

    static func scalar(_ scalar: Node.Scalar, node: Node, file: String) throws(InputError) -> JSONValue {
        let text = scalar.string
        switch Tag.Name(rawValue: scalar.tag.rawValue) {
        case .str where scalar.style != .plain: return .string(text)
        case .null: return .null
        case .bool:
            if let b = Bool(text.lowercased()) { return .bool(b) }
        case .int:
            if let i = integer(text) { return .int(i) }
        case .float:
            if let d = float(text) ?? integer(text).map(Double.init) { return .double(d) }
        default: break
        }
        if scalar.style != .plain { return .string(text) }
        let resolved = resolve(text)
        if case .string = resolved, isTimestamp(text) {
            throw InputError("'\(text)' is a YAML date; DVC cannot use dates ('Unsupported value of type date')",
                             at: YAMLDocument.location(of: node, file: file), hint: "quote it to make it text: \"\(text)\"")
        }
        return resolved
    }

    /// The value of a plain scalar under ruamel.yaml's YAML 1.2 resolver.
    public static func resolve(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return .string(text) }
        if let i = integer(text) { return .int(i) }
        if let d = float(text) { return .double(d) }
        return .string(text)
    }

    /// `[-+]?0b[01_]+ | [-+]?0o[0-7_]+ | [-+]?[0-9_]+ | [-+]?0x[0-9a-fA-F_]+` (ruamel's 1.2
    /// int pattern; a leading `0` is decimal in 1.2).
    static func integer(_ text: String) -> Int64? {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var radix: Int64 = 10
        if bytes.count > 2, bytes.first == UInt8(ascii: "0") {
            switch bytes[bytes.index(after: bytes.startIndex)] {
            case UInt8(ascii: "b"): radix = 2
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "x"): radix = 16
            default: break
            }
            if radix != 10 { bytes = bytes.dropFirst(2) }
        }
        var value: Int64 = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: "_") { continue }
            let digit: Int64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < radix else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (a, o2) = m.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = a
            digits += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }

    /// ruamel's 1.2 float pattern: `[-+]?D[D_]*\.[D_]*([eE][-+]?D+)?`, `[-+]?D[D_]*[eE][-+]?D+`,
    /// `[-+]?\.[D_]+([eE][-+]D+)?`.
    static func float(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        var i = 0
        func digits(allowUnderscore: Bool) -> Int {
            let start = i
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) || (allowUnderscore && bytes[i] == UInt8(ascii: "_")) { i += 1 }
            return i - start
        }
        func isDigit(_ at: Int) -> Bool { at < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            // `.5`, `-.5`, `.5e+3`: the exponent needs a sign (ruamel reads `-.5` as -0.5).
            i += 1
            guard isDigit(i), digits(allowUnderscore: true) > 0 else { return nil }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                guard i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") else { return nil }
                i += 1
                guard digits(allowUnderscore: false) > 0 else { return nil }
            }
        } else {
            guard isDigit(i) else { return nil }
            _ = digits(allowUnderscore: true)
            var hasDot = false
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                hasDot = true
                i += 1
                _ = digits(allowUnderscore: true)
            }
            var hasExponent = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                hasExponent = true
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
                guard digits(allowUnderscore: false) > 0 else { return nil }
            }
            guard hasDot || hasExponent else { return nil }
        }
        guard i == bytes.count else { return nil }
        return Double(String(decoding: bytes.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self))
    }

    /// `YYYY-M-D` or `YYYY-M-D[Tt ]h:m:s…`, YAML's timestamp.
    static func isTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 8 else { return false }
        func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
        guard bytes[0..<4].allSatisfy(isDigit), bytes[4] == UInt8(ascii: "-") else { return false }
        var i = 5
        var n = 0
        while i < bytes.count, isDigit(bytes[i]) { i += 1; n += 1 }
        guard (1...2).contains(n), i < bytes.count, bytes[i] == UInt8(ascii: "-") else { return false }
        i += 1
        n = 0
        while i < bytes.count, isDigit(bytes[i]) { i += 1; n += 1 }
        guard (1...2).contains(n) else { return false }
        if i == bytes.count { return true }
        return bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "t") || bytes[i] == UInt8(ascii: " ")
    }
}

/// Values written as Python's `str()` writes them: DVC's `${}` interpolation and stage names
/// use it.
///
/// Stateless; safe from any thread.
public enum PythonText {
    /// `repr(float)`: `0.001`, `1e-05`, `1e+16`, `100.0`, `inf`, `nan`.
    public static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return JSONWriter.number(d)
    }

    /// `str(value)` for a scalar; bools as `true`/`false` (DVC's `to_str`), None as `None`.
    public static func string(_ value: JSONValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return float(d)
        case .string(let s): return s
        case .array(let items): return "[" + items.map(repr).joined(separator: ", ") + "]"
        case .object(let members): return "{" + members.map { "'\($0.0)': \(repr($0.1))" }.joined(separator: ", ") + "}"
        }
    }

    /// `repr(value)` (strings in single quotes, bools as `True`/`False`).
    public static func repr(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "'" + s + "'"
        case .bool(let b): return b ? "True" : "False"
        default: return string(value)
        }
    }
}
