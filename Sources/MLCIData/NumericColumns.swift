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
        let chunk = 8 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var carry: [UInt8] = []
        var names: [String]? = nil
        var selected: [Int] = []        // column index → output slot, -1 when not wanted
        var values: [[Double]] = []
        var integral: [Bool] = []
        var rows = 0
        var line = 0
        var atStart = true

        func parseLine(_ bytes: UnsafeBufferPointer<UInt8>) throws(InputError) -> Bool {
            line += 1
            var start = 0
            var end = bytes.count
            if end > 0 && bytes[end - 1] == 0x0D { end -= 1 }
            if atStart && end >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
            atStart = false
            if names == nil {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                if text.contains("\"") { return false }
                let header = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                names = header
                let want = wanted ?? header
                for name in want where !header.contains(name) {
                    throw InputError("\(display) has no column '\(name)'", at: SourceLocation(file: display, line: 1))
                }
                selected = header.map { name in want.firstIndex(of: name) ?? -1 }
                values = Array(repeating: [], count: want.count)
                integral = Array(repeating: true, count: want.count)
                return true
            }
            if start == end { return true }  // blank line
            var column = 0
            var fieldStart = start
            var index = start
            while index <= end {
                if index == end || bytes[index] == 0x2C {
                    guard column < selected.count else {
                        throw InputError("row \(rows + 1) has more fields than the header's \(selected.count)", at: SourceLocation(file: display, line: line))
                    }
                    let slot = selected[column]
                    if slot >= 0 {
                        let field = UnsafeBufferPointer(rebasing: bytes[fieldStart..<index])
                        if let number = parseNumber(field) {
                            values[slot].append(number)
                            if integral[slot] && field.contains(where: { $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }) { integral[slot] = false }
                        } else if !isMissing(field) {
                            return false  // not numeric: the general reader decides
                        }
                    }
                    column += 1
                    fieldStart = index + 1
                } else if bytes[index] == 0x22 {
                    return false
                }
                index += 1
            }
            guard column == selected.count else {
                throw InputError("row \(rows + 1) has \(column) field\(column == 1 ? "" : "s"), the header has \(selected.count)",
                                 at: SourceLocation(file: display, line: line), hint: "quote fields that contain the separator")
            }
            rows += 1
            return true
        }

        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, chunk) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display))
            }
            if n == 0 { break }
            var ok = true
            try buffer.withUnsafeBufferPointer { (all: UnsafeBufferPointer<UInt8>) throws(InputError) in
                let data = UnsafeBufferPointer(rebasing: all[0..<n])
                var lineStart = 0
                if !carry.isEmpty {
                    guard let newline = data.firstIndex(of: 0x0A) else { carry += data; lineStart = n; return }
                    carry += UnsafeBufferPointer(rebasing: data[0..<newline])
                    let joined = carry
                    carry.removeAll(keepingCapacity: true)
                    ok = try joined.withUnsafeBufferPointer { (joinedBytes) throws(InputError) -> Bool in try parseLine(joinedBytes) }
                    if !ok { return }
                    lineStart = newline + 1
                }
                var index = lineStart
                while index < n {
                    if data[index] == 0x0A {
                        ok = try parseLine(UnsafeBufferPointer(rebasing: data[lineStart..<index]))
                        if !ok { return }
                        lineStart = index + 1
                    }
                    index += 1
                }
                if lineStart < n { carry += UnsafeBufferPointer(rebasing: data[lineStart..<n]) }
            }
            if !ok { return nil }
        }
        if !carry.isEmpty {
            let rest = carry
            let ok = try rest.withUnsafeBufferPointer { (bytes) throws(InputError) -> Bool in try parseLine(bytes) }
            if !ok { return nil }
        }
        guard let names else { throw InputError("\(display) is empty; expected a header row and data", at: SourceLocation(file: display, line: 1)) }
        return Result(names: wanted ?? names, values: values, rows: rows, integral: integral)
    }

    static func isMissing(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        if field.isEmpty { return true }
        if field.count > 8 { return false }
        return Table.missingSpellings.contains(String(decoding: field, as: UTF8.self))
    }

    static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// A decimal number, or `nil` when the field is not one.
    static func parseNumber(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let count = field.count
        if count == 0 { return nil }
        var negative = false
        if field[0] == 0x2D || field[0] == 0x2B { negative = field[0] == 0x2D; index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while index < count, (0x30...0x39).contains(field[index]) {
            if digits < 19 { mantissa = mantissa * 10 + UInt64(field[index] - 0x30); if mantissa > 0 { digits += 1 } } else { exponent += 1 }
            index += 1
            sawDigit = true
        }
        if index < count, field[index] == 0x2E {
            index += 1
            while index < count, (0x30...0x39).contains(field[index]) {
                if digits < 19 { mantissa = mantissa * 10 + UInt64(field[index] - 0x30); if mantissa > 0 { digits += 1 }; exponent -= 1 }
                index += 1
                sawDigit = true
            }
        }
        guard sawDigit else { return slowParse(field) }
        if index < count { return slowParse(field) }  // exponents, hex, inf/nan: let strtod decide
        if mantissa < (1 << 53) && exponent >= -22 && exponent <= 22 && digits < 19 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return negative ? -value : value
        }
        return slowParse(field)
    }

    static func slowParse(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        let text = String(decoding: field, as: UTF8.self)
        guard let value = Double(text), value.isFinite || text.lowercased().contains("inf") else { return nil }
        return value.isFinite ? value : nil
    }
}
