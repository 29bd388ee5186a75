import MLCIConfig
import MLCILineage
import MLCISupport

/// One metric's values for the verdict: the target branch's (baseline) and this change's.
public struct MetricComparison: Sendable, Equatable {
    public var name: String
    public var file: String?
    public var baseline: Double?
    public var candidate: Double?

    public var delta: Double? {
        guard let baseline, let candidate else { return nil }
        return candidate - baseline
    }

    public var json: JSONValue {
        ["name": .string(name), "file": .optional(file), "baseline": baseline.map(JSONValue.double) ?? .null,
         "candidate": candidate.map(JSONValue.double) ?? .null, "delta": delta.map(JSONValue.double) ?? .null]
    }
}

/// Checks metrics against the bounds in `gate.metrics`: absolute (`min`, `max`) and
/// relative to the baseline (`max_drop`, `max_rise`, `max_drop_pct`, `max_rise_pct`).
///
/// Stateless; safe from any thread.
public enum MetricsGate {
    /// Finds a metric's value among the metrics files: in `file` when the gate names one,
    /// otherwise in the one file that has the key.
    ///
    /// - Throws: ``InputError`` when the key is in no file or in several, or is not a number.
    public static func value(of gate: MetricGate, in metrics: [String: [String: JSONValue]], required: Bool) throws(InputError) -> (Double, String)? {
        let files = gate.file.map { [$0] } ?? metrics.keys.sorted()
        let holding = files.filter { metrics[$0]?[gate.name] != nil }
        if holding.isEmpty {
            guard required else { return nil }
            let known = files.flatMap { metrics[$0].map { Array($0.keys) } ?? [] }
            if metrics.isEmpty || (gate.file != nil && metrics[gate.file!] == nil) {
                throw InputError("the gate on '\(gate.name)' has no metrics file to read\(gate.file.map { " ('\($0)' was not written)" } ?? "")",
                                 at: gate.location, hint: "list the file under a stage's metrics (or top-level metrics) and write it")
            }
            throw InputError("metric '\(gate.name)' is in none of the metrics files (\(files.joined(separator: ", ")))", at: gate.location,
                             hint: Suggestion.closest(to: gate.name, in: known).map { "did you mean '\($0)'?" } ?? "keys found: \(known.sorted().prefix(10).joined(separator: ", "))")
        }
        if holding.count > 1 {
            throw InputError("metric '\(gate.name)' is in several metrics files (\(holding.joined(separator: ", ")))", at: gate.location,
                             hint: "name the file with 'file:' in the gate")
        }
        let file = holding[0]
        return (try MetricsFile.number(metrics[file]![gate.name]!, key: gate.name, file: file), file)
    }

    /// The findings and comparisons for every configured metric gate.
    ///
    /// - Parameters:
    ///   - candidate: this change's metrics, by file then dotted key.
    ///   - baseline: the target branch's metrics, or `nil` when there is no baseline yet.
    public static func evaluate(
        _ gates: [MetricGate], candidate: [String: [String: JSONValue]], baseline: [String: [String: JSONValue]]?
    ) throws(InputError) -> (findings: [Finding], comparisons: [MetricComparison]) {
        var findings: [Finding] = []
        var comparisons: [MetricComparison] = []
        for gate in gates {
            guard let (value, file) = try self.value(of: gate, in: candidate, required: true) else { continue }
            var base: Double? = nil
            if let baseline { base = (try? self.value(of: gate, in: baseline, required: false))??.0 }
            comparisons.append(MetricComparison(name: gate.name, file: file, baseline: base, candidate: value))
            let severity: Finding.Severity = gate.severity == .warning ? .warning : .error
            func check(_ rule: String, _ passed: Bool, _ expected: String, expectedValue: JSONValue, message: String) {
                findings.append(Finding(
                    checkID: "metrics.\(rule)", subject: gate.name, outcome: passed ? .passed : .failed, severity: severity,
                    message: passed ? "\(gate.name) = \(format(value)) (\(expected))" : message,
                    observed: .double(value), expected: expectedValue, location: gate.location, artifact: file))
            }
            if let minimum = gate.minimum {
                check("min", value >= minimum, "at least \(format(minimum))", expectedValue: ["min": .double(minimum)],
                      message: "\(gate.name) is \(format(value)), below the minimum \(format(minimum))")
            }
            if let maximum = gate.maximum {
                check("max", value <= maximum, "at most \(format(maximum))", expectedValue: ["max": .double(maximum)],
                      message: "\(gate.name) is \(format(value)), above the maximum \(format(maximum))")
            }
            let relative = [gate.maxDrop, gate.maxRise, gate.maxDropPercent, gate.maxRisePercent].contains { $0 != nil }
            guard relative else { continue }
            guard let base else {
                findings.append(Finding(
                    checkID: "metrics.baseline", subject: gate.name, outcome: .skipped, severity: .note,
                    message: "no baseline for \(gate.name) on the target branch yet: only absolute bounds were checked",
                    observed: .double(value), location: gate.location, artifact: file))
                continue
            }
            let drop = base - value
            if let maxDrop = gate.maxDrop {
                check("max_drop", drop <= maxDrop + 1e-12, "dropped \(format(max(0, drop))), at most \(format(maxDrop)) allowed",
                      expectedValue: ["baseline": .double(base), "max_drop": .double(maxDrop)],
                      message: "\(gate.name) dropped by \(format(drop)) (\(format(base)) → \(format(value))), more than the \(format(maxDrop)) allowed")
            }
            if let maxRise = gate.maxRise {
                check("max_rise", -drop <= maxRise + 1e-12, "rose \(format(max(0, -drop))), at most \(format(maxRise)) allowed",
                      expectedValue: ["baseline": .double(base), "max_rise": .double(maxRise)],
                      message: "\(gate.name) rose by \(format(-drop)) (\(format(base)) → \(format(value))), more than the \(format(maxRise)) allowed")
            }
            if let pct = gate.maxDropPercent {
                let dropPct = base == 0 ? (drop > 0 ? Double.infinity : 0) : drop / abs(base) * 100
                check("max_drop_pct", dropPct <= pct + 1e-9, "dropped \(format(max(0, dropPct)))%, at most \(format(pct))% allowed",
                      expectedValue: ["baseline": .double(base), "max_drop_pct": .double(pct)],
                      message: "\(gate.name) dropped by \(format(dropPct))% (\(format(base)) → \(format(value))), more than the \(format(pct))% allowed")
            }
            if let pct = gate.maxRisePercent {
                let risePct = base == 0 ? (drop < 0 ? Double.infinity : 0) : -drop / abs(base) * 100
                check("max_rise_pct", risePct <= pct + 1e-9, "rose \(format(max(0, risePct)))%, at most \(format(pct))% allowed",
                      expectedValue: ["baseline": .double(base), "max_rise_pct": .double(pct)],
                      message: "\(gate.name) rose by \(format(risePct))% (\(format(base)) → \(format(value))), more than the \(format(pct))% allowed")
            }
        }
        return (findings, comparisons)
    }

    /// A number for messages: up to 6 significant decimals, no float noise.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let rounded = (value * 1e6).rounded() / 1e6
        return rounded == rounded.rounded() ? String(Int64(rounded)) : JSONWriter.number(rounded)
    }
}
