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
        // Every stored value ends a field of at least one byte plus its separator, so no
        // column holds more than size / fields + 1 values; the space is reserved, not touched.
        let capacity = Int(info.st_size) / max(names.count, 1) + 1
        var parser = try LineParser(selected: names.map { want.firstIndex(of: $0) ?? -1 }, outputs: want.count, capacity: capacity, display: display)
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

    /// The data rows' fields, numbers appended to per-column storage reserved up front.
    struct LineParser {
        let display: String
        let fields: Int
        let selected: UnsafeMutablePointer<Int>
        let outputs: Int
        let capacity: Int
        let columns: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
        let counts: UnsafeMutablePointer<Int>
        let integral: UnsafeMutablePointer<Bool>
        /// 10^0 … 10^22 for the decimal fast path (a plain pointer: no lazy-global check per field).
        let powers: UnsafeMutablePointer<Double>
        var rows = 0
        var line = 1

        init(selected: [Int], outputs: Int, capacity: Int, display: String) throws(InputError) {
            self.display = display
            fields = selected.count
            self.selected = .allocate(capacity: max(fields, 1))
            self.selected.initialize(from: selected, count: fields)
            self.outputs = outputs
            self.capacity = capacity
            columns = .allocate(capacity: max(outputs, 1))
            counts = .allocate(capacity: max(outputs, 1))
            counts.initialize(repeating: 0, count: max(outputs, 1))
            integral = .allocate(capacity: max(outputs, 1))
            integral.initialize(repeating: true, count: max(outputs, 1))
            powers = .allocate(capacity: DecimalParser.powersOfTen.count)
            powers.initialize(from: DecimalParser.powersOfTen, count: DecimalParser.powersOfTen.count)
            for slot in 0..<outputs {
                let raw = mmap(nil, capacity * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                guard let raw, raw != MAP_FAILED else {
                    for done in 0..<slot { munmap(columns[done], capacity * 8) }
                    throw InputError("\(display): not enough memory to read \(outputs) columns of up to \(capacity) numbers")
                }
                columns[slot] = raw.bindMemory(to: Double.self, capacity: capacity)
            }
        }

        /// Frees what is left (columns already turned into arrays are unmapped then).
        func release() {
            for slot in 0..<outputs where counts[slot] >= 0 { munmap(columns[slot], capacity * 8) }
            selected.deallocate()
            columns.deallocate()
            counts.deallocate()
            integral.deallocate()
            powers.deallocate()
        }

        /// Each column as an array, its reserved space given back as soon as it is copied.
        func arrays() -> [[Double]] {
            var out: [[Double]] = []
            for slot in 0..<outputs {
                let count = counts[slot]
                out.append(Array(unsafeUninitializedCapacity: count) { buffer, initialized in
                    if count > 0 { buffer.baseAddress!.initialize(from: columns[slot], count: count) }
                    initialized = count
                })
                munmap(columns[slot], capacity * 8)
                counts[slot] = -1
            }
            return out
        }

        func integralFlags() -> [Bool] { (0..<outputs).map { integral[$0] } }

        /// Complete lines (the last may lack its newline at the end of the file); false when
        /// the file needs the general reader (a quote, or text in a wanted column).
        mutating func parse(_ base: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Bool {
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
            return true
        }
    }

    static func isMissing(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        if field.isEmpty { return true }
        if field.count > 8 { return false }
        return Table.missingSpellings.contains(String(decoding: field, as: UTF8.self))
    }
}
