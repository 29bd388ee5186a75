import MLCISupport

/// A small schema language for mlci's YAML files: the loader validates nodes against it, and
/// the same value renders the JSON Schema editors use (`schemas/mlci.schema.json`), so the
/// two cannot drift apart.
///
/// A value type: `Sendable`.
public indirect enum Schema: Sendable {
    /// A mapping with fixed keys; unknown keys are errors (with "did you mean"). When
    /// `requireAnyOf` is not empty, at least one of those keys must be present.
    case object([Property], description: String = "", requireAnyOf: [String] = [])
    /// A mapping whose keys the user names (stages, metrics, environments).
    case map(key: StringRule, value: Schema, description: String = "")
    case array(Schema, minItems: Int = 0, description: String = "")
    case string(StringRule, description: String = "")
    case number(minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Bool = false, description: String = "")
    case integer(minimum: Int? = nil, maximum: Int? = nil, description: String = "")
    case boolean(description: String = "")
    /// One of several shapes, told apart by the node's kind (scalar, sequence, mapping).
    case either([Schema], description: String = "")
    /// Exactly one of the listed strings.
    case enumeration([String], description: String = "")
    /// Any scalar value: string, number, boolean or null.
    case scalar(description: String = "")

    /// One key of an ``object``.
    public struct Property: Sendable {
        public let name: String
        public let schema: Schema
        public let isRequired: Bool

        public init(_ name: String, _ schema: Schema, required: Bool = false) {
            self.name = name
            self.schema = schema
            self.isRequired = required
        }
    }

    var description: String {
        switch self {
        case .object(_, let d, _), .map(_, _, let d), .array(_, _, let d), .string(_, let d), .number(_, _, _, let d),
             .integer(_, _, let d), .boolean(let d), .either(_, let d), .enumeration(_, let d), .scalar(let d): d
        }
    }

    /// What a node of this schema is, in words, for "expected …" messages.
    var expectation: String {
        switch self {
        case .object: "a mapping"
        case .map: "a mapping"
        case .array(let item, _, _): "a list of \(item.plural)"
        case .string(let rule, _): rule.noun
        case .number: "a number"
        case .integer: "a whole number"
        case .boolean: "true or false"
        case .either(let options, _): options.map(\.expectation).joined(separator: " or ")
        case .enumeration(let values, _): "one of " + values.map { "'\($0)'" }.joined(separator: ", ")
        case .scalar: "a single value"
        }
    }

    var plural: String {
        switch self {
        case .string(let rule, _): rule.pluralNoun
        case .object, .map: "mappings"
        case .number: "numbers"
        case .integer: "whole numbers"
        default: expectation
        }
    }
}

/// What a string must look like.
public enum StringRule: Sendable {
    /// Any non-empty string.
    case text
    /// A path relative to the repository root, inside it: not absolute, no `..` component.
    case path
    /// A duration: `90s`, `30m`, `1h30m`, `250ms`, or a number of seconds.
    case duration
    /// A name of letters, digits, `_` and `-`, starting with a letter or `_` (stage names).
    case identifier
    /// A Kubernetes resource quantity: `500m`, `2`, `1Gi`, `512Mi`.
    case quantity
    /// A DNS-1123 label: lowercase letters, digits and `-`, at most 63 characters.
    case dnsLabel
    /// A git branch name (no spaces, `..`, `~^:?*[\`, control characters).
    case branch
    /// A dotted key into a metrics or params file (`train.lr`, `scores.f1`).
    case dottedKey
    /// A path as ``path``, and also usable in line-based files and Dockerfiles: no control
    /// characters, no glob characters `*?[]\\`, no `$` (Dockerfiles expand it), not starting with `!` or `#`.
    case plainPath
    /// One word of a command: any text without control characters (no newlines).
    case word
    /// An HTTP path for probes: `/` then letters, digits and `._~/-`.
    case httpPath
    /// A DNS-1123 subdomain (`models.example.com`), at most 253 characters.
    case hostname
    /// A container image repository without tag or digest (`registry.example.com/ml/churn`).
    case imageRepository
    /// A container image reference: repository, optional `:tag`, optional `@sha256:` digest.
    case imageReference

    var noun: String {
        switch self {
        case .text: "a string"
        case .path: "a path relative to the repository root"
        case .duration: "a duration such as 90s, 30m or 1h30m"
        case .identifier: "a name of letters, digits, '_' and '-'"
        case .quantity: "a Kubernetes quantity such as 500m, 1Gi or 2"
        case .dnsLabel: "a DNS-1123 name (lowercase letters, digits and '-', at most 63 characters)"
        case .branch: "a branch name"
        case .dottedKey: "a dotted key such as train.lr"
        case .plainPath: "a path relative to the repository root, without control or glob characters (*?[]\\$) and not starting with ! or #"
        case .word: "text without control characters or line breaks"
        case .httpPath: "an HTTP path such as /health (letters, digits and ._~/-)"
        case .hostname: "a DNS name such as models.example.com (lowercase)"
        case .imageRepository: "an image repository such as registry.example.com/ml/churn (no tag: the commit is the tag)"
        case .imageReference: "an image reference such as python:3.12-slim or python:3.12-slim@sha256:<64 hex>"
        }
    }

    var pluralNoun: String {
        switch self {
        case .path: "paths relative to the repository root"
        case .text: "strings"
        default: noun
        }
    }

