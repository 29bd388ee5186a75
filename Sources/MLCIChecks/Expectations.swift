import MLCIData
import MLCISupport

/// The outcome of one expectation, with Great Expectations' numbers (result format SUMMARY):
/// `unexpected_percent` is a share of the non-missing values, except for not-null checks.
public struct ExpectationResult: Sendable {
    public var success: Bool
    public var elementCount: Int
    public var missingCount: Int
    public var unexpectedCount: Int
    public var unexpectedPercent: Double
    /// Up to 20 unexpected values in row order, with their 0-based row index.
    public var partialUnexpected: [(row: Int, value: String?)]
    /// The aggregate observed (mean, row count, dtype, column list), when the check has one.
    public var observed: JSONValue?

    public static func aggregate(_ success: Bool, observed: JSONValue) -> ExpectationResult {
        ExpectationResult(success: success, elementCount: 0, missingCount: 0, unexpectedCount: 0, unexpectedPercent: 0,
                          partialUnexpected: [], observed: observed)
    }
}

/// Great Expectations' column-map and aggregate expectations over a ``Table``'s text cells.
/// Missing values are never unexpected (except for `not_null`); `mostly` (default 1) is the
/// share of considered values that must be expected.
///
/// Stateless; safe from any thread.
public enum Expectations {
    static let partialLimit = 20

    /// A column-map expectation: `isExpected` is asked about every non-missing value.
    static func columnMap(_ values: [String?], mostly: Double, countMissing: Bool = false,
                          _ isExpected: (_ row: Int, _ text: String) -> Bool) -> ExpectationResult {
        var unexpected = 0
        var missing = 0
        var partial: [(row: Int, value: String?)] = []
        for (row, value) in values.enumerated() {
            guard let value else {
                missing += 1
                if countMissing {
                    unexpected += 1
                    if partial.count < partialLimit { partial.append((row, nil)) }
                }
                continue
            }
            if countMissing { continue }
            if !isExpected(row, value) {
                unexpected += 1
                if partial.count < partialLimit { partial.append((row, value)) }
            }
        }
        let considered = countMissing ? values.count : values.count - missing
        let percent = considered == 0 ? 0 : Double(unexpected) / Double(considered) * 100
        let success = considered == 0 ? true : Double(considered - unexpected) / Double(considered) >= mostly
        return ExpectationResult(success: success, elementCount: values.count, missingCount: missing, unexpectedCount: unexpected,
                                 unexpectedPercent: percent, partialUnexpected: partial, observed: nil)
    }

    public static func notNull(_ values: [String?], mostly: Double = 1) -> ExpectationResult {
        columnMap(values, mostly: mostly, countMissing: true) { _, _ in true }
    }

    /// Whether pandas gives columns of `dtype` numbers (booleans count as 1 and 0, as in pandas).
    public static func isNumeric(dtype: String) -> Bool {
        dtype.hasPrefix("int") || dtype.hasPrefix("uint") || dtype.hasPrefix("float") || dtype == "bool"
    }

    /// The column's values as pandas holds them: numbers for numeric and boolean dtypes
    /// (`nil` for other dtypes, whose values stay text).
    public static func typedNumbers(_ values: [String?], dtype: String? = nil) -> [Double?]? {
        let dtype = dtype ?? TextDtype.infer(values)
        // A boolean column with missing values is an object column of Python bools in pandas.
        let booleanObject = dtype == "object" && values.allSatisfy { $0 == nil || TextValue.boolean($0!) != nil } && values.contains { $0 != nil }
        guard isNumeric(dtype: dtype) || booleanObject else { return nil }
        if dtype == "bool" || booleanObject { return values.map { $0.flatMap(TextValue.boolean).map { $0 ? 1 : 0 } } }
        return values.map { $0.flatMap(TextValue.number) }
    }

    /// `expect_column_values_to_be_between` on a numeric column (non-numeric columns make
    /// Great Expectations raise; the caller refuses them).
    public static func between(_ values: [String?], min: Double?, max: Double?, strictMin: Bool = false, strictMax: Bool = false,
                               mostly: Double = 1, dtype: String? = nil) -> ExpectationResult {
        let numbers = typedNumbers(values, dtype: dtype)
        return columnMap(values, mostly: mostly) { row, text in
            guard let value = numbers.map({ $0[row] }) ?? TextValue.number(text) else { return false }
            if let min, strictMin ? value <= min : value < min { return false }
            if let max, strictMax ? value >= max : value > max { return false }
            return true
        }
    }

