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
/// The walk goes level by level: the entries of a level's folders are listed, then stat'ed
/// in parallel (the stats are nearly all of a no-op `status`'s time; a flat folder of 10,000
/// files is split as well as 100 folders of 100).
/// Stateless; safe from any thread.
public enum TreeWalker {
    public static func files(in directory: String, display: String, containment: String) throws(InputError) -> [WalkedFile] {
        let realRoot = FileSystem.realPath(containment) ?? containment
        var out: [WalkedFile] = []
        var top = stat()
        guard stat(directory, &top) == 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "list", name: display)) }
        var level: [Folder] = [Folder(path: directory, prefix: [], lineage: [FolderID(top)])]
        var depth = 0
        while !level.isEmpty {
            guard depth < 128 else {
                throw InputError("\(display)/\(String(decoding: level[0].prefix, as: UTF8.self)): directories nest more than 128 levels deep (a symbolic link loop?)")
            }
            var next: [Folder] = []
            // Bounded batches keep the open directory handles few.
            var start = 0
            while start < level.count {
                let batch = Array(level[start..<min(level.count, start + 256)])
                try walk(batch, display: display, realRoot: realRoot, files: &out, folders: &next)
                start += batch.count
            }
            level = next
            depth += 1
        }
        out.sort { $0.relativePath.lexicographicallyPrecedes($1.relativePath) }
        return out
    }

    /// A folder to list: its path and its path relative to the walked directory.
    struct Folder: Sendable {
        let path: String
        let prefix: [UInt8]
        /// The (device, inode) of this folder and of every folder above it in the walk: a
        /// symbolic link back to one of them is a loop (found at once, not after 128 levels
        /// of a breadth-first walk that could double at every level).
        let lineage: [FolderID]
    }

    struct FolderID: Sendable, Equatable {
        let device: UInt64
        let inode: UInt64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// One entry to stat: the index of its folder in the batch and its name.
    struct Entry: Sendable {
        let folder: Int
        let name: [UInt8]
    }

    /// What one entry turned out to be.
    enum Found: Sendable {
        case file(WalkedFile)
        case folder(Folder)
        case other
        case failure(InputError)
    }

    /// Lists the folders of `batch`, stats their entries in parallel, and sorts the results
    /// into files and the next level's folders (in listing order, so errors are stable).
    private static func walk(_ batch: [Folder], display: String, realRoot: String,
                             files: inout [WalkedFile], folders next: inout [Folder]) throws(InputError) {
        var handles: [OpaquePointer] = []
        defer { for handle in handles { closedir(handle) } }
        var entries: [Entry] = []
        for (index, folder) in batch.enumerated() {
            guard let dir = opendir(folder.path) else {
                throw InputError(FileSystem.describeErrno(errno, verb: "list", name: name(display, folder.prefix)))
            }
            handles.append(dir)
            while let entry = readdir(dir) {
                let nameBytes: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    let bound = raw.bindMemory(to: UInt8.self)
                    let length = bound.firstIndex(of: 0) ?? bound.count
                    return Array(bound[0..<length])
                }
                if nameBytes == [0x2E] || nameBytes == [0x2E, 0x2E] { continue }
                if nameBytes == Array(".git".utf8) || nameBytes == Array(".dvc".utf8) { continue }
                entries.append(Entry(folder: index, name: nameBytes))
            }
        }
        let listed = entries
        let descriptors = handles.map { dirfd($0) }
        let found = ResultSlots<Found>(count: listed.count)
        let chunk = 128
        let chunks = (listed.count + chunk - 1) / chunk
        let work: @Sendable (Int, Int) -> Void = { part, _ in
            for index in part * chunk..<min(listed.count, (part + 1) * chunk) {
                let entry = listed[index]
                found[index] = examine(entry, in: batch[entry.folder], fd: descriptors[entry.folder], display: display, realRoot: realRoot)
            }
        }
        // Threads pay off only with enough stats to share.
        Parallel.forEach(count: chunks, workers: listed.count >= 512 ? Parallel.coreCount : 1, work)
        for result in found.values {
            switch result {
            case .file(let file): files.append(file)
            case .folder(let folder): next.append(folder)
            case .failure(let error): throw error
            case .other, nil: continue
            }
        }
    }

    private static func examine(_ entry: Entry, in folder: Folder, fd: Int32, display: String, realRoot: String) -> Found {
        let relative = folder.prefix.isEmpty ? entry.name : folder.prefix + [0x2F] + entry.name
        guard let name = String(validating: entry.name, as: UTF8.self) else {
            return .failure(InputError("\(Self.name(display, relative)): the file name is not valid UTF-8",
                                       hint: "rename the file; hashes are defined over UTF-8 paths"))
        }
        var info = stat()
        guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            return .failure(InputError(FileSystem.describeErrno(errno, verb: "read", name: Self.name(display, relative))))
        }
        // The full path only where it is needed (links and folders), not for every file.
        var full: String { folder.path + "/" + name }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            guard let target = FileSystem.realPath(full) else {
                return .failure(InputError("\(Self.name(display, relative)): the symbolic link points to nothing"))
            }
            guard target == realRoot || target.hasPrefix(realRoot + "/") else {
                return .failure(InputError("\(Self.name(display, relative)): the symbolic link leads out of the repository (to \(target))",
                                           hint: "copy the data into the repository or track it with DVC"))
            }
            guard stat(full, &info) == 0 else {
                return .failure(InputError(FileSystem.describeErrno(errno, verb: "read", name: Self.name(display, relative))))
            }
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            let id = FolderID(info)
            if folder.lineage.contains(id) {
                return .failure(InputError("\(Self.name(display, relative)): the symbolic link loops back to a folder above it",
                                           hint: "remove the link, or point it outside the tracked folder"))
            }
            return .folder(Folder(path: full, prefix: relative, lineage: folder.lineage + [id]))
        case S_IFREG: return .file(WalkedFile(relativePath: relative, stat: FileStat(info)))
        default: return .other  // sockets, fifos, devices: not data
        }
    }

    private static func name(_ display: String, _ relative: [UInt8]) -> String {
        relative.isEmpty ? display : display + "/" + String(decoding: relative, as: UTF8.self)
    }
}
