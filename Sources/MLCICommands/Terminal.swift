#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to stdout and stderr, with colour only on a terminal and when `NO_COLOR` is unset.
///
/// Stateless apart from the environment; safe from any thread (each write is one syscall
/// per buffer).
enum Terminal {
    static var colorEnabled: Bool {
        if getenv("NO_COLOR") != nil { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }

    static var stderrColorEnabled: Bool {
        getenv("NO_COLOR") == nil && isatty(STDERR_FILENO) == 1
    }

    static func out(_ text: String) { write(STDOUT_FILENO, text.hasSuffix("\n") ? text : text + "\n") }

    static func err(_ text: String) { write(STDERR_FILENO, text.hasSuffix("\n") ? text : text + "\n") }

    /// Bytes exactly as given (signature payloads, which are ASCII).
    static func raw(_ bytes: [UInt8]) { write(STDOUT_FILENO, bytes: bytes) }

    /// Every byte mlci prints goes through here, and so through ``escapingFormatControls(_:)``.
    private static func write(_ fd: Int32, _ text: String) {
        write(fd, bytes: Array(escapingFormatControls(text).utf8))
    }

    private static func write(_ fd: Int32, bytes: [UInt8]) {
        var bytes = bytes
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
            offset += n
        }
    }
}

/// `text` with Unicode format controls (general category Cf: the bidi embeddings, overrides
/// and isolates such as U+202E, zero-width characters, the BOM, tag characters) and the line
/// and paragraph separators written as `\uXXXX` escapes (UTF-16, as JSON writes them, so
/// JSON output stays valid and means the same). What a file name or a note says can then
/// not reorder or hide what the terminal shows (Trojan Source, CVE-2021-42574).
func escapingFormatControls(_ text: String) -> String {
    if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
    var out = ""
    out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for scalar in text.unicodeScalars {
        let category = scalar.properties.generalCategory
        if category == .format || category == .lineSeparator || category == .paragraphSeparator {
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// ANSI styling that disappears when colour is off.
struct Style {
    let enabled: Bool

    func bold(_ s: String) -> String { wrap(s, "1") }
    func dim(_ s: String) -> String { wrap(s, "2") }
    func red(_ s: String) -> String { wrap(s, "31") }
    func green(_ s: String) -> String { wrap(s, "32") }
    func yellow(_ s: String) -> String { wrap(s, "33") }
    func cyan(_ s: String) -> String { wrap(s, "36") }

    private func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
}

/// Makes text from files and commits safe to print: control characters (ANSI escapes
/// included) become visible `\u{…}` escapes, so a hostile file name cannot drive the terminal.
func printable(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value) {
            out += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}
