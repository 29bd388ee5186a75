import MLCICompression
import MLCISupport

/// Reading one column chunk: its pages in order (dictionary first), decompressed, levels and
/// values decoded.
extension ParquetFile {
    /// The values of `column` in row group `group` (0-based).
    public func read(_ column: ParquetColumn, rowGroup group: Int) throws(InputError) -> ParquetValues {
        var decoder = ChunkDecoder(column: column, rows: Int(metadata.rowGroups[group].numRows))
        try decode(column, rowGroup: group, with: &decoder)
        return decoder.finish()
    }

    /// Whether ``appendDoubles(_:rowGroup:to:)`` reads `column`: FLOAT or DOUBLE without a
    /// logical type.
    public static func readsAsDoubles(_ column: ParquetColumn) -> Bool {
        (column.physical == .double || column.physical == .float) && column.logical == .none
    }

    /// The non-null values of a FLOAT or DOUBLE `column` in row group `group`, NaN included,
    /// appended to `out` straight from the pages: no presence mask, no intermediate array.
    public func appendDoubles(_ column: ParquetColumn, rowGroup group: Int, to out: inout [Double]) throws(InputError) {
        precondition(Self.readsAsDoubles(column))
        var decoder = ChunkDecoder(column: column, rows: Int(metadata.rowGroups[group].numRows))
        decoder.countLevelsOnly = true
        decoder.storage = .doubles(out)
        out = []  // the decoder's copy is now the only one, so appending does not copy it
        try decode(column, rowGroup: group, with: &decoder)
        if case .doubles(let values) = decoder.storage {
            decoder.storage = .ints([])
            out = values
        }
    }

    /// Decodes the pages of `column` in row group `group` (0-based) into `decoder`.
    func decode(_ column: ParquetColumn, rowGroup group: Int, with decoder: inout ChunkDecoder) throws(InputError) {
        let chunk = metadata.rowGroups[group].columns[column.index]
        func fail(_ message: String, page: Int? = nil) -> InputError {
            let place = "row group \(group + 1), column '\(column.name)'" + (page.map { ", page \($0)" } ?? "")
            return InputError("\(display): \(place): \(message)", at: SourceLocation(file: display),
                              hint: "the file is corrupt or was written by an unsupported writer; write it again")
        }
        if chunk.filePath != nil { throw fail("the chunk lives in another file; mlci reads self-contained files only") }
        if let type = chunk.type, type != column.physical { throw fail("the chunk's type differs from the schema's") }
        var start = Int(chunk.dataPageOffset)
        if let dictionary = chunk.dictionaryPageOffset, dictionary > 0, dictionary < chunk.dataPageOffset { start = Int(dictionary) }
        let length = Int(chunk.totalCompressedSize)
        guard start >= 4, length > 0, start <= footerStart, length <= footerStart - start else {
            throw fail("the chunk's byte range (\(start), \(length) bytes) lies outside the file's data")
        }
        let codec: Decompressor.Codec?
        switch chunk.codec {
        case 0: codec = nil
        case 1: codec = .snappy
        case 2: codec = .gzip
        case 4: codec = .brotli
        case 6: codec = .zstd
        case 7: codec = .lz4Raw
        case 3: throw fail("the LZO codec is not supported (pyarrow cannot read it either)")
        case 5: throw fail("the deprecated Hadoop LZ4 codec is not supported; write with compression='lz4' (LZ4_RAW)")
        default: throw fail("unknown compression codec \(chunk.codec)")
        }
        var bytes = [UInt8](repeating: 0, count: length)
        guard Self.readFully(descriptor, into: &bytes, at: start) else { throw fail("cannot read the chunk's bytes") }
        let rows = Int(metadata.rowGroups[group].numRows)
        let outcome = bytes.withUnsafeBytes { (all) -> Result<Void, InputError> in Result { () throws(InputError) in
            var position = 0
            var page = 0
            while decoder.valuesRead < Int(chunk.numValues) && position < all.count {
                page += 1
                var reader = ThriftReader(all, at: position)
                let header: PageHeader
                do throws(ThriftReader.ThriftError) {
                    header = try PageHeader.decode(&reader)
                } catch {
                    throw fail("bad page header (\(error.message))", page: page)
                }
                position = reader.position
                guard header.compressedSize <= all.count - position else { throw fail("the page runs past the end of the column chunk", page: page) }
                let body = UnsafeRawBufferPointer(rebasing: all[position..<position + header.compressedSize])
                position += header.compressedSize
                if let crc = header.crc, Decompressor.crc32(body) != UInt32(bitPattern: crc) {
                    throw fail("page checksum (CRC-32) mismatch: the page is corrupt", page: page)
                }
                do {
                    try decoder.page(header, body: body, codec: codec)
                } catch let error as Encodings.DecodeError {
                    throw fail(error.message, page: page)
                } catch let error as Decompressor.Failure {
                    throw fail(error.description, page: page)
                } catch {
                    throw fail("\(error)", page: page)
                }
            }
            if decoder.valuesRead != Int(chunk.numValues) { throw fail("the chunk holds \(decoder.valuesRead) values, its metadata says \(chunk.numValues)") }
        } }
        try outcome.get()
        if decoder.valuesRead != rows { throw fail("the chunk holds \(decoder.valuesRead) rows, the row group \(rows)") }
    }
}

