import MLCISupport

/// Writes the report files into the reports folder, each atomically, from the one report
/// document (`report.json`): junit.xml, results.sarif, gl-code-quality.json, metrics.txt,
/// mlci.env and summary.md.
public enum ReportWriter {
    public static let fileNames: [String: String] = [
        "json": "report.json", "junit": "junit.xml", "sarif": "results.sarif", "gitlab": "gl-code-quality.json",
        "markdown": "summary.md",
    ]

    /// The formats mlci.yaml's `reports.formats` can name, and what each writes.
    public static func files(for format: String) -> [String] {
        switch format {
        case "json": ["report.json"]
        case "junit": ["junit.xml"]
        case "sarif": ["results.sarif"]
        case "gitlab": ["gl-code-quality.json", "metrics.txt", "mlci.env"]
        case "markdown", "github": ["summary.md"]
        case "html": ["report.html"]
        default: []
        }
    }

    /// Renders and writes every file the formats call for; returns the paths written.
    @discardableResult
    public static func write(_ report: JSONValue, to directory: String, displayDirectory: String, formats: [String],
                             toolVersion: String) throws(InputError) -> [String] {
        var names: [String] = ["report.json"]
        for format in formats { for name in files(for: format) where !names.contains(name) { names.append(name) } }
        var written: [String] = []
        for name in names {
            let path = directory + "/" + name
            try FileSystem.writeAtomically(path, render(name, report, displayDirectory: displayDirectory, toolVersion: toolVersion))
            written.append(path)
        }
        return written
    }

    /// The contents of one report file.
    public static func render(_ name: String, _ report: JSONValue, displayDirectory: String, toolVersion: String) -> String {
        switch name {
        case "junit.xml": JUnitRenderer.render(report)
        case "results.sarif": JSONWriter().string(SARIFRenderer.render(report, toolVersion: toolVersion))
        case "gl-code-quality.json": JSONWriter().string(GitLabRenderers.codeQuality(report))
        case "metrics.txt": GitLabRenderers.metrics(report)
        case "mlci.env": GitLabRenderers.dotenv(report, reportDirectory: displayDirectory)
        case "summary.md": MarkdownRenderer.render(report)
        case "report.html": HTMLRenderer.render(report)
        default: JSONWriter().string(report)
        }
    }

    /// GitHub workflow-command annotations for located failed checks, within GitHub's
    /// per-step limits (10 errors and 10 warnings are shown).
    public static func annotations(_ report: JSONValue) -> [String] {
        var errors = 0
        var warnings = 0
        var out: [String] = []
        for check in report["checks"]?.arrayValue ?? [] where check["outcome"] == "failed" {
            guard let file = check["location"]?["file"]?.stringValue ?? check["artifact"]?.stringValue else { continue }
            let isError = check["severity"] == "error"
            if isError { errors += 1; if errors > 10 { continue } } else { warnings += 1; if warnings > 10 { continue } }
            var properties = "file=\(Escaping.workflowCommand(file, property: true))"
            if let line = check["location"]?["line"]?.doubleValue { properties += ",line=\(Int(line))" }
            properties += ",title=\(Escaping.workflowCommand("mlci " + (check["check"]?.stringValue ?? ""), property: true))"
            out.append("::\(isError ? "error" : "warning") \(properties)::\(Escaping.workflowCommand(check["message"]?.stringValue ?? ""))")
        }
        return out
    }
}
