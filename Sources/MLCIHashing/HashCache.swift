import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Remembers file digests keyed by path, size, mtime and inode, so an unchanged file is
/// never read twice (the rule of DVC's state database and git's index).
///
/// Stored in one binary file (`.mlci/cache/hashes`): a magic line, the time the cache was last
/// validated, then one record per path in path-byte order (key length, key, size, mtime
/// seconds and nanoseconds, inode, digest flags, 64 digest bytes). Loading maps the file and
/// indexes the records where they lie: nothing is decoded until a lookup asks, and a
/// directory's files are matched against the records below it in one merge of two sorted
/// lists. What this process learns is kept aside and merged in when the cache is written
/// (atomically, by rename).
///
/// Racy entries — a file whose mtime is not older than the moment the cache was last
/// validated — are not trusted, as git does with its index: the file could have changed
/// within the same clock tick after it was hashed.
///
/// Not thread-safe: owned by one ``ContentHasher``.
public final class HashCache {
    /// A digest record learnt by this process.
    struct Entry {
        var stat: FileStat
        /// ``HashAlgorithm/flag``s of the digests present.
        var flags: UInt8
        /// 64 bytes, laid out as ``HashAlgorithm/rawOffset`` says.
        var digests: [UInt8]
    }

    private static let magic: [UInt8] = Array("MLCIHC1\n".utf8)
    /// Bytes of a record after its key: size, mtime (s, ns), inode, flags, digests.
    private static let recordTail = 8 * 4 + 1 + 64

