/// Parquet's value and level encodings (Encodings.md), decoding from borrowed bytes. Every
/// overrun or impossible header is a ``DecodeError``; nothing reads past the buffer.
///
/// Stateless; safe from any thread.
enum Encodings {
    struct DecodeError: Error { let message: String; init(_ message: String) { self.message = message } }

    /// ULEB128 at `position`.
    static func varint(_ bytes: UnsafeRawBufferPointer, _ position: inout Int) throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw DecodeError("a varint runs past the end of the page") }
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw DecodeError("a varint is too long") }
        }
    }

    /// `count` values of `width` bits packed LSB-first from `offset`.
    @inline(__always)
    static func unpack(_ bytes: UnsafeRawBufferPointer, from offset: Int, count: Int, width: Int, _ emit: (UInt64) -> Void) {
        if width == 0 { for _ in 0..<count { emit(0) }; return }
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        var bitPosition = 0
        for _ in 0..<count {
            var value: UInt64 = 0
            var got = 0
            var byteIndex = offset + bitPosition >> 3
            var bitInByte = bitPosition & 7
            while got < width {
                let available = 8 - bitInByte
                let b = UInt64(bytes[byteIndex]) >> UInt64(bitInByte)
                value |= b << UInt64(got)
                got += available
                byteIndex += 1
                bitInByte = 0
            }
            emit(value & mask)
            bitPosition += width
        }
    }

    /// The RLE/bit-packed hybrid: `count` values of `width` bits; returns the bytes used.
    @discardableResult
    static func hybrid(_ bytes: UnsafeRawBufferPointer, width: Int, count: Int, _ emit: (UInt64) -> Void) throws(DecodeError) -> Int {
        try hybridRuns(bytes, width: width, count: count,
                       repeated: { value, times in for _ in 0..<times { emit(value) } },
                       packed: { position, values in unpack(bytes, from: position, count: values, width: width, emit) })
    }

    /// Counts the values equal to `level` among `count` RLE/bit-packed hybrid values, and
    /// whether any exceeds it; a run is counted at once, without visiting its values.
    static func countLevels(_ bytes: UnsafeRawBufferPointer, width: Int, count: Int, equalTo level: UInt64) throws(DecodeError) -> (Int, Bool) {
        var matching = 0
        var above = false
        func note(_ value: UInt64, _ times: Int) {
            if value == level { matching += times } else if value > level { above = true }
        }
        try hybridRuns(bytes, width: width, count: count,
                       repeated: note,
                       packed: { position, values in unpack(bytes, from: position, count: values, width: width) { note($0, 1) } })
        return (matching, above)
    }

    /// The runs of the RLE/bit-packed hybrid, bounds-checked: `repeated(value, times)` for an
    /// RLE run, `packed(position, values)` for bit-packed groups starting at `position`, until
    /// `count` values are covered; returns the bytes used.
    @inline(__always) @discardableResult
    static func hybridRuns(_ bytes: UnsafeRawBufferPointer, width: Int, count: Int,
                           repeated: (UInt64, Int) -> Void, packed: (Int, Int) -> Void) throws(DecodeError) -> Int {
        guard (0...32).contains(width) else { throw DecodeError("bit width \(width) is out of range") }
        var position = 0
        var produced = 0
        let valueBytes = (width + 7) / 8
        while produced < count {
            let header = try varint(bytes, &position)
            if header & 1 == 0 {
                let run = Int(clamping: header >> 1)
                guard position + valueBytes <= bytes.count else { throw DecodeError("an RLE run runs past the end of the page") }
                var value: UInt64 = 0
                for i in 0..<valueBytes { value |= UInt64(bytes[position + i]) << UInt64(8 * i) }
                position += valueBytes
                if run == 0 { throw DecodeError("an RLE run of length 0") }
                let take = min(run, count - produced)
                repeated(value, take)
                produced += take
            } else {
                let groups = Int(clamping: header >> 1)
                guard groups > 0 else { throw DecodeError("a bit-packed run of 0 groups") }
                let length = groups * width
                guard length <= bytes.count - position else { throw DecodeError("a bit-packed run runs past the end of the page") }
                let take = min(groups * 8, count - produced)
                packed(position, take)
                produced += take
                position += length
            }
        }
        return position
    }

    /// DELTA_BINARY_PACKED: the values (as wrapping 64-bit integers) and the bytes used.
    static func deltaBinaryPacked(_ bytes: UnsafeRawBufferPointer, into output: inout [Int64], maximum: Int? = nil) throws(DecodeError) -> Int {
        var position = 0
        let blockSize = Int(clamping: try varint(bytes, &position))
        let miniblocks = Int(clamping: try varint(bytes, &position))
        let total = Int(clamping: try varint(bytes, &position))
        let firstRaw = try varint(bytes, &position)
        guard blockSize > 0, blockSize % 128 == 0, miniblocks > 0, blockSize % miniblocks == 0, (blockSize / miniblocks) % 32 == 0 else {
            throw DecodeError("bad DELTA_BINARY_PACKED header (block \(blockSize), miniblocks \(miniblocks))")
        }
        if let maximum, total > maximum { throw DecodeError("DELTA_BINARY_PACKED holds \(total) values, more than the page's \(maximum)") }
        guard total <= bytes.count * 64 + 1 else { throw DecodeError("DELTA_BINARY_PACKED claims more values than its bytes hold") }
        let perMiniblock = blockSize / miniblocks
        if total == 0 { return position }
        var last = (firstRaw >> 1) ^ (0 &- (firstRaw & 1))
        output.reserveCapacity(output.count + total)
        output.append(Int64(bitPattern: last))
        var remaining = total - 1
        while remaining > 0 {
            let minRaw = try varint(bytes, &position)
            let minDelta = (minRaw >> 1) ^ (0 &- (minRaw & 1))
            guard position + miniblocks <= bytes.count else { throw DecodeError("DELTA_BINARY_PACKED bit widths run past the end of the page") }
            let widthsAt = position
            position += miniblocks
            for m in 0..<miniblocks where remaining > 0 {
                let width = Int(bytes[widthsAt + m])
                guard width <= 64 else { throw DecodeError("DELTA_BINARY_PACKED bit width \(width)") }
                let length = perMiniblock * width / 8
                guard length <= bytes.count - position else { throw DecodeError("a DELTA_BINARY_PACKED miniblock runs past the end of the page") }
                let take = min(perMiniblock, remaining)
                unpack(bytes, from: position, count: take, width: width) { delta in
                    last = last &+ minDelta &+ delta
                    output.append(Int64(bitPattern: last))
                }
                remaining -= take
                position += length
            }
        }
        return position
    }
}
