import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One regular file found below a directory.
public struct WalkedFile: Sendable {
    /// The path relative to the walked directory, `/`-separated, as UTF-8 bytes (sorting and
    /// hashing work on bytes, never on normalised `String`s).
    public let relativePath: [UInt8]
    public let stat: FileStat

    public var relativePathString: String { String(decoding: relativePath, as: UTF8.self) }
}

/// Lists the regular files below a directory, recursively, sorted by path bytes.
///
/// Directories named `.git` and `.dvc` are skipped; symbolic links are followed only when
/// they stay inside `containment` (the repository root), otherwise the walk fails: data that
/// lives outside the repository would make a hash that others cannot reproduce.
///
/// The walk goes level by level: a level's folders are listed on all cores, then all their
/// entries are stat'ed on all cores (the stats are nearly all of a no-op `status`'s time; a
/// flat folder of 10,000 files is split as well as 100 folders of 100). Each folder's entries
/// are sorted by name, a folder's name counting as if it ended in `/`, so that a depth-first
/// pass yields the paths in byte order without sorting them whole. Names and results live in
/// flat buffers, not in one allocation per entry.
///
/// Stateless; safe from any thread.
public enum TreeWalker {
    /// The files below `directory` as ``WalkedFile`` values.
    public static func files(in directory: String, display: String, containment: String) throws(InputError) -> [WalkedFile] {
        let tree = try walk(directory, display: display, containment: containment)
        return (0..<tree.count).map { WalkedFile(relativePath: Array(tree.path(at: $0)), stat: tree.stats[$0]) }
    }

