/// The content hashes mlci computes.
public enum HashAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// SHA-256 of the raw bytes: mlci's own records (equal to `sha256sum`).
    case sha256
    /// MD5 of the raw bytes: DVC 3's `hash: md5` entries (equal to `md5sum`).
    case md5
    /// MD5 after CRLF→LF in text-looking 1 MiB chunks: DVC 2's legacy entries.
    case md5Dos2Unix = "md5-dos2unix"
}

extension FileDigests {
    /// The digests in a 64-byte record (laid out as ``HashAlgorithm/rawOffset`` says) whose
    /// `flags` name the ones present: the hash cache's records and ``DirectoryDigests``' slots.
    init<C: Collection<UInt8>>(record: C, flags: UInt8, size: Int64) where C.Index == Int {
        func hex(_ algorithm: HashAlgorithm) -> String? {
            guard flags & algorithm.flag != 0 else { return nil }
            let start = record.startIndex + algorithm.rawOffset
            return Hex.string(record[start..<start + algorithm.digestLength])
        }
        self.init(sha256: hex(.sha256), md5: hex(.md5), md5Dos2Unix: hex(.md5Dos2Unix), size: size)
    }
}

extension HashAlgorithm {
    /// The digest's length in bytes.
    var digestLength: Int { self == .sha256 ? 32 : 16 }

    /// Where the digest sits in a 64-byte record (the hash cache's and ``DirectoryDigests``'):
    /// SHA-256, md5, dos2unix md5.
    var rawOffset: Int {
        switch self {
        case .sha256: 0
        case .md5: 32
        case .md5Dos2Unix: 48
        }
    }

    /// The algorithm's bit in a record's flags.
    var flag: UInt8 {
        switch self {
        case .sha256: 1
        case .md5: 2
        case .md5Dos2Unix: 4
        }
    }

    /// The flags of every algorithm in `algorithms`.
    static func flags(_ algorithms: Set<HashAlgorithm>) -> UInt8 { algorithms.reduce(0) { $0 | $1.flag } }
}

/// The digests of one file, lowercase hex, for the algorithms that were asked for.
public struct FileDigests: Sendable, Equatable {
    public var sha256: String?
    public var md5: String?
    public var md5Dos2Unix: String?
    public var size: Int64

    public init(sha256: String? = nil, md5: String? = nil, md5Dos2Unix: String? = nil, size: Int64) {
        self.sha256 = sha256
        self.md5 = md5
        self.md5Dos2Unix = md5Dos2Unix
        self.size = size
    }

    public subscript(algorithm: HashAlgorithm) -> String? {
        switch algorithm {
        case .sha256: sha256
        case .md5: md5
        case .md5Dos2Unix: md5Dos2Unix
        }
    }

    /// Whether every algorithm in `algorithms` has a digest here.
    public func covers(_ algorithms: Set<HashAlgorithm>) -> Bool {
        algorithms.allSatisfy { self[$0] != nil }
    }

    /// Adds the digests of `other` that this one lacks.
    public mutating func merge(_ other: FileDigests) {
        sha256 = sha256 ?? other.sha256
        md5 = md5 ?? other.md5
        md5Dos2Unix = md5Dos2Unix ?? other.md5Dos2Unix
    }
}

public enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex of a collection of bytes, written straight into the string's storage.
    public static func string<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let count = bytes.count
        return String(unsafeUninitializedCapacity: count * 2) { buffer in
            var at = 0
            for byte in bytes {
                buffer[at] = digits[Int(byte >> 4)]
                buffer[at + 1] = digits[Int(byte & 0x0f)]
                at += 2
            }
            return at
        }
    }

    public static func string<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(_ hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
