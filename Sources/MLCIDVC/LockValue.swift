import MLCIConfig
import MLCISupport
import MLCIYAML

/// A value of dvc.lock (or a params file) as DVC's YAML 1.2 loader types it, mappings in order.
///
/// Floats keep the text they were read with, so entries mlci does not touch are re-emitted as
/// they were (ruamel's round-trip loader does the same). A value type; thread-safe.
public indirect enum LockValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// The number and, when read from a file, its spelling there.
    case float(Double, text: String?)
    case string(String)
    case sequence([LockValue])
    case mapping([(String, LockValue)])

    public static func == (lhs: LockValue, rhs: LockValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.float(a, _), .float(b, _)): a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): a == b
        case let (.sequence(a), .sequence(b)): a == b
        case let (.mapping(a), .mapping(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Python's `!=` on loaded values, which DVC uses to compare params: `1 == 1.0 == True`,
    /// dict order ignored, list order kept.
    public func pythonEquals(_ other: LockValue) -> Bool {
        func number(_ value: LockValue) -> Double? {
            switch value {
            case .bool(let b): b ? 1 : 0
            case .int(let i): Double(i)
            case .float(let d, _): d
            default: nil
            }
        }
        if let a = number(self), let b = number(other) { return a == b }
        switch (self, other) {
        case (.null, .null): return true
        case let (.string(a), .string(b)): return a == b
        case let (.sequence(a), .sequence(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.pythonEquals($1) }
        case let (.mapping(a), .mapping(b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in b.first { $0.0 == key }.map { value.pythonEquals($0.1) } ?? false }
        default: return false
        }
    }

    /// The member `key` of a mapping.
    public subscript(key: String) -> LockValue? {
        guard case .mapping(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }

    /// As JSON (for reports and mlci's own records).
    public var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .float(let d, _): .double(d)
        case .string(let s): .string(s)
        case .sequence(let items): .array(items.map(\.json))
        case .mapping(let members): .object(members.map { ($0.0, $0.1.json) })
        }
    }

    /// From JSON (JSON params files: DVC loads them with Python's `json`).
    public init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .float(d, text: nil)
        case .string(let s): self = .string(s)
        case .array(let items): self = .sequence(items.map(LockValue.init(json:)))
        case .object(let members): self = .mapping(members.map { ($0.0, LockValue(json: $0.1)) })
        }
    }
}

extension LockValue {
    /// Reads YAML text with YAML 1.2 core-schema typing (ruamel's `YAML(typ="safe")`, which
    /// DVC uses): `yes`/`on` are strings, `1e3` is a float, `017` is 17.
    public static func parseYAML(_ text: String, file: String) throws(InputError) -> (LockValue, Node)? {
        let node: Node?
        do {
            node = try YAML.compose(text)
        } catch {
            throw InputError("\(file) is not valid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        guard let node else { return nil }
        return (try from(node, file: file), node)
    }

    static func from(_ node: Node, file: String) throws(InputError) -> LockValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            let tag = node.tag.rawValue
            if tag == "tag:yaml.org,2002:str" || (tag != "?" && !tag.isEmpty && tag != Tag.Name.implicit.rawValue && !tag.hasPrefix("tag:yaml.org,2002:")) {
                return .string(scalar.string)
            }
            return resolvePlain(scalar.string)
        case .mapping(let mapping):
            var members: [(String, LockValue)] = []
            for (key, value) in mapping {
                let name: String
                switch try from(key, file: file) {
                case .string(let s): name = s
                case .int(let i): name = String(i)
                case .bool(let b): name = b ? "True" : "False"
                case .float(let d, let text): name = text ?? PythonFloat.repr(d)
                case .null: name = "None"
                default:
                    throw InputError("\(file): a mapping key must be a scalar", at: YAMLDocument.location(of: key, file: file))
                }
                members.append((name, try from(value, file: file)))
            }
            return .mapping(members)
        case .sequence(let sequence):
            var items: [LockValue] = []
            for item in sequence { items.append(try from(item, file: file)) }
            return .sequence(items)
        }
    }

