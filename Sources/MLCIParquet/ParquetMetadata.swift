/// The parts of Parquet's FileMetaData a reader needs (parquet.thrift field ids), decoded from
/// the footer. A value type: `Sendable`.
public struct ParquetMetadata: Sendable {
    public enum PhysicalType: Int32, Sendable {
        case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
    }

    /// What the values mean (LogicalType, or ConvertedType when it is absent).
    public enum LogicalType: Sendable, Equatable {
        case none
        case string
        case integer(bits: Int, signed: Bool)
        case date
        case timestamp(unit: TimeUnit, utc: Bool)
        case time(unit: TimeUnit)
        case decimal(scale: Int, precision: Int)
        case json, uuid, enumeration, float16
        case unsupported(String)
    }

    public enum TimeUnit: Sendable, Equatable { case millis, micros, nanos }

    public struct SchemaElement: Sendable {
        var type: PhysicalType?
        var typeLength: Int = 0
        var repetition: Int32 = 0  // 0 REQUIRED, 1 OPTIONAL, 2 REPEATED
        var name = ""
        var numChildren = 0
        var convertedType: Int32?
        var scale = 0
        var precision = 0
        var logical: LogicalType?
    }

    struct ColumnChunk: Sendable {
        var filePath: String?
        var type: PhysicalType?
        var path: [String] = []
        var codec: Int32 = 0
        var numValues: Int64 = 0
        var totalCompressedSize: Int64 = 0
        var dataPageOffset: Int64 = 0
        var dictionaryPageOffset: Int64?
    }

    struct RowGroup: Sendable {
        var columns: [ColumnChunk] = []
        var numRows: Int64 = 0
    }

    var schema: [SchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [RowGroup] = []

    typealias Reader = ThriftReader

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(ThriftReader.ThriftError) -> ParquetMetadata {
        var reader = ThriftReader(bytes)
        var meta = ParquetMetadata()
        try reader.structure { (r, id, type) throws(ThriftReader.ThriftError) in
            switch (id, type) {
            case (2, .list): try r.structList { (r) throws(ThriftReader.ThriftError) in meta.schema.append(try schemaElement(&r)) }
            case (3, .i64): meta.numRows = try r.zigzag()
            case (4, .list): try r.structList { (r) throws(ThriftReader.ThriftError) in meta.rowGroups.append(try rowGroup(&r)) }
            default: try r.skip(type)
            }
        }
        return meta
    }

    static func physical(_ raw: Int32) throws(ThriftReader.ThriftError) -> PhysicalType {
        guard let type = PhysicalType(rawValue: raw) else { throw ThriftReader.ThriftError(message: "unknown physical type \(raw)") }
        return type
    }

    static func schemaElement(_ r: inout Reader) throws(ThriftReader.ThriftError) -> SchemaElement {
        var element = SchemaElement()
        try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
            switch (id, type) {
            case (1, .i32): element.type = try physical(try r.i32())
            case (2, .i32): element.typeLength = Int(try r.i32())
            case (3, .i32): element.repetition = try r.i32()
            case (4, .binary): element.name = try r.string()
            case (5, .i32): element.numChildren = Int(try r.i32())
            case (6, .i32): element.convertedType = try r.i32()
            case (7, .i32): element.scale = Int(try r.i32())
            case (8, .i32): element.precision = Int(try r.i32())
            case (10, .structure): element.logical = try logicalType(&r)
            default: try r.skip(type)
            }
        }
        return element
    }

