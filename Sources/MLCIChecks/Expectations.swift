import Foundation
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
                          _ isExpected: (String) -> Bool) -> ExpectationResult {
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
            if !isExpected(value) {
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
        columnMap(values, mostly: mostly, countMissing: true) { _ in true }
    }

    public static func between(_ values: [String?], min: Double?, max: Double?, strictMin: Bool = false, strictMax: Bool = false,
                               mostly: Double = 1) -> ExpectationResult {
        columnMap(values, mostly: mostly) { text in
            guard let value = Double(text) else { return false }
            if let min, strictMin ? value <= min : value < min { return false }
            if let max, strictMax ? value >= max : value > max { return false }
            return true
        }
    }

    public static func inSet(_ values: [String?], set: [JSONValue], mostly: Double = 1) -> ExpectationResult {
        let strings = Set(set.compactMap { $0.stringValue })
        let numbers = Set(set.compactMap { $0.doubleValue })
        return columnMap(values, mostly: mostly) { text in
            strings.contains(text) || (Double(text).map { numbers.contains($0) } ?? false)
        }
    }

    public static func unique(_ values: [String?], mostly: Double = 1) -> ExpectationResult {
        var counts: [String: Int] = [:]
        for value in values { if let value { counts[value, default: 0] += 1 } }
        return columnMap(values, mostly: mostly) { counts[$0, default: 0] <= 1 }
    }

    /// `search: false` (mlci's default) requires the whole value to match; `search: true` is
    /// Great Expectations' `re.search`.
    public static func regex(_ values: [String?], pattern: String, search: Bool, mostly: Double = 1) throws -> ExpectationResult {
        let regex = try NSRegularExpression(pattern: pattern)
        return columnMap(values, mostly: mostly) { text in
            let range = NSRange(text.startIndex..., in: text)
            guard let match = regex.firstMatch(in: text, options: search ? [] : [.anchored], range: range) else { return false }
            return search || match.range == range
        }
    }

    /// The numeric values of a column (missing and unparsable ones left out).
    static func numbers(_ values: [String?]) -> [Double] { values.compactMap { $0.flatMap(Double.init) } }

    public static func meanBetween(_ values: [String?], min: Double?, max: Double?) -> ExpectationResult {
        let numbers = numbers(values)
        let mean = numbers.isEmpty ? Double.nan : numbers.reduce(0, +) / Double(numbers.count)
        return .aggregate(within(mean, min, max), observed: .double(mean))
    }

    public static func minBetween(_ values: [String?], min: Double?, max: Double?) -> ExpectationResult {
        let value = numbers(values).min() ?? .nan
        return .aggregate(within(value, min, max), observed: .double(value))
    }

    public static func maxBetween(_ values: [String?], min: Double?, max: Double?) -> ExpectationResult {
        let value = numbers(values).max() ?? .nan
        return .aggregate(within(value, min, max), observed: .double(value))
    }

    public static func rowCount(_ table: Table, min: Int?, max: Int?) -> ExpectationResult {
        .aggregate(within(Double(table.rowCount), min.map(Double.init), max.map(Double.init)), observed: .int(Int64(table.rowCount)))
    }

    static func within(_ value: Double, _ min: Double?, _ max: Double?) -> Bool {
        guard !value.isNaN else { return false }
        if let min, value < min { return false }
        if let max, value > max { return false }
        return true
    }

    /// The dtype pandas would give the column: int64, float64, bool or object.
    public static func pandasDtype(_ values: [String?]) -> String {
        let present = values.compactMap { $0 }
        if present.isEmpty { return "float64" }
        if present.allSatisfy({ Int64($0) != nil }) { return present.count == values.count ? "int64" : "float64" }
        if present.allSatisfy({ Double($0) != nil }) { return "float64" }
        if present.allSatisfy({ ["True", "False", "true", "false"].contains($0) }) && present.count == values.count { return "bool" }
        return "object"
    }

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
