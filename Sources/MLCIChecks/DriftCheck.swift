import MLCIData
import MLCIStats
import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One column's drift between the reference (the target branch's data) and the current data.
public struct ColumnDrift: Sendable {
    public var column: String
    public var isNumeric: Bool
    public var method: String
    /// The test statistic (KS D, χ², z) or the distance/index itself.
    public var statistic: Double
    /// For p-value methods (ks, chisquare, z).
    public var pValue: Double?
    public var threshold: Double
    public var drifted: Bool
    public var referenceCount: Int
    public var currentCount: Int

    public var json: JSONValue {
        ["column": .string(column), "type": isNumeric ? "numeric" : "categorical", "method": .string(method),
         "statistic": .double(statistic), "p_value": pValue.map(JSONValue.double) ?? .null,
         "distance": pValue == nil ? .double(statistic) : .null, "threshold": .double(threshold), "drifted": .bool(drifted),
         "reference_rows": .int(Int64(referenceCount)), "current_rows": .int(Int64(currentCount))]
    }
}

/// Drift per column, with Evidently's default method per column (overridable), and dataset
/// drift when the share of drifted columns reaches `share_max`.
///
/// Stateless; safe from any thread.
public enum DriftCheck {
    public static let methods: Set<String> = ["ks", "psi", "chisquare", "z", "wasserstein", "jensenshannon"]

    /// Evidently's `_get_default_stattest`.
    public static func defaultMethod(isNumeric: Bool, referenceRows: Int, uniqueValues: Int) -> String {
        if referenceRows <= 1000 {
            if uniqueValues <= 2 { return "z" }
            return isNumeric && uniqueValues > 5 ? "ks" : "chisquare"
        }
        return isNumeric && uniqueValues > 5 ? "wasserstein" : "jensenshannon"
    }

    /// A column's values: numbers when every present value is one, otherwise text.
    public enum ColumnData: Sendable {
        case numbers([Double])
        case strings([String])

        var count: Int {
            switch self {
            case .numbers(let values): values.count
            case .strings(let values): values.count
            }
        }

        var strings: [String] {
            switch self {
            case .numbers(let values): values.map { JSONWriter.number($0) }
            case .strings(let values): values
            }
        }
    }

    public static func evaluate(reference: Table, current: Table, spec: JSONValue) throws -> (columns: [ColumnDrift], share: Double, datasetDrift: Bool) {
        let wanted = spec["columns"]?.arrayValue?.compactMap(\.stringValue)
        let names = wanted ?? reference.columns.filter { current.columns.contains($0) }
        var pairs: [(String, ColumnData, ColumnData)] = []
        for name in names {
            guard let referenceValues = reference.column(name) else {
                throw InputError("\(reference.name) has no column '\(name)'", at: SourceLocation(file: reference.name, line: 1))
            }
            guard let currentValues = current.column(name) else {
                throw InputError("\(current.name) has no column '\(name)'", at: SourceLocation(file: current.name, line: 1))
            }
            let referenceIndex = reference.columns.firstIndex(of: name)!
            let currentIndex = current.columns.firstIndex(of: name)!
            let referenceType = reference.dtype(referenceIndex)
            let currentType = current.dtype(currentIndex)
            if Expectations.isNumeric(dtype: referenceType) && Expectations.isNumeric(dtype: currentType) && referenceType != "bool" && currentType != "bool" {
                // Evidently drops NaN and ±inf first and keeps the column numeric.
                let ref = (Expectations.typedNumbers(referenceValues, dtype: referenceType) ?? []).compactMap { $0 }.filter(\.isFinite)
                let cur = (Expectations.typedNumbers(currentValues, dtype: currentType) ?? []).compactMap { $0 }.filter(\.isFinite)
                // Evidently's infer_column_type (on the current data): an integer column with at
                // most 10 distinct values is categorical.
                if currentType.hasPrefix("int") || currentType.hasPrefix("uint"), Set(cur).count <= 10 {
                    pairs.append((name, .strings(ref.map { JSONWriter.number($0) }), .strings(cur.map { JSONWriter.number($0) })))
                } else {
                    pairs.append((name, .numbers(ref), .numbers(cur)))
                }
            } else {
                pairs.append((name, .strings(referenceValues.compactMap { $0 }), .strings(currentValues.compactMap { $0 })))
            }
        }
        return try evaluate(pairs, spec: spec)
    }

