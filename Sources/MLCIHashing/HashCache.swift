import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Remembers file digests keyed by path, size, mtime and inode, so an unchanged file is
/// never read twice (the rule of DVC's state database and git's index).
///
/// Stored in one binary file (`.mlci/cache/hashes`), loaded whole and written atomically.
/// Racy entries — a file whose mtime is not older than the moment the cache was last
/// validated — are not trusted, as git does with its index: the file could have changed
/// within the same clock tick after it was hashed.
///
/// Not thread-safe: owned by one ``ContentHasher``.
public final class HashCache {
    struct Entry {
        var stat: FileStat
        var digests: FileDigests
    }

    private static let magic: [UInt8] = Array("MLCIHC1\n".utf8)

    let path: String?
    private var entries: [String: Entry] = [:]
    /// Entries whose mtime is older than this (ns since epoch) are trusted.
    private var validAsOf: Int64 = 0
    /// When this process started looking at files: what `validAsOf` becomes on save.
    private let sessionStart: Int64
    private(set) var isDirty = false

    /// Loads the cache at `path` (a missing or corrupt cache is an empty one); `nil` keeps
    /// the cache in memory only.
    public init(path: String?) {
        self.path = path
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        sessionStart = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        if let path, let bytes = try? FileSystem.read(path, limit: 1 << 30) { load(bytes) }
    }

    /// The cached digests for `key` if the file still has `stat` and they cover `algorithms`.
    func lookup(_ key: String, stat: FileStat, algorithms: Set<HashAlgorithm>) -> FileDigests? {
        guard let entry = entries[key], entry.stat == stat, stat.mtime < validAsOf,
              entry.digests.covers(algorithms) else { return nil }
        return entry.digests
    }

    /// Records fresh digests; keeps other algorithms' digests when the file is unchanged.
    func store(_ key: String, stat: FileStat, digests: FileDigests) {
        var merged = digests
        if let old = entries[key], old.stat == stat { merged.merge(old.digests) }
        entries[key] = Entry(stat: stat, digests: merged)
        isDirty = true
    }

    /// Notes that a racy entry was seen: the cache must be re-validated by a save.
    func markRacy() { isDirty = true }

    /// Writes the cache if anything changed. Entries for files that no longer exist are kept
    /// (cheap, and a checkout back to them needs them); the cache is capped at 1M entries.
    public func save() throws(InputError) {
        guard isDirty, let path else { return }
        var out = Self.magic
        appendInteger(&out, UInt64(bitPattern: sessionStart))
        var written = 0
        for (key, entry) in entries.sorted(by: { $0.key < $1.key }) {
            if written >= 1_000_000 { break }
            let keyBytes = Array(key.utf8)
            guard keyBytes.count < 65_536 else { continue }
            appendInteger(&out, UInt16(keyBytes.count))
            out += keyBytes
            appendInteger(&out, UInt64(bitPattern: entry.stat.size))
            appendInteger(&out, UInt64(bitPattern: entry.stat.mtimeSeconds))
            appendInteger(&out, UInt64(bitPattern: entry.stat.mtimeNanoseconds))
            appendInteger(&out, entry.stat.inode)
            var flags: UInt8 = 0
            if entry.digests.sha256 != nil { flags |= 1 }
            if entry.digests.md5 != nil { flags |= 2 }
            if entry.digests.md5Dos2Unix != nil { flags |= 4 }
            out.append(flags)
            out += entry.digests.sha256.flatMap(Hex.bytes) ?? [UInt8](repeating: 0, count: 32)
            out += entry.digests.md5.flatMap(Hex.bytes) ?? [UInt8](repeating: 0, count: 16)
            out += entry.digests.md5Dos2Unix.flatMap(Hex.bytes) ?? [UInt8](repeating: 0, count: 16)
            written += 1
        }
        try FileSystem.writeAtomically(path, out)
        validAsOf = sessionStart
        isDirty = false
    }

    private func appendInteger<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private func load(_ bytes: [UInt8]) {
        guard bytes.count >= Self.magic.count + 8, Array(bytes[0..<Self.magic.count]) == Self.magic else { return }
        bytes.withUnsafeBytes { raw in
            var offset = Self.magic.count
            func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
                guard offset + MemoryLayout<T>.size <= raw.count else { return nil }
                let value = T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
                offset += MemoryLayout<T>.size
                return value
            }
            guard let stamp = integer(UInt64.self) else { return }
            var loaded: [String: Entry] = [:]
            // An entry is 2 + 33 + 64 bytes plus its key: a fair guess of the count.
            loaded.reserveCapacity(raw.count / 120)
            while offset < raw.count {
                guard let keyLength = integer(UInt16.self), offset + Int(keyLength) <= raw.count else { return }
                let key = String(decoding: raw[offset..<offset + Int(keyLength)], as: UTF8.self)
                offset += Int(keyLength)
                guard let size = integer(UInt64.self), let seconds = integer(UInt64.self),
                      let nanos = integer(UInt64.self), let inode = integer(UInt64.self),
                      let flags = integer(UInt8.self), offset + 64 <= raw.count else { return }
                // Only the digests the entry has (most have one of the three).
                let sha = flags & 1 != 0 ? Hex.string(raw[offset..<offset + 32]) : nil
                let md5 = flags & 2 != 0 ? Hex.string(raw[offset + 32..<offset + 48]) : nil
                let md5d = flags & 4 != 0 ? Hex.string(raw[offset + 48..<offset + 64]) : nil
                offset += 64
                loaded[key] = Entry(
                    stat: FileStat(size: Int64(bitPattern: size), mtimeSeconds: Int64(bitPattern: seconds),
                                   mtimeNanoseconds: Int64(bitPattern: nanos), inode: inode),
                    digests: FileDigests(sha256: sha, md5: md5, md5Dos2Unix: md5d, size: Int64(bitPattern: size)))
            }
            entries = loaded
            validAsOf = Int64(bitPattern: stamp)
        }
    }
}
