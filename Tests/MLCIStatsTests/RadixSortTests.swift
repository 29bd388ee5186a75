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
}
