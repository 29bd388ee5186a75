#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How CPython's C unpickler (`Modules/_pickle.c`) reads the text arguments of protocol-0
/// opcodes, byte for byte: `strtol` then `int()` for INT, `int(s, 0)` for LONG, `int(s, 10)` for
/// the memo opcodes, `PyOS_string_to_double` for FLOAT, `bytes` escapes for STRING and
/// raw-unicode-escape for UNICODE. Each returns `nil` where CPython raises.
///
/// Pure functions over borrowed bytes; safe from any thread.
enum PickleArguments {
    /// A parsed integer: its value when it fits in `Int`, else only that it is valid.
    enum Integer: Equatable {
        case small(Int)
        case big
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// The bytes of a line argument up to its first NUL (C string semantics); `line` excludes `\n`.
    static func cString(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        if let nul = line.firstIndex(of: 0) { return UnsafeRawBufferPointer(rebasing: line[..<nul]) }
        return line
    }

    /// `PyLong_FromString(s, NULL, base)` for base 10 or 0 on a C string: surrounding whitespace,
    /// a sign, (base 0) a `0x`/`0o`/`0b` prefix, single underscores between digits, and (base 0)
    /// no leading zeros unless the number is zero.
    static func pythonInt(_ text: UnsafeRawBufferPointer, base requested: Int) -> Integer? {
        var i = 0
        let n = text.count
        while i < n, isSpace(text[i]) { i += 1 }
        var negative = false
        if i < n, text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") { negative = text[i] == UInt8(ascii: "-"); i += 1 }
        var base = requested
        var zeroLeading = false
        if base == 0 {
            if i + 1 < n, text[i] == UInt8(ascii: "0") {
                switch text[i + 1] | 0x20 {
                case UInt8(ascii: "x"): base = 16; i += 2
                case UInt8(ascii: "o"): base = 8; i += 2
                case UInt8(ascii: "b"): base = 2; i += 2
                default: base = 10; zeroLeading = true
                }
                // An underscore may follow the prefix directly (`0x_1f`).
                if base != 10, i < n, text[i] == UInt8(ascii: "_") { i += 1 }
            } else {
                base = 10
            }
        }
        var digits = 0
        var value = 0
        var overflow = false
        var allZero = true
        var lastUnderscore = false
        while i < n {
            let byte = text[i]
            if byte == UInt8(ascii: "_") {
                if digits == 0 || lastUnderscore { return nil }
                lastUnderscore = true
                i += 1
                continue
            }
            guard let digit = digitValue(byte), digit < base else { break }
            lastUnderscore = false
            if digit != 0 { allZero = false }
            digits += 1
            let (m, o1) = value.multipliedReportingOverflow(by: base)
            let (s, o2) = m.addingReportingOverflow(digit)
            if o1 || o2 { overflow = true } else { value = s }
            i += 1
        }
        if digits == 0 || lastUnderscore { return nil }
        while i < n, isSpace(text[i]) { i += 1 }
        guard i == n else { return nil }
        if zeroLeading && !allZero { return nil }
        if overflow { return .big }
        return .small(negative ? -value : value)
    }

    static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    /// INT (`I`): C `strtol(s, &end, 0)` accepted when it stops at `\n` or NUL without overflow,
    /// else `int(s, 0)`. `line` includes the trailing `\n`. The result is a bool when the line is
    /// exactly two characters and the value 0 or 1.
    static func int(_ line: UnsafeRawBufferPointer) -> (Integer, isBool: Bool)? {
        if let value = strtol0(line) {
            return (.small(value), line.count == 3 && (value == 0 || value == 1))
        }
        guard let value = pythonInt(cString(line), base: 0) else { return nil }
        return (value, false)
    }

