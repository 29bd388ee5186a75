#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX file helpers that report failures as ``InputError`` naming the file.
///
/// Stateless; every member is safe to call from any thread.
public enum FileSystem {
    /// The whole file, refusing files larger than `limit` bytes.
    ///
    /// - Parameter display: how to name the file in messages (defaults to `path`).
    public static func read(_ path: String, limit: Int = 64 << 20, display: String? = nil) throws(InputError) -> [UInt8] {
        let name = display ?? path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw InputError(describeErrno(errno, verb: "read", name: name)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw InputError(describeErrno(errno, verb: "read", name: name)) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw InputError("\(name): is a directory, expected a file") }
        if Int(info.st_size) > limit {
            throw InputError("\(name): the file is \(info.st_size) bytes, more than the \(limit) bytes mlci reads for it",
                             hint: "check that the right file is named")
        }
        // One byte more than the size, so the read that finds the end needs no larger buffer.
        var out = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == out.count {
                if out.count >= limit + 1 { break }
                out.append(contentsOf: [UInt8](repeating: 0, count: 4096))
            }
            let n = out.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(describeErrno(errno, verb: "read", name: name))
            }
            if n == 0 { break }
            filled += n
        }
        if filled > limit { throw InputError("\(name): the file is larger than the \(limit) bytes mlci reads for it") }
        out.removeSubrange(filled...)
        return out
    }

    /// Whether something exists at `path` (without following a final symlink).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether `path` is a directory (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Writes `bytes` to `path` atomically: into a temporary file beside it, flushed, then
    /// renamed over `path`. Readers see the old file or the new one, never a half-written one.
    /// Creates missing parent directories.
    ///
    /// - Parameters:
    ///   - temporaryDirectory: where the temporary file goes instead (same file system): files
    ///     in a repository's root use `.mlci/tmp`, so that an interrupted write never leaves a
    ///     file `git add -A` would pick up.
    ///   - durable: `false` skips the `fsync` before the rename (still atomic for readers): for
    ///     a file rewritten many times in one run, whose writer calls ``flush(_:)`` once at the
    ///     end (an fsync costs milliseconds; DVC's records are rewritten after every stage).
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644,
                                       temporaryDirectory: String? = nil, durable: Bool = true) throws(InputError) {
        let directory = parent(of: path)
        try makeDirectories(directory)
        let scratch = temporaryDirectory ?? directory
        if temporaryDirectory != nil { try makeDirectories(scratch) }
        let temporary = "\(scratch)/.\(basename(of: path)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 { throw InputError(describeErrno(errno, verb: "write", name: temporary)) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(temporary)
                throw InputError(describeErrno(code, verb: "write", name: path))
            }
            written += n
        }
        if (durable && fsync(fd) != 0) || close(fd) != 0 {
            let code = errno
            unlink(temporary)
            throw InputError(describeErrno(code, verb: "write", name: path))
        }
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw InputError(describeErrno(code, verb: "write", name: path))
        }
    }

    /// Makes earlier non-durable writes of `paths` durable: each file, then each parent folder
    /// (which holds the rename), is fsync'd once.
    public static func flush(_ paths: some Sequence<String>) throws(InputError) {
        var folders: [String] = []
        for path in paths {
            try fsyncPath(path)
            let folder = parent(of: path)
            if !folders.contains(folder) { folders.append(folder) }
        }
        for folder in folders { try fsyncPath(folder) }
    }

    private static func fsyncPath(_ path: String) throws(InputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }  // removed since: nothing to make durable
            throw InputError(describeErrno(errno, verb: "write", name: path))
        }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL { throw InputError(describeErrno(errno, verb: "write", name: path)) }
    }

    /// Writes text atomically; see ``writeAtomically(_:_:mode:temporaryDirectory:durable:)``.
    public static func writeAtomically(_ path: String, _ text: String, temporaryDirectory: String? = nil) throws(InputError) {
        try writeAtomically(path, Array(text.utf8), temporaryDirectory: temporaryDirectory)
    }

    /// `ROOT/.mlci/tmp`, where writes into a repository's root put their temporary files;
    /// `.mlci/` is made to ignore itself (as `.pytest_cache` does), so `git add -A` never
    /// stages what an interrupted write left.
    public static func scratchDirectory(repositoryRoot root: String) throws(InputError) -> String {
        let ignore = root + "/.mlci/.gitignore"
        if !exists(ignore) {
            try writeAtomically(ignore, Array("# Written by mlci: everything here is local (cache, logs, reports).\n*\n".utf8))
        }
        return root + "/.mlci/tmp"
    }

    /// Removes the temporary files ``writeAtomically(_:_:mode:temporaryDirectory:)`` left in
    /// `directory` when a process was killed mid-write (`.NAME.tmp-PID-N` whose PID is gone).
    public static func removeStaleTemporaries(in directory: String) {
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix("."), let marker = name.firstRange(of: ".tmp-") else { continue }
            let fields = name[marker.upperBound...].split(separator: "-")
            guard fields.count == 2, let pid = Int32(fields[0]), fields[1].allSatisfy(\.isNumber) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + name) }
        }
    }

    /// `mkdir -p`.
    public static func makeDirectories(_ path: String) throws(InputError) {
        if path.isEmpty || isDirectory(path) { return }
        try makeDirectories(parent(of: path))
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw InputError(describeErrno(errno, verb: "create the directory", name: path))
        }
    }

    /// The directory part of `path` (`.` for a bare name).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of `path`.
    public static func basename(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The current working directory.
    public static var currentDirectory: String {
        guard let path = getcwd(nil, 0) else { return "." }
        defer { free(path) }
        return String(cString: path)
    }

    /// The canonical absolute path (symlinks resolved), or `nil` if it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A message for a failed system call on a file: "data.csv: permission denied".
    public static func describeErrno(_ code: Int32, verb: String, name: String) -> String {
        switch code {
        case ENOENT: return "\(name): no such file or directory"
        case EACCES, EPERM: return "\(name): cannot \(verb) it: permission denied"
        case EISDIR: return "\(name): is a directory, expected a file"
        case ENOTDIR: return "\(name): a parent of this path is not a directory"
        case ENOSPC: return "\(name): cannot \(verb) it: no space left on the device"
        default: return "\(name): cannot \(verb) it: \(String(cString: strerror(code)))"
        }
    }
}
