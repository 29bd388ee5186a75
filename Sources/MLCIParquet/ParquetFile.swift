import MLCICompression
import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Parquet file opened for reading: its footer decoded, its column chunks read on demand
/// one (row group, column) at a time with `pread`, so memory holds the values asked for and
/// one chunk's bytes.
///
/// Every problem is an ``InputError`` naming the file and, inside it, the row group, column
/// and page. Owns a file descriptor, closed on deinit. Not for concurrent use: give each
/// thread its own instance.
public final class ParquetFile {
    /// `PAR1`, at both ends of every (unencrypted) Parquet file.
    public static let magic: [UInt8] = [0x50, 0x41, 0x52, 0x31]

    public let display: String
    public let columns: [ParquetColumn]
    public let rowCount: Int
    public var rowGroupCount: Int { metadata.rowGroups.count }
    let metadata: ParquetMetadata
    let descriptor: Int32
    let footerStart: Int

    /// Whether `path` starts with Parquet's magic bytes (the format is told by content).
    public static func isParquet(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 4)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, 4, 0) }
        return n == 4 && head == magic
    }

    public init(path: String, display: String) throws(InputError) {
        self.display = display
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display)) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { close(fd); throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display)) }
        let size = Int(info.st_size)
        func fail(_ message: String) -> InputError {
            close(fd)
            return InputError("\(display): \(message)", at: SourceLocation(file: display),
                              hint: "the file is not a complete Parquet file; write it again (e.g. pyarrow.parquet.write_table)")
        }
        guard size >= 12 else { throw fail("too short for Parquet (\(size) bytes)") }
        var tail = [UInt8](repeating: 0, count: 8)
        guard Self.readFully(fd, into: &tail, at: size - 8) else { throw fail("cannot read the footer") }
        if tail[4...] == [0x50, 0x41, 0x52, 0x45][...] { throw fail("the footer is encrypted (PARE); mlci reads unencrypted Parquet only") }
        guard tail[4...] == Self.magic[...] else { throw fail("the file does not end with PAR1: truncated or not Parquet") }
        let length = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard length > 0, length <= size - 12 else { throw fail("the footer length \(length) does not fit in the file's \(size) bytes") }
        var footer = [UInt8](repeating: 0, count: length)
        guard Self.readFully(fd, into: &footer, at: size - 8 - length) else { throw fail("cannot read the footer") }
        let outcome = footer.withUnsafeBytes { bytes in Result { () throws(ThriftReader.ThriftError) in try ParquetMetadata.decode(bytes) } }
        guard case .success(let decoded) = outcome else {
            if case .failure(let error) = outcome { throw fail("the footer metadata is corrupt (\(error.message))") }
            throw fail("the footer metadata is corrupt")
        }
        guard let leaves = Self.leaves(decoded.schema) else { throw fail("the schema in the footer is malformed") }
        for group in decoded.rowGroups where group.columns.count != leaves.count {
            throw fail("a row group has \(group.columns.count) column chunks, the schema \(leaves.count) columns")
        }
        guard decoded.numRows >= 0, decoded.rowGroups.reduce(Int64(0), { $0 + $1.numRows }) == decoded.numRows else {
            throw fail("the row groups' row counts do not add up to the file's \(decoded.numRows)")
        }
        metadata = decoded
        columns = leaves
        rowCount = Int(decoded.numRows)
        descriptor = fd
        footerStart = size - 8 - length
    }

    deinit { close(descriptor) }

    static func readFully(_ fd: Int32, into buffer: inout [UInt8], at offset: Int) -> Bool {
        let count = buffer.count
        return buffer.withUnsafeMutableBytes { raw -> Bool in
            var done = 0
            while done < count {
                let n = pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }

    /// The leaf columns, depth-first; nested ones marked. `nil` when the tree is malformed.
    static func leaves(_ schema: [ParquetMetadata.SchemaElement]) -> [ParquetColumn]? {
        guard let root = schema.first else { return nil }
        var result: [ParquetColumn] = []
        var position = 1
        func walk(top: String?, nested: String?, definition: Int, depth: Int) -> Bool {
            guard position < schema.count, depth < 64 else { return false }
            let element = schema[position]
            position += 1
            let name = top ?? element.name
            let definition = definition + (element.repetition == 0 ? 0 : 1)
            var nested = nested
            if element.repetition == 2 && nested == nil { nested = "repeated" }
            if element.numChildren > 0 {
                if nested == nil {
                    switch (element.logical, element.convertedType) {
                    case (.unsupported("LIST"), _), (_, 3): nested = "list"
                    case (.unsupported("MAP"), _), (_, 1), (_, 2): nested = "map"
                    default: nested = "struct"
                    }
                }
                for _ in 0..<element.numChildren where !walk(top: name, nested: nested, definition: definition, depth: depth + 1) { return false }
                return true
            }
            guard let type = element.type else { return false }
            var logical = element.logical ?? Self.converted(element)
            if type == .int96 { logical = .timestamp(unit: .nanos, utc: false) }
            if case .decimal = logical, element.logical == nil { logical = .decimal(scale: element.scale, precision: element.precision) }
            result.append(ParquetColumn(name: name, physical: type, logical: logical, typeLength: element.typeLength,
                                        maxDefinition: definition, index: result.count, nestedKind: nested))
            return true
        }
        for _ in 0..<root.numChildren where !walk(top: nil, nested: nil, definition: 0, depth: 0) { return nil }
        return position == schema.count ? result : nil
    }

    /// The logical type a ConvertedType alone implies.
    static func converted(_ element: ParquetMetadata.SchemaElement) -> ParquetMetadata.LogicalType {
        switch element.convertedType {
        case nil: return .none
        case 0: return .string
        case 4: return .enumeration
        case 5: return .decimal(scale: element.scale, precision: element.precision)
        case 6: return .date
        case 7: return .time(unit: .millis)
        case 8: return .time(unit: .micros)
        case 9: return .timestamp(unit: .millis, utc: true)
        case 10: return .timestamp(unit: .micros, utc: true)
        case 11: return .integer(bits: 8, signed: false)
        case 12: return .integer(bits: 16, signed: false)
        case 13: return .integer(bits: 32, signed: false)
        case 14: return .integer(bits: 64, signed: false)
        case 15: return .integer(bits: 8, signed: true)
        case 16: return .integer(bits: 16, signed: true)
        case 17: return .integer(bits: 32, signed: true)
        case 18: return .integer(bits: 64, signed: true)
        case 19: return .json
        default: return .unsupported("converted type \(element.convertedType!)")
        }
    }

    /// The columns named (all when `nil`), refusing nested ones and unknown names.
    public func select(_ names: [String]?) throws(InputError) -> [ParquetColumn] {
        let chosen: [ParquetColumn]
        if let names {
            var picked: [ParquetColumn] = []
            for name in names {
                guard let column = columns.first(where: { $0.name == name }) else {
                    throw InputError("\(display) has no column '\(name)'", at: SourceLocation(file: display),
                                     hint: "columns: \(columnNames.joined(separator: ", "))")
                }
                picked.append(contentsOf: columns.filter { $0.name == column.name })
            }
            chosen = picked
        } else {
            chosen = columns
        }
        for column in chosen {
            if let kind = column.nestedKind {
                throw InputError("\(display): column '\(column.name)' is a nested \(kind) column; mlci reads flat columns only",
                                 at: SourceLocation(file: display), hint: "flatten it, or leave it out of the checks (e.g. --columns)")
            }
            if case .unsupported(let what) = column.logical {
                throw InputError("\(display): column '\(column.name)' has a \(what) type mlci does not read", at: SourceLocation(file: display))
            }
        }
        return chosen
    }

    /// Top-level column names in file order (a nested column once).
    public var columnNames: [String] {
        var names: [String] = []
        for column in columns where names.last != column.name { names.append(column.name) }
        return names
    }

    /// The rows of each row group.
    public func rows(inRowGroup group: Int) -> Int { Int(metadata.rowGroups[group].numRows) }
}
