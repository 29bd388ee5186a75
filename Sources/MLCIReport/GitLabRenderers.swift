import Crypto
import MLCISupport

/// GitLab's report artifacts: code quality JSON, OpenMetrics metrics, dotenv variables.
public enum GitLabRenderers {
    /// Code quality: one issue per failed check with a place in the repository.
    public static func codeQuality(_ report: JSONValue) -> JSONValue {
        let failed = (report["checks"]?.arrayValue ?? []).filter { $0["outcome"] == "failed" }
        return .array(failed.compactMap { check in
            guard let path = check["location"]?["file"]?.stringValue ?? check["artifact"]?.stringValue else { return nil }
            let id = check["check"]?.stringValue ?? "mlci"
            let subject = check["subject"]?.stringValue ?? ""
            let fingerprint = Insecure.MD5.hash(data: Array("\(id)\u{0}\(subject)\u{0}\(path)".utf8)).map { String($0, radix: 16).leftPad(2) }.joined()
            return [
                "description": .string(String((check["message"]?.stringValue ?? id).prefix(1000))),
                "check_name": .string(id),
                "fingerprint": .string(fingerprint),
                "severity": check["severity"] == "error" ? "major" : "minor",
                "location": ["path": .string(path.hasPrefix("/") ? String(path.drop { $0 == "/" }) : path),
                             "lines": ["begin": .int(Int64(max(1, check["location"]?["line"]?.doubleValue ?? 1)))]],
            ]
        })
    }

    /// OpenMetrics text: each metric's candidate and baseline value, the check counts and
    /// the verdict, ending in `# EOF`.
    public static func metrics(_ report: JSONValue) -> String {
        var out = "# TYPE mlci_metric gauge\n# HELP mlci_metric A gated metric of this change (candidate) and of the target branch (baseline).\n"
        for metric in report["metrics"]?.arrayValue ?? [] {
            let name = Escaping.openMetrics(metric["name"]?.stringValue ?? "")
            for kind in ["candidate", "baseline"] {
                guard let value = metric[kind]?.doubleValue, value.isFinite else { continue }
                out += "mlci_metric{name=\"\(name)\",kind=\"\(kind)\"} \(JSONWriter.number(value))\n"
            }
        }
        let checks = report["checks"]?.arrayValue ?? []
        out += "# TYPE mlci_checks gauge\n# HELP mlci_checks Checks by outcome.\n"
        for outcome in ["passed", "failed", "skipped"] {
            out += "mlci_checks{outcome=\"\(outcome)\"} \(checks.filter { $0["outcome"]?.stringValue == outcome }.count)\n"
        }
        out += "# TYPE mlci_approved gauge\n# HELP mlci_approved 1 when the change was approved.\n"
        out += "mlci_approved \(report["verdict"] == "approved" ? 1 : 0)\n# EOF\n"
        return out
    }

    /// dotenv: the verdict, the reports folder and the model digest, for later jobs.
    public static func dotenv(_ report: JSONValue, reportDirectory: String) -> String {
        var lines = ["MLCI_VERDICT=\(Escaping.dotenv(report["verdict"]?.stringValue ?? "none"))",
                     "MLCI_REPORT_DIR=\(Escaping.dotenv(reportDirectory))",
                     "MLCI_COMMIT=\(Escaping.dotenv(report["commit"]?.stringValue ?? ""))"]
        if let digest = report["lineage"]?["models"]?.arrayValue?.first?["hash"]?.stringValue {
            lines.append("MLCI_MODEL_DIGEST=sha256:\(Escaping.dotenv(digest))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
