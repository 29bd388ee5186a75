import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exact one-sample two-sided Kolmogorov–Smirnov distribution, P(D_n ≥ d), chosen by
/// regime as scipy's `kstwo.sf` does (Simard & L'Ecuyer 2011): Ruben–Gambino closed forms at
/// the ends, 2·Smirnov for d ≥ 0.5 and in the far tail, the Durbin matrix (Marsaglia–Tsang–Wang)
/// for n ≤ 140 and small n·d^1.5, Pelz–Good otherwise.
///
/// Stateless; safe from any thread.
public enum KolmogorovDistribution {
    public static func survival(n: Int, d: Double) -> Double {
        let nn = Double(n)
        if d >= 1 { return 0 }
        if d <= 0 { return 1 }
        let t = nn * d
        if t <= 1 {
            if t <= 0.5 { return 1 }
            let cdf: Double
            if n <= 140 {
                var product = 1.0
                for i in 1...n { product *= Double(i) / nn * (2 * t - 1) }
                cdf = product
            } else {
                cdf = exp(logFactorialOverPower(n) + nn * log(2 * t - 1))
            }
            return clip(1 - cdf)
        }
        if t >= nn - 1 { return clip(2 * pow(1 - d, nn)) }
        if d >= 0.5 { return clip(2 * smirnov(n: n, d: d)) }
        let nxSquared = t * d
        if n <= 140 {
            // scipy uses Pomeranz for 0.754693 < n·d² ≤ 4; the Durbin matrix is exact there too.
            if nxSquared <= 4 { return clip(1 - durbin(n: n, d: d)) }
            return clip(2 * smirnov(n: n, d: d))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clip(2 * smirnov(n: n, d: d)) }
        if n <= 100_000 && nn * pow(d, 1.5) <= 1.4 { return clip(1 - durbin(n: n, d: d)) }
        return clip(pelzGoodSurvival(n: n, d: d))
    }

    static func clip(_ p: Double) -> Double { min(1, max(0, p)) }

    static func lnGamma(_ x: Double) -> Double {
        #if canImport(Glibc)
        return Glibc.lgamma(x)
        #else
        return Darwin.lgamma(x)
        #endif
    }

    /// log(n!/nⁿ).
    static func logFactorialOverPower(_ n: Int) -> Double { lnGamma(Double(n) + 1) - Double(n) * log(Double(n)) }

    /// P(D⁺_n ≥ d), the one-sided Smirnov survival function, by the Birnbaum–Tingey sum
    /// d·Σ C(n,j) (1−d−j/n)^(n−j) (d+j/n)^(j−1), each term in logarithms (all terms positive).
    public static func smirnov(n: Int, d: Double) -> Double {
        if d <= 0 { return 1 }
        if d >= 1 { return 0 }
        let nn = Double(n)
        let last = Int((nn * (1 - d)).rounded(.down))
        // log k! for k = 0…n, the same lgamma values the sum needs, each computed once (and
        // kept for the next column of the same size).
        let logFactorial = logFactorials(upTo: n)
        let logFactorialN = logFactorial[n]
        var sum = 0.0
        for j in 0...max(last, 0) {
            let jj = Double(j)
            let a = 1 - d - jj / nn
            if a <= 0 { continue }
            let b = d + jj / nn
            let logTerm = logFactorialN - logFactorial[j] - logFactorial[n - j] + (nn - jj) * log(a) + (jj - 1) * log(b)
            sum += exp(logTerm)
        }
        return d * sum
    }

    /// The last table of log k! (k = 0…n) made, shared by the threads that test columns of one size.
    static let logFactorialCache = Mutex<[Double]>([])

    /// lnΓ(k + 1) for k = 0…n.
    static func logFactorials(upTo n: Int) -> [Double] {
        let cached = logFactorialCache.withLock { $0 }
        if cached.count == n + 1 { return cached }
        let table = (0...n).map { lnGamma(Double($0) + 1) }
        logFactorialCache.withLock { $0 = table }
        return table
    }

