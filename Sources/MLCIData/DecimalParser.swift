#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal literals (`-12.5`, `3`, `1e-7`, `.5`) read as correctly rounded `Double`s, as
/// Python's `float()` and pandas' round-trip parser read them, straight from bytes.
///
/// Up to 18 significant digits with a decimal exponent of at most 22 are converted with one
/// exact multiplication or division (Clinger's fast path: both operands are exact doubles, so
/// IEEE rounding of the one operation is the correct rounding); anything longer goes to the C
/// library's `strtod`, which rounds correctly too. Only the characters `0-9 + - . e E` are
/// accepted: no spaces, hexadecimal, `inf` or `nan` (the general reader decides those), and a
/// result that overflows to infinity is refused. Stateless; safe from any thread.
public enum DecimalParser {
    /// The value of the `count` bytes at `start`, or `nil` when they are not such a literal.
    /// `integral` is set when the spelling has no `.`, `e` or `E`.
    @inline(__always)
    public static func parse(_ start: UnsafePointer<UInt8>, count: Int, integral: inout Bool) -> Double? {
        var index = 0
        if count == 0 { return nil }
        var negative = false
        if start[0] == 0x2D || start[0] == 0x2B { negative = start[0] == 0x2D; index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        var sawDot = false
        while index < count {
            let digit = start[index] &- 0x30
            if digit >= 10 { break }
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(digit); if mantissa > 0 { digits += 1 } } else { exponent += 1 }
            index += 1
            sawDigit = true
        }
        if index < count, start[index] == 0x2E {
            sawDot = true
            index += 1
            while index < count {
                let digit = start[index] &- 0x30
                if digit >= 10 { break }
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(digit); if mantissa > 0 { digits += 1 }; exponent -= 1 }
                index += 1
                sawDigit = true
            }
        }
        if sawDigit, index == count, mantissa < (1 << 53), exponent >= -22, exponent <= 22, digits < 19 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            integral = !sawDot
            return negative ? -value : value
        }
        return slow(start, count: count, integral: &integral)
    }

    /// The fast path alone (`powers`: 10^0 … 10^22, e.g. a copy of ``powersOfTen``), reading from `start` up to the first `separator` (or `limit` bytes):
    /// the value and the field's length, or `nil` when the field needs ``parse(_:count:integral:)``.
    @inline(__always)
    static func scan(_ start: UnsafePointer<UInt8>, limit: Int, separator: UInt8, powers: UnsafePointer<Double>,
                     integral: inout Bool) -> (Double, Int)? {
        var index = 0
        if limit == 0 { return nil }
        var negative = false
        if start[0] == 0x2D { negative = true; index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        var sawDot = false
        while index < limit {
            let digit = start[index] &- 0x30
            if digit >= 10 { break }
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(digit); if mantissa > 0 { digits += 1 } } else { exponent += 1 }
            index += 1
            sawDigit = true
        }
        if index < limit, start[index] == 0x2E {
            sawDot = true
            index += 1
            while index < limit {
                let digit = start[index] &- 0x30
                if digit >= 10 { break }
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(digit); if mantissa > 0 { digits += 1 }; exponent -= 1 }
                index += 1
                sawDigit = true
            }
        }
        guard sawDigit, index == limit || start[index] == separator, mantissa < (1 << 53), exponent >= -22, exponent <= 22, digits < 19 else { return nil }
        var value = Double(mantissa)
        value = exponent < 0 ? value / powers[-exponent] : value * powers[exponent]
        integral = !sawDot
        return (negative ? -value : value, index)
    }

    /// 10^0 … 10^22, each exact in a `Double`.
    static let powersOfTen: [Double] = {
        var powers: [Double] = [1]
        for _ in 1...22 { powers.append(powers[powers.count - 1] * 10) }
        return powers
    }()

    /// Long or exponent spellings: checked for the allowed characters, then `strtod`.
    static func slow(_ start: UnsafePointer<UInt8>, count: Int, integral: inout Bool) -> Double? {
        var plain = true
        var sawDigit = false
        for index in 0..<count {
            switch start[index] {
            case 0x30...0x39: sawDigit = true
            case 0x2B, 0x2D: break
            case 0x2E, 0x45, 0x65: plain = false
            default: return nil
            }
        }
        guard sawDigit else { return nil }
        let value: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            let text = buffer.baseAddress!
            start.withMemoryRebound(to: CChar.self, capacity: count) { text.update(from: $0, count: count) }
            text[count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(text, &end)
            guard end == text + count else { return nil }
            return value
        }
        guard let value, value.isFinite else { return nil }
        integral = plain
        return value
    }
}
