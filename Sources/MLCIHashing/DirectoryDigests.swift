import Crypto
import MLCISupport

/// The digests of every file below a directory, sorted by path bytes, and the directory
/// hashes derived from them.
public struct DirectoryDigests: Sendable {
    /// Each file's path relative to the directory and its digests.
    public let files: [(path: String, digests: FileDigests)]

    public var size: Int64 { files.reduce(0) { $0 + $1.digests.size } }
    public var count: Int { files.count }

    /// mlci's directory hash: the SHA-256 of the lines `<sha256>  <relpath>\n` in path-byte
    /// order — what `sha256sum` prints for the files, hashed again — with DVC's `.dir` suffix.
    ///
    /// Reproduce it with coreutils:
    /// `cd DIR && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum`.
    public var sha256: String? {
        var lines: [UInt8] = []
        lines.reserveCapacity(files.count * 100)
        for file in files {
            guard let digest = file.digests.sha256 else { return nil }
            lines += digest.utf8
            lines += [0x20, 0x20]
            lines += file.path.utf8
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
        var out: [UInt8] = [0x5B]
        out.reserveCapacity(files.count * 80 + 2)
        let md5Key: [UInt8] = Array("{\"md5\": \"".utf8)
        let relpathKey: [UInt8] = Array("\", \"relpath\": ".utf8)
        for (index, file) in files.enumerated() {
            guard let md5 = legacy ? file.digests.md5Dos2Unix : file.digests.md5 else { return nil }
            if index > 0 { out += [0x2C, 0x20] }
            out += md5Key
            out += md5.utf8
            out += relpathKey
            JSONWriter.appendString(file.path, asciiOnly: true, into: &out)
            out.append(0x7D)
        }
        out.append(0x5D)
        return out
    }
}