/// Decodes the pages of one chunk in order into one ``ParquetValues``.
struct ChunkDecoder {
    let column: ParquetColumn
    let rows: Int
    var valuesRead = 0
    var storage: ParquetValues.Storage
    var present: [Bool]? = nil
    var dictionary: ParquetValues.Storage?
    /// Only count the defined values (no `present` mask): for readers that keep non-null values only.
    var countLevelsOnly = false

    typealias DecodeError = Encodings.DecodeError

    init(column: ParquetColumn, rows: Int) {
        self.column = column
        self.rows = rows
        switch column.physical {
        case .boolean: storage = .bools([])
        case .int32, .int64, .int96: storage = .ints([])
        case .float, .double: storage = .doubles([])
        case .byteArray, .fixedLenByteArray: storage = .binary(data: [], offsets: [0])
        }
    }

    func finish() -> ParquetValues {
        ParquetValues(storage: storage, present: present, rows: rows)
    }

    mutating func page(_ header: PageHeader, body: UnsafeRawBufferPointer, codec: Decompressor.Codec?) throws {
        switch header.type {
        case 2:  // dictionary
            let data = try decompress(body, size: header.uncompressedSize, codec: codec)
            guard header.encoding == 0 || header.encoding == 2 else { throw DecodeError("dictionary page encoding \(header.encoding) is not PLAIN") }
            var entries = Self.empty(column.physical)
            try data.withUnsafeBytes { raw in _ = try plain(raw, count: header.numValues, into: &entries) }
            dictionary = entries
        case 0:  // data page v1
            let data = try decompress(body, size: header.uncompressedSize, codec: codec)
            try data.withUnsafeBytes { raw in
                var offset = 0
                var defined = header.numValues
                if column.maxDefinition > 0 {
                    guard raw.count >= 4 else { throw DecodeError("the definition levels' length is missing") }
                    let length = Int(raw.loadUnaligned(as: UInt32.self).littleEndian)
                    guard length <= raw.count - 4 else { throw DecodeError("the definition levels run past the end of the page") }
                    defined = try levels(UnsafeRawBufferPointer(rebasing: raw[4..<4 + length]), count: header.numValues)
                    offset = 4 + length
                }
                try values(UnsafeRawBufferPointer(rebasing: raw[offset...]), encoding: header.encoding, count: defined)
            }
            valuesRead += header.numValues
        case 3:  // data page v2
            let levelBytes = header.definitionLevelsLength + header.repetitionLevelsLength
            guard header.definitionLevelsLength >= 0, header.repetitionLevelsLength == 0 || column.maxDefinition >= 0,
                  levelBytes <= body.count, levelBytes <= header.uncompressedSize else {
                throw DecodeError("the v2 page's level lengths exceed the page")
            }
            var defined = header.numValues
            if column.maxDefinition > 0 {
                let levelsAt = header.repetitionLevelsLength
                defined = try levels(UnsafeRawBufferPointer(rebasing: body[levelsAt..<levelsAt + header.definitionLevelsLength]), count: header.numValues)
                guard defined == header.numValues - header.numNulls else {
                    throw DecodeError("the v2 page says \(header.numNulls) nulls, its levels \(header.numValues - defined)")
                }
            }
            let section = UnsafeRawBufferPointer(rebasing: body[levelBytes...])
            if header.isCompressed, codec != nil {
                let data = try decompress(section, size: header.uncompressedSize - levelBytes, codec: codec)
                try data.withUnsafeBytes { raw in try values(raw, encoding: header.encoding, count: defined) }
            } else {
                try values(section, encoding: header.encoding, count: defined)
            }
            valuesRead += header.numValues
        case 1:
            break  // index page: nothing to read
        default:
            throw DecodeError("unknown page type \(header.type)")
        }
        if valuesRead > rows { throw DecodeError("the pages hold more values than the row group's \(rows) rows") }
    }

