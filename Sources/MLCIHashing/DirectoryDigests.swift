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
        var hasher = SHA256()
        for file in files {
            guard let digest = file.digests.sha256 else { return nil }
            hasher.update(data: Array("\(digest)  \(file.path)\n".utf8))
        }
        return Hex.string(hasher.finalize()) + ".dir"
    }

    /// DVC's directory hash (`md5` of its `.dir` listing, plus `.dir`), from DVC 3 file
    /// md5s, or from legacy dos2unix md5s when `legacy` is set.
    public func dvcHash(legacy: Bool = false) -> String? {
        guard let listing = dvcListing(legacy: legacy) else { return nil }
        return Hex.string(Insecure.MD5.hash(data: Array(listing.utf8))) + ".dir"
    }

    /// The `.dir` object DVC stores: `json.dumps(entries, sort_keys=True)` over
    /// `{"md5", "relpath"}` entries, ASCII-escaped, no trailing newline.
    public func dvcListing(legacy: Bool = false) -> String? {
        var entries: [JSONValue] = []
        entries.reserveCapacity(files.count)
        for file in files {
            guard let md5 = legacy ? file.digests.md5Dos2Unix : file.digests.md5 else { return nil }
            entries.append(.object([("md5", .string(md5)), ("relpath", .string(file.path))]))
        }
        return JSONWriter(style: .python, asciiOnly: true).string(.array(entries))
    }
}
