import MLCIHashing
import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A DVC 3 local cache (`.dvc/cache/files/md5/ab/cdef…`): stores outs as DVC's `commit` does
/// and links them into the workspace with the first `cache.type` that works, as `dvc
/// checkout` does.
///
/// Objects (`.dir` listings included) are written once, read-only (0444), through a temporary
/// file and a rename. Workspace files are replaced the same way, so a reader never sees half a
/// file. Not thread-safe: one per command (it remembers which link type works).
public final class DVCCache {
    /// How an object reaches the workspace (`cache.type`).
    public enum LinkType: String, Sendable, CaseIterable {
        case reflink, hardlink, symlink, copy
    }

    /// The repository root (absolute).
    public let root: String
    /// The cache directory (absolute), `.dvc/cache` by default.
    public let directory: String
    /// The link types to try, in order.
    public let linkTypes: [LinkType]
    /// The first link type that worked, remembered for the rest of the command.
    private var working: LinkType?
    private let fileMode: mode_t

    public init(root: String, directory: String, linkTypes: [LinkType]) {
        self.root = root
        self.directory = directory
        self.linkTypes = linkTypes.isEmpty ? [.reflink, .copy] : linkTypes
        let mask = umask(0o022)
        umask(mask)
        fileMode = 0o666 & ~mask
    }

    /// The cache of the DVC repository at `root`, with `cache.dir` and `cache.type` from its
    /// `.dvc/config` and `.dvc/config.local`.
    public convenience init(root: String) throws(InputError) {
        let config = try DVCConfig.load(root: root)
        self.init(root: root, directory: config.cacheDirectory, linkTypes: try config.cacheTypes)
    }

    /// Where the object for `md5` (`<32 hex>` or `<32 hex>.dir`) lives.
    public func objectPath(_ md5: String) -> String {
        let prefix = md5.prefix(2)
        return "\(directory)/files/md5/\(prefix)/\(md5.dropFirst(2))"
    }

    /// Whether the cache holds `md5`: the file object, or a `.dir` listing and every member.
    public func contains(_ md5: String) -> Bool {
        guard FileSystem.exists(objectPath(md5)) else { return false }
        guard md5.hasSuffix(".dir") else { return true }
        guard let entries = try? listing(md5) else { return false }
        return entries.allSatisfy { FileSystem.exists(objectPath($0.md5)) }
    }

    /// The members of a `.dir` object: md5 and path relative to the directory.
    public func listing(_ md5: String) throws(InputError) -> [(md5: String, relpath: String)] {
        let path = objectPath(md5)
        let bytes = try FileSystem.read(path, limit: 1 << 30, display: path)
        let value: JSONValue
        do { value = try JSONParser().parse(bytes) } catch {
            throw InputError("the DVC cache object \(md5) is not a directory listing: \(error)", hint: "run 'dvc fetch' or 'dvc repro' to restore it")
        }
        guard let items = value.arrayValue else { throw InputError("the DVC cache object \(md5) is not a directory listing") }
        var out: [(md5: String, relpath: String)] = []
        for item in items {
            guard let md5 = item["md5"]?.stringValue, let relpath = item["relpath"]?.stringValue,
                  case .success = RepositoryPath.normalize(relpath) else {
                throw InputError("the DVC cache object \(md5) has a bad entry", hint: "run 'dvc fetch' to restore it")
            }
            out.append((md5, relpath))
        }
        return out
    }

    // MARK: Committing

    /// Stores the file at `absolute` (whose md5 is `md5`) and, with `relink`, replaces the
    /// workspace file by a link to the object as DVC's commit does (a fresh copy at
    /// `0666 & ~umask`, plus `u+x` when the file was executable, for `copy`).
    public func commitFile(at absolute: String, md5: String, relink: Bool = true) throws(InputError) {
        let executable = Self.isExecutable(absolute)
        try store(absolute, as: md5)
        if relink { try link(md5, to: absolute, executable: executable) }
    }