    func decompress(_ body: UnsafeRawBufferPointer, size: Int, codec: Decompressor.Codec?) throws -> [UInt8] {
        guard size >= 0, size <= 1 << 31 else { throw DecodeError("the page's uncompressed size \(size) is out of range") }
        guard let codec else {
            guard body.count == size else { throw DecodeError("an uncompressed page of \(body.count) bytes says it holds \(size)") }
            return Array(body)
        }
        return try Decompressor.decompress(codec, body, outputSize: size)
    }

    /// Definition levels of `count` rows; returns how many are defined (non-null).
    mutating func levels(_ bytes: UnsafeRawBufferPointer, count: Int) throws(DecodeError) -> Int {
        let maxLevel = UInt64(column.maxDefinition)
        let width = 64 - maxLevel.leadingZeroBitCount
        if countLevelsOnly {
            let (defined, bad) = try Encodings.countLevels(bytes, width: width, count: count, equalTo: maxLevel)
            if bad { throw DecodeError("a definition level exceeds the column's maximum \(maxLevel)") }
            return defined
        }
        if present == nil { present = [Bool](repeating: true, count: valuesRead); present!.reserveCapacity(rows) }
        var defined = 0
        var bad = false
        try Encodings.hybrid(bytes, width: width, count: count) { level in
            let isDefined = level == maxLevel
            if level > maxLevel { bad = true }
            if isDefined { defined += 1 }
            present!.append(isDefined)
        }
        if bad { throw DecodeError("a definition level exceeds the column's maximum \(maxLevel)") }
        return defined
    }

    static func empty(_ physical: ParquetMetadata.PhysicalType) -> ParquetValues.Storage {
        switch physical {
        case .boolean: .bools([])
        case .int32, .int64, .int96: .ints([])
        case .float, .double: .doubles([])
        case .byteArray, .fixedLenByteArray: .binary(data: [], offsets: [0])
        }
    }

