import MLCISupport

/// A self-contained HTML report: no scripts, no external assets, inline CSS and SVG charts
/// (the metric's history on the target branch, drift per column). Every value is escaped.
public enum HTMLRenderer {
    public static func render(_ report: JSONValue) -> String {
        func e(_ text: String) -> String { Escaping.xml(text) }
        let verdict = report["verdict"]?.stringValue ?? "no verdict"
        let color = verdict == "approved" ? "#1a7f37" : verdict == "rejected" ? "#cf222e" : "#57606a"
        var body = "<header><h1 id=\"verdict\" style=\"color:\(color)\">mlci: \(e(verdict))</h1>"
        body += "<p>commit <code>\(e(report["commit"]?.stringValue ?? ""))</code> against <code>\(e(report["baseline"]?["ref"]?.stringValue ?? "-"))</code> — \(e(report["baseline"]?["explanation"]?.stringValue ?? ""))</p></header>"

        let metrics = report["metrics"]?.arrayValue ?? []
        if !metrics.isEmpty {
            body += "<section><h2>Metrics</h2><table><tr><th>metric</th><th>baseline</th><th>candidate</th><th>delta</th></tr>"
            for metric in metrics {
                func show(_ key: String) -> String { Escaping.tableNumber(metric[key]) }
                body += "<tr><td>\(e(metric["name"]?.stringValue ?? ""))</td><td>\(show("baseline"))</td><td>\(show("candidate"))</td><td>\(show("delta"))</td></tr>"
            }
            body += "</table></section>"
        }
        if let history = report["history"], let points = history["points"]?.arrayValue, points.count >= 2 {
            body += "<section><h2>\(e(history["metric"]?.stringValue ?? "metric")) over the target branch</h2>\(lineChart(points))</section>"
        }
        let drift = (report["checks"]?.arrayValue ?? []).filter { $0["check"] == "drift.column" }
        if !drift.isEmpty { body += "<section><h2>Drift</h2><p>Bar length: 1 − p for tests, the statistic for distances; red where the column drifted.</p>\(driftChart(drift))</section>" }
        let stages = report["stages"]?.arrayValue ?? []
        if !stages.isEmpty {
            body += "<section><h2>Stages</h2><table><tr><th>stage</th><th>action</th><th>outcome</th><th>why</th></tr>"
            for stage in stages {
                body += "<tr><td>\(e(stage["name"]?.stringValue ?? ""))</td><td>\(e(stage["action"]?.stringValue ?? ""))</td><td>\(e(stage["outcome"]?.stringValue ?? "–"))</td><td>\(e((stage["reasons"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "; ")))</td></tr>"
            }
            body += "</table></section>"
        }
        let checks = report["checks"]?.arrayValue ?? []
        body += "<section><h2>Checks</h2><table><tr><th></th><th>check</th><th>subject</th><th>message</th></tr>"
        for check in checks {
            let outcome = check["outcome"]?.stringValue ?? ""
            let mark = outcome == "passed" ? "✓" : outcome == "skipped" ? "–" : (check["severity"] == "error" ? "✗" : "!")
            body += "<tr class=\"\(e(outcome))\"><td>\(mark)</td><td>\(e(check["check"]?.stringValue ?? ""))</td><td>\(e(check["subject"]?.stringValue ?? ""))</td><td>\(e(check["message"]?.stringValue ?? ""))</td></tr>"
        }
        body += "</table></section><footer>\(e(report["tool"]?.stringValue ?? "mlci")) · \(e(report["time"]?.stringValue ?? ""))</footer>"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <title>mlci report: \(e(verdict))</title>
        <style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#24292f;background:#fff}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
        tr.failed td{background:#ffebe9}code{background:#f6f8fa;padding:1px 4px}svg{background:#f6f8fa;border-radius:6px}</style>
        </head><body>\(body)</body></html>

        """
    }

    static func lineChart(_ points: [JSONValue]) -> String {
        let values = points.compactMap { $0["value"]?.doubleValue }
        guard let low = values.min(), let high = values.max() else { return "" }
        let span = high - low == 0 ? 1 : high - low
        let width = 640.0, height = 200.0, pad = 30.0
        let coordinates = values.enumerated().map { index, value -> (Double, Double) in
            let x = pad + Double(index) * (width - 2 * pad) / Double(max(values.count - 1, 1))
            let y = height - pad - (value - low) / span * (height - 2 * pad)
            return (x, y)
        }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"metric history\">"
        svg += "<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" points=\"\(coordinates.map { "\(Int($0.0)),\(Int($0.1))" }.joined(separator: " "))\"/>"
        for (index, point) in coordinates.enumerated() {
            svg += "<circle cx=\"\(Int(point.0))\" cy=\"\(Int(point.1))\" r=\"3\" fill=\"#0969da\"><title>\(Escaping.xml(points[index]["commit"]?.stringValue ?? "")): \(JSONWriter.number(values[index]))</title></circle>"
        }
        svg += "<text x=\"4\" y=\"\(Int(pad))\" font-size=\"11\">\(JSONWriter.number(high))</text><text x=\"4\" y=\"\(Int(height - pad))\" font-size=\"11\">\(JSONWriter.number(low))</text></svg>"
        return svg
    }

    static func driftChart(_ checks: [JSONValue]) -> String {
        let rowHeight = 22
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"\(checks.count * rowHeight + 10)\" role=\"img\" aria-label=\"drift per column\">"
        for (index, check) in checks.enumerated() {
            let observed = check["observed"] ?? .null
            let statistic = observed["p_value"]?.doubleValue.map { 1 - $0 } ?? min(1, observed["statistic"]?.doubleValue ?? 0)
            let drifted = observed["drifted"] == .bool(true)
            let y = index * rowHeight + 5
            svg += "<text x=\"4\" y=\"\(y + 15)\" font-size=\"12\">\(Escaping.xml(observed["column"]?.stringValue ?? ""))</text>"
            svg += "<rect x=\"200\" y=\"\(y + 3)\" width=\"\(Int(max(0, min(1, statistic)) * 400))\" height=\"14\" fill=\"\(drifted ? "#cf222e" : "#1a7f37")\"/>"
            svg += "<text x=\"610\" y=\"\(y + 15)\" font-size=\"11\">\(Escaping.xml(observed["method"]?.stringValue ?? ""))</text>"
        }
        return svg + "</svg>"
    }
}
