#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Special functions the drift tests need, accurate to ~1e-14.
public enum SpecialFunctions {
    /// Q(a, x) = Γ(a, x)/Γ(a), the regularized upper incomplete gamma function.
    public static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        if x < a + 1 { return 1 - lowerSeries(a, x) }
        return upperContinuedFraction(a, x)
    }

    /// P(a, x) by its power series.
    static func lowerSeries(_ a: Double, _ x: Double) -> Double {
        var sum = 1 / a
        var term = sum
        var n = a
        for _ in 0..<10_000 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return sum * exp(-x + a * log(x) - KolmogorovDistribution.lnGamma(a))
    }

    /// Q(a, x) by its continued fraction (modified Lentz).
    static func upperContinuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-17 { break }
        }
        return exp(-x + a * log(x) - KolmogorovDistribution.lnGamma(a)) * h
    }

    /// The chi-square survival function: Q(df/2, x/2).
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom df: Double) -> Double {
        regularizedUpperGamma(df / 2, x / 2)
    }

    /// The standard normal survival function, 1 − Φ(z), precise in the tail.
    public static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }
}
