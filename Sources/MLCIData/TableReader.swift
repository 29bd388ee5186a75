import MLCIParquet
import MLCISupport

/// Reads CSV (RFC 4180: quoted fields, doubled quotes, embedded newlines, CRLF, a leading BOM),
/// TSV and JSON Lines into a ``Table``, in one pass over the bytes.
///
/// Every problem is an ``InputError`` naming the file and line: a ragged row, an unterminated
/// quote, invalid UTF-8, an empty file. Stateless; safe from any thread.
public enum TableReader {
    /// Parquet is recognised by its content (the `PAR1` magic), whatever the file's name.
    public static func read(path: String, display: String, format: TableFormat? = nil, limit: Int = 4 << 30) throws(InputError) -> Table {
        if format == .parquet || (format == nil && ParquetFile.isParquet(path: path)) {
            return try ParquetTable.read(path: path, display: display)
        }
        let bytes = try FileSystem.read(path, limit: limit, display: display)
        return try parse(bytes, name: display, format: format ?? TableFormat.guess(display))
    }

    public static func parse(_ bytes: [UInt8], name: String, format: TableFormat) throws(InputError) -> Table {
        if bytes.starts(with: ParquetFile.magic) || format == .parquet {
            // Parquet needs random access: go through a private temporary file.
            return try ParquetTable.parse(bytes, display: name)
        }
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        if bytes[start...].allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw InputError("\(name) is empty; expected a header row and data", at: SourceLocation(file: name, line: 1))
        }
        switch format {
        case .csv: return try delimited(bytes, from: start, name: name, separator: 0x2C)
        case .tsv: return try delimited(bytes, from: start, name: name, separator: 0x09)
        case .jsonl: return try jsonLines(bytes, from: start, name: name)
        case .parquet: return try ParquetTable.parse(bytes, display: name)
        }
    }

    static func delimited(_ bytes: [UInt8], from start: Int, name: String, separator: UInt8) throws(InputError) -> Table {
        var header: [String]?
        var cells: [[String?]] = []
        var rowLines: [Int] = []
        var line = 1
        var field: [UInt8] = []
        var row: [String?] = []
        var rowStartLine = 1
        var index = start
        let count = bytes.count
        var inQuotes = false
        var fieldWasQuoted = false

        func text(_ field: [UInt8], quoted: Bool, line: Int) throws(InputError) -> String? {
            guard let value = String(validating: field, as: UTF8.self) else {
                throw InputError("the field is not valid UTF-8", at: SourceLocation(file: name, line: line), hint: "save the file as UTF-8")
            }
            // pandas applies its NA spellings to quoted fields too ("NA" is missing, quoted or not).
            if Table.missingSpellings.contains(value) { return nil }
            return value
        }

        func endRow() throws(InputError) {
            defer { row.removeAll(keepingCapacity: true) }
            if header == nil {
                let names = row.map { $0 ?? "" }
                var seen: Set<String> = []
                for (position, columnName) in names.enumerated() {
                    if columnName.isEmpty {
                        throw InputError("column \(position + 1) of the header has no name", at: SourceLocation(file: name, line: rowStartLine))
                    }
                    if !seen.insert(columnName).inserted {
                        throw InputError("the header names column '\(columnName)' twice", at: SourceLocation(file: name, line: rowStartLine))
                    }
                }
                header = names
                cells = Array(repeating: [], count: names.count)
                return
            }
            guard row.count == header!.count else {
                if row.count == 1, row[0] == nil { return }  // a blank line
                throw InputError("row \(rowLines.count + 1) has \(row.count) field\(row.count == 1 ? "" : "s"), the header has \(header!.count)",
                                 at: SourceLocation(file: name, line: rowStartLine), hint: "quote fields that contain the separator")
            }
            for (column, value) in row.enumerated() { cells[column].append(value) }
            rowLines.append(rowStartLine)
        }

        while index < count {
            let byte = bytes[index]
            if inQuotes {
                if byte == 0x22 {
                    if index + 1 < count, bytes[index + 1] == 0x22 { field.append(0x22); index += 2; continue }
                    inQuotes = false
                    index += 1
                    continue
                }
                if byte == 0x0A { line += 1 }
                field.append(byte)
                index += 1
                continue
            }
            switch byte {
            case 0x22 where field.isEmpty && !fieldWasQuoted:
                inQuotes = true
                fieldWasQuoted = true
            case separator:
                row.append(try text(field, quoted: fieldWasQuoted, line: line))
                field.removeAll(keepingCapacity: true)
                fieldWasQuoted = false
            case 0x0D where index + 1 < count && bytes[index + 1] == 0x0A:
                break  // the \n that follows ends the row
            case 0x0A:
                row.append(try text(field, quoted: fieldWasQuoted, line: line))
                field.removeAll(keepingCapacity: true)
                fieldWasQuoted = false
                try endRow()
                line += 1
                rowStartLine = line
            default:
                if fieldWasQuoted {
                    throw InputError("text after a closing quote", at: SourceLocation(file: name, line: line),
                                     hint: "inside quotes, write a quote as two quotes (\"\")")
                }
                field.append(byte)
            }
            index += 1
        }
        if inQuotes {
            throw InputError("a quoted field is never closed", at: SourceLocation(file: name, line: rowStartLine))
        }
        if !field.isEmpty || fieldWasQuoted || !row.isEmpty {
            row.append(try text(field, quoted: fieldWasQuoted, line: line))
            try endRow()
        }
        guard let header else { throw InputError("\(name) has no header row", at: SourceLocation(file: name, line: 1)) }
        return Table(name: name, columns: header, cells: cells, rowLines: rowLines)
    }

    static func jsonLines(_ bytes: [UInt8], from start: Int, name: String) throws(InputError) -> Table {
        var columns: [String] = []
        var positions: [String: Int] = [:]
        var cells: [[String?]] = []
        var rowLines: [Int] = []
        var lineNumber = 0
        var lineStart = start
        var index = start
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == 0x0A {
                lineNumber += 1
                let slice = Array(bytes[lineStart..<index])
                lineStart = index + 1
                index += 1
                if slice.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                let value: JSONValue
                do {
                    value = try JSONParser().parse(slice)
                } catch {
                    throw InputError("\(error.message)", at: SourceLocation(file: name, line: lineNumber, column: error.column))
                }
                guard case .object(let members) = value else {
                    throw InputError("each line must be a JSON object", at: SourceLocation(file: name, line: lineNumber))
                }
                let row = rowLines.count
                for (key, member) in members {
                    if positions[key] == nil {
                        positions[key] = columns.count
                        columns.append(key)
                        cells.append(Array(repeating: nil, count: row))
                    }
                    let text: String?
                    switch member {
                    case .null: text = nil
                    case .string(let s): text = s
                    case .bool(let b): text = b ? "True" : "False"
                    case .int(let i): text = String(i)
                    case .double(let d): text = JSONWriter.number(d)
                    default: text = JSONWriter(style: .compact).string(member)
                    }
                    cells[positions[key]!].append(text)
                }
                for column in cells.indices where cells[column].count == row { cells[column].append(nil) }
                rowLines.append(lineNumber)
                continue
            }
            index += 1
        }
        if rowLines.isEmpty { throw InputError("\(name) has no JSON lines", at: SourceLocation(file: name, line: 1)) }
        return Table(name: name, columns: columns, cells: cells, rowLines: rowLines)
    }
}