    /// The YAML 1.2 core schema's reading of a plain scalar (ruamel's `VersionedResolver`).
    public static func resolvePlain(_ text: String) -> LockValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity, text: text)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity, text: text)
        case ".nan", ".NaN", ".NAN": return .float(.nan, text: text)
        default: break
        }
        if let int = YAML12Scalars.integer(text) { return .int(int) }
        if let float = YAML12Scalars.float(text) { return .float(float, text: text) }
        return .string(text)
    }
}

/// The YAML 1.2 number patterns ruamel resolves (underscores allowed, as ruamel does).
enum YAML12Scalars {
    static func integer(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if let first = body.first, first == "+" || first == "-" { negative = first == "-"; body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        var radix = 10
        if body.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) }
        else if body.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
        else if body.hasPrefix("0b") { radix = 2; body = body.dropFirst(2) }
        guard !body.isEmpty, body.first != "_" || radix != 10 else { return nil }
        let digits = body.filter { $0 != "_" }
        guard !digits.isEmpty, let magnitude = Int64(digits, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// `[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?`, with a `.` or an exponent.
    static func float(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        var i = 0
        if i < chars.count, chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-") { i += 1 }
        let isDigit = { (c: UInt8) in c >= 0x30 && c <= 0x39 }
        var sawDot = false, sawExponent = false, mantissaDigits = 0
        if i < chars.count, chars[i] == UInt8(ascii: ".") {
            sawDot = true
            i += 1
            while i < chars.count, isDigit(chars[i]) || chars[i] == UInt8(ascii: "_") { if isDigit(chars[i]) { mantissaDigits += 1 }; i += 1 }
            guard mantissaDigits > 0 else { return nil }
        } else {
            guard i < chars.count, isDigit(chars[i]) else { return nil }
            while i < chars.count, isDigit(chars[i]) || chars[i] == UInt8(ascii: "_") { mantissaDigits += 1; i += 1 }
            if i < chars.count, chars[i] == UInt8(ascii: ".") {
                sawDot = true
                i += 1
                while i < chars.count, isDigit(chars[i]) || chars[i] == UInt8(ascii: "_") { i += 1 }
            }
        }
        if i < chars.count, chars[i] == UInt8(ascii: "e") || chars[i] == UInt8(ascii: "E") {
            sawExponent = true
            i += 1
            if i < chars.count, chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-") { i += 1 }
            var expDigits = 0
            while i < chars.count, isDigit(chars[i]) { expDigits += 1; i += 1 }
            guard expDigits > 0 else { return nil }
        }
        guard i == chars.count, sawDot || sawExponent else { return nil }
        return Double(text.filter { $0 != "_" })
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, fixed notation for exponents
/// from -4 to 15, otherwise `d.ddde±XX`.
public enum PythonFloat {
    public static func repr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description is also the shortest round-tripping form; take its digits.
        var text = "\(Swift.abs(value))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var digits = text.replacingOccurrences(".", "")
        let pointIndex = text.firstIndex(of: ".").map { text.distance(from: text.startIndex, to: $0) } ?? text.count
        // value = 0.digits × 10^(pointIndex + exponent) after stripping leading zeros.
        var decimalExponent = pointIndex + exponent
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); decimalExponent -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sci = decimalExponent - 1  // exponent of the first digit
        let sign = value < 0 ? "-" : ""
        if sci >= -5 + 1 && sci < 16 {
            if decimalExponent <= 0 {
                return sign + "0." + String(repeating: "0", count: -decimalExponent) + digits
            }
            if digits.count <= decimalExponent {
                return sign + digits + String(repeating: "0", count: decimalExponent - digits.count) + ".0"
            }
            let cut = digits.index(digits.startIndex, offsetBy: decimalExponent)
            return sign + digits[..<cut] + "." + digits[cut...]
        }
        let mantissa = digits.count == 1 ? digits : String(digits.prefix(1)) + "." + digits.dropFirst()
        let expText = String(Swift.abs(sci))
        return sign + mantissa + "e" + (sci < 0 ? "-" : "+") + (expText.count < 2 ? "0" + expText : expText)
    }
}

extension String {
    func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
