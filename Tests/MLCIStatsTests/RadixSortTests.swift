import MLCIStats
import Testing

@Suite struct RadixSortTests {
    @Test func sortsLikeTheStandardLibraryIncludingNegativesZerosAndExtremes() {
        var generator = SystemRandomNumberGenerator()
        var values = (0..<50_000).map { _ in Double.random(in: -1e6...1e6, using: &generator) }
        values += [0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                   .infinity, -.infinity, 1, 1, 1]
        values += (0..<10_000).map { Double($0 % 7) }  // many ties
        let sorted = RadixSort.sorted(values)
        #expect(sorted.count == values.count)
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(sorted.map(\.bitPattern).sorted() == values.map(\.bitPattern).sorted())
    }

    /// Buckets of every size: a million values in a narrow band (top 16 bits shared by
    /// hundreds of thousands), a wide spread (small buckets, insertion-sorted), and
    /// six-decimal values as CSV files hold them.
    @Test func largeBucketsSortLikeTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        let narrow = (0..<400_000).map { _ in 1 + Double.random(in: 0..<0.0625, using: &generator) }
        let wide = (0..<300_000).map { _ in Double.random(in: -1e12...1e12, using: &generator) }
        let decimals = (0..<300_000).map { _ in (Double.random(in: -3...3, using: &generator) * 1e6).rounded() / 1e6 }
        for values in [narrow, wide, decimals, narrow + wide + decimals] {
            let sorted = RadixSort.sorted(values)
            #expect(sorted == values.sorted())  // -0.0 == 0.0, in whichever order
        }
    }
}
