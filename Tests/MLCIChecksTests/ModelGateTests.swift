import MLCIChecks
import MLCIModelScan
import MLCISupport
import Testing

@Suite struct ModelGateTests {
    /// A truncated pickle: nothing in it is known to be unsafe, but it cannot be read completely.
    let truncated: [UInt8] = Array("(lp0\nI1\na".utf8)

    func results() -> [ModelScanResult] {
        truncated.withUnsafeBytes { [ModelScanner().scan(bytes: $0, name: "models/model.pkl")] }
    }

    @Test func aFileMlciCannotReadCompletelyRejectsTheChange() {
        let findings = ModelGate.findings(results(), location: nil)
        #expect(findings.contains { $0.rejects && $0.checkID == "model.malformed" })
        #expect(!findings.contains { $0.outcome == .passed })
    }

    @Test func onlyAnExplicitWaiverLetsItThroughAndItsReasonIsShown() throws {
        let section = try JSONParser().parse(#"{"scan": ["models/model.pkl"], "waive": [{"file": "models/model.pkl", "reason": "vendor file, ticket SEC-12"}]}"#)
        let waivers = ModelGate.waivers(section)
        #expect(waivers == ["models/model.pkl": "vendor file, ticket SEC-12"])
        let findings = ModelGate.findings(results(), waivers: waivers, location: nil)
        #expect(!findings.contains { $0.rejects })
        #expect(findings.contains { $0.message.hasPrefix("waived (vendor file, ticket SEC-12): ") })
        // A waiver for another file changes nothing.
        #expect(ModelGate.findings(results(), waivers: ["other.pkl": "x"], location: nil).contains { $0.rejects })
    }
}
