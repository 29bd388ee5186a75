import MLCIConfig
import MLCIData
import MLCISupport

/// `gate.data`: expectations on one data file, as findings. A declared column that is missing
/// and text in a numeric column are bad input (the data cannot be checked), not failures.
public enum DataGate {
    public static func evaluate(_ table: Table, spec: JSONValue, location: SourceLocation?) throws -> [Finding] {
        var findings: [Finding] = []
        let file = table.name
        let mostly = spec["mostly"]?.doubleValue ?? 1
        func column(_ name: String) throws(InputError) -> [String?] {
            guard let values = table.column(name) else {
                throw InputError("\(file) has no column '\(name)'", at: SourceLocation(file: file, line: 1),
                                 hint: Suggestion.closest(to: name, in: table.columns).map { "did you mean '\($0)'? " } ?? "columns: \(table.columns.joined(separator: ", "))")
            }
            return values
        }
        func add(_ rule: String, _ subject: String, _ result: ExpectationResult, what: String, expected: JSONValue) {
            let rows = result.partialUnexpected.map { example -> JSONValue in
                ["row": .int(Int64(example.row + 1)), "line": .int(Int64(table.rowLines[example.row])), "value": .optional(example.value)]
            }
            let examples = result.partialUnexpected.prefix(5).map { "\($0.value.map { "'\($0)'" } ?? "null") (row \($0.row + 1))" }.joined(separator: ", ")
            let considered = result.elementCount - (rule == "data.not_null" ? 0 : result.missingCount)
            let message = result.success && result.unexpectedCount == 0
                ? "\(file): '\(subject)' \(what)"
                : "\(file): \(result.unexpectedCount) of \(considered) values of '\(subject)' (\(MetricsGate.format(result.unexpectedPercent))%) fail: \(what); e.g. \(examples)"
            findings.append(Finding(
                checkID: rule, subject: "\(file):\(subject)", outcome: result.success ? .passed : .failed, message: message,
                observed: ["unexpected_count": .int(Int64(result.unexpectedCount)), "unexpected_percent": .double(result.unexpectedPercent),
                           "missing_count": .int(Int64(result.missingCount)), "examples": .array(rows)],
                expected: expected, location: location, artifact: file))
        }
        func aggregate(_ rule: String, _ subject: String, _ result: ExpectationResult, what: String, expected: JSONValue) {
            findings.append(Finding(checkID: rule, subject: "\(file):\(subject)", outcome: result.success ? .passed : .failed,
                                    message: "\(file): \(subject) is \(show(result.observed)); \(what)", observed: result.observed,
                                    expected: expected, location: location, artifact: file))
        }
        func range(_ value: JSONValue?, _ key: String, _ name: String) throws(InputError) -> (Double?, Double?) {
            guard let pair = value?.arrayValue, pair.count >= 2 else { return (nil, nil) }
            guard pair.count == 2 else {
                throw InputError("\(key) for '\(name)' has \(pair.count) items; give exactly [min, max]", at: location,
                                 hint: "use null for an open end; strict: true excludes both ends")
            }
            for bound in pair where bound != .null && bound.doubleValue == nil {
                throw InputError("\(key) for '\(name)': the bound \(show(bound)) is not a number", at: location)
            }
            let (low, high) = (pair[0].doubleValue, pair[1].doubleValue)
            if low == nil && high == nil { throw InputError("\(key) for '\(name)' has neither a min nor a max", at: location) }
            if let low, let high, low > high { throw InputError("\(key) for '\(name)': the min \(show(pair[0])) is above the max \(show(pair[1]))", at: location) }
            return (low, high)
        }
        /// The column's pandas dtype; numeric checks refuse others, as Great Expectations raises on them.
        func dtype(_ name: String, numericFor key: String? = nil) throws(InputError) -> String {
            let values = try column(name)
            let index = table.columns.firstIndex(of: name)!
            let type = table.dtype(index)
            if let key, !Expectations.isNumeric(dtype: type) {
                let example = values.firstIndex { $0 != nil && TextValue.number($0!) == nil }
                throw InputError("\(key) needs numbers, but '\(name)' is a \(type) column" + (example.map { " (row \($0 + 1) holds '\(values[$0]!)')" } ?? ""),
                                 at: SourceLocation(file: file, line: example.map { table.rowLines[$0] } ?? 1),
                                 hint: "Great Expectations raises here too; fix the values or drop the expectation")
            }
            return type
        }
        let strict = spec["strict"] == .bool(true)

        // Declared columns: present, in order when asked, of their type.
        if let declared = spec["columns"]?.objectValue {
            let names = declared.map(\.0)
            for name in names where !table.columns.contains(name) { _ = try column(name) }
            if spec["ordered"] == .bool(true) {
                // Without `exact`, undeclared columns may sit anywhere; the declared ones keep their order.
                let result = spec["exact"] == .bool(true)
                    ? Expectations.orderedColumns(table, expected: names)
                    : Expectations.orderedColumns(Table(name: file, columns: table.columns.filter(names.contains), cells: [], rowLines: []),
                                                  expected: names)
                aggregate("data.columns_ordered", "columns", result, what: "expected the order \(names.joined(separator: ", "))",
                          expected: .array(names.map(JSONValue.string)))
            }
            if spec["exact"] == .bool(true) {
                let extra = table.columns.filter { !names.contains($0) }
                findings.append(Finding(checkID: "data.columns_exact", subject: "\(file):columns", outcome: extra.isEmpty ? .passed : .failed,
                                        message: extra.isEmpty ? "\(file) has exactly the declared columns" : "\(file) has columns not declared: \(extra.joined(separator: ", "))",
                                        observed: .array(table.columns.map(JSONValue.string)), expected: .array(names.map(JSONValue.string)),
                                        location: location, artifact: file))
            }
            for (name, type) in declared {
                guard let type = type.stringValue else { continue }
                let values = try column(name)
                for (row, value) in values.enumerated() {
                    guard let value, !Self.fits(value, type) else { continue }
                    throw InputError("column '\(name)' is declared \(type), but row \(row + 1) holds '\(value)'",
                                     at: SourceLocation(file: file, line: table.rowLines[row]),
                                     hint: "fix the value, or declare the column as string")
                }
            }
        }
        for name in spec["not_null"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            add("data.not_null", name, Expectations.notNull(try column(name), mostly: mostly), what: "no missing values", expected: ["mostly": .double(mostly)])
        }
        for name in spec["unique"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            add("data.unique", name, Expectations.unique(try column(name), mostly: mostly, dtype: try dtype(name)), what: "every value unique", expected: ["mostly": .double(mostly)])
        }
        for (name, bounds) in spec["between"]?.objectValue ?? [] {
            let (low, high) = try range(bounds, "between", name)
            add("data.between", name, Expectations.between(try column(name), min: low, max: high, strictMin: strict, strictMax: strict, mostly: mostly,
                                                            dtype: try dtype(name, numericFor: "between")),
                what: (strict ? "strictly " : "") + "between \(low.map(MetricsGate.format) ?? "-∞") and \(high.map(MetricsGate.format) ?? "∞")", expected: bounds)
        }
        for (name, set) in spec["in_set"]?.objectValue ?? [] {
            let members = set.arrayValue ?? []
            add("data.in_set", name, Expectations.inSet(try column(name), set: members, mostly: mostly, dtype: try dtype(name)),
                what: "one of \(members.map(show).joined(separator: ", "))", expected: set)
        }
        for (name, pattern) in spec["regex"]?.objectValue ?? [] {
            guard let text = pattern.stringValue else { continue }
            let result: ExpectationResult
            do {
                result = try Expectations.regex(try column(name), pattern: text, search: false, mostly: mostly)
            } catch let error as InputError {
                throw error
            } catch {
                throw InputError("the regex for '\(name)' is not valid: \(text)", at: location)
            }
            add("data.regex", name, result, what: "matching \(text) in full", expected: pattern)
        }
        for (key, rule, function) in [("mean_between", "data.mean", Expectations.meanBetween), ("min_between", "data.min", Expectations.minBetween),
                                      ("max_between", "data.max", Expectations.maxBetween)]
            as [(String, String, ([String?], Double?, Double?, Bool, String?) -> ExpectationResult)] {
            for (name, bounds) in spec[key]?.objectValue ?? [] {
                let (low, high) = try range(bounds, key, name)
                let type = try dtype(name, numericFor: key)
                aggregate(rule, "\(rule.dropFirst(5))(\(name))", function(try column(name), low, high, strict, type),
                          what: "expected \(strict ? "strictly " : "")between \(low.map(MetricsGate.format) ?? "-∞") and \(high.map(MetricsGate.format) ?? "∞")", expected: bounds)
            }
        }
        if let rows = spec["rows"] {
            let low = rows["min"]?.doubleValue.map { Int($0) }
            let high = rows["max"]?.doubleValue.map { Int($0) }
            aggregate("data.rows", "the row count", Expectations.rowCount(table, min: low, max: high),
                      what: "expected \(low.map(String.init) ?? "0") to \(high.map(String.init) ?? "any number of") rows", expected: rows)
        }
        return findings
    }

    /// Whether `value` is written as a value of `type`.
    static func fits(_ value: String, _ type: String) -> Bool {
        switch type {
        case "int": return Int64(value) != nil || (Double(value).map { $0 == $0.rounded() && $0.isFinite } ?? false)
        case "float": return Double(value) != nil
        case "bool": return ["true", "false", "True", "False", "TRUE", "FALSE", "0", "1"].contains(value)
        case "date": return value.count == 10 && value.split(separator: "-").count == 3 && value.allSatisfy { $0.isNumber || $0 == "-" }
        case "datetime": return value.count >= 16 && value.prefix(10).split(separator: "-").count == 3
        default: return true
        }
    }

    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "-" }
        switch value {
        case .string(let s): return s
        case .double(let d): return MetricsGate.format(d)
        default: return JSONWriter(style: .compact).string(value)
        }
    }
}
