import Crypto
#if canImport(Glibc)
import Glibc
#endif
import MLCISupport

/// SARIF 2.1.0 for GitHub code scanning: one rule per check id, one result per failed check
/// that has a place in the repository (mlci.yaml, a data or model file), stable
/// `partialFingerprints`, within GitHub's limits (≤ 25,000 results, messages ≤ 1,000 chars).
public enum SARIFRenderer {
    public static func render(_ report: JSONValue, toolVersion: String) -> JSONValue {
        let failed = (report["checks"]?.arrayValue ?? []).filter { $0["outcome"] == "failed" }
        var rules: [String] = []
        var results: [JSONValue] = []
        for check in failed.prefix(25_000) {
            let id = check["check"]?.stringValue ?? "mlci"
            guard let uri = check["location"]?["file"]?.stringValue ?? check["artifact"]?.stringValue else { continue }
            if !rules.contains(id) { rules.append(id) }
            let line = max(1, Int(check["location"]?["line"]?.doubleValue ?? 1))
            let subject = check["subject"]?.stringValue ?? ""
            let fingerprint = SHA256.hash(data: Array("\(id)\u{0}\(subject)\u{0}\(uri)".utf8)).map { String($0, radix: 16).leftPad(2) }.joined()
            results.append([
                "ruleId": .string(id),
                "ruleIndex": .int(Int64(rules.firstIndex(of: id)!)),
                "level": check["severity"] == "error" ? "error" : "warning",
                "message": ["text": .string(String((check["message"]?.stringValue ?? id).prefix(1000)))],
                "locations": [[
                    "physicalLocation": [
                        "artifactLocation": ["uri": .string(uri), "uriBaseId": "%SRCROOT%"],
                        "region": ["startLine": .int(Int64(line))],
                    ],
                ]],
                "partialFingerprints": ["mlciFinding/v1": .string(fingerprint)],
            ])
        }
        let ruleObjects: [JSONValue] = rules.map { id in
            ["id": .string(id), "name": .string(id.split(separator: ".").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined().filter { $0 != "_" }),
             "shortDescription": ["text": .string("mlci check \(id)")],
             "helpUri": "https://github.com/mlci/mlci/blob/main/docs/config.md",
             "properties": ["tags": ["mlci", .string(String(id.prefix { $0 != "." }))]]]
        }
        return [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": ["name": "mlci", "version": .string(toolVersion), "informationUri": "https://github.com/mlci/mlci",
                                    "rules": .array(ruleObjects)]],
                "results": .array(results),
            ]],
        ]
    }
}
