import Foundation
import MLCIStats
import MLCISupport
import MLCITestSupport
import Testing

/// scipy's and numpy's values from Tests/Fixtures/golden/drift_vectors.json, each within the
/// tolerance that file states.
@Suite struct GoldenDriftTests {
    let golden: JSONValue

    init() throws {
        let path = MLCIBinary.packageRoot + "/Tests/Fixtures/golden/drift_vectors.json"
        golden = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    func close(_ got: Double, _ want: Double?, rtol: Double) -> Bool {
        guard let want else { return false }
        if want == got { return true }
        return abs(got - want) <= rtol * max(abs(want), 1e-300)
    }

    func numbers(_ value: JSONValue?) -> [Double] { value?.arrayValue?.compactMap(\.doubleValue) ?? [] }

    @Test func ksStatisticAndExactPValueMatchScipy() {
        let section = golden["ks_2samp"]!
        let rtolD = section["rtol_statistic"]?.doubleValue ?? 1e-14
        let rtolP = section["rtol_pvalue_exact"]?.doubleValue ?? 1e-12
        let cases = section["cases"]?.arrayValue ?? []
        #expect(cases.count == 7)
        for testCase in cases {
            let id = testCase["id"]?.stringValue ?? ""
            let x = numbers(testCase["x"]).sorted()
            let y = numbers(testCase["y"]).sorted()
            let (d, _, _) = KolmogorovSmirnov.statistic(sortedX: x, sortedY: y)
            let asymp = testCase["results"]?["asymp"]
            #expect(close(d, asymp?["statistic"]?.doubleValue, rtol: rtolD), "\(id) D \(d)")
            if let exact = testCase["results"]?["exact"], exact["method_used"] == "exact" {
                let result = KolmogorovSmirnov.exactPValue(n1: x.count, n2: y.count, d: d)
                #expect(close(result?.d ?? .nan, exact["statistic"]?.doubleValue, rtol: rtolD), "\(id) exact D")
                #expect(close(result?.p ?? .nan, exact["pvalue"]?.doubleValue, rtol: rtolP), "\(id) exact p \(result?.p ?? .nan) vs \(exact["pvalue"]!)")
            }
            if let limit = asymp?["kstwobign_sf_sqrt_en_D"]?.doubleValue {
                // The limiting law at √(n1·n2/(n1+n2))·D, the effective n unrounded.
                let en = Double(x.count * y.count) / Double(x.count + y.count)
                #expect(close(KolmogorovSmirnov.limitingSurvival(en.squareRoot() * d), limit, rtol: 1e-12), "\(id) limiting law")
            }
        }
    }

    @Test func theLimitingKolmogorovLawMatches() {
        let section = golden["kolmogorov_limit_sf"]!
        for testCase in section["cases"]?.arrayValue ?? [] {
            let z = testCase["z"]?.doubleValue ?? 0
            #expect(close(KolmogorovSmirnov.limitingSurvival(z), testCase["sf"]?.doubleValue, rtol: section["rtol"]?.doubleValue ?? 1e-12), "z=\(z)")
        }
    }

    @Test func chiSquareMatchesScipy() {
        let section = golden["chi_square"]!
        let rtol = section["rtol"]?.doubleValue ?? 1e-12
        for testCase in section["chi2_sf"]?["cases"]?.arrayValue ?? [] {
            let got = SpecialFunctions.chiSquareSurvival(testCase["x"]!.doubleValue!, degreesOfFreedom: testCase["df"]!.doubleValue!)
            #expect(close(got, testCase["sf"]?.doubleValue, rtol: rtol), "\(testCase): \(got)")
        }
        for testCase in section["gof_evidently_style"]?["cases"]?.arrayValue ?? [] {
            let reference = numbers(testCase["reference_counts"])
            let current = numbers(testCase["current_counts"])
            let scale = current.reduce(0, +) / reference.reduce(0, +)
            let statistic = zip(current, reference).reduce(0.0) { sum, pair in
                let expected = pair.1 * scale
                return sum + (pair.0 - expected) * (pair.0 - expected) / expected
            }
            #expect(close(statistic, testCase["statistic"]?.doubleValue, rtol: rtol), "\(testCase["id"]!)")
            let p = SpecialFunctions.chiSquareSurvival(statistic, degreesOfFreedom: Double(reference.count - 1))
            #expect(close(p, testCase["pvalue"]?.doubleValue, rtol: rtol), "\(testCase["id"]!) p \(p)")
        }
    }

    @Test func wassersteinJensenShannonAndZMatch() {
        let w = golden["wasserstein"]!
        for testCase in w["w1"]?["cases"]?.arrayValue ?? [] {
            let got = Distances.wasserstein(numbers(testCase["u"]), numbers(testCase["v"]),
                                            uWeights: testCase["u_weights"]?.arrayValue.map { $0.compactMap(\.doubleValue) },
                                            vWeights: testCase["v_weights"]?.arrayValue.map { $0.compactMap(\.doubleValue) })
            #expect(close(got, testCase["distance"]?.doubleValue, rtol: 1e-12), "\(testCase["id"]!) \(got)")
        }
        for testCase in w["evidently_normed"]?["cases"]?.arrayValue ?? [] {
            let reference = numbers(testCase["reference"])
            let mean = reference.reduce(0, +) / Double(reference.count)
            let std = (reference.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(reference.count)).squareRoot()
            let got = Distances.wasserstein(reference, numbers(testCase["current"])) / max(std, 0.001)
            #expect(close(got, testCase["value"]?.doubleValue, rtol: 1e-12), "\(testCase["id"]!) \(got)")
        }
        for testCase in golden["jensen_shannon"]?["cases"]?.arrayValue ?? [] {
            let got = Distances.jensenShannon(numbers(testCase["p"]), numbers(testCase["q"]), base: testCase["base"]?.doubleValue)
            #expect(close(got, testCase["distance"]?.doubleValue, rtol: 1e-12), "\(testCase["id"]!) \(got)")
        }
        for testCase in golden["z_two_proportion"]?["cases"]?.arrayValue ?? [] {
            let (z, p) = Distances.twoProportionZ(referenceOnes: Int(testCase["ref_ones"]!.doubleValue!), referenceN: Int(testCase["ref_n"]!.doubleValue!),
                                                  currentOnes: Int(testCase["cur_ones"]!.doubleValue!), currentN: Int(testCase["cur_n"]!.doubleValue!))
            #expect(close(z, testCase["z"]?.doubleValue, rtol: 1e-12), "\(testCase["id"]!)")
            #expect(close(p, testCase["pvalue_precise"]?.doubleValue, rtol: 1e-12), "\(testCase["id"]!) p \(p)")
        }
    }

    @Test func psiOverReferenceQuantilesMatches() {
        let section = golden["psi_quantile"]!
        for testCase in section["numeric"]?.arrayValue ?? [] {
            let result = Distances.psi(sortedReference: numbers(testCase["reference"]).sorted(), current: numbers(testCase["current"]),
                                       bins: Int(testCase["n_bins"]!.doubleValue!), eps: testCase["eps"]!.doubleValue!)
            let edges = numbers(testCase["edges"])
            #expect(result.edges.count == edges.count, "\(testCase["id"]!)")
            for (got, want) in zip(result.edges, edges) { #expect(close(got, want, rtol: 1e-15), "\(testCase["id"]!) edge") }
            #expect(result.currentCounts == numbers(testCase["current_counts"]).map { Int($0) }, "\(testCase["id"]!)")
            #expect(close(result.psi, testCase["psi"]?.doubleValue, rtol: 1e-12), "\(testCase["id"]!) psi \(result.psi)")
        }
        for testCase in section["categorical"]?.arrayValue ?? [] {
            let got = Distances.psiCategorical(reference: testCase["reference"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                               current: testCase["current"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                               eps: testCase["eps"]!.doubleValue!)
            #expect(close(got, testCase["psi"]?.doubleValue, rtol: 1e-12), "\(testCase["id"]!) \(got)")
        }
    }
}

@Suite struct GoldenKolmogorovTests {
    let golden: JSONValue

    init() throws {
        let path = MLCIBinary.packageRoot + "/Tests/Fixtures/golden/drift_vectors.json"
        golden = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test func theOneSampleDistributionMatchesScipysKstwo() {
        let section = golden["kstwo_sf"]!
        let rtol = section["rtol"]?.doubleValue ?? 1e-10
        for testCase in section["cases"]?.arrayValue ?? [] {
            let n = Int(testCase["n"]!.doubleValue!)
            let d = testCase["d"]!.doubleValue!
            let got = KolmogorovDistribution.survival(n: n, d: d)
            let want = testCase["sf"]!.doubleValue!
            #expect(abs(got - want) <= rtol * abs(want), "n=\(n) d=\(d) (\(testCase["scipy_regime"]!)): \(got) vs \(want)")
        }
    }

    @Test func asymptoticKSPValuesMatchScipy() {
        let section = golden["ks_2samp"]!
        let rtol = section["rtol_pvalue_asymp"]?.doubleValue ?? 1e-10
        for testCase in section["cases"]?.arrayValue ?? [] {
            guard let asymp = testCase["results"]?["asymp"] else { continue }
            let x = (testCase["x"]?.arrayValue ?? []).compactMap(\.doubleValue).sorted()
            let y = (testCase["y"]?.arrayValue ?? []).compactMap(\.doubleValue).sorted()
            let (d, _, _) = KolmogorovSmirnov.statistic(sortedX: x, sortedY: y)
            let ne = Int((Double(x.count * y.count) / Double(x.count + y.count)).rounded(.toNearestOrEven))
            let got = KolmogorovDistribution.survival(n: ne, d: d)
            let want = asymp["pvalue"]!.doubleValue!
            #expect(abs(got - want) <= rtol * max(abs(want), 1e-300), "\(testCase["id"]!): \(got) vs \(want)")
        }
    }
}