    /// The regular expression the JSON Schema states for this rule (ECMA-262 syntax).
    var pattern: String? {
        switch self {
        case .text: nil
        case .path: #"^(?!/)(?!~)(?!(.*/)?\.\.(/|$))[^\u0000]+$"#
        case .duration: #"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"#
        case .identifier: #"^[A-Za-z_][A-Za-z0-9_-]*$"#
        case .quantity: #"^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"#
        case .dnsLabel: #"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"#
        case .branch: #"^(?!/)(?!.*\.\.)(?!.*//)(?!.*@\{)(?!.*\.lock$)[^\u0000-\u0020~^:?*\[\\\u007f]+(?<!/)(?<!\.)$"#
        case .dottedKey: #"^[^.\s][^\s]*$"#
        case .plainPath: #"^(?![/~!#])(?!(.*/)?\.\.(/|$))[^\u0000-\u001f\u007f*?\[\]\\$]+$"#
        case .word: #"^[^\u0000-\u001f\u007f]+$"#
        case .httpPath: #"^/[A-Za-z0-9._~/-]*$"#
        case .hostname: ImageGrammar.hostname
        case .imageRepository: "^" + ImageGrammar.repository + "$"
        case .imageReference: "^" + ImageGrammar.repository + ImageGrammar.tagAndDigest + "$"
        }
    }

    /// Whether `value` satisfies the rule; the loader's own check, equal to ``pattern``.
    func accepts(_ value: String) -> Bool {
        if value.isEmpty { return false }
        switch self {
        case .text: return true
        case .path:
            if value.hasPrefix("/") || value.hasPrefix("~") || value.utf8.contains(0) { return false }
            return !value.split(separator: "/", omittingEmptySubsequences: false).contains("..")
        case .duration:
            return Duration.parseSeconds(value) != nil && !value.allSatisfy { $0.isNumber || $0 == "." }
        case .identifier:
            guard let first = value.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
            return value.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == "-" }
        case .quantity:
            return Quantity.isValid(value)
        case .dnsLabel:
            guard value.count <= 63, let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
                  first != "-", last != "-" else { return false }
            return value.unicodeScalars.allSatisfy { ($0.isASCIILetter && $0.properties.isLowercase) || $0.isASCIIDigit || $0 == "-" }
        case .branch:
            if value.hasPrefix("/") || value.hasSuffix("/") || value.hasSuffix(".") || value.hasSuffix(".lock")
                || value.contains("..") || value.contains("//") || value.contains("@{") { return false }
            return value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7f && !"~^:?*[\\".unicodeScalars.contains($0) }
        case .dottedKey:
            guard let first = value.first, first != ".", !first.isWhitespace else { return false }
            return !value.contains { $0.isWhitespace }
        case .plainPath:
            guard StringRule.path.accepts(value), let first = value.first, first != "!", first != "#" else { return false }
            return value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f && !"*?[]\\$".unicodeScalars.contains($0) }
        case .word:
            return value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f }
        case .httpPath:
            return value.hasPrefix("/") && value.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || "._~/-".unicodeScalars.contains($0) }
        case .hostname:
            return value.utf8.count <= 253 && ImageGrammar.matches(value, ImageGrammar.hostname)
        case .imageRepository:
            return value.utf8.count <= 255 && ImageGrammar.matches(value, "^" + ImageGrammar.repository + "$")
        case .imageReference:
            return value.utf8.count <= 512 && ImageGrammar.matches(value, "^" + ImageGrammar.repository + ImageGrammar.tagAndDigest + "$")
        }
    }
}

/// The grammar of container image references (distribution/reference), as regular expressions.
public enum ImageGrammar {
    static let component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    static let domain = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?/)?"
    /// A repository: optional registry host and port, then lowercase path components.
    public static let repository = domain + component + "(?:/" + component + ")*"
    /// An optional tag, then an optional sha256 digest.
    public static let tagAndDigest = "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?"
    static let hostname = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#

    static func matches(_ value: String, _ pattern: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: value)) != nil
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { (0x41...0x5a).contains(value) || (0x61...0x7a).contains(value) }
    var isASCIIDigit: Bool { (0x30...0x39).contains(value) }
}

/// Durations written in mlci.yaml (`timeout: 30m`).
public enum Duration {
    /// Seconds for `90`, `90s`, `30m`, `1h30m`, `250ms`, `1.5h`; `nil` when malformed.
    public static func parseSeconds(_ text: String) -> Double? {
        if let plain = Double(text), plain.isFinite, plain >= 0, text.allSatisfy({ $0.isNumber || $0 == "." }) { return plain }
        var total = 0.0
        var number = ""
        var index = text.startIndex
        var sawUnit = false
        while index < text.endIndex {
            let c = text[index]
            if c.isNumber || c == "." {
                number.append(c)
                index = text.index(after: index)
                continue
            }
            guard let value = Double(number) else { return nil }
            var unit = String(c)
            let next = text.index(after: index)
            if c == "m", next < text.endIndex, text[next] == "s" { unit = "ms"; index = text.index(after: next) } else { index = next }
            switch unit {
            case "ms": total += value / 1000
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total.isFinite else { return nil }
        return total
    }
}

/// Kubernetes resource quantities (`500m`, `1Gi`).
public enum Quantity {
    public static func isValid(_ text: String) -> Bool {
        let suffixes = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E"]
        var number = Substring(text)
        for suffix in suffixes where number.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.filter({ $0 == "." }).count <= 1, number != "." else { return false }
        if number.hasSuffix(".") { return false }
        return true
    }

    /// The quantity's value in base units (`500m` → 0.5, `1Gi` → 1073741824), for comparing
    /// a request with its limit; `nil` when it is not a valid quantity.
    public static func value(_ text: String) -> Double? {
        guard isValid(text) else { return nil }
        let factors: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
            ("Ei", 1_152_921_504_606_846_976), ("m", 0.001), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
        ]
        for (suffix, factor) in factors where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
    }
}