    let path: String?
    /// The cache file, mapped (it is only ever replaced by rename, never rewritten in place).
    private var file: MappedFile?
    private var raw: UnsafeRawBufferPointer { file?.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0) }
    /// The offsets of its records, sorted by key bytes.
    private var index: [Int32] = []
    /// Entries learnt by this process, by key bytes; they win over the file's.
    private var learnt: [[UInt8]: Entry] = [:]
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
        if let path, let file = try? MappedFile(path: path, display: path, access: .whole, limit: 1 << 30) { load(file) }
    }

    /// The cached digests for `key` if the file still has `stat` and they cover `algorithms`.
    func lookup(_ key: String, stat: FileStat, algorithms: Set<HashAlgorithm>) -> FileDigests? {
        let keyBytes = Array(key.utf8)
        let mask = HashAlgorithm.flags(algorithms)
        if let entry = learnt[keyBytes] {
            guard entry.stat == stat, stat.mtime < validAsOf, entry.flags & mask == mask else { return nil }
            return FileDigests(record: entry.digests, flags: entry.flags, size: stat.size)
        }
        let raw = raw
        let position = keyBytes.withUnsafeBytes { lowerBound(raw, $0) }
        guard position < index.count else { return nil }
        let record = Int(index[position])
        guard Self.key(raw, record).elementsEqual(keyBytes),
              let flags = trusted(raw, record, stat: stat, mask: mask) else { return nil }
        let digestsAt = record + 2 + Int(Self.keyLength(raw, record)) + 33
        return FileDigests(record: Array(raw[digestsAt..<digestsAt + 64]), flags: flags, size: stat.size)
    }

    /// Matches the files of `tree` (below the folder whose key is `prefix`) with the records
    /// below it. For each file the cache answers, copies its 64 digest bytes into `digests`
    /// and its flags into `present` (both indexed by file).
    ///
    /// - Returns: the indices of the files the cache does not answer for all of `algorithms`.
    func lookup(directory prefix: String, tree: WalkedTree, algorithms: Set<HashAlgorithm>,
                digests: inout [UInt8], present: inout [UInt8]) -> [Int] {
        let mask = HashAlgorithm.flags(algorithms)
        let folder = Array(prefix.utf8) + [0x2F]
        var misses: [Int] = []
        let raw = raw
        do {
            tree.pathBytes.withUnsafeBufferPointer { paths in
                var cursor = folder.withUnsafeBytes { lowerBound(raw, $0) }
                for file in 0..<tree.count {
                    let start = file == 0 ? 0 : tree.pathEnds[file - 1]
                    let relative = UnsafeBufferPointer(rebasing: paths[start..<tree.pathEnds[file]])
                    if !learnt.isEmpty, let entry = learnt[folder + relative] {
                        if entry.stat == tree.stats[file], entry.stat.mtime < validAsOf, entry.flags & mask == mask {
                            digests.replaceSubrange(file * 64..<file * 64 + 64, with: entry.digests)
                            present[file] = entry.flags
                        } else {
                            misses.append(file)
                        }
                        continue
                    }
                    // Both lists are in byte order: step the cursor up to this file's key.
                    var found: Int?
                    while cursor < index.count {
                        let record = Int(index[cursor])
                        let order = Self.compare(Self.key(raw, record), folder: folder, relative: relative)
                        if order < 0 { cursor += 1; continue }
                        if order == 0 { found = record }
                        break
                    }
                    guard let record = found, let flags = trusted(raw, record, stat: tree.stats[file], mask: mask) else {
                        misses.append(file)
                        continue
                    }
                    let digestsAt = record + 2 + Int(Self.keyLength(raw, record)) + 33
                    digests.withUnsafeMutableBytes { out in
                        out.baseAddress!.advanced(by: file * 64).copyMemory(from: raw.baseAddress!.advanced(by: digestsAt), byteCount: 64)
                    }
                    present[file] = flags
                }
            }
        }
        return misses
    }

    /// Records fresh digests; keeps other algorithms' digests when the file is unchanged.
    func store(_ key: String, stat: FileStat, digests: FileDigests) {
        var raw = [UInt8](repeating: 0, count: 64)
        let flags = DirectoryDigests.store(digests, into: &raw, at: 0)
        store(Array(key.utf8), stat: stat, flags: flags, digests: raw)
    }

    /// Records fresh digests given as a 64-byte record and its flags.
    func store(_ key: [UInt8], stat: FileStat, flags: UInt8, digests: [UInt8]) {
        var entry = Entry(stat: stat, flags: flags, digests: digests)
        if let old = existing(key), old.stat == stat {
            for algorithm in HashAlgorithm.allCases where flags & algorithm.flag == 0 && old.flags & algorithm.flag != 0 {
                let range = algorithm.rawOffset..<algorithm.rawOffset + algorithm.digestLength
                entry.digests.replaceSubrange(range, with: old.digests[range])
                entry.flags |= algorithm.flag
            }
        }
        learnt[key] = entry
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
        out.reserveCapacity(raw.count + learnt.count * 140)
        let fresh = learnt.keys.filter { $0.count < 65_536 }.sorted { $0.lexicographicallyPrecedes($1) }
        var written = 0
        let raw = raw
        do {
            var next = 0
            func writeFresh(_ key: [UInt8]) {
                let entry = learnt[key]!
                appendInteger(&out, UInt16(key.count))
                out += key
                appendInteger(&out, UInt64(bitPattern: entry.stat.size))
                appendInteger(&out, UInt64(bitPattern: entry.stat.mtimeSeconds))
                appendInteger(&out, UInt64(bitPattern: entry.stat.mtimeNanoseconds))
                appendInteger(&out, entry.stat.inode)
                out.append(entry.flags)
                out += entry.digests
            }
            for position in 0..<index.count {
                let record = Int(index[position])
                let key = Self.key(raw, record)
                while next < fresh.count, written < 1_000_000,
                      fresh[next].lexicographicallyPrecedes(key) {
                    writeFresh(fresh[next])
                    next += 1
                    written += 1
                }
                if written >= 1_000_000 { break }
                if next < fresh.count, fresh[next].elementsEqual(key) {  // replaced by what was learnt
                    writeFresh(fresh[next])
                    next += 1
                } else {
                    out += raw[record..<record + 2 + key.count + Self.recordTail]
                }
                written += 1
            }
            while next < fresh.count, written < 1_000_000 {
                writeFresh(fresh[next])
                next += 1
                written += 1
            }
        }
        try FileSystem.writeAtomically(path, out)
        validAsOf = sessionStart
        isDirty = false
    }

    // MARK: - The file's records

    private func load(_ file: MappedFile) {
        let raw = file.bytes
        guard raw.count >= Self.magic.count + 8, raw[0..<Self.magic.count].elementsEqual(Self.magic) else { return }
        guard raw.count < Int(Int32.max) else { return }
        var offsets: [Int32] = []
        offsets.reserveCapacity(raw.count / 120)
        var sorted = true
        var offset = Self.magic.count + 8
        var previous: UnsafeRawBufferPointer?
        while offset < raw.count {
            // A torn or foreign file is an empty cache.
            guard offset + 2 <= raw.count else { return }
            let length = Int(Self.keyLength(raw, offset))
            guard offset + 2 + length + Self.recordTail <= raw.count else { return }
            let key = UnsafeRawBufferPointer(rebasing: raw[offset + 2..<offset + 2 + length])
            if sorted, let previous, Self.compare(previous, key) > 0 { sorted = false }
            previous = key
            offsets.append(Int32(offset))
            offset += 2 + length + Self.recordTail
        }
        if !sorted {
            // Written by an older mlci in String order; byte order is what lookups need.
            offsets.sort { Self.compare(Self.key(raw, Int($0)), Self.key(raw, Int($1))) < 0 }
        }
        self.file = file
        self.index = offsets
        validAsOf = Int64(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: Self.magic.count, as: UInt64.self)))
    }

    /// The entry for `key`: what this process learnt, else the file's record.
    private func existing(_ key: [UInt8]) -> Entry? {
        if let entry = learnt[key] { return entry }
        let raw = raw
        let position = key.withUnsafeBytes { lowerBound(raw, $0) }
        guard position < index.count else { return nil }
        let record = Int(index[position])
        let recordKey = Self.key(raw, record)
        guard recordKey.elementsEqual(key) else { return nil }
        var at = record + 2 + recordKey.count
        func integer() -> UInt64 {
            defer { at += 8 }
            return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        }
        let stat = FileStat(size: Int64(bitPattern: integer()), mtimeSeconds: Int64(bitPattern: integer()),
                            mtimeNanoseconds: Int64(bitPattern: integer()), inode: integer())
        let flags = raw[at]
        return Entry(stat: stat, flags: flags, digests: Array(raw[at + 1..<at + 65]))
    }

    /// The record's flags when its stat is `stat`, it is not racy, and it has every digest in
    /// `mask`; otherwise `nil`.
    private func trusted(_ raw: UnsafeRawBufferPointer, _ record: Int, stat: FileStat, mask: UInt8) -> UInt8? {
        let at = record + 2 + Int(Self.keyLength(raw, record))
        func integer(_ field: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + field * 8, as: UInt64.self)) }
        guard Int64(bitPattern: integer(0)) == stat.size, Int64(bitPattern: integer(1)) == stat.mtimeSeconds,
              Int64(bitPattern: integer(2)) == stat.mtimeNanoseconds, integer(3) == stat.inode,
              stat.mtime < validAsOf else { return nil }
        let flags = raw[at + 32]
        return flags & mask == mask ? flags : nil
    }

    /// The first position in the index whose key is not below `key`.
    private func lowerBound(_ raw: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer) -> Int {
        var low = 0
        var high = index.count
        while low < high {
            let middle = (low + high) / 2
            if Self.compare(Self.key(raw, Int(index[middle])), key) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func keyLength(_ raw: UnsafeRawBufferPointer, _ record: Int) -> UInt16 {
        UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: record, as: UInt16.self))
    }

    private static func key(_ raw: UnsafeRawBufferPointer, _ record: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: raw[record + 2..<record + 2 + Int(keyLength(raw, record))])
    }

    /// Byte order of two keys: negative, zero or positive.
    private static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0 {
            let order = memcmp(a.baseAddress!, b.baseAddress!, common)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }

    /// Byte order of `key` against `folder` followed by `relative`.
    private static func compare(_ key: UnsafeRawBufferPointer, folder: [UInt8], relative: UnsafeBufferPointer<UInt8>) -> Int {
        let head = min(key.count, folder.count)
        let order = folder.withUnsafeBytes { memcmp(key.baseAddress!, $0.baseAddress!, head) }
        if order != 0 { return Int(order) }
        if key.count <= folder.count { return key.count - folder.count - relative.count }
        return compare(UnsafeRawBufferPointer(rebasing: key[folder.count...]), UnsafeRawBufferPointer(relative))
    }

    private func appendInteger<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
}
