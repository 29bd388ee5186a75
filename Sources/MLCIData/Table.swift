import MLCISupport

/// A tabular data file read column by column: names in file order and each cell's text
/// (`nil` for a missing value: an empty field, or one of pandas' default NA spellings).
///
/// A value type: `Sendable`.
public struct Table: Sendable {
    /// The file, as named in messages.
    public var name: String
    public var columns: [String]
    /// `cells[c][r]`: column `c`, data row `r` (0-based, header excluded).
    public var cells: [[String?]]
    /// The 1-based line in the file where each data row starts (for messages).
    public var rowLines: [Int]

    /// The dtype pandas gives each column, when the file says it (Parquet); `nil` for text
    /// formats, where it is inferred from the cells.
    public var dtypes: [String]?

    public var rowCount: Int { rowLines.count }

    public init(name: String, columns: [String], cells: [[String?]], rowLines: [Int], dtypes: [String]? = nil) {
        self.name = name
        self.columns = columns
        self.cells = cells
        self.rowLines = rowLines
        self.dtypes = dtypes
    }

    /// The dtype pandas gives column `index`.
    public func dtype(_ index: Int) -> String {
        dtypes?[index] ?? TextDtype.infer(cells[index])
    }

    public func column(_ name: String) -> [String?]? {
        columns.firstIndex(of: name).map { cells[$0] }
    }

    /// The spellings pandas reads as missing by default (`na_values`).
    public static let missingSpellings: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA",
        "NULL", "NaN", "None", "n/a", "nan", "null",
    ]
}

/// The tabular formats mlci reads.
public enum TableFormat: String, Sendable {
    case csv, tsv, jsonl, parquet

    /// The format a file name suggests (`.tsv`, `.jsonl`/`.ndjson`), CSV otherwise.
    public static func guess(_ path: String) -> TableFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") { return .tsv }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        return .csv
    }
}

/// How pandas' `read_csv` types a column of text cells (missing values already `nil`).
///
/// Stateless; safe from any thread.
public enum TextDtype {
    /// int64, float64, bool or object.
    public static func infer(_ values: [String?]) -> String {
        var present = 0
        var allInts = true
        var allNumbers = true
        var allBools = true
        for value in values {
            guard let value else { continue }
            present += 1
            if allInts && TextValue.integer(value) == nil { allInts = false }
            if allNumbers && !allInts && TextValue.number(value) == nil { allNumbers = false }
            if allBools && TextValue.boolean(value) == nil { allBools = false }
            if !allInts && !allNumbers && !allBools { return "object" }
        }
        if present == 0 { return "float64" }
        if allInts { return present == values.count ? "int64" : "float64" }
        if allNumbers { return "float64" }
        if allBools { return present == values.count ? "bool" : "object" }
        return "object"
    }
}

/// One cell's text read as pandas' parser reads it: numbers with surrounding spaces are still
/// numbers; `True`/`TRUE`/`true` and the false spellings are booleans.
public enum TextValue {
    static func trimmed(_ text: String) -> Substring {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }

    public static func integer(_ text: String) -> Int64? {
        let core = trimmed(text)
        if core.hasPrefix("+") { return Int64(core.dropFirst()) }
        return Int64(core)
    }

    /// A number as pandas' float parser reads it (`inf`/`-inf`/`Infinity` included).
    public static func number(_ text: String) -> Double? {
        let core = trimmed(text)
        guard !core.isEmpty else { return nil }
        if let value = Double(core) {
            if value.isNaN { return nil }
            if value.isInfinite {
                let lower = core.lowercased().trimmingPrefix("+").trimmingPrefix("-")
                return lower == "inf" || lower == "infinity" ? value : nil
            }
            // Swift accepts hexadecimal floats; pandas does not.
            if core.lowercased().contains("0x") { return nil }
            return value
        }
        return nil
    }

    public static func boolean(_ text: String) -> Bool? {
        switch text {
        case "True", "TRUE", "true": return true
        case "False", "FALSE", "false": return false
        default: return nil
        }
    }
}
