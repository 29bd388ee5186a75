import MLCIConfig
import MLCIModelScan
import MLCISupport

/// `gate.model`: the static security scan of model files, as findings.
public enum ModelGate {
    /// The scanner configured by `gate.model` (`max_size_mb`, `allow`, `deny`).
    public static func scanner(for section: JSONValue?) -> ModelScanner {
        let allow = section?["allow"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let deny = section?["deny"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let budget = section?["max_size_mb"]?.doubleValue.map { Int($0 * 1_000_000) }
        return ModelScanner(policy: GlobalPolicy.standard.adding(deny: deny, allow: allow), maximumBytes: budget)
    }

    /// The paths `gate.model.scan` names.
    public static func paths(_ section: JSONValue?) -> [String] {
        guard let scan = section?["scan"] else { return [] }
        if let one = scan.stringValue { return [one] }
        return scan.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The per-file waivers of `gate.model.waive`: path → reason.
    public static func waivers(_ section: JSONValue?) -> [String: String] {
        var out: [String: String] = [:]
        for entry in section?["waive"]?.arrayValue ?? [] {
            if let file = entry["file"]?.stringValue, let reason = entry["reason"]?.stringValue { out[file] = reason }
        }
        return out
    }

    /// One finding per problem, and a passed finding for each clean file. Every problem rejects
    /// (fail closed) unless the file is waived in `gate.model.waive`: then each problem is a
    /// warning that carries the waiver's reason.
    public static func findings(_ results: [ModelScanResult], waivers: [String: String] = [:], location: SourceLocation?) -> [Finding] {
        var out: [Finding] = []
        for result in results {
            let problems = result.findings
            let waiver = waivers[result.path]
            if problems.isEmpty {
                out.append(Finding(checkID: "model.scan", subject: result.path, outcome: .passed,
                                   message: "\(result.path) (\(result.format)): read completely; every global it imports is allowlisted (\(result.scanned.count) part\(result.scanned.count == 1 ? "" : "s") scanned)",
                                   location: location, artifact: result.path))
            }
            for problem in problems {
                let message = waiver.map { "waived (\($0)): \(problem.message)" } ?? problem.message
                out.append(Finding(
                    checkID: "model.\(problem.kind.rawValue.replacing("-", with: "_"))", subject: problem.source,
                    outcome: .failed, severity: waiver == nil ? .error : .warning, message: message,
                    observed: problem.callable.map(JSONValue.string), expected: nil, location: location, artifact: result.path))
            }
        }
        return out
    }

    /// A result as JSON (`--json` of `mlci check model`): modelscan's issue shape plus offsets.
    public static func json(_ result: ModelScanResult) -> JSONValue {
        ["path": .string(result.path), "format": .string(result.format), "size": .int(Int64(result.size)),
         "safe": .bool(result.isSafe), "scanned": .array(result.scanned.map(JSONValue.string)),
         "imports": .array(result.imports.map { found in
             ["source": .string(found.source), "module": .string(found.module), "name": .string(found.name),
              "offset": .int(Int64(found.offset)), "verdict": .string(found.verdict.rawValue)]
         }),
         "findings": .array(result.findings.map { finding in
             ["kind": .string(finding.kind.rawValue), "severity": .string(finding.severity.rawValue), "source": .string(finding.source),
              "offset": finding.offset.map { .int(Int64($0)) } ?? .null, "callable": .optional(finding.callable),
              "message": .string(finding.message)]
         })]
    }
}
