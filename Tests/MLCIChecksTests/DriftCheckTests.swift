import Foundation
import MLCIChecks
import MLCIData
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct DriftCheckTests {
    let golden: JSONValue

    init() throws {
        let path = MLCIBinary.packageRoot + "/Tests/Fixtures/golden/drift_vectors.json"
        golden = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    func table(_ name: String, _ values: [String]) -> Table {
        Table(name: name, columns: ["x"], cells: [values], rowLines: Array(2..<(values.count + 2)))
    }

    @Test func theDefaultMethodIsEvidentlys() {
        let rules = golden["evidently_rules"]?["default_method"]?.arrayValue ?? []
        #expect(rules.count == 40)
        for rule in rules {
            let method = DriftCheck.defaultMethod(isNumeric: rule["feature_type"] == "num",
                                                  referenceRows: Int(rule["n_reference_rows"]!.doubleValue!),
                                                  uniqueValues: Int(rule["n_unique_ref_plus_cur"]!.doubleValue!))
            #expect(.string(method) == rule["method"], "\(rule)")
        }
    }

    @Test func theDatasetDriftsWhenTheShareReachesTheThreshold() throws {
        for testCase in golden["evidently_rules"]?["dataset_drift"]?.arrayValue ?? [] {
            let flags = testCase["drifted_flags"]?.arrayValue?.map { $0 == .bool(true) } ?? []
            // One column per flag: identical data, or disjoint data that every method flags.
            var reference = Table(name: "ref.csv", columns: [], cells: [], rowLines: Array(2..<52))
            var current = Table(name: "cur.csv", columns: [], cells: [], rowLines: Array(2..<52))
            for (index, drifted) in flags.enumerated() {
                reference.columns.append("c\(index)")
                current.columns.append("c\(index)")
                reference.cells.append((0..<50).map { String(Double($0)) })
                current.cells.append((0..<50).map { String(Double($0) + (drifted ? 1000 : 0)) })
            }
            let result = try DriftCheck.evaluate(reference: reference, current: current,
                                                 spec: ["share_max": testCase["drift_share"]!, "methods": .object([])])
            #expect(result.columns.map(\.drifted) == flags)
            #expect(abs(result.share - (testCase["share_drifted"]?.doubleValue ?? -1)) < 1e-15)
            #expect(result.datasetDrift == (testCase["dataset_drift"] == .bool(true)), "\(testCase)")
        }
    }

    @Test func ksThroughTheCheckMatchesScipyExactAndAsymptotic() throws {
        for testCase in golden["ks_2samp"]?["cases"]?.arrayValue ?? [] {
            let x = (testCase["x"]?.arrayValue ?? []).map { JSONWriter.number($0.doubleValue!) }
            let y = (testCase["y"]?.arrayValue ?? []).map { JSONWriter.number($0.doubleValue!) }
            let result = try DriftCheck.evaluate(reference: table("r", x), current: table("c", y), spec: ["methods": ["x": "ks"]])
            let want = testCase["results"]?["auto"]?["pvalue"]?.doubleValue ?? .nan
            let got = result.columns.first?.pValue ?? .nan
            #expect(abs(got - want) <= 1e-10 * max(want, 1e-300), "\(testCase["id"]!): \(got) vs \(want)")
            #expect(result.columns.first?.statistic == testCase["results"]?["auto"]?["statistic"]?.doubleValue)
        }
    }

    @Test func jensenShannonOverEvidentlysBinsMatches() throws {
        for testCase in golden["evidently_binned"]?["cases"]?.arrayValue ?? [] {
            let reference = (testCase["reference"]?.arrayValue ?? []).map { $0.stringValue ?? JSONWriter.number($0.doubleValue!) }
            let current = (testCase["current"]?.arrayValue ?? []).map { $0.stringValue ?? JSONWriter.number($0.doubleValue!) }
            let result = try DriftCheck.evaluate(reference: table("r", reference), current: table("c", current),
                                                 spec: ["methods": ["x": "jensenshannon"]])
            let want = testCase["jensenshannon"]!.doubleValue!
            let got = result.columns.first?.statistic ?? .nan
            #expect(abs(got - want) <= 1e-12 * want, "\(testCase["id"]!): \(got) vs \(want)")
        }
    }
}