    /// glibc `strtol(s, &end, 0)` on the C string, accepted only when `*end` is `\n` or NUL and
    /// nothing overflowed.
    static func strtol0(_ line: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        let n = line.count
        while i < n, line[i] != 0, isSpace(line[i]) { i += 1 }
        var negative = false
        if i < n, line[i] == UInt8(ascii: "+") || line[i] == UInt8(ascii: "-") { negative = line[i] == UInt8(ascii: "-"); i += 1 }
        var base = 10
        if i < n, line[i] == UInt8(ascii: "0") {
            if i + 2 < n, line[i + 1] | 0x20 == UInt8(ascii: "x"), let d = digitValue(line[i + 2]), d < 16 {
                base = 16; i += 2
            } else {
                base = 8
            }
        }
        let start = i
        var value: UInt64 = 0
        var overflow = false
        while i < n, let digit = digitValue(line[i]), digit < base {
            let (m, o1) = value.multipliedReportingOverflow(by: UInt64(base))
            let (s, o2) = m.addingReportingOverflow(UInt64(digit))
            if o1 || o2 { overflow = true } else { value = s }
            i += 1
        }
        if i == start { return nil }  // no digits: end = s, not '\n'
        guard i == n || line[i] == 0x0A || line[i] == 0 else { return nil }
        if overflow { return nil }
        if negative {
            guard value <= UInt64(Int.max) + 1 else { return nil }
            return value == UInt64(Int.max) + 1 ? Int.min : -Int(value)
        }
        guard value <= UInt64(Int.max) else { return nil }
        return Int(value)
    }

    /// LONG (`L`): one trailing `L` dropped, then `int(s, 0)` on the C string.
    static func long(_ lineWithNewline: UnsafeRawBufferPointer) -> Integer? {
        var line = UnsafeRawBufferPointer(rebasing: lineWithNewline[..<(lineWithNewline.count - 1)])
        if line.count >= 1, line[line.count - 1] == UInt8(ascii: "L") { line = UnsafeRawBufferPointer(rebasing: line[..<(line.count - 1)]) }
        return pythonInt(cString(line), base: 0)
    }

    /// PUT and GET (`p`, `g`): `int(s, 10)` on the C string (the `\n` counts as whitespace).
    static func index(_ lineWithNewline: UnsafeRawBufferPointer) -> Integer? {
        pythonInt(cString(lineWithNewline), base: 10)
    }

    /// FLOAT (`F`): `PyOS_string_to_double` with OverflowError: no leading whitespace, a decimal
    /// literal or inf/infinity/nan, followed by `\n` or NUL.
    static func isFloat(_ line: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = line.count
        if i < n, line[i] == UInt8(ascii: "+") || line[i] == UInt8(ascii: "-") { i += 1 }
        func lower(_ at: Int) -> UInt8 { line[at] | 0x20 }
        func matches(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard i + w.count <= n else { return false }
            for k in 0..<w.count where lower(i + k) != w[k] { return false }
            return true
        }
        func atEnd(_ at: Int) -> Bool { at == n || line[at] == 0x0A || line[at] == 0 }
        if matches("infinity") { return atEnd(i + 8) }
        if matches("inf") || matches("nan") { return atEnd(i + 3) }
        let mantissaStart = i
        var digits = 0
        while i < n, line[i] >= 0x30, line[i] <= 0x39 { i += 1; digits += 1 }
        if i < n, line[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, line[i] >= 0x30, line[i] <= 0x39 { i += 1; digits += 1 }
        }
        guard digits > 0 else { return false }
        if i < n, lower(i) == UInt8(ascii: "e") {
            var j = i + 1
            if j < n, line[j] == UInt8(ascii: "+") || line[j] == UInt8(ascii: "-") { j += 1 }
            let expStart = j
            while j < n, line[j] >= 0x30, line[j] <= 0x39 { j += 1 }
            if j > expStart { i = j }
        }
        guard atEnd(i) else { return false }
        // Overflow raises: convert the validated literal with strtod.
        var text = Array(line[mantissaStart..<i])
        text.append(0)
        let value = text.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { strtod($0, nil) }
        }
        return value.isFinite
    }

