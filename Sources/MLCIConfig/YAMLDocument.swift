import MLCISupport
import MLCIYAML

/// Parses YAML text the user wrote into a node tree with line and column marks.
///
/// Stateless; safe from any thread.
public enum YAMLDocument {
    /// The root node of `text`, `nil` for an empty document, or an ``InputError`` located at
    /// the syntax error (duplicate keys included). `resolver` decides scalar tags (Yams'
    /// YAML 1.1-like default; `.basic` leaves every plain scalar a string for the caller to type).
    public static func parse(_ text: String, file: String, resolver: Resolver = .default) throws(InputError) -> Node? {
        if text.utf8.contains(0) {
            throw InputError("the file contains a NUL byte; it is not YAML text", at: SourceLocation(file: file))
        }
        let root: Node?
        do {
            root = try YAML.compose(text, resolver: resolver)
        } catch {
            throw InputError(describe(error, file: file))
        }
        // Aliases are resolved by sharing nodes, so nine lines can stand for a billion values
        // ("billion laughs"): refuse a document whose expansion is far larger than any
        // configuration, before anything walks it.
        if let root {
            var budget = expansionLimit
            if !fits(root, budget: &budget) {
                throw InputError("the YAML expands to more than \(expansionLimit) values through repeated aliases (*name)",
                                 at: SourceLocation(file: file), hint: "write the values out instead of nesting aliases")
            }
        }
        return root
    }

    /// The most nodes a document may expand to.
    public static let expansionLimit = 1_000_000

    static func fits(_ node: Node, budget: inout Int) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping where !fits(key, budget: &budget) || !fits(value, budget: &budget) { return false }
        case .sequence(let sequence):
            for item in sequence where !fits(item, budget: &budget) { return false }
        default: break
        }
        return true
    }

    /// Reads and parses a YAML file: not UTF-8, too large and syntax errors are all located.
    public static func load(_ path: String, display: String, limit: Int = 16 << 20) throws(InputError) -> Node? {
        let bytes = try FileSystem.read(path, limit: limit, display: display)
        return try parse(try TextDecoding.utf8(bytes, file: display), file: display)
    }

    static func describe(_ error: YAMLError, file: String) -> [Diagnostic] {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            var hint: String? = nil
            if problem.contains("tab") { hint = "indent with spaces; YAML does not allow tabs for indentation" }
            return [.error(message, at: at(mark), hint: hint)]
        case let .duplicatedKeysInMapping(duplicates, context):
            return duplicates.map {
                .error("the key '\($0)' appears more than once in the same mapping", at: at(context.mark),
                       hint: "keep one of them; YAML keeps only the last, which hides the first")
            }
        case let .reader(problem, offset, _, _):
            return [.error("cannot read the file as YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")",
                           at: SourceLocation(file: file))]
        case .memory:
            return [.error("cannot parse YAML: \(error)", at: SourceLocation(file: file))]
        }
    }

    /// The location of `node` in `file`.
    public static func location(of node: Node?, file: String) -> SourceLocation {
        guard let mark = node?.mark else { return SourceLocation(file: file) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    /// A scalar's value with YAML's types resolved (`true`, `3`, `0.5`, `null`), as JSON.
    /// Mappings keep their order; aliases were resolved when composing.
    public static func value(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int:
                if let i = node.int { return .int(Int64(i)) }
                return node.float.map(JSONValue.double) ?? .string(scalar.string)
            case .float:
                guard let d = node.float else { return .string(scalar.string) }
                return .double(d)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            return .object(mapping.map { (key: Node, value: Node) in (key.string ?? "\(key)", Self.value(value)) })
        case .sequence(let sequence):
            return .array(sequence.map(Self.value))
        }
    }
}
