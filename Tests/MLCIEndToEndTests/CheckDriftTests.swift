import Foundation
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct CheckDriftTests {
    func csv(_ shift: Double, rows: Int = 200) -> String {
        var generator = SeededGenerator(seed: 7)
        return "amount,segment\n" + (0..<rows).map { index in
            let value = Double(Int.random(in: 0...1000, using: &generator)) / 100 + shift
            return "\(value),\(["a", "b", "c"][index % 3])"
        }.joined(separator: "\n") + "\n"
    }

    @Test func driftExitsOneNoDriftZeroAndBadInputTwo() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("ref.csv", csv(0))
        try sandbox.write("same.csv", csv(0))
        try sandbox.write("shifted.csv", csv(5))
        let same = try mlci("check", "drift", "--reference", "ref.csv", "--current", "same.csv", in: sandbox)
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        let shifted = try mlci("check", "drift", "--json", "--reference", "ref.csv", "--current", "shifted.csv", "--share-max", "0.5", in: sandbox)
        #expect(shifted.status == 1)
        let amount = try json(shifted)["columns"]?.arrayValue?.first { $0["column"] == "amount" }
        #expect(amount?["method"] == "ks")
        #expect(amount?["drifted"] == true)
        #expect((amount?["p_value"]?.doubleValue ?? 1) < 1e-10)
        try sandbox.write("broken.csv", "amount,segment\n1,a\n2\n")
        let broken = try mlci("check", "drift", "--reference", "ref.csv", "--current", "broken.csv", in: sandbox)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("broken.csv:3: error: row 2 has 1 field"))
    }

    @Test func verifyComparesTheDataWithTheBaselineCommitsCopy() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("mlci.yaml", "version: 1\ngate:\n  drift: {data: data.csv, share_max: 0.5}\n  fairness: {predictions: p.csv, group: g, label: y, prediction: p, disparate_impact_min: 0.8}\n")
        try sandbox.write("p.csv", "g,y,p\n" + (0..<10).map { "M,\($0 % 2),\($0 < 5 ? 1 : 0)\nF,\($0 % 2),\($0 < 2 ? 1 : 0)" }.joined(separator: "\n") + "\n")
        try sandbox.write("data.csv", csv(0))
        try sandbox.commit("data")
        try sandbox.git("checkout", "-q", "-b", "new-data")
        try sandbox.write("data.csv", csv(5))
        try sandbox.commit("shifted data")
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("drift.dataset"))
        #expect(result.stdout.contains("column 'amount' drifted (ks"))
        // The summary and the HTML report show both as tables and charts.
        let reports = sandbox.root + "/.mlci/reports"
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.contains("### Drift\n\n| data | column | method |"))
        #expect(summary.contains("| data.csv | amount | ks |"))
        #expect(summary.contains("⚠️ drifted"))
        #expect(summary.contains("### Fairness\n"))
        #expect(summary.contains("| fairness.disparate\\_impact | p.csv | 0.4 | min 0.8 | ❌ |"), "\(summary)")
        let html = try String(contentsOfFile: reports + "/report.html", encoding: .utf8)
        #expect(html.contains("aria-label=\"drift per column\""))
        #expect(html.contains(">amount</text>"))
    }
}

/// A small deterministic generator (SplitMix64) so the data is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct DriftReferenceFromDVCTests {
    @Test func dataTrackedByDVCIsComparedWithItsCachedCopyAtTheBaseline() throws {
        let sandbox = try GitSandbox()
        let dvc = ((ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3") as NSString).deletingLastPathComponent + "/dvc"
        func run(_ arguments: String...) throws {
            let result = try ProcessRunner.run(dvc, arguments, in: sandbox.root, environment: sandbox.environment())
            #expect(result.status == 0, "dvc \(arguments): \(result.stderr)")
        }
        try run("init", "-q")
        try run("config", "--local", "core.site_cache_dir", sandbox.base + "/dvc-site")
        try sandbox.write("mlci.yaml", "version: 1\ngate:\n  drift: {data: data.csv, share_max: 0.5}\n")
        try sandbox.write("data.csv", CheckDriftTests().csv(0))
        try run("add", "-q", "data.csv")
        try sandbox.commit("data in dvc")
        try sandbox.git("checkout", "-q", "-b", "new-data")
        try sandbox.write("data.csv", CheckDriftTests().csv(5))
        try run("add", "-q", "data.csv")
        try sandbox.commit("shifted data")
        let result = try mlci("verify", "--json", in: sandbox)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let dataset = try json(result)["checks"]?.arrayValue?.first { $0["check"] == "drift.dataset" }
        #expect(dataset?["outcome"] == "failed")
    }
}
