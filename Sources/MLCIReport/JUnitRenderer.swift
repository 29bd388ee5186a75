import MLCISupport

/// JUnit XML: one `<testcase>` per check, one `<testsuite>` per check family (classname
/// `mlci.<family>`), failures for rejecting findings, warnings as `<system-out>`; times as
/// fixed decimals; `file`/`line` for reporters that link to the configuration.
/// Valid against the Jenkins junit-10.xsd with the `file` and `line` attributes.
public enum JUnitRenderer {
    public static func render(_ report: JSONValue) -> String {
        let checks = report["checks"]?.arrayValue ?? []
        var families: [String] = []
        for check in checks {
            let family = check["family"]?.stringValue ?? "mlci"
            if !families.contains(family) { families.append(family) }
        }
        let durations = Dictionary((report["stages"]?.arrayValue ?? []).compactMap { stage -> (String, Double)? in
            guard let name = stage["name"]?.stringValue, let seconds = stage["duration_seconds"]?.doubleValue else { return nil }
            return (name, seconds)
        }, uniquingKeysWith: { a, _ in a })
        func seconds(_ value: Double) -> String {
            let milliseconds = Int64((max(0, value) * 1000).rounded())
            return "\(milliseconds / 1000).\(String(milliseconds % 1000).leftPad(3))"
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let failures = checks.filter { $0["outcome"] == "failed" && $0["severity"] == "error" }.count
        let total = durations.values.reduce(0, +)
        out += "<testsuites name=\"mlci\" tests=\"\(checks.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(seconds(total))\">\n"
        for family in families {
            let members = checks.filter { ($0["family"]?.stringValue ?? "mlci") == family }
            let failed = members.filter { $0["outcome"] == "failed" && $0["severity"] == "error" }.count
            let skipped = members.filter { $0["outcome"] == "skipped" }.count
            let familyTime = family == "stage" ? members.compactMap { durations[$0["subject"]?.stringValue ?? ""] }.reduce(0, +) : 0
            out += "  <testsuite name=\"mlci.\(Escaping.xml(family))\" tests=\"\(members.count)\" failures=\"\(failed)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(seconds(familyTime))\">\n"
            for check in members {
                let id = check["check"]?.stringValue ?? ""
                let subject = check["subject"]?.stringValue ?? ""
                let message = check["message"]?.stringValue ?? ""
                let time = family == "stage" ? durations[subject] ?? 0 : 0
                var attributes = "name=\"\(Escaping.xml("\(id): \(subject)"))\" classname=\"mlci.\(Escaping.xml(family))\" time=\"\(seconds(time))\""
                if let file = check["location"]?["file"]?.stringValue {
                    attributes += " file=\"\(Escaping.xml(file))\""
                    if let line = check["location"]?["line"]?.doubleValue { attributes += " line=\"\(Int(line))\"" }
                }
                out += "    <testcase \(attributes)>"
                switch (check["outcome"]?.stringValue, check["severity"]?.stringValue) {
                case ("failed", "error"):
                    out += "\n      <failure message=\"\(Escaping.xml(String(message.prefix(1000))))\" type=\"\(Escaping.xml(id))\">\(Escaping.xml(detail(check)))</failure>\n    "
                case ("failed", _):
                    out += "\n      <system-out>\(Escaping.xml("warning: " + message))</system-out>\n    "
                case ("skipped", _):
                    out += "\n      <skipped message=\"\(Escaping.xml(message))\"/>\n    "
                default:
                    break
                }
                out += "</testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    static func detail(_ check: JSONValue) -> String {
        var lines = [check["message"]?.stringValue ?? ""]
        if let observed = check["observed"], observed != .null { lines.append("observed: " + JSONWriter(style: .compact).string(observed)) }
        if let expected = check["expected"], expected != .null { lines.append("expected: " + JSONWriter(style: .compact).string(expected)) }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