    mutating func values(_ bytes: UnsafeRawBufferPointer, encoding: Int32, count: Int) throws(DecodeError) {
        var target = storage
        storage = .ints([])  // the values move into `target`, so appending does not copy them
        defer { storage = target }
        switch encoding {
        case 0:
            _ = try plain(bytes, count: count, into: &target)
        case 2, 8:
            try dictionaryIndices(bytes, count: count, into: &target)
        case 3:
            guard column.physical == .boolean else { throw DecodeError("RLE values for a non-boolean column") }
            guard bytes.count >= 4 else { throw DecodeError("the RLE values' length is missing") }
            let length = Int(bytes.loadUnaligned(as: UInt32.self).littleEndian)
            guard length <= bytes.count - 4 else { throw DecodeError("the RLE values run past the end of the page") }
            guard case .bools(var out) = target else { return }
            target = .ints([])
            try Encodings.hybrid(UnsafeRawBufferPointer(rebasing: bytes[4..<4 + length]), width: 1, count: count) { out.append($0 != 0) }
            target = .bools(out)
        case 5:
            guard case .ints(var out) = target, column.physical == .int32 || column.physical == .int64 else {
                throw DecodeError("DELTA_BINARY_PACKED for a \(column.physical) column")
            }
            target = .ints([])
            let before = out.count
            _ = try Encodings.deltaBinaryPacked(bytes, into: &out, maximum: count)
            guard out.count - before == count else { throw DecodeError("DELTA_BINARY_PACKED holds \(out.count - before) values, the page \(count)") }
            if column.physical == .int32 { for i in before..<out.count { out[i] = Int64(Int32(truncatingIfNeeded: out[i])) } }
            target = .ints(out)
        case 6, 7:
            guard case .binary(var data, var offsets) = target else { throw DecodeError("encoding \(encoding) for a \(column.physical) column") }
            target = .ints([])
            var position = 0
            var prefixes: [Int64] = []
            if encoding == 7 {
                position = try Encodings.deltaBinaryPacked(bytes, into: &prefixes, maximum: count)
                guard prefixes.count == count else { throw DecodeError("DELTA_BYTE_ARRAY holds \(prefixes.count) prefixes, the page \(count) values") }
            }
            var lengths: [Int64] = []
            position += try Encodings.deltaBinaryPacked(UnsafeRawBufferPointer(rebasing: bytes[position...]), into: &lengths, maximum: count)
            guard lengths.count == count else { throw DecodeError("the page holds \(lengths.count) lengths for \(count) values") }
            var previous: [UInt8] = []
            for i in 0..<count {
                let length = Int(lengths[i])
                guard length >= 0, length <= bytes.count - position else { throw DecodeError("a value runs past the end of the page") }
                let suffix = UnsafeRawBufferPointer(rebasing: bytes[position..<position + length])
                position += length
                if encoding == 7 {
                    let prefix = Int(prefixes[i])
                    guard prefix >= 0, prefix <= previous.count else { throw DecodeError("a DELTA_BYTE_ARRAY prefix is longer than the previous value") }
                    previous.removeSubrange(prefix...)
                    previous.append(contentsOf: suffix)
                    if column.physical == .fixedLenByteArray, previous.count != column.typeLength { throw DecodeError("a fixed-length value has the wrong length") }
                    data.append(contentsOf: previous)
                } else {
                    data.append(contentsOf: suffix)
                }
                offsets.append(data.count)
            }
            target = .binary(data: data, offsets: offsets)
        case 9:
            try byteStreamSplit(bytes, count: count, into: &target)
        default:
            throw DecodeError("unknown encoding \(encoding)")
        }
    }

