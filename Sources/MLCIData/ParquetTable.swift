import MLCIParquet
import MLCISupport

/// Parquet files as mlci's checks see them: a ``Table`` of cells written as pandas shows the
/// values (`read_parquet` with pyarrow), or numeric columns straight as `Double`s.
///
/// Values pandas reads as missing are `nil`: nulls, and NaN in float columns. Integer columns
/// with nulls become float64, as in pandas. Stateless; safe from any thread.
public enum ParquetTable {
    /// The whole file (or the `columns` named) as a table, one row group at a time.
    public static func read(path: String, display: String, columns wanted: [String]? = nil) throws(InputError) -> Table {
        let file = try ParquetFile(path: path, display: display)
        let selected = try file.select(wanted)
        var cells: [[String?]] = selected.map { _ in [] }
        var hasNull = [Bool](repeating: false, count: selected.count)
        var sawNaN = [Bool](repeating: false, count: selected.count)
        for index in cells.indices { cells[index].reserveCapacity(file.rowCount) }
        for group in 0..<file.rowGroupCount {
            for (slot, column) in selected.enumerated() {
                let values = try file.read(column, rowGroup: group)
                if values.present?.contains(false) == true { hasNull[slot] = true }
                let text = try render(values, column: column, file: display)
                if case .doubles(let numbers) = values.storage, numbers.contains(where: \.isNaN) { sawNaN[slot] = true }
                cells[slot].append(contentsOf: text)
            }
        }
        let dtypes = selected.indices.map { dtype(selected[$0], hasNull: hasNull[$0] || sawNaN[$0]) }
        return Table(name: display, columns: selected.map(\.name), cells: cells, rowLines: Array(repeating: 1, count: file.rowCount), dtypes: dtypes)
    }

    /// The numeric columns (all, or those named) as numbers without their missing values;
    /// `nil` when a wanted column is not numeric (the general reader then decides).
    public static func numeric(path: String, display: String, columns wanted: [String]? = nil) throws(InputError) -> NumericColumns.Result? {
        let file = try ParquetFile(path: path, display: display)
        let selected = try file.select(wanted)
        guard selected.allSatisfy(\.isNumeric) else { return nil }
        var values: [[Double]] = selected.map { _ in [] }
        for index in values.indices { values[index].reserveCapacity(file.rowCount) }
        for group in 0..<file.rowGroupCount {
            for (slot, column) in selected.enumerated() {
                if ParquetFile.readsAsDoubles(column) {
                    // Straight into the column's numbers, then NaN (missing to pandas) squeezed out.
                    let before = values[slot].count
                    try file.appendDoubles(column, rowGroup: group, to: &values[slot])
                    let kept = values[slot].withUnsafeMutableBufferPointer { numbers in
                        var kept = before
                        for index in before..<numbers.count where !numbers[index].isNaN {
                            numbers[kept] = numbers[index]
                            kept += 1
                        }
                        return kept
                    }
                    values[slot].removeLast(values[slot].count - kept)
                    continue
                }
                let chunk = try file.read(column, rowGroup: group)
                appendNumbers(chunk, column: column, to: &values[slot])
            }
        }
        let integral = selected.map { column in
            if case .decimal = column.logical { return false }
            return column.physical == .int32 || column.physical == .int64
        }
        return NumericColumns.Result(names: selected.map(\.name), values: values, rows: file.rowCount, integral: integral)
    }

    static func appendNumbers(_ chunk: ParquetValues, column: ParquetColumn, to out: inout [Double]) {
        switch chunk.storage {
        case .doubles(let numbers):
            for value in numbers where !value.isNaN { out.append(value) }
        case .ints(let numbers):
            let unsigned64 = column.logical == .integer(bits: 64, signed: false)
            let unsigned32 = column.logical == .integer(bits: 32, signed: false) && column.physical == .int32
            let scale = decimalScale(column)
            for value in numbers {
                var number = unsigned64 ? Double(UInt64(bitPattern: value)) : unsigned32 ? Double(UInt32(truncatingIfNeeded: value)) : Double(value)
                if let scale { number = Double(decimal(unscaled: String(value), scale: scale)) ?? number }
                out.append(number)
            }
        case .binary(let data, let offsets):
            let scale = decimalScale(column) ?? 0
            for index in 0..<offsets.count - 1 {
                out.append(Double(decimal(unscaled: bigEndianInteger(data[offsets[index]..<offsets[index + 1]]), scale: scale)) ?? .nan)
            }
        case .bools(let flags):
            for flag in flags { out.append(flag ? 1 : 0) }
        }
    }