    /// Stores a directory out: every member, then the `.dir` listing. Members already linked
    /// as the link type wants (a single-link copy for `copy`) keep their inode and mode.
    ///
    /// - Returns: the `.dir` md5.
    @discardableResult
    public func commitDirectory(at absolute: String, digests: DirectoryDigests) throws(InputError) -> String {
        guard let listing = digests.dvcListing(), let dirMD5 = digests.dvcHash() else {
            throw InputError("\(absolute): the directory was hashed without md5s")
        }
        for file in digests.files {
            guard let md5 = file.digests.md5 else { continue }
            let path = absolute + "/" + file.path
            try store(path, as: md5)
            if try needsRelink(path, md5: md5) { try link(md5, to: path, executable: Self.isExecutable(path)) }
        }
        let object = objectPath(dirMD5)
        if !FileSystem.exists(object) {
            try FileSystem.writeAtomically(object, Array(listing.utf8), mode: 0o444)
            chmod(object, 0o444)
        }
        return dirMD5
    }

    /// Copies `path` into the cache as `md5` unless the object is already there (0444).
    func store(_ path: String, as md5: String) throws(InputError) {
        let object = objectPath(md5)
        var info = stat()
        if stat(object, &info) == 0 {
            if info.st_mode & 0o777 != 0o444 { chmod(object, 0o444) }
            return
        }
        try FileSystem.makeDirectories(FileSystem.parent(of: object))
        let temporary = temporaryName(beside: object)
        try Self.copy(from: path, to: temporary, mode: 0o444)
        if rename(temporary, object) != 0 {
            let code = errno
            unlink(temporary)
            throw InputError(FileSystem.describeErrno(code, verb: "store in the DVC cache", name: path))
        }
    }

    // MARK: Checking out

    /// Materialises the object `md5` (file or `.dir`) at `absolute`, replacing what is there:
    /// for a directory, members are linked and files the listing does not name are removed.
    public func checkout(_ md5: String, to absolute: String, executable: Bool = false) throws(InputError) {
        guard contains(md5) else {
            throw InputError("\(Self.display(absolute, root: root)) (\(md5)) is not in the DVC cache",
                             hint: "run 'dvc pull' (or 'dvc fetch') to download it")
        }
        guard md5.hasSuffix(".dir") else {
            if FileSystem.isDirectory(absolute) { try Self.removeTree(absolute) }
            try FileSystem.makeDirectories(FileSystem.parent(of: absolute))
            try link(md5, to: absolute, executable: executable)
            return
        }
        let entries = try listing(md5)
        if FileSystem.exists(absolute) && !FileSystem.isDirectory(absolute) { unlink(absolute) }
        try FileSystem.makeDirectories(absolute)
        let wanted = Set(entries.map(\.relpath))
        let present = (try? TreeWalker.files(in: absolute, display: absolute, containment: root)) ?? []
        for file in present where !wanted.contains(file.relativePathString) {
            unlink(absolute + "/" + file.relativePathString)
        }
        let hasher = FileHasher()
        for entry in entries {
            let path = absolute + "/" + entry.relpath
            if FileSystem.exists(path), !FileSystem.isDirectory(path),
               (try? hasher.hash(file: path, algorithms: [.md5]))?.md5 == entry.md5, try !needsRelink(path, md5: entry.md5) {
                continue
            }
            if FileSystem.isDirectory(path) { try Self.removeTree(path) }
            try FileSystem.makeDirectories(FileSystem.parent(of: path))
            try link(entry.md5, to: path, executable: false)
        }
    }

