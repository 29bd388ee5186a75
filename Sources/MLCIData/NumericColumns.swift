import MLCIParquet
import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The numeric columns of a CSV file read straight into `Double`s, streaming in 8 MiB
/// chunks: no per-cell strings, so a million-row file costs its numbers and one buffer.
///
/// Missing values (empty fields, pandas' NA spellings) are left out of a column. Returns `nil`
/// when the file needs the general reader: a quoted field, or a non-numeric value in a wanted
/// column. Decimal literals with up to 19 significant digits are converted exactly (Clinger's
/// fast path), others by `strtod`; both round correctly, as pandas' default parser does.
public enum NumericColumns {
    public struct Result: Sendable {
        public var names: [String]
        public var values: [[Double]]
        public var rows: Int
        /// Per column: every value is written as an integer (pandas' int64 dtype, before missing values make it float64).
        public var integral: [Bool]

        public init(names: [String], values: [[Double]], rows: Int, integral: [Bool]) {
            self.names = names
            self.values = values
            self.rows = rows
            self.integral = integral
        }

        /// Whether pandas gives column `index` an integer dtype (integers, none missing).
        public func isInteger(_ index: Int) -> Bool { integral[index] && values[index].count == rows }
    }

    public static func read(path: String, display: String, columns wanted: [String]? = nil) throws(InputError) -> Result? {
        if ParquetFile.isParquet(path: path) { return try ParquetTable.numeric(path: path, display: display, columns: wanted) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display)) }
        var reader = ChunkReader(fd: fd, display: display)
        defer { reader.release() }
        // The header: the first line.
        var headerLine: [UInt8]? = nil
        while headerLine == nil {
            if let newline = reader.firstNewline() {
                headerLine = Array(UnsafeBufferPointer(start: reader.base, count: newline))
                reader.consume(newline + 1)
            } else if try !reader.fill() {
                guard reader.filled > 0 else { break }
                headerLine = Array(UnsafeBufferPointer(start: reader.base, count: reader.filled))
                reader.consume(reader.filled)
            }
        }
        guard var header = headerLine else {
            throw InputError("\(display) is empty; expected a header row and data", at: SourceLocation(file: display, line: 1))
        }
        if header.last == 0x0D { header.removeLast() }
        if header.starts(with: [0xEF, 0xBB, 0xBF]) { header.removeFirst(3) }
        let text = String(decoding: header, as: UTF8.self)
        if text.contains("\"") { return nil }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let want = wanted ?? names
        for name in want where !names.contains(name) {
            throw InputError("\(display) has no column '\(name)'", at: SourceLocation(file: display, line: 1))
        }
        var parser = LineParser(selected: names.map { want.firstIndex(of: $0) ?? -1 }, outputs: want.count, fileSize: Int(info.st_size), display: display)
        defer { parser.release() }
        while true {
            let more = try reader.fill()
            if let last = reader.lastNewline() {
                guard try parser.parse(reader.base, count: last + 1) else { return nil }
                reader.consume(last + 1)
            } else if !more {
                if reader.filled > 0 {
                    guard try parser.parse(reader.base, count: reader.filled) else { return nil }
                    reader.consume(reader.filled)
                }
                break
            }
            if !more && reader.filled == 0 { break }
        }
        return Result(names: want, values: parser.arrays(), rows: parser.rows, integral: parser.integralFlags())
    }

    /// Reads a file in large blocks into one buffer that keeps the unparsed tail of the last
    /// block at its front; grows only for a line longer than the buffer.
    struct ChunkReader {
        let fd: Int32
        let display: String
        var capacity = 4 << 20
        var base: UnsafeMutablePointer<UInt8>
        var filled = 0
        var atEnd = false

        init(fd: Int32, display: String) {
            self.fd = fd
            self.display = display
            base = .allocate(capacity: capacity)
        }

        func release() { base.deallocate() }

        /// Reads more after what is buffered; false at the end of the file.
        mutating func fill() throws(InputError) -> Bool {
            if atEnd { return false }
            if filled == capacity {
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                bigger.update(from: base, count: filled)
                base.deallocate()
                base = bigger
                capacity *= 2
            }
            while true {
                let n = Glibc.read(fd, base + filled, capacity - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display))
                }
                if n == 0 { atEnd = true; return false }
                filled += n
                return true
            }
        }

        func firstNewline() -> Int? {
            guard filled > 0, let found = memchr(base, 0x0A, filled) else { return nil }
            return UnsafeMutableRawPointer(base).distance(to: found)
        }

        func lastNewline() -> Int? {
            var index = filled - 1
            while index >= 0 && base[index] != 0x0A { index -= 1 }
            return index >= 0 ? index : nil
        }

        /// Drops the first `count` bytes, keeping the rest at the front.
        mutating func consume(_ count: Int) {
            if count < filled { memmove(base, base + count, filled - count) }
            filled -= count
        }
    }

    /// The data rows' fields: each block of lines is parsed into small per-column buffers that
    /// stay in cache, then appended to the columns, which are reserved once for the whole file
    /// (estimated from the first block), so they are written once and never regrown.
    struct LineParser {
        let display: String
        let fields: Int
        let selected: UnsafeMutablePointer<Int>
        let outputs: Int
        let fileSize: Int
        /// Values each block buffer holds.
        var capacity = 0
        var columns: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
        let counts: UnsafeMutablePointer<Int>
        let integral: UnsafeMutablePointer<Bool>
        /// 10^0 … 10^22 for the decimal fast path (a plain pointer: no lazy-global check per field).
        let powers: UnsafeMutablePointer<Double>
        var values: [[Double]]
        var reserved = false
        var bytesSeen = 0
        var rows = 0
        var line = 1

        init(selected: [Int], outputs: Int, fileSize: Int, display: String) {
            self.display = display
            fields = selected.count
            self.selected = .allocate(capacity: max(fields, 1))
            self.selected.initialize(from: selected, count: fields)
            self.outputs = outputs
            self.fileSize = fileSize
            columns = .allocate(capacity: max(outputs, 1))
            counts = .allocate(capacity: max(outputs, 1))
            counts.initialize(repeating: 0, count: max(outputs, 1))
            integral = .allocate(capacity: max(outputs, 1))
            integral.initialize(repeating: true, count: max(outputs, 1))
            powers = .allocate(capacity: DecimalParser.powersOfTen.count)
            powers.initialize(from: DecimalParser.powersOfTen, count: DecimalParser.powersOfTen.count)
            values = Array(repeating: [], count: outputs)
        }

        func release() {
            if capacity > 0 { for slot in 0..<outputs { columns[slot].deallocate() } }
            selected.deallocate()
            columns.deallocate()
            counts.deallocate()
            integral.deallocate()
            powers.deallocate()
        }

        /// Block buffers for up to `needed` values a column.
        mutating func ensureCapacity(_ needed: Int) {
            if needed <= capacity { return }
            if capacity > 0 { for slot in 0..<outputs { columns[slot].deallocate() } }
            capacity = needed
            for slot in 0..<outputs { columns[slot] = .allocate(capacity: capacity) }
        }

        /// Moves the block's numbers to the end of their columns.
        mutating func flush(bytes: Int) {
            bytesSeen += bytes
            if !reserved, rows > 0 {
                // Rows in the file ≈ its size over the bytes a row takes so far, with 5% to spare.
                let estimate = Int(Double(fileSize) / (Double(bytesSeen) / Double(rows)) * 1.05) + 1024
                for slot in 0..<outputs { values[slot].reserveCapacity(estimate) }
                reserved = true
            }
            for slot in 0..<outputs {
                values[slot].append(contentsOf: UnsafeBufferPointer(start: columns[slot], count: counts[slot]))
                counts[slot] = 0
            }
        }

        /// The columns, leaving the parser empty.
        mutating func arrays() -> [[Double]] {
            let out = values
            values = []
            return out
        }

        func integralFlags() -> [Bool] { (0..<outputs).map { integral[$0] } }

        /// Complete lines (the last may lack its newline at the end of the file); false when
        /// the file needs the general reader (a quote, or text in a wanted column).
        mutating func parse(_ base: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Bool {
            // Blocks of about 256 KiB, each ending after a newline, keep the block buffers small.
            var start = 0
            while start < count {
                var end = min(start + (256 << 10), count)
                if end < count {
                    end = memchr(base + end, 0x0A, count - end).map { UnsafeMutableRawPointer(base).distance(to: $0) + 1 } ?? count
                }
                guard try parseBlock(base + start, count: end - start) else { return false }
                start = end
            }
            return true
        }

        /// One block of complete lines.
        mutating func parseBlock(_ base: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Bool {
            // A row holding a value takes at least one byte a field.
            ensureCapacity(count / max(fields, 1) + 2)
            var position = 0
            while position < count {
                line += 1
                let lineEnd = memchr(base + position, 0x0A, count - position).map { UnsafeMutableRawPointer(base).distance(to: $0) } ?? count
                var end = lineEnd
                if end > position && base[end - 1] == 0x0D { end -= 1 }
                if end == position { position = lineEnd + 1; continue }  // a blank line
                var column = 0
                var fieldStart = position
                while true {
                    guard column < fields else {
                        throw InputError("row \(rows + 1) has more fields than the header's \(fields)", at: SourceLocation(file: display, line: line))
                    }
                    let slot = selected[column]
                    var isIntegral = true
                    if slot >= 0, let (number, length) = DecimalParser.scan(base + fieldStart, limit: end - fieldStart, separator: 0x2C, powers: powers, integral: &isIntegral) {
                        // The common case: a plain decimal, read in the same sweep that finds the field's end.
                        let stored = counts[slot]
                        guard stored < capacity else { return false }
                        columns[slot][stored] = number
                        counts[slot] = stored + 1
                        if !isIntegral { integral[slot] = false }
                        column += 1
                        if fieldStart + length >= end { break }
                        fieldStart += length + 1
                        continue
                    }
                    var fieldEnd = fieldStart
                    while fieldEnd < end && base[fieldEnd] != 0x2C { fieldEnd += 1 }
                    let length = fieldEnd - fieldStart
                    if slot >= 0 {
                        if let number = DecimalParser.parse(base + fieldStart, count: length, integral: &isIntegral) {
                            let stored = counts[slot]
                            guard stored < capacity else { return false }
                            columns[slot][stored] = number
                            counts[slot] = stored + 1
                            if !isIntegral { integral[slot] = false }
                        } else {
                            if memchr(base + fieldStart, 0x22, length) != nil { return false }
                            if !isMissing(UnsafeBufferPointer(start: base + fieldStart, count: length)) { return false }
                        }
                    } else if length > 0, memchr(base + fieldStart, 0x22, length) != nil {
                        return false
                    }
                    column += 1
                    if fieldEnd >= end { break }
                    fieldStart = fieldEnd + 1
                }
                guard column == fields else {
                    throw InputError("row \(rows + 1) has \(column) field\(column == 1 ? "" : "s"), the header has \(fields)",
                                     at: SourceLocation(file: display, line: line), hint: "quote fields that contain the separator")
                }
                rows += 1
                position = lineEnd + 1
            }
            flush(bytes: count)
            return true
        }
    }

    static func isMissing(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        if field.isEmpty { return true }
        if field.count > 8 { return false }
        return Table.missingSpellings.contains(String(decoding: field, as: UTF8.self))
    }
}