    static func decimalScale(_ column: ParquetColumn) -> Int? {
        if case .decimal(let scale, _) = column.logical { return scale }
        return nil
    }

    /// The dtype pandas gives the column.
    static func dtype(_ column: ParquetColumn, hasNull: Bool) -> String {
        switch (column.physical, column.logical) {
        case (.boolean, _): return hasNull ? "object" : "bool"
        case (.float, .none): return "float32"
        case (.float, _), (.double, _): return "float64"
        case (_, .date), (_, .decimal), (_, .time): return "object"
        case (_, .timestamp(let unit, let utc)):
            let name = unit == .millis ? "ms" : unit == .micros ? "us" : "ns"
            return utc ? "datetime64[\(name), UTC]" : "datetime64[\(name)]"
        case (.int32, .none), (.int64, .none): return hasNull ? "float64" : (column.physical == .int32 ? "int32" : "int64")
        case (_, .integer(let bits, let signed)): return hasNull ? "float64" : "\(signed ? "int" : "uint")\(bits)"
        default: return "object"
        }
    }

    /// Each row's cell (nil where pandas sees a missing value).
    static func render(_ values: ParquetValues, column: ParquetColumn, file: String) throws(InputError) -> [String?] {
        var texts: [String] = []
        texts.reserveCapacity(values.count)
        switch values.storage {
        case .bools(let flags):
            for flag in flags { texts.append(flag ? "True" : "False") }
        case .doubles(let numbers):
            for number in numbers { texts.append(number.isNaN ? "\u{0}" : "\(number)") }
        case .ints(let numbers):
            for number in numbers { texts.append(renderInteger(number, column: column)) }
        case .binary(let data, let offsets):
            for index in 0..<offsets.count - 1 {
                let bytes = data[offsets[index]..<offsets[index + 1]]
                switch column.logical {
                case .decimal(let scale, _):
                    texts.append(decimal(unscaled: bigEndianInteger(bytes), scale: scale))
                case .float16:
                    guard bytes.count == 2 else { texts.append(""); continue }
                    let half = halfToDouble(UInt16(bytes[bytes.startIndex]) | UInt16(bytes[bytes.startIndex + 1]) << 8)
                    texts.append(half.isNaN ? "\u{0}" : "\(half)")
                case .uuid:
                    let hex = bytes.map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }
                    texts.append(hex.joined())
                default:
                    guard let text = String(validating: bytes, as: UTF8.self) else {
                        if column.logical == .string || column.logical == .json || column.logical == .enumeration {
                            throw InputError("\(file): column '\(column.name)' holds a string that is not valid UTF-8", at: SourceLocation(file: file))
                        }
                        texts.append(String(decoding: bytes, as: UTF8.self))
                        continue
                    }
                    texts.append(text)
                }
            }
        }
        var out: [String?] = []
        out.reserveCapacity(values.rows)
        var next = 0
        if let present = values.present {
            for row in present {
                if row { let text = texts[next]; next += 1; out.append(text == "\u{0}" ? nil : text) } else { out.append(nil) }
            }
        } else {
            for text in texts { out.append(text == "\u{0}" ? nil : text) }
        }
        return out
    }

    static func renderInteger(_ value: Int64, column: ParquetColumn) -> String {
        switch column.logical {
        case .integer(64, false): return String(UInt64(bitPattern: value))
        case .integer(32, false) where column.physical == .int32: return String(UInt32(truncatingIfNeeded: value))
        case .integer(let bits, false) where bits < 32: return String(UInt32(truncatingIfNeeded: value) & ((1 << UInt32(bits)) - 1))
        case .date: return civil(days: value)
        case .timestamp(let unit, let utc):
            let perSecond: Int64 = unit == .millis ? 1_000 : unit == .micros ? 1_000_000 : 1_000_000_000
            let (seconds, fraction) = floorDivide(value, perSecond)
            let nanos = fraction * (1_000_000_000 / perSecond)
            let (days, secondOfDay) = floorDivide(seconds, 86_400)
            var text = civil(days: days) + " " + clock(secondOfDay)
            if nanos % 1000 != 0 { text += "." + padded(nanos, 9) } else if nanos != 0 { text += "." + padded(nanos / 1000, 6) }
            return utc ? text + "+00:00" : text
        case .time(let unit):
            let perSecond: Int64 = unit == .millis ? 1_000 : unit == .micros ? 1_000_000 : 1_000_000_000
            let (seconds, fraction) = floorDivide(value, perSecond)
            let micros = fraction * 1_000_000 / perSecond
            return clock(seconds) + (micros != 0 ? "." + padded(micros, 6) : "")
        case .decimal(let scale, _): return decimal(unscaled: String(value), scale: scale)
        default: return String(value)
        }
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func clock(_ secondOfDay: Int64) -> String {
        padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay / 60 % 60, 2) + ":" + padded(secondOfDay % 60, 2)
    }

    /// Days since 1970-01-01 as YYYY-MM-DD (proleptic Gregorian; Howard Hinnant's algorithm).
    static func civil(days: Int64) -> String {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year < 0 ? "-" + padded(-year, 4) : padded(year, 4)) + "-" + padded(month, 2) + "-" + padded(day, 2)
    }

    /// A big-endian two's-complement integer of any width, in decimal.
    static func bigEndianInteger(_ bytes: ArraySlice<UInt8>) -> String {
        guard let first = bytes.first else { return "0" }
        let negative = first & 0x80 != 0
        var magnitude = Array(bytes)
        if negative {  // two's complement: invert and add one
            for i in magnitude.indices { magnitude[i] = ~magnitude[i] }
            var i = magnitude.count - 1
            while i >= 0 { magnitude[i] &+= 1; if magnitude[i] != 0 { break }; i -= 1 }
        }
        var digits: [UInt8] = []
        while magnitude.contains(where: { $0 != 0 }) {
            var remainder = 0
            for i in magnitude.indices {
                let value = remainder << 8 | Int(magnitude[i])
                magnitude[i] = UInt8(value / 10)
                remainder = value % 10
            }
            digits.append(UInt8(remainder))
        }
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + String(digits.reversed().map { Character(String($0)) })
    }

    /// An unscaled integer (decimal digits, maybe signed) with `scale` as Python's Decimal prints it.
    static func decimal(unscaled: String, scale: Int) -> String {
        let negative = unscaled.hasPrefix("-")
        var digits = negative ? String(unscaled.dropFirst()) : unscaled
        if scale <= 0 { return unscaled + String(repeating: "0", count: -scale) }
        // Decimal's str switches to exponent form when the adjusted exponent is below -6.
        let adjusted = digits.count - 1 - scale
        if adjusted < -6 {
            let mantissa = digits.count > 1 ? String(digits.first!) + "." + digits.dropFirst() : digits
            return (negative ? "-" : "") + mantissa + "E" + String(adjusted)
        }
        if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
        let point = digits.index(digits.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + digits[..<point] + "." + digits[point...]
    }

    static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10 & 0x1F)
        let fraction = Double(bits & 0x3FF)
        if exponent == 0 { return sign * fraction * pow2(-24) }
        if exponent == 31 { return fraction == 0 ? sign * .infinity : .nan }
        return sign * (1 + fraction / 1024) * pow2(exponent - 15)
    }

    static func pow2(_ n: Int) -> Double { Double(sign: .plus, exponent: n, significand: 1) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ParquetTable {
    /// Parquet bytes already in memory (a blob from git): read through a private temporary
    /// file, unlinked as soon as it is open.
    public static func parse(_ bytes: [UInt8], display: String) throws(InputError) -> Table {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((directory + "/mlci-parquet-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw InputError(FileSystem.describeErrno(errno, verb: "create a temporary file for", name: display)) }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path); close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw InputError(FileSystem.describeErrno(errno, verb: "write a temporary copy of", name: display)) }
            written += n
        }
        return try read(path: path, display: display)
    }
}
