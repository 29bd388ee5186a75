/// Sorting `Double`s by their bits, over order-preserving 64-bit keys: one most-significant-digit
/// pass on the top 16 bits (sign, exponent and 4 bits of mantissa) spreads the keys into buckets
/// small enough to stay in cache, then each bucket is sorted on its low 48 bits by a
/// least-significant-digit radix sort (8 bits a pass, skipping passes whose digit is the same for
/// every key) or, when tiny, by insertion. About 3-5× faster than a comparison sort on a million
/// values. NaN must not be present.
///
/// Stateless; safe from any thread.
public enum RadixSort {
    public static func sorted(_ values: [Double]) -> [Double] {
        var copy = values
        sort(&copy)
        return copy
    }

    /// Sorts `values` in place: the keys are made in the array's own memory, so the only extra
    /// memory is one scratch buffer of the same size (and none below 2,048 values).
    ///
    /// The order is the order of the keys: -0.0 before 0.0, as the bits say; equal values
    /// compare equal either way, so every statistic over the sorted values is the same as
    /// after a comparison sort.
    public static func sort(_ values: inout [Double]) {
        let count = values.count
        if count < 2048 { values.sort(); return }
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        defer { scratch.deallocate() }
        let bucketEnds = UnsafeMutablePointer<Int>.allocate(capacity: 1 << 16)
        defer { bucketEnds.deallocate() }
        bucketEnds.initialize(repeating: 0, count: 1 << 16)
        let histograms = UnsafeMutablePointer<Int>.allocate(capacity: 256 * 6)
        defer { histograms.deallocate() }
        values.withUnsafeMutableBufferPointer { doubles in
            doubles.withMemoryRebound(to: UInt64.self) { keys in
                let base = keys.baseAddress!
                // Keys in place, and the top digit's histogram in the same sweep.
                for index in 0..<count {
                    let bits = base[index]
                    let key = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
                    base[index] = key
                    bucketEnds[Int(key >> 48)] &+= 1
                }
                var total = 0
                for digit in 0..<(1 << 16) {
                    let size = bucketEnds[digit]
                    bucketEnds[digit] = total
                    total &+= size
                }
                // The top digit's pass: afterwards bucketEnds[d] is where bucket d ends in scratch.
                for index in 0..<count {
                    let key = base[index]
                    let digit = Int(key >> 48)
                    scratch[bucketEnds[digit]] = key
                    bucketEnds[digit] &+= 1
                }
                // Each bucket sorted on its low 48 bits, ending in its place in `base`.
                var start = 0
                for digit in 0..<(1 << 16) {
                    let end = bucketEnds[digit]
                    let size = end - start
                    if size > 0 { sortBucket(scratch + start, into: base + start, count: size, histograms: histograms) }
                    start = end
                }
                for index in 0..<count {
                    let key = base[index]
                    base[index] = key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key
                }
            }
        }
    }

    /// Sorts `count` keys that share their top 16 bits, from `source` into `target` (either
    /// buffer may be overwritten on the way).
    static func sortBucket(_ source: UnsafeMutablePointer<UInt64>, into target: UnsafeMutablePointer<UInt64>, count: Int,
                           histograms: UnsafeMutablePointer<Int>) {
        if count < 48 {
            for i in 1..<max(count, 1) {
                let key = source[i]
                var j = i - 1
                while j >= 0 && source[j] > key { source[j + 1] = source[j]; j -= 1 }
                source[j + 1] = key
            }
            target.update(from: source, count: count)
            return
        }
        histograms.update(repeating: 0, count: 256 * 6)
        for i in 0..<count {
            var key = source[i]
            for pass in 0..<6 {
                histograms[pass * 256 + Int(key & 0xFF)] &+= 1
                key >>= 8
            }
        }
        var from = source
        var to = target
        for pass in 0..<6 {
            let counts = histograms + pass * 256
            // A digit shared by every key moves nothing: skip the pass.
            var trivial = false
            for digit in 0..<256 where counts[digit] == count { trivial = true; break }
            if trivial { continue }
            var total = 0
            for digit in 0..<256 {
                let size = counts[digit]
                counts[digit] = total
                total &+= size
            }
            let shift = UInt64(pass * 8)
            for i in 0..<count {
                let key = from[i]
                let digit = Int((key >> shift) & 0xFF)
                to[counts[digit]] = key
                counts[digit] &+= 1
            }
            swap(&from, &to)
        }
        if from != target { target.update(from: from, count: count) }
    }
}
