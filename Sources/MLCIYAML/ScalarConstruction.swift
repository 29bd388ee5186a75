/// Yams' scalar constructors (`Bool`, `Int`, `Double` from a `Node.Scalar`), reproduced so
/// that typed reads of mlci.yaml and dvc.lock keep their meaning. Stateless; thread-safe.
enum ScalarConstruction {
    static func bool(_ scalar: Node.Scalar) -> Bool? {
        if scalar.tag == .str { return nil }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// `0` prefixes octal, `0x`/`0b`/`0o` their radix, `:` base 60, `_` is ignored.
    static func int(_ scalar: Node.Scalar) -> Int? {
        guard scalar.style == .any || scalar.style == .plain else { return nil }
        let withSign = scalar.string.filter { $0 != "_" }
        if withSign == "0" { return 0 }
        let negative = withSign.hasPrefix("-")
        let hasSign = negative || withSign.hasPrefix("+")
        let body = withSign.dropFirst(hasSign ? 1 : 0)
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where body.hasPrefix(prefix) {
            return Int((negative ? "-" : "") + body.dropFirst(prefix.count), radix: radix)
        }
        if body.contains(":") { return sexagesimalInt(withSign) }
        return Int(withSign)
    }

    static func float(_ scalar: Node.Scalar) -> Double? {
        guard scalar.style == .any || scalar.style == .plain else { return nil }
        switch scalar.string.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default:
            let text = scalar.string.filter { $0 != "_" }
            if text.contains(":") { return sexagesimal(text, Double.init) }
            return Double(text)
        }
    }

    /// Base 60 as an `Int`; `nil` where Yams' arithmetic would overflow (it traps).
    static func sexagesimalInt(_ text: String) -> Int? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("-") { negative = true; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
        var value = 0
        for component in body.split(separator: ":", omittingEmptySubsequences: false) {
            guard let digit = Int(component) else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 60)
            let (sum, o2) = shifted.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = sum
        }
        return negative ? -value : value
    }

    /// `[-+]a:b:c` = ±(a·60² + b·60 + c); every component must read as a number.
    static func sexagesimal<T: Numeric>(_ text: String, _ make: (String) -> T?) -> T? {
        var body = Substring(text)
        var sign: T = 1
        if body.hasPrefix("-") { sign = -1; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
        var value: T = 0
        for component in body.split(separator: ":", omittingEmptySubsequences: false) {
            guard let digit = make(String(component)) else { return nil }
            value = value * 60 + digit
        }
        return sign * value
    }
}
