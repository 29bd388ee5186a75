import MLCISupport
import MLCIYAML

/// Checks a YAML node tree against a ``Schema`` and reports every problem, located.
///
/// Not `Sendable` (collects diagnostics); make one per file.
struct SchemaValidator {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    mutating func validate(_ node: Node, against schema: Schema, at path: [String]) {
        switch schema {
        case .object(let properties, _, let anyOf):
            guard case .mapping(let mapping) = node else { return mismatch(node, schema, path) }
            var seen: Set<String> = []
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string, case .scalar = keyNode else {
                    error(keyNode, "\(where_(path))keys must be plain strings")
                    continue
                }
                if key == "<<" { continue }  // merge keys are not expanded; they are not keys of the schema
                seen.insert(key)
                guard let property = properties.first(where: { $0.name == key }) else {
                    let known = properties.map(\.name)
                    let hint = Suggestion.closest(to: key, in: known).map { "did you mean '\($0)'?" }
                    let message = "unknown key '\(key)'\(path.isEmpty ? "" : " in '\(path.joined(separator: "."))'")"
                    diagnostics.append(.error(hint.map { "\(message) (\($0))" } ?? message,
                                              at: YAMLDocument.location(of: keyNode, file: file),
                                              hint: hint == nil ? "allowed keys here: \(known.joined(separator: ", "))" : nil))
                    continue
                }
                validate(valueNode, against: property.schema, at: path + [key])
            }
            for property in properties where property.isRequired && !seen.contains(property.name) {
                error(node, "\(where_(path))the required key '\(property.name)' is missing")
            }
            if !anyOf.isEmpty, !anyOf.contains(where: seen.contains) {
                error(node, "\(where_(path))sets none of \(anyOf.joined(separator: ", ")); give at least one")
            }
        case .map(let keyRule, let valueSchema, _):
            guard case .mapping(let mapping) = node else { return mismatch(node, schema, path) }
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string, case .scalar = keyNode else {
                    error(keyNode, "\(where_(path))keys must be plain strings")
                    continue
                }
                if !keyRule.accepts(key) {
                    error(keyNode, "\(where_(path))'\(key)' is not \(keyRule.noun)")
                }
                validate(valueNode, against: valueSchema, at: path + [key])
            }
        case .array(let item, let minItems, _):
            guard case .sequence(let sequence) = node else { return mismatch(node, schema, path) }
            if sequence.count < minItems {
                error(node, "\(where_(path))needs at least \(minItems) item\(minItems == 1 ? "" : "s")")
            }
            for (index, element) in sequence.enumerated() {
                validate(element, against: item, at: path + ["\(index)"])
            }
        case .string(let rule, _):
            guard case .scalar(let scalar) = node, isString(node) else { return mismatch(node, schema, path) }
            if scalar.string.isEmpty {
                error(node, "\(where_(path))must not be empty")
            } else if !rule.accepts(scalar.string) {
                var message = "\(where_(path))'\(scalar.string)' is not \(rule.noun)"
                if rule == .path {
                    message = "\(where_(path))'\(scalar.string)' leaves the repository; write a path inside it, relative to the repository root"
                }
                error(node, message)
            }
        case .number(let minimum, let maximum, let exclusive, _):
            guard let value = number(node) else { return mismatch(node, schema, path) }
            check(value, minimum: minimum, maximum: maximum, exclusive: exclusive, node: node, path: path)
        case .integer(let minimum, let maximum, _):
            guard let value = number(node), value == value.rounded(), Tag.Name(rawValue: node.tag.rawValue) == .int else {
                return mismatch(node, schema, path)
            }
            check(value, minimum: minimum.map(Double.init), maximum: maximum.map(Double.init), exclusive: false, node: node, path: path)
        case .boolean:
            guard case .scalar(let scalar) = node, scalar.style == .plain, Tag.Name(rawValue: node.tag.rawValue) == .bool,
                  ["true", "false"].contains(scalar.string) else {
                return mismatch(node, schema, path)
            }
        case .either(let options, _):
            let kind = Self.kind(of: node)
            let matching = options.filter { Self.kind(of: $0).contains(kind) }
            // When no option fits, explain against the one of the same scalar type: a string
            // is measured against the string rule, a number against the number's bounds.
            let sameType = matching.first { option in
                switch option {
                case .number, .integer: return number(node) != nil
                case .string, .enumeration: return isString(node) && number(node) == nil
                case .boolean: return Tag.Name(rawValue: node.tag.rawValue) == .bool
                default: return true
                }
            }
            guard let option = matching.first(where: { accepts(node, $0) }) ?? sameType ?? matching.first else {
                return mismatch(node, schema, path)
            }
            validate(node, against: option, at: path)
        case .enumeration(let values, _):
            guard case .scalar(let scalar) = node, isString(node) else { return mismatch(node, schema, path) }
            if !values.contains(scalar.string) {
                let hint = Suggestion.closest(to: scalar.string, in: values).map { " (did you mean '\($0)'?)" } ?? ""
                error(node, "\(where_(path))'\(scalar.string)' is not one of \(values.joined(separator: ", "))\(hint)")
            }
        case .scalar:
            guard case .scalar = node else { return mismatch(node, schema, path) }
        }
    }

    /// Whether `node` validates against `schema` without producing diagnostics.
    private func accepts(_ node: Node, _ schema: Schema) -> Bool {
        var probe = SchemaValidator(file: file)
        probe.validate(node, against: schema, at: [])
        return probe.diagnostics.isEmpty
    }

    private mutating func check(_ value: Double, minimum: Double?, maximum: Double?, exclusive: Bool, node: Node, path: [String]) {
        if let minimum, exclusive ? value <= minimum : value < minimum {
            error(node, "\(where_(path))\(format(value)) is too small; it must be \(exclusive ? "greater than" : "at least") \(format(minimum))")
        }
        if let maximum, value > maximum {
            error(node, "\(where_(path))\(format(value)) is too large; it must be at most \(format(maximum))")
        }
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    private func isString(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        if scalar.style != .plain { return true }
        let tag = Tag.Name(rawValue: node.tag.rawValue)
        return tag == .str || tag == .implicit || !(tag == .int || tag == .float || tag == .bool || tag == .null)
    }

    private func number(_ node: Node) -> Double? {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return nil }
        let tag = Tag.Name(rawValue: node.tag.rawValue)
        guard tag == .int || tag == .float, let value = node.float ?? node.int.map(Double.init), value.isFinite else { return nil }
        return value
    }

    enum NodeKind { case scalar, sequence, mapping }

    static func kind(of node: Node) -> NodeKind {
        switch node {
        case .mapping: .mapping
        case .sequence: .sequence
        default: .scalar
        }
    }

    static func kind(of schema: Schema) -> Set<NodeKind> {
        switch schema {
        case .object, .map: [.mapping]
        case .array: [.sequence]
        case .either(let options, _): options.reduce(into: []) { $0.formUnion(kind(of: $1)) }
        default: [.scalar]
        }
    }

    private mutating func mismatch(_ node: Node, _ schema: Schema, _ path: [String]) {
        let found: String
        switch node {
        case .mapping: found = "a mapping"
        case .sequence: found = "a list"
        case .scalar(let scalar):
            let tag = Tag.Name(rawValue: node.tag.rawValue)
            if scalar.style == .plain && tag == .null { found = "nothing (null)" }
            else if scalar.style == .plain && (tag == .int || tag == .float) { found = "the number \(scalar.string)" }
            else if scalar.style == .plain && tag == .bool { found = "the boolean \(scalar.string)" }
            else { found = "the string '\(scalar.string)'" }
        }
        error(node, "\(where_(path))expected \(schema.expectation), found \(found)")
    }

    private func where_(_ path: [String]) -> String {
        path.isEmpty ? "" : "'\(path.joined(separator: "."))': "
    }

    private mutating func error(_ node: Node, _ message: String) {
        diagnostics.append(.error(message, at: YAMLDocument.location(of: node, file: file)))
    }
}

/// "Did you mean …" suggestions by edit distance.
public enum Suggestion {
    /// The candidate closest to `word`, if it is close enough to be a likely typo.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            let limit = max(1, min(3, candidate.count / 3))
            if distance <= limit, best.map({ distance < $0.1 }) ?? true { best = (candidate, distance) }
        }
        return best?.0
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    /// two neighbours each cost one.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}

/// Validation of YAML nodes against a ``Schema`` for files other than mlci.yaml.
public enum SchemaCheck {
    /// Every problem of `node` against `schema`, located in `file`.
    public static func validate(_ node: Node, against schema: Schema, file: String) -> [Diagnostic] {
        var validator = SchemaValidator(file: file)
        validator.validate(node, against: schema, at: [])
        return validator.diagnostics
    }
}
