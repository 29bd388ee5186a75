/// A JSON document as a value, with object members kept in the order they were added.
///
/// mlci writes every JSON document it emits through this type, so that the same inputs give
/// the same bytes: callers add members in a fixed order, or call ``sortedKeys()``.
/// A value type: `Sendable`, safe to share across threads.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer, written without a fraction.
    case int(Int64)
    /// A finite floating-point number. NaN and infinities are written as `null`.
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Members in order. Keys should be unique; the writer does not check.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.double(a), .double(b)): a == b || (a.isNaN && b.isNaN)
        case let (.int(a), .double(b)), let (.double(b), .int(a)): Double(a) == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The member named `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    /// The number as a `Double`, for `.int` and `.double`.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }

    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { o } else { nil } }

    /// The same value with every object's members sorted by key (UTF-8 byte order), recursively.
    public func sortedKeys() -> JSONValue {
        switch self {
        case .array(let items): .array(items.map { $0.sortedKeys() })
        case .object(let members):
            .object(members.map { ($0.0, $0.1.sortedKeys()) }.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) })
        default: self
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}

extension JSONValue {
    /// `.string(value)` or `.null` when `value` is `nil`.
    public static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
}