    /// The files below `directory`, in flat storage.
    ///
    /// - Parameters:
    ///   - display: how `directory` is named in messages.
    ///   - containment: the folder symbolic links must stay inside.
    public static func walk(_ directory: String, display: String, containment: String) throws(InputError) -> WalkedTree {
        let realRoot = FileSystem.realPath(containment) ?? containment
        var top = stat()
        guard stat(directory, &top) == 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "list", name: display)) }
        var nodes: [Node] = [Node(path: directory, prefix: [], lineage: [FolderID(top)])]
        var level = [0]
        var depth = 0
        while !level.isEmpty {
            guard depth < 128 else {
                throw InputError("\(display)/\(String(decoding: nodes[level[0]].prefix, as: UTF8.self)): directories nest more than 128 levels deep (a symbolic link loop?)")
            }
            var next: [Int] = []
            // Bounded batches keep the open directory handles few.
            var start = 0
            while start < level.count {
                let batch = Array(level[start..<min(level.count, start + 256)])
                try walk(batch, nodes: &nodes, display: display, realRoot: realRoot, next: &next)
                start += batch.count
            }
            level = next
            depth += 1
        }
        var builder = WalkedTree.Builder()
        var files = 0
        var bytes = 0
        for node in nodes {
            let count = node.kinds.count { $0 == Kind.file }
            files += count
            bytes += node.listing.names.count + count * (node.prefix.count + 1)
        }
        builder.reserve(files: files, pathBytes: bytes)
        assemble(0, nodes: nodes, into: &builder)
        return builder.tree
    }

    /// A folder of the walk: where it is, and once listed, its entries in sorted order.
    struct Node {
        let path: String
        /// Its path relative to the walked directory (empty for the walked directory).
        let prefix: [UInt8]
        /// The (device, inode) of this folder and of every folder above it in the walk: a
        /// symbolic link back to one of them is a loop (found at once, not after 128 levels
        /// of a breadth-first walk that could double at every level).
        let lineage: [FolderID]
        var listing = Listing()
        /// Each entry's ``Kind`` and, for files, its stat (listing order).
        var kinds: [UInt8] = []
        var stats: [FileStat] = []
        /// For each entry that is a folder, its node (listing order; -1 for the others).
        var children: [Int32] = []
        /// Entry indices in name order (a folder's name compared as if it ended in `/`).
        var order: [Int32] = []
    }

    /// What an entry turned out to be.
    enum Kind {
        static let other: UInt8 = 0
        static let file: UInt8 = 1
        static let folder: UInt8 = 2
        static let failed: UInt8 = 3
    }

    /// The stat phase's output: flat buffers each worker writes at its own entries' indices.
    ///
    /// `@unchecked Sendable`: every index is written by exactly one worker, and read only after
    /// all workers have finished (``Parallel/forEach(count:workers:_:)`` joins them).
    final class StatResults: @unchecked Sendable {
        let kinds: UnsafeMutableBufferPointer<UInt8>
        let stats: UnsafeMutableBufferPointer<FileStat>
        let folders: UnsafeMutableBufferPointer<FolderID>
        let failures: ResultSlots<InputError>

        init(count: Int) {
            kinds = .allocate(capacity: count)
            kinds.initialize(repeating: Kind.other)
            stats = .allocate(capacity: count)
            stats.initialize(repeating: FileStat(size: 0, mtimeSeconds: 0, mtimeNanoseconds: 0, inode: 0))
            folders = .allocate(capacity: count)
            folders.initialize(repeating: FolderID(device: 0, inode: 0))
            failures = ResultSlots(count: count)
        }

        deinit {
            kinds.deallocate()
            stats.deallocate()
            folders.deallocate()
        }
    }

    struct FolderID: Sendable, Equatable {
        let device: UInt64
        let inode: UInt64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }

        init(device: UInt64, inode: UInt64) {
            self.device = device
            self.inode = inode
        }
    }

    /// A folder's entry names, NUL-terminated back to back (so `fstatat` reads them in place).
    struct Listing: Sendable {
        var names: [UInt8] = []
        var starts: [Int32] = []
        var count: Int { starts.count }

        /// Where the name's bytes are in ``names``, without its NUL.
        func bounds(_ index: Int) -> Range<Int> {
            Int(starts[index])..<(index + 1 < starts.count ? Int(starts[index + 1]) : names.count) - 1
        }

        /// The name's bytes without the NUL.
        func name(_ index: Int) -> ArraySlice<UInt8> { names[bounds(index)] }
    }

    /// Lists the folders of `batch` and stats their entries, both on all cores, then records
    /// each folder's sorted entries and queues its subfolders.
    private static func walk(_ batch: [Int], nodes: inout [Node], display: String, realRoot: String,
                             next: inout [Int]) throws(InputError) {
        let paths = batch.map { nodes[$0].path }
        let prefixes = batch.map { nodes[$0].prefix }
        // 1. List every folder of the batch.
        let listed = ResultSlots<Result<(DirectoryHandle, Listing), InputError>>(count: batch.count)
        Parallel.forEach(count: batch.count, workers: batch.count >= 8 ? Parallel.coreCount : 1) { index, _ in
            listed[index] = list(paths[index], display: { name(display, prefixes[index]) })
        }
        var handles: [DirectoryHandle] = []
        // Closing a big folder is slow on ext4 (its readdir cache is freed name by name): done
        // on a thread of its own while the walk goes on.
        defer { Parallel.detached { [handles] in for handle in handles { closedir(handle.pointer) } } }
        var listings: [Listing] = []
        var failure: InputError?
        for result in listed.values {
            switch result! {
            case .success(let (handle, listing)):
                handles.append(handle)
                listings.append(listing)
            case .failure(let error):
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }

        // 2. Stat every entry, in chunks that may span folders.
        var firstEntry: [Int] = []
        var total = 0
        for listing in listings {
            firstEntry.append(total)
            total += listing.count
        }
        let chunk = 128
        var chunks: [(folder: Int, range: Range<Int>)] = []
        for (folder, listing) in listings.enumerated() {
            var start = 0
            while start < listing.count {
                chunks.append((folder, start..<min(listing.count, start + chunk)))
                start += chunk
            }
        }
        let results = StatResults(count: total)
        let lineages = batch.map { nodes[$0].lineage }
        let work: @Sendable (Int, Int) -> Void = { [listings, handles, firstEntry, chunks] part, _ in
            let (folder, range) = chunks[part]
            let fd = dirfd(handles[folder].pointer)
            listings[folder].names.withUnsafeBufferPointer { names in
                for entry in range {
                    examine(entry, of: listings[folder], names: names, fd: fd, folderPath: paths[folder],
                            relativeDisplay: { name(display, join(prefixes[folder], listings[folder].name(entry))) },
                            lineage: lineages[folder], realRoot: realRoot, into: results, at: firstEntry[folder] + entry)
                }
            }
        }
        // Threads pay off only with enough stats to share.
        Parallel.forEach(count: chunks.count, workers: total >= 512 ? Parallel.coreCount : 1, work)

        // 3. The first failure in listing order (errors are stable), then each folder's entries
        // sorted and its subfolders queued.
        if let index = results.kinds.firstIndex(of: Kind.failed) { throw results.failures[index]! }
        for (folder, node) in batch.enumerated() {
            let listing = listings[folder]
            let range = firstEntry[folder]..<firstEntry[folder] + listing.count
            let kinds = Array(results.kinds[range])
            var children = [Int32](repeating: -1, count: listing.count)
            for entry in 0..<listing.count where kinds[entry] == Kind.folder {
                let nameBytes = listing.name(entry)
                let child = Node(path: paths[folder] + "/" + String(decoding: nameBytes, as: UTF8.self),
                                 prefix: join(prefixes[folder], nameBytes),
                                 lineage: lineages[folder] + [results.folders[range.lowerBound + entry]])
                children[entry] = Int32(nodes.count)
                next.append(nodes.count)
                nodes.append(child)
            }
            nodes[node].order = sortedOrder(listing, kinds)
            nodes[node].stats = Array(results.stats[range])
            nodes[node].kinds = kinds
            nodes[node].children = children
            nodes[node].listing = listing
        }
    }

    /// An open directory, handed from the thread that opened it to the ones that stat in it.
    ///
    /// `@unchecked Sendable`: `DIR *` is only read through (`dirfd`) after the listing thread
    /// is done with it, and closed by the walk once every thread has finished.
    struct DirectoryHandle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private static func list(_ path: String, display: () -> String) -> Result<(DirectoryHandle, Listing), InputError> {
        guard let dir = opendir(path) else {
            return .failure(InputError(FileSystem.describeErrno(errno, verb: "list", name: display())))
        }
        var listing = Listing()
        while let entry = readdir(dir) {
            withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = strnlen(bytes.baseAddress!, bytes.count)
                let name = UnsafeBufferPointer(rebasing: bytes[0..<length])
                if isSkipped(name) { return }
                listing.starts.append(Int32(listing.names.count))
                listing.names.append(contentsOf: name)
                listing.names.append(0)
            }
        }
        return .success((DirectoryHandle(pointer: dir), listing))
    }

    /// `.`, `..`, `.git` and `.dvc`.
    private static func isSkipped(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        switch name.count {
        case 1: return name[0] == 0x2E
        case 2: return name[0] == 0x2E && name[1] == 0x2E
        case 4: return name[0] == 0x2E && ((name[1] == 0x67 && name[2] == 0x69 && name[3] == 0x74)
                                            || (name[1] == 0x64 && name[2] == 0x76 && name[3] == 0x63))
        default: return false
        }
    }

    /// Stats one entry and writes what it is into `results` at `slot`.
    private static func examine(_ entry: Int, of listing: Listing, names: UnsafeBufferPointer<UInt8>, fd: Int32,
                                folderPath: String, relativeDisplay: () -> String, lineage: [FolderID],
                                realRoot: String, into results: StatResults, at slot: Int) {
        func fail(_ error: InputError) {
            results.failures[slot] = error
            results.kinds[slot] = Kind.failed
        }
        let range = listing.bounds(entry)
        let (start, end) = (range.lowerBound, range.upperBound)
        let nameBytes = UnsafeBufferPointer(rebasing: names[range])
        if !isValidUTF8(nameBytes) {
            return fail(InputError("\(relativeDisplay()): the file name is not valid UTF-8",
                                   hint: "rename the file; hashes are defined over UTF-8 paths"))
        }
        var info = stat()
        let status = names.baseAddress!.advanced(by: start).withMemoryRebound(to: CChar.self, capacity: end - start + 1) {
            fstatat(fd, $0, &info, AT_SYMLINK_NOFOLLOW)
        }
        guard status == 0 else {
            return fail(InputError(FileSystem.describeErrno(errno, verb: "read", name: relativeDisplay())))
        }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            // The full path only for links (and folders, later), never for every file.
            let full = folderPath + "/" + String(decoding: nameBytes, as: UTF8.self)
            guard let target = FileSystem.realPath(full) else {
                return fail(InputError("\(relativeDisplay()): the symbolic link points to nothing"))
            }
            guard target == realRoot || target.hasPrefix(realRoot + "/") else {
                return fail(InputError("\(relativeDisplay()): the symbolic link leads out of the repository (to \(target))",
                                       hint: "copy the data into the repository or track it with DVC"))
            }
            guard stat(full, &info) == 0 else {
                return fail(InputError(FileSystem.describeErrno(errno, verb: "read", name: relativeDisplay())))
            }
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            let id = FolderID(info)
            if lineage.contains(id) {
                return fail(InputError("\(relativeDisplay()): the symbolic link loops back to a folder above it",
                                       hint: "remove the link, or point it outside the tracked folder"))
            }
            results.folders[slot] = id
            results.kinds[slot] = Kind.folder
        case S_IFREG:
            results.stats[slot] = FileStat(info)
            results.kinds[slot] = Kind.file
        default: return  // sockets, fifos, devices: not data
        }
    }

    /// Whether `bytes` are UTF-8 (ASCII checked first: nearly every name is).
    private static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 {
            return String(validating: bytes, as: UTF8.self) != nil
        }
        return true
    }

    /// The entries' indices sorted by name bytes, a folder's name followed by `/`: the order in
    /// which their paths sort. Entries that are neither files nor folders are left out.
    ///
    /// Each entry is sorted by its first 8 key bytes packed into an integer; only entries whose
    /// first 8 bytes are equal compare the rest.
    private static func sortedOrder(_ listing: Listing, _ kinds: [UInt8]) -> [Int32] {
        let count = listing.count
        var keyed: [(key: UInt64, entry: Int32)] = []
        keyed.reserveCapacity(count)
        listing.names.withUnsafeBufferPointer { names in
            func bounds(_ entry: Int) -> (start: Int, length: Int) {
                let range = listing.bounds(entry)
                return (range.lowerBound, range.count)
            }
            for entry in 0..<count where kinds[entry] != Kind.other {
                let (start, length) = bounds(entry)
                var key: UInt64 = 0
                for position in 0..<8 {
                    let byte: UInt64 = position < length ? UInt64(names[start + position])
                        : position == length && kinds[entry] == Kind.folder ? 0x2F : 0
                    key = key << 8 | byte
                }
                keyed.append((key, Int32(entry)))
            }
            let base = names.baseAddress!
            keyed.sort { a, b in
                if a.key != b.key { return a.key < b.key }
                let x = Int(a.entry), y = Int(b.entry)
                let (xStart, xLength) = bounds(x)
                let (yStart, yLength) = bounds(y)
                let common = min(xLength, yLength)
                let compared = memcmp(base + xStart, base + yStart, common)
                if compared != 0 { return compared < 0 }
                // One name is a prefix of the other: the next byte decides (`/` for a
                // folder, the end for a file, which comes first).
                let nextX = xLength > common ? Int(base[xStart + common]) : (kinds[x] == Kind.folder ? 0x2F : -1)
                let nextY = yLength > common ? Int(base[yStart + common]) : (kinds[y] == Kind.folder ? 0x2F : -1)
                return nextX < nextY
            }
        }
        return keyed.map(\.entry)
    }

    /// Appends the files below node `index` to `builder`, depth first in sorted order.
    private static func assemble(_ index: Int, nodes: [Node], into builder: inout WalkedTree.Builder) {
        let node = nodes[index]
        node.listing.names.withUnsafeBufferPointer { names in
            for entry in node.order {
                let entry = Int(entry)
                if node.kinds[entry] == Kind.folder {
                    assemble(Int(node.children[entry]), nodes: nodes, into: &builder)
                    continue
                }
                builder.append(prefix: node.prefix, name: UnsafeBufferPointer(rebasing: names[node.listing.bounds(entry)]),
                               stat: node.stats[entry])
            }
        }
    }

    private static func join(_ prefix: [UInt8], _ name: ArraySlice<UInt8>) -> [UInt8] {
        prefix.isEmpty ? Array(name) : prefix + [0x2F] + name
    }

    private static func name(_ display: String, _ relative: [UInt8]) -> String {
        relative.isEmpty ? display : display + "/" + String(decoding: relative, as: UTF8.self)
    }
}