    /// Drift of numeric columns already read as numbers (``NumericColumns``).
    ///
    /// Takes ownership of the numbers, so that each column is replaced by its sorted copy
    /// instead of kept beside it (peak memory stays near the size of the numbers).
    public static func evaluate(reference: consuming NumericColumns.Result, current: consuming NumericColumns.Result, spec: JSONValue) throws
        -> (columns: [ColumnDrift], share: Double, datasetDrift: Bool)
    {
        let names = reference.names
        let currentNames = current.names
        let currentIsInteger = currentNames.indices.map { current.isInteger($0) }
        var referenceValues = reference.values
        var currentValues = current.values
        _ = consume reference
        _ = consume current
        // ±inf is dropped as missing, as Evidently does (the CSV reader's general path does too;
        // a Parquet double column reaches here with them).
        for index in referenceValues.indices { dropNonFinite(&referenceValues[index]) }
        for index in currentValues.indices { dropNonFinite(&currentValues[index]) }
        var pairs: [(String, ColumnData, ColumnData)] = []
        for (index, name) in names.enumerated() {
            guard let other = currentNames.firstIndex(of: name) else { continue }
            // Evidently's infer_column_type: an integer column with at most 10 distinct values is categorical.
            if currentIsInteger[other], Set(currentValues[other]).count <= 10 {
                pairs.append((name, .strings(referenceValues[index].map { JSONWriter.number($0) }), .strings(currentValues[other].map { JSONWriter.number($0) })))
            } else {
                pairs.append((name, .numbers(referenceValues[index]), .numbers(currentValues[other])))
            }
            referenceValues[index] = []
            currentValues[other] = []
        }
        return try evaluate(consume pairs, spec: spec)
    }

    /// Removes NaN and ±inf in place, keeping the order of the rest.
    static func dropNonFinite(_ values: inout [Double]) {
        guard values.contains(where: { !$0.isFinite }) else { return }
        values.removeAll { !$0.isFinite }
    }

