/// One node of a composed YAML document: a scalar, a mapping (keys in document order) or a
/// sequence. Aliases (`*name`) are resolved while composing: an alias is the node its anchor
/// named, shared, so a node can appear more than once in a tree (as Yams composes it).
///
/// A value type; `Sendable`. Equality and hashing follow Yams: scalars compare by text and
/// resolved tag; marks and styles are ignored.
public enum Node: Hashable, Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// The resolved tag (`tag:yaml.org,2002:int`, `…:str`, `…:map`, or an explicit `!tag`).
    public var tag: Tag.Name {
        switch self {
        case .scalar(let scalar): scalar.tag
        case .mapping(let mapping): mapping.tag
        case .sequence(let sequence): sequence.tag
        }
    }

    /// Where the node starts in the text (1-based line and column, columns in characters).
    public var mark: Mark? {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .mapping(let mapping): mapping.mark
        case .sequence(let sequence): sequence.mark
        }
    }

    /// A scalar's text; `nil` for a mapping or sequence.
    public var string: String? {
        if case .scalar(let scalar) = self { return scalar.string }
        return nil
    }

    /// A plain scalar read as Yams' `Bool` constructor reads it (`true`/`yes`/`on`, any case);
    /// `nil` for text that resolved to a string, or a quoted or non-scalar node.
    public var bool: Bool? {
        guard case .scalar(let scalar) = self else { return nil }
        return ScalarConstruction.bool(scalar)
    }

    /// A plain scalar read as Yams' `Int` constructor reads it (`0x1f`, `017` octal, `1_000`,
    /// `1:30` base 60); `nil` otherwise.
    public var int: Int? {
        guard case .scalar(let scalar) = self else { return nil }
        return ScalarConstruction.int(scalar)
    }

    /// A plain scalar read as Yams' `Double` constructor reads it (`.inf`, `.nan`, `1e3`,
    /// `1_0.5`, `1:30.5`); `nil` otherwise.
    public var float: Double? {
        guard case .scalar(let scalar) = self else { return nil }
        return ScalarConstruction.float(scalar)
    }

    /// The member `key` of a mapping (see ``Mapping/subscript(_:)``); `nil` for other nodes.
    public subscript(key: String) -> Node? {
        if case .mapping(let mapping) = self { return mapping[key] }
        return nil
    }
}

extension Node: Comparable {
    /// Yams' order (used to name duplicate keys): scalars by text, collections item by item,
    /// nodes of different kinds unordered.
    public static func < (lhs: Node, rhs: Node) -> Bool {
        switch (lhs, rhs) {
        case let (.scalar(a), .scalar(b)): return a.string < b.string
        case let (.mapping(a), .mapping(b)):
            return lexicographicallyLess(a.map { [$0.key, $0.value] }, b.map { [$0.key, $0.value] })
        case let (.sequence(a), .sequence(b)):
            return lexicographicallyLess(a.map { [$0] }, b.map { [$0] })
        default: return false
        }
    }

    private static func lexicographicallyLess(_ a: [[Node]], _ b: [[Node]]) -> Bool {
        for (x, y) in zip(a, b) {
            for (p, q) in zip(x, y) {
                if p < q { return true }
                if q < p { return false }
            }
        }
        return a.count < b.count
    }
}
