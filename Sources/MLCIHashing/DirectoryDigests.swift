import Crypto
import MLCISupport

/// The digests of every file below a directory, sorted by path bytes, and the directory
/// hashes derived from them.
///
/// Stored flat (paths back to back, raw digest bytes), so a directory of 10,000 files answered
/// from the hash cache costs a few buffers, not 10,000 strings; ``files`` builds the per-file
/// view on demand. A value type; safe to share between threads.
public struct DirectoryDigests: Sendable {
    /// The relative paths, back to back, and where each ends.
    let pathBytes: [UInt8]
    let pathEnds: [Int]
    /// 64 bytes per file: SHA-256 (32), md5 (16), dos2unix md5 (16); zero where absent.
    let digestBytes: [UInt8]
    /// Per file, which digests are present (``HashAlgorithm/flag``).
    let present: [UInt8]
    let sizes: [Int64]

    public let size: Int64
    public var count: Int { sizes.count }

    /// From per-file digests, already sorted by path bytes.
    public init(files: [(path: String, digests: FileDigests)]) {
        var paths: [UInt8] = []
        var ends: [Int] = []
        var raw = [UInt8](repeating: 0, count: files.count * 64)
        var present: [UInt8] = []
        for (index, file) in files.enumerated() {
            paths += file.path.utf8
            ends.append(paths.count)
            present.append(Self.store(file.digests, into: &raw, at: index))
        }
        self.init(pathBytes: paths, pathEnds: ends, digestBytes: raw, present: present, sizes: files.map(\.digests.size))
    }

    init(pathBytes: [UInt8], pathEnds: [Int], digestBytes: [UInt8], present: [UInt8], sizes: [Int64]) {
        self.pathBytes = pathBytes
        self.pathEnds = pathEnds
        self.digestBytes = digestBytes
        self.present = present
        self.sizes = sizes
        self.size = sizes.reduce(0, +)
    }

    /// Writes `digests` into slot `index` of a 64-byte-per-file buffer; returns its flags.
    static func store(_ digests: FileDigests, into raw: inout [UInt8], at index: Int) -> UInt8 {
        var flags: UInt8 = 0
        for algorithm in HashAlgorithm.allCases {
            guard let hex = digests[algorithm], let bytes = Hex.bytes(hex), bytes.count == algorithm.digestLength else { continue }
            let offset = index * 64 + algorithm.rawOffset
            raw.replaceSubrange(offset..<offset + bytes.count, with: bytes)
            flags |= algorithm.flag
        }
        return flags
    }

    /// File `index`'s relative path.
    func path(at index: Int) -> ArraySlice<UInt8> {
        pathBytes[(index == 0 ? 0 : pathEnds[index - 1])..<pathEnds[index]]
    }

    /// Each file's path relative to the directory and its digests (built on each call).
    public var files: [(path: String, digests: FileDigests)] {
        (0..<count).map { index in
            (String(decoding: path(at: index), as: UTF8.self),
             FileDigests(record: digestBytes[index * 64..<index * 64 + 64], flags: present[index], size: sizes[index]))
        }
    }

    /// Whether every file has a digest for each of `algorithms`.
    func covers(_ algorithms: Set<HashAlgorithm>) -> Bool {
        let mask = HashAlgorithm.flags(algorithms)
        return present.allSatisfy { $0 & mask == mask }
    }

    /// mlci's directory hash: the SHA-256 of the lines `<sha256>  <relpath>\n` in path-byte
    /// order — what `sha256sum` prints for the files, hashed again — with DVC's `.dir` suffix.
    ///
    /// Reproduce it with coreutils:
    /// `cd DIR && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum`.
    public var sha256: String? {
        guard covers([.sha256]) else { return nil }
        var lines: [UInt8] = []
        lines.reserveCapacity(pathBytes.count + count * 68)
        for index in 0..<count {
            Self.appendHex(digestBytes, at: index * 64 + HashAlgorithm.sha256.rawOffset, length: 32, into: &lines)
            lines += [0x20, 0x20]
            lines += path(at: index)
            lines.append(0x0A)
        }
        return Hex.string(SHA256.hash(data: lines)) + ".dir"
    }

