import Foundation
import MLCIChecks
import MLCISupport
import MLCITestSupport
import Testing

/// Fairlearn 0.15's values (and the four-fifths rule, AIF360's disparate impact) from
/// Tests/Fixtures/golden/fairness_vectors.json.
@Suite struct GoldenFairnessTests {
    let cases: [JSONValue]
    let rtol: Double

    init() throws {
        let path = MLCIBinary.packageRoot + "/Tests/Fixtures/golden/fairness_vectors.json"
        let golden = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        cases = golden["cases"]?.arrayValue ?? []
        rtol = golden["meta"]?["rtol"]?.doubleValue ?? 1e-12
    }

    func close(_ got: Double, _ want: Double?) -> Bool {
        guard let want else { return false }
        return abs(got - want) <= rtol * max(abs(want), 1e-300) || abs(got - want) <= 1e-15
    }

    func report(_ testCase: JSONValue) -> FairnessReport {
        let ints = { (key: String) in testCase[key]?.arrayValue?.map { $0.doubleValue == 1 } ?? [] }
        return FairnessReport(groups: testCase["group"]?.arrayValue?.compactMap(\.stringValue) ?? [], truth: ints("y_true"),
                              predicted: ints("y_pred"), weights: testCase["sample_weight"]?.arrayValue?.compactMap(\.doubleValue))
    }

    @Test func ratesPerGroupMatchFairlearn() {
        #expect(cases.count >= 4)
        for testCase in cases {
            let mine = report(testCase)
            for (group, expected) in testCase["by_group"]?.objectValue ?? [] {
                let rates = mine.byGroup[group]
                #expect(close(rates?.selectionRate ?? .nan, expected["selection_rate"]?.doubleValue), "\(testCase["id"]!) \(group)")
                #expect(close(rates?.tpr ?? .nan, expected["tpr"]?.doubleValue), "\(testCase["id"]!) \(group) tpr")
                #expect(close(rates?.fpr ?? .nan, expected["fpr"]?.doubleValue), "\(testCase["id"]!) \(group) fpr")
            }
            #expect(close(mine.overall.selectionRate, testCase["overall"]?["selection_rate"]?.doubleValue))
        }
    }

    @Test func everyMetricMatchesFairlearn() {
        for testCase in cases {
            let mine = report(testCase)
            for (name, value) in testCase["metrics"]?.objectValue ?? [] {
                let parts = name.split(separator: "/").map(String.init)
                let method: FairnessReport.Method = parts[1] == "to_overall" ? .toOverall : .betweenGroups
                let mean = parts.count > 2 && parts[2] == "mean"
                let got: Double
                switch parts[0] {
                case "demographic_parity_difference": got = mine.difference(\.selectionRate, method)
                case "demographic_parity_ratio": got = mine.ratio(\.selectionRate, method)
                case "equal_opportunity_difference": got = mine.difference(\.tpr, method)
                case "equal_opportunity_ratio": got = mine.ratio(\.tpr, method)
                case "equalized_odds_difference": got = mine.equalizedOddsDifference(method, mean: mean)
                case "equalized_odds_ratio": got = mine.equalizedOddsRatio(method, mean: mean)
                default: Issue.record("unknown metric \(name)"); continue
                }
                #expect(close(got, value.doubleValue), "\(testCase["id"]!) \(name): \(got) vs \(value)")
            }
        }
    }

    @Test func theFourFifthsRuleAndDisparateImpactMatch() {
        for testCase in cases {
            let mine = report(testCase)
            for (group, expected) in testCase["four_fifths_rule"]?.objectValue ?? [] {
                let entry = mine.impactRatios.first { $0.group == group }
                #expect(close(entry?.ratio ?? .nan, expected["impact_ratio"]?.doubleValue), "\(testCase["id"]!) \(group)")
                #expect(entry?.adverse == (expected["adverse_impact"] == .bool(true)), "\(testCase["id"]!) \(group) adverse")
            }
            if let aif = testCase["aif360_style"], let privileged = aif["privileged"]?.stringValue, let unprivileged = aif["unprivileged"]?.stringValue {
                let ratio = mine.byGroup[unprivileged]!.selectionRate / mine.byGroup[privileged]!.selectionRate
                #expect(close(ratio, aif["disparate_impact"]?.doubleValue), "\(testCase["id"]!) AIF360 DI")
            }
        }
    }
}
