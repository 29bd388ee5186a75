#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Distribution distances and indexes for drift.
public enum Distances {
    /// Wasserstein-1 between two (optionally weighted) samples, as scipy's
    /// `wasserstein_distance`: ∫ |U − V| over the sorted union of the values.
    public static func wasserstein(_ u: [Double], _ v: [Double], uWeights: [Double]? = nil, vWeights: [Double]? = nil) -> Double {
        let uOrder = u.indices.sorted { u[$0] < u[$1] }
        let vOrder = v.indices.sorted { v[$0] < v[$1] }
        let all = (u + v).sorted()
        let uTotal = uWeights?.reduce(0, +) ?? Double(u.count)
        let vTotal = vWeights?.reduce(0, +) ?? Double(v.count)
        var iu = 0
        var iv = 0
        var cu = 0.0
        var cv = 0.0
        var total = 0.0
        for index in 0..<(all.count - 1) {
            let t = all[index]
            while iu < uOrder.count && u[uOrder[iu]] <= t { cu += uWeights?[uOrder[iu]] ?? 1; iu += 1 }
            while iv < vOrder.count && v[vOrder[iv]] <= t { cv += vWeights?[vOrder[iv]] ?? 1; iv += 1 }
            total += abs(cu / uTotal - cv / vTotal) * (all[index + 1] - t)
        }
        return total
    }

    /// scipy's `jensenshannon`: p and q normalised, √((KL(p‖m) + KL(q‖m))/2), 0·log 0 = 0.
    public static func jensenShannon(_ p: [Double], _ q: [Double], base: Double? = nil) -> Double {
        let ps = p.reduce(0, +)
        let qs = q.reduce(0, +)
        var divergence = 0.0
        for index in p.indices {
            let a = p[index] / ps
            let b = q[index] / qs
            let m = (a + b) / 2
            if a > 0 { divergence += a * log(a / m) }
            if b > 0 { divergence += b * log(b / m) }
        }
        var js = divergence / 2
        if let base { js /= log(base) }
        return max(js, 0).squareRoot()
    }

    /// numpy's `quantile` with the default `linear` method on sorted data.
    public static func quantile(sorted values: [Double], _ q: Double) -> Double {
        let index = Double(values.count - 1) * q
        let lower = Int(index.rounded(.down))
        let g = index - Double(lower)
        guard lower + 1 < values.count else { return values[values.count - 1] }
        let a = values[lower]
        let b = values[lower + 1]
        return g < 0.5 ? a + (b - a) * g : b - (b - a) * (1 - g)
    }

    /// mlci's canonical PSI over reference-quantile bins: edges at the reference's k/B
    /// quantiles, de-duplicated; open outer bins; shares floored at `eps`, not renormalised;
    /// Σ (c − r)·ln(c/r).
    ///
    /// With `currentIsSorted` (both samples sorted ascending) each bin's count is found by
    /// binary search at the edges instead of per value: the same counts in O(B log n).
    public static func psi(sortedReference reference: [Double], current: [Double], bins: Int = 10, eps: Double = 1e-4,
                           currentIsSorted: Bool = false)
        -> (psi: Double, edges: [Double], referenceCounts: [Int], currentCounts: [Int])
    {
        var edges: [Double] = []
        for k in 1..<bins {
            let edge = quantile(sorted: reference, Double(k) / Double(bins))
            if edges.last != edge { edges.append(edge) }
        }
        edges = Array(Set(edges)).sorted()
        func counts(_ values: [Double]) -> [Int] {
            var out = [Int](repeating: 0, count: edges.count + 1)
            for value in values {
                // searchsorted(edges, value, 'right')
                var low = 0
                var high = edges.count
                while low < high {
                    let mid = (low + high) / 2
                    if edges[mid] <= value { low = mid + 1 } else { high = mid }
                }
                out[low] += 1
            }
            return out
        }
        // searchsorted(edges, v, 'right') ≥ k exactly when v ≥ edges[k-1]: on sorted values the
        // bin counts are differences of the edges' lower bounds.
        func sortedCounts(_ values: [Double]) -> [Int] {
            var atLeast = [values.count]
            for edge in edges {
                var low = 0
                var high = values.count
                while low < high {
                    let mid = (low + high) / 2
                    if values[mid] < edge { low = mid + 1 } else { high = mid }
                }
                atLeast.append(values.count - low)
            }
            atLeast.append(0)
            return (0...edges.count).map { atLeast[$0] - atLeast[$0 + 1] }
        }
        let r = sortedCounts(reference)
        let c = currentIsSorted ? sortedCounts(current) : counts(current)
        var total = 0.0
        for index in r.indices {
            let rp = max(Double(r[index]) / Double(reference.count), eps)
            let cp = max(Double(c[index]) / Double(current.count), eps)
            total += (cp - rp) * log(cp / rp)
        }
        return (total, edges, r, c)
    }

    /// PSI over categories: one bin per category of either sample.
    public static func psiCategorical(reference: [String], current: [String], eps: Double = 1e-4) -> Double {
        var rc: [String: Int] = [:]
        var cc: [String: Int] = [:]
        for value in reference { rc[value, default: 0] += 1 }
        for value in current { cc[value, default: 0] += 1 }
        var total = 0.0
        for category in Set(rc.keys).union(cc.keys) {
            let rp = max(Double(rc[category] ?? 0) / Double(reference.count), eps)
            let cp = max(Double(cc[category] ?? 0) / Double(current.count), eps)
            total += (cp - rp) * log(cp / rp)
        }
        return total
    }

    /// The pooled two-proportion z statistic and its precise two-sided p-value.
    public static func twoProportionZ(referenceOnes: Int, referenceN: Int, currentOnes: Int, currentN: Int) -> (z: Double, p: Double) {
        let p1 = Double(referenceOnes) / Double(referenceN)
        let p2 = Double(currentOnes) / Double(currentN)
        let pooled = Double(referenceOnes + currentOnes) / Double(referenceN + currentN)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / Double(referenceN) + 1 / Double(currentN))).squareRoot()
        return (z, 2 * SpecialFunctions.normalSurvival(abs(z)))
    }
}