    /// DVC's directory hash (`md5` of its `.dir` listing, plus `.dir`), from DVC 3 file
    /// md5s, or from legacy dos2unix md5s when `legacy` is set.
    public func dvcHash(legacy: Bool = false) -> String? {
        guard let listing = dvcListingBytes(legacy: legacy) else { return nil }
        return Hex.string(Insecure.MD5.hash(data: listing)) + ".dir"
    }

    /// The `.dir` object DVC stores: `json.dumps(entries, sort_keys=True)` over
    /// `{"md5", "relpath"}` entries, ASCII-escaped, no trailing newline.
    public func dvcListing(legacy: Bool = false) -> String? {
        dvcListingBytes(legacy: legacy).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The listing written straight into bytes (10,000 files take a few ms, not a JSON tree).
    func dvcListingBytes(legacy: Bool) -> [UInt8]? {
        let algorithm: HashAlgorithm = legacy ? .md5Dos2Unix : .md5
        guard covers([algorithm]) else { return nil }
        let md5Key: [UInt8] = Array("{\"md5\": \"".utf8)
        let relpathKey: [UInt8] = Array("\", \"relpath\": ".utf8)
        // Printable ASCII without `"` or `\` is written as is (JSONWriter's own fast path);
        // when every path is, the listing's size is known and it is written in one pass.
        let plain = pathBytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
        if plain {
            let perFile = md5Key.count + 32 + relpathKey.count + 2 + 1
            let size = 2 + pathBytes.count + count * perFile + max(0, count - 1) * 2
            return [UInt8](unsafeUninitializedCapacity: size) { out, written in
                var at = 0
                func put(_ bytes: UnsafeBufferPointer<UInt8>) {
                    (out.baseAddress! + at).initialize(from: bytes.baseAddress!, count: bytes.count)
                    at += bytes.count
                }
                func put(_ byte: UInt8) {
                    out[at] = byte
                    at += 1
                }
                md5Key.withUnsafeBufferPointer { md5Key in
                    relpathKey.withUnsafeBufferPointer { relpathKey in
                        pathBytes.withUnsafeBufferPointer { paths in
                            digestBytes.withUnsafeBufferPointer { digests in
                                put(0x5B)
                                for index in 0..<count {
                                    if index > 0 { put(0x2C); put(0x20) }
                                    put(md5Key)
                                    let digest = index * 64 + algorithm.rawOffset
                                    for byte in digests[digest..<digest + 16] {
                                        put(Hex.digits[Int(byte >> 4)])
                                        put(Hex.digits[Int(byte & 0x0F)])
                                    }
                                    put(relpathKey)
                                    put(0x22)
                                    put(UnsafeBufferPointer(rebasing: paths[(index == 0 ? 0 : pathEnds[index - 1])..<pathEnds[index]]))
                                    put(0x22)
                                    put(0x7D)
                                }
                                put(0x5D)
                            }
                        }
                    }
                }
                precondition(at == size, "the listing's size was computed wrongly")
                written = at
            }
        }
        var out: [UInt8] = [0x5B]
        out.reserveCapacity(pathBytes.count + count * 64 + 2)
        for index in 0..<count {
            if index > 0 { out += [0x2C, 0x20] }
            out += md5Key
            Self.appendHex(digestBytes, at: index * 64 + algorithm.rawOffset, length: 16, into: &out)
            out += relpathKey
            let path = path(at: index)
            if path.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) {
                out.append(0x22)
                out += path
                out.append(0x22)
            } else {
                JSONWriter.appendString(String(decoding: path, as: UTF8.self), asciiOnly: true, into: &out)
            }
            out.append(0x7D)
        }
        out.append(0x5D)
        return out
    }

    private static func appendHex(_ raw: [UInt8], at offset: Int, length: Int, into out: inout [UInt8]) {
        for byte in raw[offset..<offset + length] {
            out.append(Hex.digits[Int(byte >> 4)])
            out.append(Hex.digits[Int(byte & 0x0F)])
        }
    }
}
