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

    public var rowCount: Int { rowLines.count }

    public init(name: String, columns: [String], cells: [[String?]], rowLines: [Int]) {
        self.name = name
        self.columns = columns
        self.cells = cells
        self.rowLines = rowLines
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
    case csv, tsv, jsonl

    /// The format a file name suggests (`.tsv`, `.jsonl`/`.ndjson`), CSV otherwise.
    public static func guess(_ path: String) -> TableFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") { return .tsv }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        return .csv
    }
}