    /// `isin`: numbers (and booleans, as 1 and 0) match numeric members; text matches string members.
    public static func inSet(_ values: [String?], set: [JSONValue], mostly: Double = 1, dtype: String? = nil) -> ExpectationResult {
        let strings = Set(set.compactMap { $0.stringValue })
        var numbers: Set<Double> = []
        for member in set {
            switch member {
            case .bool(let flag): numbers.insert(flag ? 1 : 0)
            case .int, .double: if let value = member.doubleValue { numbers.insert(value) }
            default: break
            }
        }
        let typed = typedNumbers(values, dtype: dtype)
        return columnMap(values, mostly: mostly) { row, text in
            if let typed { return typed[row].map { numbers.contains($0) } ?? false }
            return strings.contains(text)
        }
    }

    /// `duplicated(keep=False)` on the values as pandas holds them (1, 1.0 and 1e0 are equal in a numeric column).
    public static func unique(_ values: [String?], mostly: Double = 1, dtype: String? = nil) -> ExpectationResult {
        if let typed = typedNumbers(values, dtype: dtype) {
            var counts: [Double: Int] = [:]
            for value in typed { if let value { counts[value == 0 ? 0 : value, default: 0] += 1 } }
            return columnMap(values, mostly: mostly) { row, _ in
                guard let value = typed[row] else { return true }
                return counts[value == 0 ? 0 : value, default: 0] <= 1
            }
        }
        var counts: [String: Int] = [:]
        for value in values { if let value { counts[value, default: 0] += 1 } }
        return columnMap(values, mostly: mostly) { _, text in counts[text, default: 0] <= 1 }
    }

    /// `search: false` (mlci's default) requires the whole value to match; `search: true` is
    /// Great Expectations' `re.search`.
    public static func regex(_ values: [String?], pattern: String, search: Bool, mostly: Double = 1) throws -> ExpectationResult {
        // The standard library's Regex (Python-like syntax: \d, (?:…), lazy quantifiers,
        // lookahead), matching code point by code point as Python's `re` does.
        let regex = try Regex(pattern).matchingSemantics(.unicodeScalar)
        return columnMap(values, mostly: mostly) { _, text in
            search ? text.firstMatch(of: regex) != nil : text.wholeMatch(of: regex) != nil
        }
    }

    /// The numeric values of a column as pandas holds them (missing ones left out).
    static func numbers(_ values: [String?], dtype: String? = nil) -> [Double] {
        (typedNumbers(values, dtype: dtype) ?? values.map { $0.flatMap(TextValue.number) }).compactMap { $0 }
    }

    public static func meanBetween(_ values: [String?], min: Double?, max: Double?, strict: Bool = false, dtype: String? = nil) -> ExpectationResult {
        let numbers = numbers(values, dtype: dtype)
        let mean = numbers.isEmpty ? Double.nan : numbers.reduce(0, +) / Double(numbers.count)
        return .aggregate(within(mean, min, max, strict: strict), observed: .double(mean))
    }

    public static func minBetween(_ values: [String?], min: Double?, max: Double?, strict: Bool = false, dtype: String? = nil) -> ExpectationResult {
        let value = numbers(values, dtype: dtype).min() ?? .nan
        return .aggregate(within(value, min, max, strict: strict), observed: .double(value))
    }

    public static func maxBetween(_ values: [String?], min: Double?, max: Double?, strict: Bool = false, dtype: String? = nil) -> ExpectationResult {
        let value = numbers(values, dtype: dtype).max() ?? .nan
        return .aggregate(within(value, min, max, strict: strict), observed: .double(value))
    }

    public static func rowCount(_ table: Table, min: Int?, max: Int?) -> ExpectationResult {
        .aggregate(within(Double(table.rowCount), min.map(Double.init), max.map(Double.init)), observed: .int(Int64(table.rowCount)))
    }

    static func within(_ value: Double, _ min: Double?, _ max: Double?, strict: Bool = false) -> Bool {
        guard !value.isNaN else { return false }
        if let min, strict ? value <= min : value < min { return false }
        if let max, strict ? value >= max : value > max { return false }
        return true
    }

    /// The dtype pandas would give the column: int64, float64, bool or object.
    public static func pandasDtype(_ values: [String?]) -> String { TextDtype.infer(values) }

    /// `expect_table_columns_to_match_ordered_list`: the positions where names differ.
    public static func orderedColumns(_ table: Table, expected: [String]) -> ExpectationResult {
        var mismatched: [JSONValue] = []
        for position in 0..<max(expected.count, table.columns.count) {
            let want = position < expected.count ? expected[position] : nil
            let found = position < table.columns.count ? table.columns[position] : nil
            if want != found {
                mismatched.append(["Expected Column Position": .int(Int64(position)), "Expected": .optional(want), "Found": .optional(found)])
            }
        }
        return .aggregate(mismatched.isEmpty, observed: .array(table.columns.map(JSONValue.string)))
    }
}
