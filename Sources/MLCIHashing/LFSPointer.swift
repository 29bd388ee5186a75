/// A Git LFS pointer file: the small text blob git stores in place of a large file.
///
/// Follows git-lfs's spec: `version` first, then `key value` lines in key order, each ending
/// in `\n`, under 1024 bytes; `oid sha256:<64 hex>` and `size <n>` required.
public struct LFSPointer: Sendable, Equatable {
    /// The SHA-256 of the real content, lowercase hex: the data hash, used as is.
    public let oid: String
    public let size: Int64

    public init(oid: String, size: Int64) {
        self.oid = oid
        self.size = size
    }

    static let versions: Set<String> = [
        "https://git-lfs.github.com/spec/v1", "https://hawser.github.com/spec/v1", "http://git-media.io/v/2",
    ]

    /// Why a blob that looks like a pointer is not a valid one.
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { message }
    }

    /// Whether `bytes` start like an LFS pointer (so a parse failure is worth reporting).
    public static func looksLikePointer(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count < 1024
            && (bytes.starts(with: Array("version https://".utf8)) || bytes.starts(with: Array("version http://git-media".utf8)))
    }

    /// Parses a pointer; `nil` when the bytes are not a pointer at all (ordinary content),
    /// an error when they start like one but break the spec.
    public static func parse(_ bytes: some Collection<UInt8>) throws(Malformed) -> LFSPointer? {
        guard bytes.count < 1024, looksLikePointer(bytes) else { return nil }
        guard let text = String(validating: Array(bytes), as: UTF8.self) else {
            throw Malformed(line: 1, message: "the LFS pointer is not UTF-8 text")
        }
        guard text.hasSuffix("\n") else { throw Malformed(line: 1, message: "the LFS pointer's last line does not end with a newline") }
        var oid: String?
        var size: Int64?
        var previousKey = ""
        for (index, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard let space = line.firstIndex(of: " ") else {
                throw Malformed(line: number, message: "line \(number) of the LFS pointer is not 'key value'")
            }
            let key = String(line[..<space])
            let value = String(line[line.index(after: space)...])
            guard !key.isEmpty, key.utf8.allSatisfy({ (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2e || $0 == 0x2d }) else {
                throw Malformed(line: number, message: "line \(number) of the LFS pointer has an invalid key '\(key)'")
            }
            if number == 1 {
                guard key == "version", versions.contains(value) else {
                    throw Malformed(line: 1, message: "unknown LFS pointer version '\(value)'")
                }
                continue
            }
            guard key > previousKey else {
                throw Malformed(line: number, message: "the LFS pointer's keys are not in order at '\(key)'")
            }
            previousKey = key
            switch key {
            case "oid":
                guard value.hasPrefix("sha256:") else {
                    throw Malformed(line: number, message: "the LFS pointer's oid is not 'sha256:<hex>'")
                }
                let hex = String(value.dropFirst(7))
                guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                    throw Malformed(line: number, message: "the LFS pointer's oid is not 64 lowercase hex digits")
                }
                oid = hex
            case "size":
                guard let n = Int64(value), n >= 0, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                    throw Malformed(line: number, message: "the LFS pointer's size '\(value)' is not a whole number")
                }
                size = n
            default:
                continue  // extensions (ext-0-name) and future keys
            }
        }
        guard let oid else { throw Malformed(line: 1, message: "the LFS pointer has no oid line") }
        guard let size else { throw Malformed(line: 1, message: "the LFS pointer has no size line") }
        return LFSPointer(oid: oid, size: size)
    }
}
