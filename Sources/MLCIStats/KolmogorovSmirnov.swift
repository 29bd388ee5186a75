#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two-sample Kolmogorov–Smirnov test, computed as scipy's `ks_2samp` does.
///
/// Stateless; safe from any thread.
public enum KolmogorovSmirnov {
    /// D = max |F1 − F2| over the pooled values, each ECDF a float division (`i/n1 − j/n2`, as
    /// scipy evaluates it, so the last bit agrees), and the signed extreme's location.
    ///
    /// - Parameters: both samples sorted ascending, without NaN.
    public static func statistic(sortedX x: [Double], sortedY y: [Double]) -> (d: Double, sign: Int, location: Double) {
        let n1 = Double(x.count)
        let n2 = Double(y.count)
        var maxDiff = -Double.infinity
        var minDiff = Double.infinity
        var maxAt = 0.0
        var minAt = 0.0
        // The float difference i/n1 − j/n2 is within 3·2⁻⁵³ of the exact one, (i·n2 − j·n1)/(n1·n2).
        // So a step whose exact integer numerator is more than `slack` below the best seen so
        // far cannot beat, or tie, the float extreme kept so far: only steps near an extreme pay
        // for the two divisions, and the extremes and their locations are exactly the ones a
        // division at every step finds.
        let slack = Int64((7e-16 * n1 * n2).rounded(.up)) + 1
        let exactEnough = n1 * n2 < 0x1p62
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                let nx = xs.count
                let ny = ys.count
                let step1 = Int64(ny)
                let step2 = Int64(nx)
                var i = 0
                var j = 0
                var numerator: Int64 = 0
                var best = Int64.min / 2
                var worst = Int64.max / 2
                while i < nx || j < ny {
                    let value = j >= ny || (i < nx && xs[i] <= ys[j]) ? xs[i] : ys[j]
                    while i < nx && xs[i] <= value { i += 1; numerator &+= step1 }
                    while j < ny && ys[j] <= value { j += 1; numerator &-= step2 }
                    if exactEnough && numerator < best &- slack && numerator > worst &+ slack { continue }
                    let diff = Double(i) / n1 - Double(j) / n2
                    if diff > maxDiff { maxDiff = diff; maxAt = value }
                    if diff < minDiff { minDiff = diff; minAt = value }
                    if numerator > best { best = numerator }
                    if numerator < worst { worst = numerator }
                }
            }
        }
        let plus = max(maxDiff, 0)
        let minus = max(-minDiff, 0)
        return minus > plus ? (minus, -1, minAt) : (plus, 1, maxAt)
    }

    /// The exact two-sided p-value for statistic `d` of samples of sizes `n1` and `n2`
    /// (scipy's `method='exact'`), or `nil` when the lattice is too large to compute.
    ///
    /// Returns the statistic re-derived as `round(d·lcm)/lcm`, as scipy does.
    public static func exactPValue(n1: Int, n2: Int, d: Double) -> (d: Double, p: Double)? {
        let g = gcd(n1, n2)
        let lcm = Double(n1 / g) * Double(n2)
        let h = Int((d * lcm).rounded(.toNearestOrEven))
        let statistic = Double(h) / lcm
        if h == 0 { return (statistic, 1) }
        let p = n1 == n2 ? probabilityOutsideSquare(n: n1, h: h) : outerProbabilityInsideMethod(m: n1, n: n2, g: g, h: h)
        guard p.isFinite, p >= 0, p <= 1 else { return nil }
        return (statistic, p)
    }

    /// Pr(D(n,n) ≥ h/n): 2 Σ (−1)^(k−1) C(2n, n−kh)/C(2n, n), as a product of ratios.
    static func probabilityOutsideSquare(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var term = 1.0
            for j in 0..<h {
                term = Double(n - k * h - j) * term / Double(n + k * h + j + 1)
            }
            p = term * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// The share of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm,
    /// computed column by column with the window and scaling of Hodges' inside method as
    /// rewritten to give 1 − p directly (Viehmann 2021; scipy `_compute_outer_prob_inside_method`).
    static func outerProbabilityInsideMethod(m rawM: Int, n rawN: Int, g: Int, h: Int) -> Double {
        let m = max(rawM, rawN)
        let n = min(rawM, rawN)
        let mg = m / g
        let ng = n / g
        var minj = 0
        var maxj = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = min(2 * maxj + 2, n + 1)
        var a = [Double](repeating: 1, count: max(lenA, n + 2))
        for index in minj..<maxj { a[index] = 0 }
        for i in 1...m {
            let lastminj = minj
            let lastlen = curlen
            minj = max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
            minj = min(minj, n)
            maxj = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1 }
            var value = minj == 0 ? 0.0 : 1.0
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                value = (a[jj + minj - lastminj] * Double(i) + value * Double(j)) / Double(i + j)
                a[jj] = value
            }
            curlen = maxj - minj
            if lastlen > curlen {
                for index in (maxj - minj)..<(maxj - minj + lastlen - curlen) where index < a.count { a[index] = 1 }
            }
        }
        return a[maxj - minj - 1]
    }

    /// The Kolmogorov distribution's survival function (scipy.special.kolmogorov,
    /// `kstwobign.sf`): 2 Σ (−1)^(k−1) exp(−2k²z²), or its Jacobi-theta form for small z.
    public static func limitingSurvival(_ z: Double) -> Double {
        if z <= 0 { return 1 }
        if z < 1 {
            // 1 − (√(2π)/z) Σ exp(−(2k−1)²π²/(8z²))
            let w = Double.pi * Double.pi / (8 * z * z)
            var sum = 0.0
            for k in 1...20 {
                let odd = Double(2 * k - 1)
                sum += exp(-odd * odd * w)
            }
            return 1 - (2 * Double.pi).squareRoot() / z * sum
        }
        var sum = 0.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * z * z)
            sum += (k % 2 == 1 ? term : -term)
            if term < 1e-300 { break }
        }
        return min(1, max(0, 2 * sum))
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