    static func timeUnit(_ r: inout Reader) throws(ThriftReader.ThriftError) -> TimeUnit {
        var unit = TimeUnit.millis
        try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
            switch id {
            case 1: unit = .millis
            case 2: unit = .micros
            case 3: unit = .nanos
            default: break
            }
            try r.skip(type)
        }
        return unit
    }

    static func logicalType(_ r: inout Reader) throws(ThriftReader.ThriftError) -> LogicalType {
        var result = LogicalType.unsupported("unknown")
        try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
            guard type == .structure else { try r.skip(type); return }
            switch id {
            case 1: result = .string; try r.skip(type)
            case 2: result = .unsupported("MAP"); try r.skip(type)
            case 3: result = .unsupported("LIST"); try r.skip(type)
            case 4: result = .enumeration; try r.skip(type)
            case 5:
                var scale = 0, precision = 0
                try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
                    switch (id, type) {
                    case (1, .i32): scale = Int(try r.i32())
                    case (2, .i32): precision = Int(try r.i32())
                    default: try r.skip(type)
                    }
                }
                result = .decimal(scale: scale, precision: precision)
            case 6: result = .date; try r.skip(type)
            case 7, 8:
                var utc = false
                var unit = TimeUnit.millis
                try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
                    switch (id, type) {
                    case (1, .boolTrue), (1, .boolFalse): utc = r.bool(type)
                    case (2, .structure): unit = try timeUnit(&r)
                    default: try r.skip(type)
                    }
                }
                result = id == 7 ? .time(unit: unit) : .timestamp(unit: unit, utc: utc)
            case 10:
                var bits = 0
                var signed = true
                try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
                    switch (id, type) {
                    case (1, .i8): bits = Int(Int8(bitPattern: try r.byte()))
                    case (2, .boolTrue), (2, .boolFalse): signed = r.bool(type)
                    default: try r.skip(type)
                    }
                }
                result = .integer(bits: bits, signed: signed)
            case 11: result = .none; try r.skip(type)
            case 12: result = .json; try r.skip(type)
            case 13: result = .unsupported("BSON"); try r.skip(type)
            case 14: result = .uuid; try r.skip(type)
            case 15: result = .float16; try r.skip(type)
            default: result = .unsupported("logical type \(id)"); try r.skip(type)
            }
        }
        return result
    }

    static func rowGroup(_ r: inout Reader) throws(ThriftReader.ThriftError) -> RowGroup {
        var group = RowGroup()
        try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
            switch (id, type) {
            case (1, .list): try r.structList { (r) throws(ThriftReader.ThriftError) in group.columns.append(try columnChunk(&r)) }
            case (3, .i64): group.numRows = try r.zigzag()
            default: try r.skip(type)
            }
        }
        return group
    }

    static func columnChunk(_ r: inout Reader) throws(ThriftReader.ThriftError) -> ColumnChunk {
        var chunk = ColumnChunk()
        try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
            switch (id, type) {
            case (1, .binary): chunk.filePath = try r.string()
            case (3, .structure):
                try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
                    switch (id, type) {
                    case (1, .i32): chunk.type = try physical(try r.i32())
                    case (3, .list):
                        let (count, element) = try r.listHeader()
                        guard element == ThriftReader.FieldType.binary.rawValue else { throw ThriftReader.ThriftError(message: "bad path_in_schema") }
                        for _ in 0..<count { chunk.path.append(try r.string()) }
                    case (4, .i32): chunk.codec = try r.i32()
                    case (5, .i64): chunk.numValues = try r.zigzag()
                    case (7, .i64): chunk.totalCompressedSize = try r.zigzag()
                    case (9, .i64): chunk.dataPageOffset = try r.zigzag()
                    case (11, .i64): chunk.dictionaryPageOffset = try r.zigzag()
                    default: try r.skip(type)
                    }
                }
            default: try r.skip(type)
            }
        }
        return chunk
    }
}

/// One page's header (parquet.thrift PageHeader and its data/dictionary page headers).
struct PageHeader {
    var type: Int32 = -1
    var uncompressedSize = 0
    var compressedSize = 0
    var crc: Int32?
    var numValues = 0
    var encoding: Int32 = 0
    // v2 only
    var numNulls = 0
    var definitionLevelsLength = 0
    var repetitionLevelsLength = 0
    var isCompressed = true

    static func decode(_ r: inout ThriftReader) throws(ThriftReader.ThriftError) -> PageHeader {
        var header = PageHeader()
        try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
            switch (id, type) {
            case (1, .i32): header.type = try r.i32()
            case (2, .i32): header.uncompressedSize = Int(try r.i32())
            case (3, .i32): header.compressedSize = Int(try r.i32())
            case (4, .i32): header.crc = try r.i32()
            case (5, .structure), (7, .structure):  // data page v1 / dictionary page: 1 num_values, 2 encoding
                try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
                    switch (id, type) {
                    case (1, .i32): header.numValues = Int(try r.i32())
                    case (2, .i32): header.encoding = try r.i32()
                    default: try r.skip(type)
                    }
                }
            case (8, .structure):
                try r.structure { (r, id, type) throws(ThriftReader.ThriftError) in
                    switch (id, type) {
                    case (1, .i32): header.numValues = Int(try r.i32())
                    case (2, .i32): header.numNulls = Int(try r.i32())
                    case (4, .i32): header.encoding = try r.i32()
                    case (5, .i32): header.definitionLevelsLength = Int(try r.i32())
                    case (6, .i32): header.repetitionLevelsLength = Int(try r.i32())
                    case (7, .boolTrue), (7, .boolFalse): header.isCompressed = r.bool(type)
                    default: try r.skip(type)
                    }
                }
            default: try r.skip(type)
            }
        }
        guard header.type >= 0, header.uncompressedSize >= 0, header.compressedSize >= 0, header.numValues >= 0 else {
            throw ThriftReader.ThriftError(message: "the page header has a missing or negative field")
        }
        return header
    }
}
