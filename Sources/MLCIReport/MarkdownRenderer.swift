import MLCISupport

/// The Markdown for the PR/MR comment and the GitHub step summary: the verdict first, then
/// metrics (baseline, candidate, delta, pass/fail), the metric's history, data and params changes,
/// drift and fairness tables, failed checks.
/// Every value from files and commits is escaped; long reports end with a pointer to the
/// full report instead of being cut mid-table.
public enum MarkdownRenderer {
    /// A hidden marker that finds mlci's own comment again (the sticky comment).
    public static let marker = "<!-- mlci:report -->"

    public static func render(_ report: JSONValue, limit: Int = 60_000) -> String {
        var sections: [String] = []
        let verdict = report["verdict"]?.stringValue ?? "none"
        let commit = String((report["commit"]?.stringValue ?? "").prefix(12))
        let failed = (report["checks"]?.arrayValue ?? []).filter { $0["outcome"] == "failed" && $0["severity"] == "error" }
        var head = marker + "\n"
        head += verdict == "approved" ? "## ✅ mlci: approved" : verdict == "rejected" ? "## ❌ mlci: rejected" : "## mlci: no verdict"
        head += "\n\nCommit `\(Escaping.markdown(commit))` against `\(Escaping.markdown(report["baseline"]?["ref"]?.stringValue ?? "-"))`"
        if let base = report["baseline"]?["commit"]?.stringValue { head += " (`\(base.prefix(12))`)" }
        if let tree = report["tested"]?["tree"]?.stringValue {
            // Which content was tested: in a pull request job, CI's merge of the head into the target.
            let merge = report["tested"]?["merge"] == .bool(true)
                ? " of CI's merge `\(Escaping.markdown(String((report["tested"]?["commit"]?.stringValue ?? "").prefix(12))))`" : ""
            head += ", tested tree `\(Escaping.markdown(String(tree.prefix(12))))`\(merge)"
        }
        head += failed.isEmpty ? "." : " — \(failed.count) check\(failed.count == 1 ? "" : "s") failed."
        sections.append(head)

        let metrics = report["metrics"]?.arrayValue ?? []
        if !metrics.isEmpty {
            let failing = Set(failed.compactMap { $0["family"] == "metrics" ? $0["subject"]?.stringValue : nil })
            var table = "### Metrics\n\n| metric | baseline | candidate | delta | |\n|---|---:|---:|---:|---|\n"
            for metric in metrics {
                let name = metric["name"]?.stringValue ?? ""
                func show(_ key: String) -> String { Escaping.tableNumber(metric[key]) }
                var delta = show("delta")
                if let value = metric["delta"]?.doubleValue, value > 0 { delta = "+" + delta }
                table += "| \(Escaping.markdown(name)) | \(show("baseline")) | \(show("candidate")) | \(delta) | \(failing.contains(name) ? "❌" : "✅") |\n"
            }
            sections.append(table)
        }
        if let history = report["history"], let points = history["points"]?.arrayValue, points.count >= 2 {
            let metric = history["metric"]?.stringValue ?? "metric"
            let labels = points.map { "\"\(Escaping.mermaidLabel($0["commit"]?.stringValue ?? ""))\"" }.joined(separator: ", ")
            let values = points.map { JSONWriter.number($0["value"]?.doubleValue ?? 0) }.joined(separator: ", ")
            var chart = "### \(Escaping.markdown(metric)) on \(Escaping.markdown(report["baseline"]?["ref"]?.stringValue ?? "the target branch"))\n\n"
            chart += "```mermaid\nxychart-beta\n  title \"\(Escaping.mermaidLabel(metric))\"\n  x-axis [\(labels)]\n  line [\(values)]\n```\n\n"
            chart += "| commit | \(Escaping.markdown(metric)) |\n|---|---:|\n"
            for point in points {
                chart += "| `\(Escaping.markdown(point["commit"]?.stringValue ?? ""))` | \(JSONWriter.number(point["value"]?.doubleValue ?? 0)) |\n"
            }
            sections.append(chart)
        }
        let data = report["change"]?["data"]?.arrayValue ?? []
        let params = report["change"]?["params"]?.arrayValue ?? []
        if !data.isEmpty || !params.isEmpty {
            var table = "### Data and params\n\n| | path or key | before | after |\n|---|---|---|---|\n"
            for change in data {
                func short(_ key: String) -> String { change[key]?.stringValue.map { "`\($0.prefix(12))`" } ?? "–" }
                table += "| \(Escaping.markdown(change["role"]?.stringValue ?? "data")) | \(Escaping.markdown(change["path"]?.stringValue ?? "")) | \(short("old")) | \(short("new")) |\n"
            }
            for change in params {
                func value(_ key: String) -> String { change[key].map { Escaping.markdown(JSONWriter(style: .compact).string($0), limit: 60) } ?? "–" }
                table += "| params | \(Escaping.markdown(change["key"]?.stringValue ?? "")) | \(value("old")) | \(value("new")) |\n"
            }
            sections.append(table)
        }
        let checks = report["checks"]?.arrayValue ?? []
        let number = Escaping.tableNumber
        let drift = checks.filter { $0["check"] == "drift.column" }
        if !drift.isEmpty {
            var table = "### Drift\n\n| data | column | method | statistic | p-value | threshold | |\n|---|---|---|---:|---:|---:|---|\n"
            for check in drift.prefix(50) {
                let observed = check["observed"] ?? .null
                let file = check["subject"]?.stringValue.map { String($0.prefix { $0 != ":" }) } ?? ""
                table += "| \(Escaping.markdown(file)) | \(Escaping.markdown(observed["column"]?.stringValue ?? "")) | \(Escaping.markdown(observed["method"]?.stringValue ?? "")) | \(number(observed["statistic"])) | \(number(observed["p_value"])) | \(number(observed["threshold"])) | \(observed["drifted"] == .bool(true) ? "⚠️ drifted" : "✅") |\n"
            }
            if drift.count > 50 { table += "\n_… and \(drift.count - 50) more columns in report.json._\n" }
            sections.append(table)
        }
        let fairness = checks.filter { $0["family"] == "fairness" && $0["observed"]?.doubleValue != nil }
        if !fairness.isEmpty {
            var table = "### Fairness\n\n| check | predictions | value | limit | |\n|---|---|---:|---|---|\n"
            for check in fairness.prefix(50) {
                let limit = (check["expected"]?.objectValue ?? []).map { "\($0.0) \(number($0.1))" }.joined(separator: ", ")
                table += "| \(Escaping.markdown(check["check"]?.stringValue ?? "")) | \(Escaping.markdown(check["subject"]?.stringValue ?? "")) | \(number(check["observed"])) | \(Escaping.markdown(limit)) | \(check["outcome"] == "failed" ? "❌" : "✅") |\n"
            }
            sections.append(table)
        }
        if !failed.isEmpty {
            var list = "### Failed checks\n\n"
            for check in failed {
                var line = "- **\(Escaping.markdown(check["check"]?.stringValue ?? ""))** \(Escaping.markdown(check["message"]?.stringValue ?? "", limit: 500))"
                if let file = check["location"]?["file"]?.stringValue {
                    line += " (`\(Escaping.markdown(file))`" + (check["location"]?["line"]?.doubleValue.map { ":\(Int($0))" } ?? "") + ")"
                }
                list += line + "\n"
            }
            sections.append(list)
        }
        sections.append("<sub>\(Escaping.markdown(report["tool"]?.stringValue ?? "mlci")) · full report: report.json in the job's artifacts</sub>")
        var out = ""
        for (index, section) in sections.enumerated() {
            let candidate = out + (out.isEmpty ? "" : "\n") + section + "\n"
            if candidate.utf8.count > limit && index > 0 {
                out += "\n_The report is longer than a comment allows; see report.json in the job's artifacts._\n"
                break
            }
            out = candidate
        }
        return out
    }
}
