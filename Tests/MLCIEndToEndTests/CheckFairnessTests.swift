import Foundation
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct CheckFairnessTests {
    /// 10 men with 5 selected, 10 women with 4 selected: exactly four fifths.
    let boundary = "gender,y_true,y_pred\n" + (0..<10).map { "M,\($0 % 2),\($0 < 5 ? 1 : 0)" }.joined(separator: "\n") + "\n"
        + (0..<10).map { "F,\($0 % 2),\($0 < 4 ? 1 : 0)" }.joined(separator: "\n") + "\n"

    @Test func exactlyFourFifthsPassesAndBelowFails() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("p.csv", boundary)
        let pass = try mlci("check", "fairness", "p.csv", "--group", "gender", "--label", "y_true", "--prediction", "y_pred",
                            "--disparate-impact-min", "0.8", in: sandbox)
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        try sandbox.write("p.csv", boundary.replacingOccurrences(of: "F,1,1\nF,0,0\nF,1,0", with: "F,1,0\nF,0,0\nF,1,0"))
        let fail = try mlci("check", "fairness", "--json", "p.csv", "--group", "gender", "--label", "y_true", "--prediction", "y_pred",
                            "--disparate-impact-min", "0.8", in: sandbox)
        #expect(fail.status == 1, "\(fail.stdout)")
        let document = try json(fail)
        #expect(document["four_fifths"]?["F"]?["adverse_impact"] == true)
        #expect(document["by_group"]?["M"]?["selection_rate"] == 0.5)
    }

    @Test func aGroupWithoutPositivesIsNamed() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("p.csv", "g,y,p\na,1,1\na,0,1\nb,0,1\nb,0,0\n")
        let result = try mlci("check", "fairness", "p.csv", "--group", "g", "--label", "y", "--prediction", "p", in: sandbox)
        #expect(result.status == 0)
        #expect(result.stdout.contains("group 'b' has no positive labels"))
        #expect(result.stdout.contains("TPR undefined"))
    }

    @Test func aPredictionsFileWithoutTheGroupColumnIsBadInput() throws {
        let sandbox = try GitSandbox()
        try sandbox.write("mlci.yaml", "version: 1\ngate:\n  fairness: {predictions: preds.csv, group: gender, label: y, prediction: p, disparate_impact_min: 0.8}\n")
        try sandbox.write("preds.csv", "sex,y,p\nF,1,1\n")
        let result = try mlci("check", "fairness", "preds.csv", in: sandbox)
        #expect(result.status == 2)
        #expect(result.stderr.contains("preds.csv:1: error: preds.csv has no column 'gender' (the fairness group)"))
    }
}
