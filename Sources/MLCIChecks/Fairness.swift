import MLCIConfig
import MLCIData
import MLCISupport

/// Group fairness of a classifier's predictions, with Fairlearn's definitions (selection rate,
/// TPR, FPR per group; between-groups and to-overall differences and ratios; equalized odds as
/// the worst case or the mean of TPR and FPR) and the four-fifths rule.
///
/// A value type: `Sendable`.
public struct FairnessReport: Sendable {
    public struct Rates: Sendable {
        public var selectionRate: Double
        /// Fairlearn's TPR: 0 when the group has no positive labels (see `hasPositives`).
        public var tpr: Double
        public var fpr: Double
        public var count: Double
        public var hasPositives: Bool
        public var hasNegatives: Bool
    }

    /// Groups in order of first appearance.
    public var groups: [String]
    public var byGroup: [String: Rates]
    public var overall: Rates

    public init(groups groupLabels: [String], truth: [Bool], predicted: [Bool], weights: [Double]? = nil) {
        var order: [String] = []
        var sums: [String: (w: Double, selected: Double, pos: Double, truePos: Double, neg: Double, falsePos: Double, n: Double)] = [:]
        var all = (w: 0.0, selected: 0.0, pos: 0.0, truePos: 0.0, neg: 0.0, falsePos: 0.0, n: 0.0)
        for index in groupLabels.indices {
            let group = groupLabels[index]
            let w = weights?[index] ?? 1
            if sums[group] == nil { order.append(group); sums[group] = (0, 0, 0, 0, 0, 0, 0) }
            func add(_ s: inout (w: Double, selected: Double, pos: Double, truePos: Double, neg: Double, falsePos: Double, n: Double)) {
                s.w += w
                s.n += 1
                if predicted[index] { s.selected += w }
                if truth[index] {
                    s.pos += w
                    if predicted[index] { s.truePos += w }
                } else {
                    s.neg += w
                    if predicted[index] { s.falsePos += w }
                }
            }
            add(&sums[group]!)
            add(&all)
        }
        func rates(_ s: (w: Double, selected: Double, pos: Double, truePos: Double, neg: Double, falsePos: Double, n: Double)) -> Rates {
            Rates(selectionRate: s.w == 0 ? 0 : s.selected / s.w, tpr: s.pos == 0 ? 0 : s.truePos / s.pos,
                  fpr: s.neg == 0 ? 0 : s.falsePos / s.neg, count: s.n, hasPositives: s.pos > 0, hasNegatives: s.neg > 0)
        }
        groups = order
        byGroup = sums.mapValues(rates)
        overall = rates(all)
    }

    public enum Method: String, Sendable { case betweenGroups = "between_groups", toOverall = "to_overall" }

    func values(_ metric: KeyPath<Rates, Double>) -> [Double] { groups.map { byGroup[$0]![keyPath: metric] } }

    public func difference(_ metric: KeyPath<Rates, Double>, _ method: Method = .betweenGroups) -> Double {
        let v = values(metric)
        switch method {
        case .betweenGroups: return (v.max() ?? 0) - (v.min() ?? 0)
        case .toOverall:
            let all = overall[keyPath: metric]
            return v.map { abs($0 - all) }.max() ?? 0
        }
    }

    public func ratio(_ metric: KeyPath<Rates, Double>, _ method: Method = .betweenGroups) -> Double {
        let v = values(metric)
        switch method {
        case .betweenGroups:
            let high = v.max() ?? 0
            return high == 0 ? (v.min() == 0 ? 1 : 0) : (v.min() ?? 0) / high
        case .toOverall:
            let all = overall[keyPath: metric]
            return v.map { g in
                if g == all { return 1 }
                if g == 0 || all == 0 { return 0 }
                return min(g / all, all / g)
            }.min() ?? 1
        }
    }

    public var demographicParityDifference: Double { difference(\.selectionRate) }

    /// max of the TPR and FPR differences (`worst_case`), or their mean.
    public func equalizedOddsDifference(_ method: Method = .betweenGroups, mean: Bool = false) -> Double {
        let tpr = difference(\.tpr, method)
        let fpr = difference(\.fpr, method)
        return mean ? (tpr + fpr) / 2 : max(tpr, fpr)
    }

    public func equalizedOddsRatio(_ method: Method = .betweenGroups, mean: Bool = false) -> Double {
        let tpr = ratio(\.tpr, method)
        let fpr = ratio(\.fpr, method)
        return mean ? (tpr + fpr) / 2 : min(tpr, fpr)
    }

    /// Selection rate of each group over the highest group's: below 0.8 is adverse impact.
    public var impactRatios: [(group: String, ratio: Double, adverse: Bool)] {
        let best = values(\.selectionRate).max() ?? 0
        return groups.map { group in
            let rate = byGroup[group]!.selectionRate
            let ratio = best == 0 ? 1 : rate / best
            // 5·rate < 4·best decides the boundary without a rounded ratio (exactly 0.8 passes).
            return (group, ratio, 5 * rate < 4 * best && !(abs(5 * rate - 4 * best) <= 1e-12 * max(1, best)))
        }
    }

    /// The lowest impact ratio: the disparate impact the four-fifths rule judges.
    public var disparateImpact: Double { impactRatios.map(\.ratio).min() ?? 1 }
}