    /// Replaces `destination` by a link to the object, trying the link types in order.
    func link(_ md5: String, to destination: String, executable: Bool) throws(InputError) {
        let object = objectPath(md5)
        let candidates = working.map { [$0] } ?? linkTypes
        for type in candidates {
            let temporary = temporaryName(beside: destination)
            let made: Bool
            switch type {
            case .reflink: made = Self.reflink(from: object, to: temporary, mode: fileMode)
            case .hardlink: made = Glibc.link(object, temporary) == 0
            case .symlink: made = symlink(object, temporary) == 0
            case .copy: made = (try? Self.copy(from: object, to: temporary, mode: fileMode)) != nil
            }
            guard made else { unlink(temporary); continue }
            if executable && (type == .copy || type == .reflink) {
                var info = stat()
                if stat(temporary, &info) == 0 { chmod(temporary, (info.st_mode & 0o7777) | S_IXUSR) }
            }
            if rename(temporary, destination) != 0 {
                let code = errno
                unlink(temporary)
                throw InputError(FileSystem.describeErrno(code, verb: "write", name: Self.display(destination, root: root)))
            }
            working = type
            return
        }
        throw InputError("no possible cache link types for '\(Self.display(destination, root: root))' (cache.type \(linkTypes.map(\.rawValue).joined(separator: ",")))",
                         hint: "set a link type this file system supports: dvc config cache.type reflink,copy")
    }

    /// Whether a workspace file must be re-linked to match the link type in use.
    func needsRelink(_ path: String, md5: String) throws(InputError) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return true }
        let type = working ?? linkTypes.first ?? .copy
        switch type {
        case .copy, .reflink: return (info.st_mode & S_IFMT) != S_IFREG || info.st_nlink > 1
        case .hardlink:
            var object = stat()
            return stat(objectPath(md5), &object) != 0 || object.st_ino != info.st_ino || object.st_dev != info.st_dev
        case .symlink:
            return (info.st_mode & S_IFMT) != S_IFLNK || FileSystem.realPath(path) != FileSystem.realPath(objectPath(md5))
        }
    }

    private func temporaryName(beside path: String) -> String {
        "\(FileSystem.parent(of: path))/.\(UInt64.random(in: 0...UInt64.max)).tmp"
    }

    static func display(_ absolute: String, root: String) -> String {
        absolute.hasPrefix(root + "/") ? String(absolute.dropFirst(root.count + 1)) : absolute
    }

    static func isExecutable(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IXUSR != 0
    }

    /// `rm -rf` of a directory (no symbolic link is followed).
    static func removeTree(_ path: String) throws(InputError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            if let dir = opendir(path) {
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(dir)
                for name in names { try removeTree(path + "/" + name) }
            }
            if rmdir(path) != 0 { throw InputError(FileSystem.describeErrno(errno, verb: "remove", name: path)) }
        } else if unlink(path) != 0 {
            throw InputError(FileSystem.describeErrno(errno, verb: "remove", name: path))
        }
    }

    /// A copy-on-write clone (`FICLONE`); false where the file system has none (ext4).
    static func reflink(from source: String, to destination: String, mode: mode_t) -> Bool {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return false }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard output >= 0 else { return false }
        let ficlone: UInt = 0x4004_9409
        let cloned = ioctl(output, ficlone, input) == 0
        close(output)
        if !cloned { unlink(destination) }
        return cloned
    }

    /// Copies a file's bytes into a new file with `mode`.
    static func copy(from source: String, to destination: String, mode: mode_t) throws(InputError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: source)) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "write", name: destination)) }
        var failure: Int32 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        copying: while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if n == 0 { break }
            if n < 0 { if errno == EINTR { continue }; failure = errno; break }
            var written = 0
            while written < n {
                let w = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, n - written) }
                if w < 0 { if errno == EINTR { continue }; failure = errno; break copying }
                written += w
            }
        }
        if failure == 0 && fchmod(output, mode) != 0 { failure = errno }
        if close(output) != 0 && failure == 0 { failure = errno }
        if failure != 0 {
            unlink(destination)
            throw InputError(FileSystem.describeErrno(failure, verb: "copy", name: source))
        }
    }
}