    /// Every (column, method) on all cores; a column drifts when any of its methods says so.
    static func evaluate(_ input: consuming [(String, ColumnData, ColumnData)], spec: JSONValue) throws -> (columns: [ColumnDrift], share: Double, datasetDrift: Bool) {
        let pairs = input.map { ($0.0, $0.1.count, $0.2.count) }
        // The data moves into slots each owned once, so sorting replaces it rather than copies it.
        let store = ResultSlots<(ColumnData, ColumnData)>(count: pairs.count)
        var moving = consume input
        for index in moving.indices {
            store[index] = (moving[index].1, moving[index].2)
            moving[index] = (moving[index].0, .numbers([]), .numbers([]))
        }
        _ = consume moving
        var jobs: [(Int, String)] = []
        for (index, sizes) in pairs.enumerated() where sizes.1 > 0 && sizes.2 > 0 {
            let pair = (sizes.0, store[index]!.0, store[index]!.1)
            let configured = spec["methods"]?[pair.0]
            var methods = configured?.arrayValue?.compactMap(\.stringValue) ?? configured?.stringValue.map { [$0] }
                ?? spec["all_methods"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if methods.isEmpty {
                let unique: Int
                switch (pair.1, pair.2) {
                case let (.numbers(a), .numbers(b)): unique = Set(a).union(b).count
                default: unique = Set(pair.1.strings).union(pair.2.strings).count
                }
                let isNumeric = { if case .numbers = pair.1 { return true } else { return false } }()
                methods = [defaultMethod(isNumeric: isNumeric, referenceRows: pair.1.count, uniqueValues: unique)]
            }
            for method in methods {
                guard Self.methods.contains(method) else {
                    throw InputError("unknown drift method '\(method)' for column '\(pair.0)'", hint: "use one of \(Self.methods.sorted().joined(separator: ", "))")
                }
                jobs.append((index, method))
            }
        }
        // Each numeric column is sorted once (KS and PSI both need it), on all cores, in place.
        Parallel.forEach(count: pairs.count) { index, _ in
            guard case .numbers = store[index]!.0, case .numbers = store[index]!.1 else { return }
            var current = store[index]!
            store[index] = nil
            // Taken out of the enum first, so the array is uniquely owned and sorts in place.
            if case .numbers(var a) = current.0 { current.0 = .numbers([]); RadixSort.sort(&a); current.0 = .numbers(a) }
            if case .numbers(var b) = current.1 { current.1 = .numbers([]); RadixSort.sort(&b); current.1 = .numbers(b) }
            store[index] = current
        }
        let names = pairs.map(\.0)
        let slots = ResultSlots<Result<ColumnDrift, InputError>>(count: jobs.count)
        let work = jobs
        let settings = spec
        Parallel.forEach(count: work.count) { job, _ in
            let (index, method) = work[job]
            do {
                let (reference, current) = store[index]!
                slots[job] = .success(try column(names[index], reference, current, method: method, spec: settings))
            } catch let error as InputError {
                slots[job] = .failure(error)
            } catch {
                slots[job] = .failure(InputError("\(error)"))
            }
        }
        var results: [ColumnDrift] = []
        for slot in slots.values {
            switch slot! {
            case .success(let drift): results.append(drift)
            case .failure(let error): throw error
            }
        }
        var drifted: [String: Bool] = [:]
        for result in results { drifted[result.column] = (drifted[result.column] ?? false) || result.drifted }
        let share = drifted.isEmpty ? 0 : Double(drifted.values.filter { $0 }.count) / Double(drifted.count)
        let shareMax = spec["share_max"]?.doubleValue ?? 0.5
        return (results, share, !drifted.isEmpty && share >= shareMax)
    }

    /// One method on one column; numeric data arrives sorted.
    static func column(_ name: String, _ refData: ColumnData, _ curData: ColumnData, method: String, spec: JSONValue) throws -> ColumnDrift {
        var refNumbers: [Double] = []
        var curNumbers: [Double] = []
        var isNumeric = false
        if case .numbers(let a) = refData, case .numbers(let b) = curData { refNumbers = a; curNumbers = b; isNumeric = true }
        var drift = ColumnDrift(column: name, isNumeric: isNumeric, method: method, statistic: 0, pValue: nil, threshold: 0,
                                drifted: false, referenceCount: refData.count, currentCount: curData.count)
        let pThreshold = spec["p_value_min"]?.doubleValue ?? 0.05
        switch method {
        case "ks":
            guard isNumeric else { throw InputError("column '\(name)' is not numeric, so the ks method does not apply to it") }
            let x = refNumbers  // sorted by the caller
            let y = curNumbers
            var (d, _, _) = KolmogorovSmirnov.statistic(sortedX: x, sortedY: y)
            var p: Double
            if max(x.count, y.count) <= 10_000, let exact = KolmogorovSmirnov.exactPValue(n1: x.count, n2: y.count, d: d) {
                (d, p) = exact  // scipy reports the statistic as round(D·lcm)/lcm with the exact method
            } else {
                let ne = Int((Double(x.count) * Double(y.count) / Double(x.count + y.count)).rounded(.toNearestOrEven))
                p = KolmogorovDistribution.survival(n: max(ne, 1), d: d)
            }
            p = min(max(p, 0), 1)
            drift.statistic = d
            drift.pValue = p
            drift.threshold = pThreshold
            drift.drifted = p <= pThreshold
        case "chisquare":
            let ref = refData.strings
            let cur = curData.strings
            var rc: [String: Double] = [:]
            var cc: [String: Double] = [:]
            for value in ref { rc[value, default: 0] += 1 }
            for value in cur { cc[value, default: 0] += 1 }
            let keys = Set(rc.keys).union(cc.keys).sorted()
            let scale = Double(cur.count) / Double(ref.count)
            var statistic = 0.0
            var impossible = false
            for key in keys {
                let expected = (rc[key] ?? 0) * scale
                let observed = cc[key] ?? 0
                if expected == 0 { if observed > 0 { impossible = true }; continue }
                statistic += (observed - expected) * (observed - expected) / expected
            }
            let p = impossible ? 0 : SpecialFunctions.chiSquareSurvival(statistic, degreesOfFreedom: Double(max(keys.count - 1, 1)))
            drift.statistic = impossible ? .infinity : statistic
            drift.pValue = p
            drift.threshold = pThreshold
            drift.drifted = p < pThreshold
        case "z":
            let ref = refData.strings
            let cur = curData.strings
            let one = Set(ref).union(cur).sorted().first ?? ""
            let (z, p) = Distances.twoProportionZ(referenceOnes: ref.filter { $0 == one }.count, referenceN: ref.count,
                                                  currentOnes: cur.filter { $0 == one }.count, currentN: cur.count)
            drift.statistic = z.isNaN ? 0 : z
            drift.pValue = z.isNaN ? 1 : p
            drift.threshold = pThreshold
            drift.drifted = (drift.pValue ?? 1) < pThreshold
        case "wasserstein":
            guard isNumeric else { throw InputError("column '\(name)' is not numeric, so the wasserstein method does not apply to it") }
            let mean = refNumbers.reduce(0, +) / Double(refNumbers.count)
            let std = (refNumbers.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(refNumbers.count)).squareRoot()
            drift.statistic = Distances.wasserstein(refNumbers, curNumbers) / max(std, 0.001)
            drift.threshold = spec["wasserstein_max"]?.doubleValue ?? 0.1
            drift.drifted = drift.statistic >= drift.threshold
        case "jensenshannon":
            let (p, q) = binned(ref: refData.strings, cur: curData.strings, refNumbers: isNumeric ? refNumbers : nil, curNumbers: isNumeric ? curNumbers : nil)
            drift.statistic = Distances.jensenShannon(p, q)
            drift.threshold = spec["jensenshannon_max"]?.doubleValue ?? 0.1
            drift.drifted = drift.statistic >= drift.threshold
        default:  // psi
            drift.statistic = isNumeric
                ? Distances.psi(sortedReference: refNumbers, current: curNumbers, bins: Int(spec["bins"]?.doubleValue ?? 10), currentIsSorted: true).psi
                : Distances.psiCategorical(reference: refData.strings, current: curData.strings)
            drift.threshold = spec["psi_max"]?.doubleValue ?? 0.1
            drift.drifted = drift.statistic >= drift.threshold
        }
        return drift
    }

    /// Evidently's `get_binned_data`: Sturges bins over both samples for a numeric column with
    /// more than 20 distinct reference values, one bin per value otherwise; shares per side.
    static func binned(ref: [String], cur: [String], refNumbers: [Double]?, curNumbers: [Double]?) -> ([Double], [Double]) {
        if let refNumbers, let curNumbers, Set(refNumbers).count > 20 {
            let all = refNumbers + curNumbers
            let low = all.min() ?? 0
            let high = all.max() ?? 0
            let ptp = high - low
            let bins = ptp == 0 ? 1 : Int((ptp / (ptp / (log2(Double(all.count)) + 1))).rounded(.up))
            let width = ptp / Double(bins)
            func counts(_ values: [Double]) -> [Double] {
                var out = [Double](repeating: 0, count: bins)
                for value in values {
                    var index = width == 0 ? 0 : Int((value - low) / width)
                    if index >= bins { index = bins - 1 }
                    // Respect the edges exactly as numpy does: [a, b) except the last bin.
                    while index > 0 && value < low + Double(index) * width { index -= 1 }
                    while index < bins - 1 && value >= low + Double(index + 1) * width { index += 1 }
                    out[max(0, index)] += 1
                }
                return out.map { $0 / Double(values.count) }
            }
            return (counts(refNumbers), counts(curNumbers))
        }
        let keys = Set(ref).union(cur).sorted()
        var rc: [String: Double] = [:]
        var cc: [String: Double] = [:]
        for value in ref { rc[value, default: 0] += 1 }
        for value in cur { cc[value, default: 0] += 1 }
        return (keys.map { (rc[$0] ?? 0) / Double(ref.count) }, keys.map { (cc[$0] ?? 0) / Double(cur.count) })
    }
}
