import MLCIStats
import Testing

/// The shortcuts drift takes on sorted samples give bit-for-bit what the plain computations give,
/// on fresh random samples with many ties each run.
@Suite struct SortedSamplesTests {
    /// The KS statistic with both divisions at every step of the merge, as scipy evaluates it.
    static func plainStatistic(_ x: [Double], _ y: [Double]) -> (Double, Int, Double) {
        let n1 = Double(x.count)
        let n2 = Double(y.count)
        var i = 0
        var j = 0
        var maxDiff = -Double.infinity
        var minDiff = Double.infinity
        var maxAt = 0.0
        var minAt = 0.0
        while i < x.count || j < y.count {
            let value = j >= y.count || (i < x.count && x[i] <= y[j]) ? x[i] : y[j]
            while i < x.count && x[i] <= value { i += 1 }
            while j < y.count && y[j] <= value { j += 1 }
            let diff = Double(i) / n1 - Double(j) / n2
            if diff > maxDiff { maxDiff = diff; maxAt = value }
            if diff < minDiff { minDiff = diff; minAt = value }
        }
        let plus = max(maxDiff, 0)
        let minus = max(-minDiff, 0)
        return minus > plus ? (minus, -1, minAt) : (plus, 1, maxAt)
    }

    /// numpy's bincount(searchsorted(edges, values, 'right')), one value at a time.
    static func searchsortedCounts(_ values: [Double], edges: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        for value in values {
            var below = 0
            for edge in edges where edge <= value { below += 1 }
            counts[below] += 1
        }
        return counts
    }

    static func sample(_ count: Int, shift: Double, grid: Double, using generator: inout some RandomNumberGenerator) -> [Double] {
        (0..<count).map { _ in ((Double.random(in: -3...3, using: &generator) + shift) / grid).rounded() * grid }
    }

    @Test func theKSMergeFindsTheSameExtremesAsDividingAtEveryStep() {
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<24 {
            let n1 = Int.random(in: 1...60_000, using: &generator)
            let n2 = trial % 3 == 0 ? n1 : Int.random(in: 1...60_000, using: &generator)
            let grid = [1e-6, 1e-3, 0.1, 1][trial % 4]
            let x = RadixSort.sorted(Self.sample(n1, shift: 0, grid: grid, using: &generator))
            let y = RadixSort.sorted(Self.sample(n2, shift: Double.random(in: -0.05...0.05, using: &generator), grid: grid, using: &generator))
            let got = KolmogorovSmirnov.statistic(sortedX: x, sortedY: y)
            let want = Self.plainStatistic(x, y)
            #expect(got.d.bitPattern == want.0.bitPattern && got.sign == want.1 && got.location == want.2, "n1 \(n1), n2 \(n2), grid \(grid)")
        }
    }

    @Test func psiCountsOnSortedSamplesEqualPerValueSearches() {
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<24 {
            let grid = [1e-6, 0.01, 0.5, 1][trial % 4]
            let reference = RadixSort.sorted(Self.sample(Int.random(in: 1...20_000, using: &generator), shift: 0, grid: grid, using: &generator))
            let current = Self.sample(Int.random(in: 1...20_000, using: &generator), shift: 0.2, grid: grid, using: &generator)
            let bins = [10, 10, 4, 20][trial % 4]
            let plain = Distances.psi(sortedReference: reference, current: current, bins: bins)
            let sorted = Distances.psi(sortedReference: reference, current: RadixSort.sorted(current), bins: bins, currentIsSorted: true)
            #expect(sorted.referenceCounts == Self.searchsortedCounts(reference, edges: plain.edges))
            #expect(sorted.currentCounts == Self.searchsortedCounts(current, edges: plain.edges))
            #expect(sorted.referenceCounts == plain.referenceCounts && sorted.currentCounts == plain.currentCounts && sorted.edges == plain.edges)
            #expect(sorted.psi.bitPattern == plain.psi.bitPattern, "grid \(grid), bins \(bins)")
        }
    }
}
