import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An OpenSSH allowed_signers file (ssh-keygen(1), ALLOWED SIGNERS), read as sshsig.c reads
/// it: `principals [options] keytype base64 [comment]` per line, `#` comments, options
/// `namespaces=`, `valid-after=`, `valid-before=` and `cert-authority`. A line with an option
/// mlci does not know (or a duplicate one, or a window that ends before it starts) is skipped
/// with a warning, as OpenSSH skips it. A value type: `Sendable`.
public struct AllowedSigners: Sendable {
    /// One usable line.
    public struct Entry: Sendable {
        /// The principals pattern-list, as written.
        public var principals: String
        public var key: SSHPublicKey
        /// `namespaces="…"` pattern-list, if any.
        public var namespaces: String?
        /// Seconds since the epoch.
        public var validAfter: Int64?
        public var validBefore: Int64?
        /// CA keys sign certificates; mlci's signatures carry plain keys, so such a line never matches.
        public var certificateAuthority = false
        public var line: Int
    }

    public let file: String
    public private(set) var entries: [Entry] = []
    /// `file:line: why` for each line skipped.
    public private(set) var warnings: [String] = []

    public init(text: String, file: String) {
        self.file = file
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            switch Self.parse(line, number: index + 1) {
            case .success(let entry): entries.append(entry)
            case .failure(let why): warnings.append("\(file):\(index + 1): \(why.message); the line is skipped")
            }
        }
    }

    /// Reads the file at `path`.
    public static func load(path: String, display: String) throws(InputError) -> AllowedSigners {
        guard FileSystem.exists(path) else {
            throw InputError("the allowed signers file '\(display)' that mlci.yaml names (trust.allowed_signers) does not exist",
                             hint: "list who may sign: one line 'principal ssh-ed25519 AAAA…' per key (ssh-keygen ALLOWED SIGNERS format)")
        }
        return AllowedSigners(text: try TextDecoding.utf8(try FileSystem.read(path, limit: 4 << 20, display: display), file: display), file: display)
    }

    /// The principals field of the first line whose key is `key`, whose namespaces allow
    /// `namespace` and whose validity window holds `time` — what `ssh-keygen -Y verify`
    /// accepts; `nil` when no line does.
    public func principals(for key: SSHPublicKey, namespace: String, at time: Int64) -> String? {
        entries.first { entry in
            !entry.certificateAuthority && entry.key == key
                && (entry.namespaces.map { Self.matches(namespace, patternList: $0) } ?? true)
                && (entry.validAfter.map { time >= $0 } ?? true) && (entry.validBefore.map { time <= $0 } ?? true)
        }?.principals
    }

    /// Why `key` is refused, for the message: unknown, or known but not for this namespace or time.
    public func explainRefusal(for key: SSHPublicKey, namespace: String, at time: Int64) -> String {
        let lines = entries.filter { $0.key == key && !$0.certificateAuthority }
        if lines.isEmpty { return "the key \(key.fingerprint) is not in \(file)" }
        let numbers = lines.map { String($0.line) }.joined(separator: ", ")
        if !lines.contains(where: { $0.namespaces.map { Self.matches(namespace, patternList: $0) } ?? true }) {
            return "the key \(key.fingerprint) may not sign in namespace \(namespace) (\(file):\(numbers))"
        }
        return "the key \(key.fingerprint) was not valid at the signing time (\(file):\(numbers) valid-after/valid-before)"
    }

    static func parse(_ line: String, number: Int) -> Result<Entry, TrustFailure> {
        var rest = Substring(line)
        guard let principals = token(&rest), !principals.isEmpty else { return .failure(TrustFailure("no principals")) }
        var options: String? = nil
        guard var next = token(&rest) else { return .failure(TrustFailure("no key")) }
        if !isKeyType(next) {
            options = next
            guard let type = token(&rest) else { return .failure(TrustFailure("no key after the options")) }
            next = type
        }
        guard let encoded = token(&rest), let blob = Base64.decode(encoded.utf8), let key = SSHPublicKey(blob: blob), key.type == next else {
            return .failure(TrustFailure("the key is not a valid '\(next)' key"))
        }
        var entry = Entry(principals: unquote(principals), key: key, line: number)
        if let options {
            var seen: Set<String> = []
            for option in splitOptions(options) {
                let (rawName, value) = option.firstIndex(of: "=").map { (String(option[..<$0]), String(option[option.index(after: $0)...])) } ?? (option, "")
                let name = rawName.lowercased()
                guard seen.insert(name).inserted else { return .failure(TrustFailure("option '\(name)' is given twice")) }
                switch name {
                case "cert-authority": entry.certificateAuthority = true
                case "namespaces":
                    guard value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 else { return .failure(TrustFailure("namespaces must be quoted")) }
                    entry.namespaces = String(value.dropFirst().dropLast())
                case "valid-after", "valid-before":
                    guard value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2,
                          let time = parseTime(String(value.dropFirst().dropLast())) else {
                        return .failure(TrustFailure("bad \(name) time (YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z], quoted)"))
                    }
                    if name == "valid-after" { entry.validAfter = time } else { entry.validBefore = time }
                default:
                    return .failure(TrustFailure("bad options: unknown key option '\(rawName)'"))
                }
            }
            if let after = entry.validAfter, let before = entry.validBefore, before <= after {
                return .failure(TrustFailure("valid-before is not after valid-after"))
            }
        }
        return .success(entry)
    }

    static func isKeyType(_ word: String) -> Bool {
        word.hasPrefix("ssh-") || word.hasPrefix("ecdsa-") || word.hasPrefix("sk-")
    }

    /// The next whitespace-separated word; double quotes keep spaces.
    static func token(_ rest: inout Substring) -> String? {
        while let f = rest.first, f == " " || f == "\t" { rest.removeFirst() }
        guard !rest.isEmpty else { return nil }
        var out = ""
        var quoted = false
        while let c = rest.first {
            if !quoted && (c == " " || c == "\t") { break }
            if c == "\"" { quoted.toggle() }
            out.append(c)
            rest.removeFirst()
        }
        return out
    }

    static func unquote(_ s: String) -> String {
        s.count >= 2 && s.hasPrefix("\"") && s.hasSuffix("\"") ? String(s.dropFirst().dropLast()) : s
    }

    static func splitOptions(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        for c in text {
            if c == "\"" { quoted.toggle() }
            if c == "," && !quoted { out.append(current); current = ""; continue }
            current.append(c)
        }
        out.append(current)
        return out
    }

    /// `YYYYMMDD[Z]` or `YYYYMMDDHHMM[SS][Z]`; local time without `Z`, as OpenSSH reads it.
    static func parseTime(_ text: String) -> Int64? {
        var digits = text
        let utc = digits.hasSuffix("Z") || digits.hasSuffix("z")
        if utc { digits.removeLast() }
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let d = Array(digits.utf8).map { Int32($0 - 0x30) }
        func n(_ at: Int, _ len: Int) -> Int32 { (at..<at + len).reduce(0) { $0 * 10 + d[$1] } }
        var parts = tm()
        parts.tm_year = n(0, 4) - 1900
        parts.tm_mon = n(4, 2) - 1
        parts.tm_mday = n(6, 2)
        if d.count >= 12 { parts.tm_hour = n(8, 2); parts.tm_min = n(10, 2) }
        if d.count == 14 { parts.tm_sec = n(12, 2) }
        parts.tm_isdst = -1
        let value = utc ? timegm(&parts) : mktime(&parts)
        return value == -1 ? nil : Int64(value)
    }

    /// ssh's `match_pattern_list`: comma-separated `*`/`?` patterns, `!` negates (a negated
    /// match refuses at once); case-sensitive.
    static func matches(_ name: String, patternList: String) -> Bool {
        var matched = false
        for raw in patternList.split(separator: ",", omittingEmptySubsequences: false) {
            let negated = raw.hasPrefix("!")
            let pattern = Array((negated ? raw.dropFirst() : raw[...]).unicodeScalars)
            if glob(Array(name.unicodeScalars)[...], pattern[...]) {
                if negated { return false }
                matched = true
            }
        }
        return matched
    }

    static func glob(_ s: ArraySlice<Unicode.Scalar>, _ p: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = p.first else { return s.isEmpty }
        if first == "*" {
            var rest = s
            while true {
                if glob(rest, p.dropFirst()) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let c = s.first, first == "?" || first == c else { return false }
        return glob(s.dropFirst(), p.dropFirst())
    }
}

extension AllowedSigners {
    /// What `ssh-keygen -Y verify -I principal` accepts: the first line whose principals
    /// pattern-list matches `principal` and whose key, namespaces and window fit.
    public func accepts(principal: String, key: SSHPublicKey, namespace: String, at time: Int64) -> Bool {
        entries.contains { entry in
            !entry.certificateAuthority && entry.key == key && Self.matches(principal, patternList: entry.principals)
                && (entry.namespaces.map { Self.matches(namespace, patternList: $0) } ?? true)
                && (entry.validAfter.map { time >= $0 } ?? true) && (entry.validBefore.map { time <= $0 } ?? true)
        }
    }

    /// ``parseTime(_:)`` for tests.
    public static func parseTimeForTests(_ text: String) -> Int64? { parseTime(text) }
}