    /// PLAIN values; returns the bytes used.
    func plain(_ bytes: UnsafeRawBufferPointer, count: Int, into target: inout ParquetValues.Storage) throws(DecodeError) -> Int {
        func need(_ n: Int) throws(DecodeError) { guard n <= bytes.count else { throw DecodeError("the page holds fewer values than it says") } }
        // Switching on the physical type alone: a (type, target) tuple would hold a second
        // reference to the values for the whole case, and every append would copy them.
        let wrongKind = DecodeError("values of the wrong kind for a \(column.physical) column")
        switch column.physical {
        case .boolean:
            guard case .bools(var out) = target else { throw wrongKind }
            try need((count + 7) / 8)
            target = .ints([])
            out.reserveCapacity(out.count + count)
            for i in 0..<count { out.append(bytes[i >> 3] >> UInt8(i & 7) & 1 == 1) }
            target = .bools(out)
            return (count + 7) / 8
        case .int32:
            guard case .ints(var out) = target else { throw wrongKind }
            try need(count * 4)
            target = .ints([])
            out.reserveCapacity(out.count + count)
            for i in 0..<count { out.append(Int64(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))) }
            target = .ints(out)
            return count * 4
        case .int64:
            guard case .ints(var out) = target else { throw wrongKind }
            try need(count * 8)
            target = .ints([])
            out.reserveCapacity(out.count + count)
            for i in 0..<count { out.append(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
            target = .ints(out)
            return count * 8
        case .int96:
            guard case .ints(var out) = target else { throw wrongKind }
            try need(count * 12)
            target = .ints([])
            for i in 0..<count {
                let nanos = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 12, as: Int64.self))
                let day = Int64(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 12 + 8, as: Int32.self)))
                out.append((day - 2_440_588) &* 86_400_000_000_000 &+ nanos)
            }
            target = .ints(out)
            return count * 12
        case .float:
            guard case .doubles(var out) = target else { throw wrongKind }
            try need(count * 4)
            target = .ints([])
            out.reserveCapacity(out.count + count)
            for i in 0..<count { out.append(Double(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))))) }
            target = .doubles(out)
            return count * 4
        case .double:
            guard case .doubles(var out) = target else { throw wrongKind }
            try need(count * 8)
            target = .ints([])
            let before = out.count
            out.append(contentsOf: repeatElement(0, count: count))
            out.withUnsafeMutableBytes { raw in
                raw.baseAddress!.advanced(by: before * 8).copyMemory(from: bytes.baseAddress!, byteCount: count * 8)
            }
            target = .doubles(out)
            return count * 8
        case .byteArray:
            guard case .binary(var data, var offsets) = target else { throw wrongKind }
            target = .ints([])
            var position = 0
            offsets.reserveCapacity(offsets.count + count)
            for _ in 0..<count {
                guard position + 4 <= bytes.count else { throw DecodeError("the page holds fewer values than it says") }
                let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                position += 4
                guard length <= bytes.count - position else { throw DecodeError("a value runs past the end of the page") }
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[position..<position + length]))
                position += length
                offsets.append(data.count)
            }
            target = .binary(data: data, offsets: offsets)
            return position
        case .fixedLenByteArray:
            guard case .binary(var data, var offsets) = target else { throw wrongKind }
            let width = column.typeLength
            guard width > 0 else { throw DecodeError("a fixed-length column of width \(width)") }
            try need(count * width)
            target = .ints([])
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<count * width]))
            for _ in 0..<count { offsets.append(offsets[offsets.count - 1] + width) }
            target = .binary(data: data, offsets: offsets)
            return count * width
        }
    }

    mutating func dictionaryIndices(_ bytes: UnsafeRawBufferPointer, count: Int, into target: inout ParquetValues.Storage) throws(DecodeError) {
        guard let dictionary else { throw DecodeError("dictionary-encoded values without a dictionary page") }
        if count == 0 { return }
        guard bytes.count >= 1 else { throw DecodeError("the dictionary indices' bit width is missing") }
        let width = Int(bytes[0])
        var indices: [Int] = []
        indices.reserveCapacity(count)
        try Encodings.hybrid(UnsafeRawBufferPointer(rebasing: bytes[1...]), width: width, count: count) { indices.append(Int(truncatingIfNeeded: $0)) }
        func check(_ size: Int) throws(DecodeError) {
            for index in indices where index >= size { throw DecodeError("dictionary index \(index) is out of range (\(size) entries)") }
        }
        // On the dictionary alone, so that `target` is the values' only owner while they grow.
        let wrongKind = DecodeError("the dictionary's type differs from the column's")
        switch dictionary {
        case .ints(let entries):
            guard case .ints(var out) = target else { throw wrongKind }
            try check(entries.count)
            target = .ints([])
            out.reserveCapacity(out.count + count)
            for index in indices { out.append(entries[index]) }
            target = .ints(out)
        case .doubles(let entries):
            guard case .doubles(var out) = target else { throw wrongKind }
            try check(entries.count)
            target = .ints([])
            out.reserveCapacity(out.count + count)
            for index in indices { out.append(entries[index]) }
            target = .doubles(out)
        case .bools(let entries):
            guard case .bools(var out) = target else { throw wrongKind }
            try check(entries.count)
            target = .ints([])
            for index in indices { out.append(entries[index]) }
            target = .bools(out)
        case .binary(let entryData, let entryOffsets):
            guard case .binary(var data, var offsets) = target else { throw wrongKind }
            try check(entryOffsets.count - 1)
            target = .ints([])
            offsets.reserveCapacity(offsets.count + count)
            for index in indices {
                data.append(contentsOf: entryData[entryOffsets[index]..<entryOffsets[index + 1]])
                offsets.append(data.count)
            }
            target = .binary(data: data, offsets: offsets)
        }
    }

    func byteStreamSplit(_ bytes: UnsafeRawBufferPointer, count: Int, into target: inout ParquetValues.Storage) throws(DecodeError) {
        let width: Int
        switch column.physical {
        case .float, .int32: width = 4
        case .double, .int64: width = 8
        case .fixedLenByteArray: width = column.typeLength
        default: throw DecodeError("BYTE_STREAM_SPLIT for a \(column.physical) column")
        }
        guard width > 0, bytes.count == count * width else { throw DecodeError("BYTE_STREAM_SPLIT data of \(bytes.count) bytes for \(count) values") }
        var joined = [UInt8](repeating: 0, count: count * width)
        for k in 0..<width {
            for i in 0..<count { joined[i * width + k] = bytes[k * count + i] }
        }
        var result = target
        let outcome = joined.withUnsafeBytes { raw in Result { () throws(DecodeError) in _ = try plain(raw, count: count, into: &result) } }
        try outcome.get()
        target = result
    }
}