/// `gate.fairness` over a predictions table.
public enum FairnessGate {
    /// Reads the label, prediction, group and weight columns of `table` as `spec` names them.
    public static func report(_ table: Table, spec: JSONValue) throws(InputError) -> (FairnessReport, groupColumn: String) {
        let file = table.name
        func column(_ key: String) throws(InputError) -> [String?] {
            guard let name = spec[key]?.stringValue ?? spec[key]?.arrayValue?.first?.stringValue else {
                throw InputError("gate.fairness needs '\(key)'")
            }
            guard let values = table.column(name) else {
                throw InputError("\(file) has no column '\(name)' (the fairness \(key))", at: SourceLocation(file: file, line: 1),
                                 hint: Suggestion.closest(to: name, in: table.columns).map { "did you mean '\($0)'?" } ?? "columns: \(table.columns.joined(separator: ", "))")
            }
            return values
        }
        let groups = try column("group")
        let labels = try column("label")
        let predictions = try column("prediction")
        let positive = spec["positive"].map { value -> String in
            switch value {
            case .string(let s): return s
            case .double(let d): return JSONWriter.number(d)
            case .int(let i): return String(i)
            case .bool(let b): return b ? "true" : "false"
            default: return "1"
            }
        } ?? "1"
        func isPositive(_ value: String) -> Bool {
            if value == positive { return true }
            if let a = Double(value), let b = Double(positive) { return a == b }
            return positive == "1" && (value == "true" || value == "True")
        }
        var weights: [Double]? = nil
        if spec["weight"] != nil {
            let raw = try column("weight")
            weights = []
            for (row, value) in raw.enumerated() {
                guard let value, let weight = Double(value), weight >= 0, weight.isFinite else {
                    throw InputError("the weight in row \(row + 1) is '\(raw[row] ?? "")', not a non-negative number",
                                     at: SourceLocation(file: file, line: table.rowLines[row]))
                }
                weights!.append(weight)
            }
        }
        for (row, value) in groups.enumerated() where value == nil {
            throw InputError("row \(row + 1) has no group", at: SourceLocation(file: file, line: table.rowLines[row]))
        }
        for (name, values) in [("label", labels), ("prediction", predictions)] {
            for (row, value) in values.enumerated() where value == nil {
                throw InputError("row \(row + 1) has no \(name)", at: SourceLocation(file: file, line: table.rowLines[row]))
            }
        }
        let report = FairnessReport(groups: groups.map { $0! }, truth: labels.map { isPositive($0!) },
                                    predicted: predictions.map { isPositive($0!) }, weights: weights)
        return (report, spec["group"]?.stringValue ?? "group")
    }

    public static func findings(_ report: FairnessReport, spec: JSONValue, file: String, location: SourceLocation?) -> [Finding] {
        var out: [Finding] = []
        let format = MetricsGate.format
        for group in report.groups where !report.byGroup[group]!.hasPositives {
            out.append(Finding(checkID: "fairness.no_positives", subject: "\(file):\(group)", outcome: .failed, severity: .warning,
                               message: "group '\(group)' has no positive labels in \(file): its true positive rate is undefined (Fairlearn counts it as 0), so equal opportunity and equalized odds say little about it",
                               location: location, artifact: file))
        }
        if let minimum = spec["disparate_impact_min"]?.doubleValue {
            let worst = report.impactRatios.min { $0.ratio < $1.ratio }
            // The four-fifths boundary is decided without rounding (exactly 0.8 passes).
            let adverse = report.impactRatios.filter { minimum == 0.8 ? $0.adverse : $0.ratio < minimum }
            let rates = report.groups.map { "\($0) \(format(report.byGroup[$0]!.selectionRate))" }.joined(separator: ", ")
            out.append(Finding(checkID: "fairness.disparate_impact", subject: file, outcome: adverse.isEmpty ? .passed : .failed,
                               message: adverse.isEmpty
                                   ? "disparate impact \(format(report.disparateImpact)) (at least \(format(minimum))); selection rates: \(rates)"
                                   : "group '\(worst!.group)' is selected at \(format(worst!.ratio)) of the highest group's rate, below \(format(minimum)) (selection rates: \(rates))",
                               observed: .double(report.disparateImpact), expected: ["min": .double(minimum)], location: location, artifact: file))
        }
        if let maximum = spec["parity_difference_max"]?.doubleValue {
            let value = report.demographicParityDifference
            out.append(Finding(checkID: "fairness.parity_difference", subject: file, outcome: value <= maximum + 1e-12 ? .passed : .failed,
                               message: "demographic parity difference \(format(value)) (at most \(format(maximum)))",
                               observed: .double(value), expected: ["max": .double(maximum)], location: location, artifact: file))
        }
        if let maximum = spec["equalized_odds_max"]?.doubleValue {
            let value = report.equalizedOddsDifference()
            out.append(Finding(checkID: "fairness.equalized_odds", subject: file, outcome: value <= maximum + 1e-12 ? .passed : .failed,
                               message: "equalized odds difference \(format(value)) (at most \(format(maximum)))",
                               observed: .double(value), expected: ["max": .double(maximum)], location: location, artifact: file))
        }
        return out
    }

    public static func json(_ report: FairnessReport) -> JSONValue {
        func rates(_ r: FairnessReport.Rates) -> JSONValue {
            ["selection_rate": .double(r.selectionRate), "tpr": r.hasPositives ? .double(r.tpr) : .null,
             "fpr": r.hasNegatives ? .double(r.fpr) : .null, "count": .double(r.count)]
        }
        return ["by_group": .object(report.groups.map { ($0, rates(report.byGroup[$0]!)) }), "overall": rates(report.overall),
                "demographic_parity_difference": .double(report.demographicParityDifference),
                "demographic_parity_ratio": .double(report.ratio(\.selectionRate)),
                "equalized_odds_difference": .double(report.equalizedOddsDifference()),
                "disparate_impact": .double(report.disparateImpact),
                "four_fifths": .object(report.impactRatios.map { ($0.group, ["impact_ratio": .double($0.ratio), "adverse_impact": .bool($0.adverse)]) })]
    }
}
