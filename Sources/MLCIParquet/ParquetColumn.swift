/// One leaf column of a Parquet file's schema, as a reader sees it.
///
/// A value type: `Sendable`.
public struct ParquetColumn: Sendable {
    public var name: String
    public var physical: ParquetMetadata.PhysicalType
    public var logical: ParquetMetadata.LogicalType
    /// The byte width of FIXED_LEN_BYTE_ARRAY values.
    public var typeLength: Int
    /// 0 for a REQUIRED column, 1 for an OPTIONAL one.
    public var maxDefinition: Int
    /// The position of this column's chunk in each row group.
    public var index: Int
    /// Set when the column is nested (list, struct or map): mlci refuses to read it.
    public var nestedKind: String?

    /// Whether the values are numbers a numeric check can use directly.
    public var isNumeric: Bool {
        switch logical {
        case .none, .integer: return [.int32, .int64, .float, .double].contains(physical)
        case .decimal: return true
        default: return false
        }
    }
}

/// A column chunk's values: non-null values only, with `present[r]` saying whether row `r`
/// has one (nil when every row does).
public struct ParquetValues: Sendable {
    public enum Storage: Sendable {
        case ints([Int64])
        case doubles([Double])
        case bools([Bool])
        case binary(data: [UInt8], offsets: [Int])
    }

    public var storage: Storage
    public var present: [Bool]?
    public var rows: Int

    /// The non-null value count.
    public var count: Int {
        switch storage {
        case .ints(let v): v.count
        case .doubles(let v): v.count
        case .bools(let v): v.count
        case .binary(_, let offsets): offsets.count - 1
        }
    }
}
