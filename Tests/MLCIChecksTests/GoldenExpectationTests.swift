import Foundation
import MLCIChecks
import MLCIData
import MLCISupport
import MLCITestSupport
import Testing

/// Great Expectations' own results (GX 1.24, result format SUMMARY) on a 10-row table, from
/// Tests/Fixtures/golden/expectation_vectors.json.
@Suite struct GoldenExpectationTests {
    let golden: JSONValue
    let table: Table

    init() throws {
        let path = MLCIBinary.packageRoot + "/Tests/Fixtures/golden/expectation_vectors.json"
        golden = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        var columns: [String] = []
        var cells: [[String?]] = []
        for (name, values) in golden["table"]?.objectValue ?? [] {
            columns.append(name)
            cells.append((values.arrayValue ?? []).map { value in
                switch value {
                case .null: nil
                case .string(let s): s
                case .int(let i): String(i)
                case .double(let d): JSONWriter.number(d)
                default: nil
                }
            })
        }
        table = Table(name: "table.csv", columns: columns, cells: cells, rowLines: Array(2...(cells.first?.count ?? 0) + 1))
    }

    func result(of testCase: JSONValue) throws -> ExpectationResult? {
        let kwargs = testCase["kwargs"] ?? .null
        let mostly = kwargs["mostly"]?.doubleValue ?? 1
        let column = kwargs["column"]?.stringValue.flatMap { table.column($0) } ?? []
        switch testCase["expectation_type"]?.stringValue ?? "" {
        case "expect_column_values_to_not_be_null": return Expectations.notNull(column, mostly: mostly)
        case "expect_column_values_to_be_between":
            return Expectations.between(column, min: kwargs["min_value"]?.doubleValue, max: kwargs["max_value"]?.doubleValue,
                                        strictMin: kwargs["strict_min"] == .bool(true), strictMax: kwargs["strict_max"] == .bool(true),
                                        mostly: mostly)
        case "expect_column_values_to_be_in_set": return Expectations.inSet(column, set: kwargs["value_set"]?.arrayValue ?? [], mostly: mostly)
        case "expect_column_values_to_be_unique": return Expectations.unique(column, mostly: mostly)
        case "expect_column_values_to_match_regex":
            return try Expectations.regex(column, pattern: kwargs["regex"]?.stringValue ?? "", search: true, mostly: mostly)
        case "expect_column_mean_to_be_between":
            return Expectations.meanBetween(column, min: kwargs["min_value"]?.doubleValue, max: kwargs["max_value"]?.doubleValue)
        case "expect_table_row_count_to_be_between":
            return Expectations.rowCount(table, min: kwargs["min_value"]?.doubleValue.map { Int($0) }, max: kwargs["max_value"]?.doubleValue.map { Int($0) })
        case "expect_table_columns_to_match_ordered_list":
            return Expectations.orderedColumns(table, expected: kwargs["column_list"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        case "expect_column_values_to_be_of_type":
            let dtype = Expectations.pandasDtype(column)
            return .aggregate(dtype == kwargs["type_"]?.stringValue, observed: .string(dtype))
        case "expect_column_to_exist":
            return .aggregate(table.columns.contains(kwargs["column"]?.stringValue ?? ""), observed: .null)
        default: return nil
        }
    }

    @Test func everyExpectationMatchesGreatExpectations() throws {
        let cases = golden["cases"]?.arrayValue ?? []
        #expect(cases.count == 21)
        for testCase in cases {
            let label = "\(testCase["expectation_type"]?.stringValue ?? "") \(JSONWriter(style: .compact).string(testCase["kwargs"] ?? .null))"
            let mine = try #require(try result(of: testCase), "\(label) not implemented")
            #expect(mine.success == (testCase["success"] == .bool(true)), "\(label)")
            let expected = testCase["result"] ?? .null
            if let count = expected["unexpected_count"] {
                #expect(JSONValue.int(Int64(mine.unexpectedCount)) == count, "\(label)")
                let percent = expected["unexpected_percent"]?.doubleValue ?? 0
                #expect(abs(mine.unexpectedPercent - percent) <= 1e-12 * max(1, percent), "\(label)")
                #expect(mine.elementCount == Int(expected["element_count"]?.doubleValue ?? -1), "\(label)")
                let indexes = expected["partial_unexpected_index_list"]?.arrayValue?.compactMap { $0.doubleValue.map(Int.init) } ?? []
                #expect(mine.partialUnexpected.map(\.row) == indexes, "\(label)")
                let values = expected["partial_unexpected_list"]?.arrayValue ?? []
                for (example, want) in zip(mine.partialUnexpected, values) {
                    if case .null = want { #expect(example.value == nil, "\(label)") } else {
                        #expect(example.value.flatMap(Double.init) == want.doubleValue || example.value == want.stringValue, "\(label)")
                    }
                }
                if let missing = expected["missing_count"] { #expect(JSONValue.int(Int64(mine.missingCount)) == missing, "\(label)") }
            }
            if let observed = expected["observed_value"] {
                if let number = observed.doubleValue {
                    #expect(abs((mine.observed?.doubleValue ?? .nan) - number) <= 1e-12 * max(1, abs(number)), "\(label)")
                } else {
                    #expect(mine.observed == observed, "\(label)")
                }
            }
        }
    }

    @Test func mlciFullMatchesRegexesWhereGreatExpectationsSearches() throws {
        let email = try #require(table.column("email"))
        #expect(try Expectations.regex(email, pattern: "@", search: true).unexpectedCount == 1)
        #expect(try Expectations.regex(email, pattern: "@", search: false).unexpectedCount == 9)
        #expect(try Expectations.regex(email, pattern: "[a-z]@x\\.io", search: false).unexpectedCount == 2)
    }
}

@Suite struct TableReaderTests {
    func parse(_ text: String, format: TableFormat = .csv) throws -> Table {
        try TableReader.parse(Array(text.utf8), name: "t.csv", format: format)
    }

    @Test func readsQuotedFieldsEmbeddedNewlinesCRLFAndABOM() throws {
        let table = try TableReader.parse([0xEF, 0xBB, 0xBF] + Array("id,text,n\r\n1,\"a, \"\"quoted\"\"\nline\",3\r\n2,,NA\r\n".utf8),
                                          name: "t.csv", format: .csv)
        #expect(table.columns == ["id", "text", "n"])
        #expect(table.cells[1] == ["a, \"quoted\"\nline", nil])
        #expect(table.cells[2] == ["3", nil])
        #expect(table.rowLines == [2, 4])
    }

    @Test func readsTSVAndJSONLines() throws {
        let tsv = try parse("a\tb\n1\tx y\n", format: .tsv)
        #expect(tsv.cells[1] == ["x y"])
        let jsonl = try parse("{\"a\": 1, \"b\": \"x\"}\n\n{\"a\": null, \"c\": true}\n", format: .jsonl)
        #expect(jsonl.columns == ["a", "b", "c"])
        #expect(jsonl.cells == [["1", nil], ["x", nil], [nil, "True"]])
    }

    @Test(arguments: [
        ("a,b\n1,2\n3\n", "t.csv:3: error: row 2 has 1 field, the header has 2"),
        ("a,b\n1,\"2\n", "t.csv:2: error: a quoted field is never closed"),
        ("\n \n", "t.csv:1: error: t.csv is empty"),
        ("a,a\n1,2\n", "t.csv:1: error: the header names column 'a' twice"),
        ("a,b\n1,\"x\"y\n", "t.csv:2: error: text after a closing quote"),
    ])
    func badTablesAreLocated(text: String, message: String) {
        let error = #expect(throws: InputError.self) { try parse(text) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func invalidUTF8IsLocated() {
        let error = #expect(throws: InputError.self) {
            try TableReader.parse(Array("a\nok\n".utf8) + [0xFF, 0x0A], name: "t.csv", format: .csv)
        }
        #expect(error?.description.contains("t.csv:3: error: the field is not valid UTF-8") == true)
    }
}