    /// P(D_n < d) by Durbin's matrix, Hⁿ with its exponent kept apart (Marsaglia, Tsang, Wang 2003).
    static func durbin(n: Int, d: Double) -> Double {
        let nn = Double(n)
        let nd = nn * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = [Double](repeating: 0, count: m)
        var w = [Double](repeating: 0, count: m)
        var factorial = 1.0
        for j in 1...m {
            w[j - 1] = factorial
            factorial /= Double(j)
            v[j - 1] = (1 - pow(h, Double(j))) * factorial
        }
        let tt = pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1 + tt) * factorial
        var matrix = [Double](repeating: 0, count: m * m)
        for i in 1..<m {
            for row in (i - 1)..<m { matrix[row * m + i] = w[row - (i - 1)] }
        }
        for row in 0..<m { matrix[row * m] = v[row] }
        for column in 0..<m { matrix[(m - 1) * m + column] = v[m - 1 - column] }
        let (power, exponent) = matrixPower(matrix, m, n)
        var value = power[(k - 1) * m + (k - 1)]
        var scale = exponent
        // × n!/nⁿ, keeping the value in range.
        for i in 1...n {
            value = Double(i) * value / nn
            if value < 1e-140 {
                value *= pow(2, 465)  // ≈ 1e140, kept exact as a power of two
                scale -= 465
            }
        }
        return clip(value * pow(2, Double(scale)))
    }

    /// matrixⁿ as (mantissa matrix, power of two), by repeated squaring with renormalisation.
    static func matrixPower(_ matrix: [Double], _ m: Int, _ n: Int) -> ([Double], Int) {
        func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: m * m)
            for i in 0..<m {
                for k in 0..<m where a[i * m + k] != 0 {
                    let aik = a[i * m + k]
                    for j in 0..<m { out[i * m + j] += aik * b[k * m + j] }
                }
            }
            return out
        }
        func normalise(_ a: inout [Double], _ exponent: inout Int) {
            let largest = a.map(abs).max() ?? 0
            guard largest > 0 else { return }
            let shift = Int(log2(largest).rounded(.down))
            if abs(shift) > 0 {
                let factor = pow(2, Double(-shift))
                for index in a.indices { a[index] *= factor }
                exponent += shift
            }
        }
        if n == 1 { return (matrix, 0) }
        var (half, exponent) = matrixPower(matrix, m, n / 2)
        var result = multiply(half, half)
        exponent *= 2
        if n % 2 == 1 { result = multiply(matrix, result) }
        normalise(&result, &exponent)
        half.removeAll()
        return (result, exponent)
    }

    /// The Pelz–Good asymptotic series for P(D_n ≥ d) (Pelz & Good 1976), as scipy evaluates it.
    static func pelzGoodSurvival(n: Int, d: Double) -> Double {
        let piSquared = Double.pi * Double.pi
        let piFour = piSquared * piSquared
        let piSix = piFour * piSquared
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let z = Double(n).squareRoot() * d
        let z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2
        let qlog = -piSquared / 8 / z2
        if qlog < -708 { return 1 }
        var q = exp(qlog)
        let k1a = -z2
        let k1b = piSquared / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * piSquared / 4
        let k2c = piFour * (1 - 2 * z2) / 16
        let k3d = piSix * (5 - 30 * z2) / 64
        let k3c = piFour * (-60 * z2 + 212 * z4) / 16
        let k3b = piSquared * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * z4 * z4
        var k = [0.0, 0.0, 0.0, 0.0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        for kk in stride(from: maxk, through: 1, by: -1) {
            let m = Double(2 * kk - 1)
            let m2 = m * m, m4 = m2 * m2, m6 = m4 * m2
            let qpower = pow(q, Double(8 * kk))
            let coefficients = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
            for index in 0..<4 { k[index] = k[index] * qpower + coefficients[index] }
        }
        let divisors = [z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4]
        for index in 0..<4 { k[index] = k[index] * q * sqrt2pi / divisors[index] }
        q = exp(-piSquared / 2 / z2)
        var k2extra = 0.0
        var k3extra = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        for kk in stride(from: maxk, through: 1, by: -1) {
            let ks = Double(kk)
            let qpow = pow(q, ks * ks)
            k2extra += ks * ks * qpow
            let kspi = Double.pi * ks
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks * ks * qpow
        }
        k[2] += k2extra * piSquared * sqrt2pi / (-36 * z3)
        k[3] += k3extra * piSquared * sqrt2pi / (216 * z6)
        for index in 0..<4 { k[index] /= pow(Double(n), Double(index) / 2) }
        // Survival: 1 − (K0 + K1 + K2 + K3).
        return 1 - k.reduce(0, +)
    }
}