    /// STRING (`S`): the outermost matching quotes stripped, `bytes` escapes decoded, then ASCII.
    /// Returns the text, or `nil` where CPython raises (unquoted, `\x` without two hex digits, a
    /// trailing backslash, non-ASCII bytes under the default ASCII encoding).
    static func quotedString(_ lineWithNewline: UnsafeRawBufferPointer) -> String? {
        let len = lineWithNewline.count - 1
        guard len >= 2, lineWithNewline[0] == lineWithNewline[len - 1],
              lineWithNewline[0] == UInt8(ascii: "'") || lineWithNewline[0] == UInt8(ascii: "\"") else { return nil }
        let s = UnsafeRawBufferPointer(rebasing: lineWithNewline[1..<(len - 1)])
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        let n = s.count
        while i < n {
            let c = s[i]
            i += 1
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard i < n else { return nil }  // Trailing \ in string
            let e = s[i]
            i += 1
            switch e {
            case 0x0A: break
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "'"): out.append(0x27)
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(e - 0x30)
                for _ in 0..<2 {
                    guard i < n, s[i] >= 0x30, s[i] <= 0x37 else { break }
                    value = value << 3 + Int(s[i] - 0x30)
                    i += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x"):
                guard i + 1 < n, let hi = digitValue(s[i]), hi < 16, let lo = digitValue(s[i + 1]), lo < 16 else { return nil }
                out.append(UInt8(hi << 4 | lo))
                i += 2
            default:
                out.append(0x5C); out.append(e)
            }
        }
        return ascii(out)
    }

    /// Bytes decoded as ASCII strict (the Unpickler's default encoding), or `nil`.
    static func ascii<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// UNICODE (`V`): raw-unicode-escape. Only `\uXXXX` and `\UXXXXXXXX` after an odd run of
    /// backslashes are escapes; every other byte is Latin-1. `nil` on a bad escape.
    static func rawUnicodeEscape(_ s: UnsafeRawBufferPointer) -> String? {
        var scalars = String.UnicodeScalarView()
        var i = 0
        let n = s.count
        while i < n {
            let c = s[i]
            if c != UInt8(ascii: "\\") { scalars.append(Unicode.Scalar(c)); i += 1; continue }
            // A run of backslashes: the last one escapes only if the run is odd.
            var run = 0
            while i + run < n, s[i + run] == UInt8(ascii: "\\") { run += 1 }
            let next = i + run
            let isEscape = run % 2 == 1 && next < n && (s[next] == UInt8(ascii: "u") || s[next] == UInt8(ascii: "U"))
            let literal = isEscape ? run - 1 : run
            for _ in 0..<literal { scalars.append("\\") }
            i += literal
            guard isEscape else { continue }
            let width = s[next] == UInt8(ascii: "u") ? 4 : 8
            guard next + 1 + width <= n else { return nil }
            var value: UInt32 = 0
            for k in 0..<width {
                guard let d = digitValue(s[next + 1 + k]), d < 16 else { return nil }
                value = value << 4 | UInt32(d)
            }
            guard value <= 0x10FFFF else { return nil }
            // Lone surrogates are allowed in Python str; they can never name an importable module.
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            i = next + 1 + width
        }
        return String(scalars)
    }

    /// UTF-8 with `surrogatepass` (BINUNICODE family) or strict (GLOBAL). `nil` when invalid.
    /// Lone surrogates become U+FFFD in the result (they cannot name a module or attribute).
    static func utf8(_ s: UnsafeRawBufferPointer, surrogatePass: Bool) -> String? {
        var i = 0
        let n = s.count
        var simple = true
        while i < n {
            let b = s[i]
            if b < 0x80 { i += 1; continue }
            var need = 0
            var minimum: UInt32 = 0
            var value: UInt32 = 0
            switch b {
            case 0xC2...0xDF: need = 1; value = UInt32(b & 0x1F); minimum = 0x80
            case 0xE0...0xEF: need = 2; value = UInt32(b & 0x0F); minimum = 0x800
            case 0xF0...0xF4: need = 3; value = UInt32(b & 0x07); minimum = 0x10000
            default: return nil
            }
            guard i + need < n else { return nil }
            for k in 1...need {
                let c = s[i + k]
                guard c & 0xC0 == 0x80 else { return nil }
                value = value << 6 | UInt32(c & 0x3F)
            }
            guard value >= minimum, value <= 0x10FFFF else { return nil }
            if value >= 0xD800 && value <= 0xDFFF {
                guard surrogatePass else { return nil }
                simple = false
            }
            i += need + 1
        }
        if simple { return String(decoding: s, as: UTF8.self) }
        // Re-decode with the surrogates replaced.
        return String(decoding: s, as: UTF8.self)
    }
}
