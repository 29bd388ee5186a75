#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only into memory: a 1 GiB model is not copied, and a cache file
/// is read without zero-filling and copying a buffer.
///
/// The mapping is private and lives as long as the object. A file replaced by rename (as mlci
/// writes every file) leaves the mapping intact; one truncated in place by another process while
/// mapped would fault on access (SIGBUS), so map only files that are written by rename.
/// Immutable; the bytes may be read from any thread.
public final class MappedFile: @unchecked Sendable {
    /// How the kernel should bring the pages in.
    public enum Access: Sendable {
        /// Read once from start to end: aggressive read-ahead (`MADV_SEQUENTIAL`).
        case sequential
        /// Read whole at once: every page mapped by the `mmap` call itself (`MAP_POPULATE`).
        case whole
        /// Read here and there (a pack index's binary search): pages come in as touched.
        case random
    }

    public let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?

    /// Maps the file at `path`.
    ///
    /// - Parameters:
    ///   - display: how the file is named in messages.
    ///   - limit: the largest size accepted.
    public init(path: String, display: String, access: Access = .sequential, limit: Int = Int.max) throws(InputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw InputError("\(display): not a regular file") }
        let size = Int(info.st_size)
        guard size <= limit else { throw InputError("\(display): the file is \(size) bytes, more than the \(limit) bytes mlci reads for it") }
        if size == 0 {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        #if os(Linux)
        let flags = access == .whole ? MAP_PRIVATE | MAP_POPULATE : MAP_PRIVATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let mapped = mmap(nil, size, PROT_READ, flags, fd, 0), mapped != MAP_FAILED else {
            throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display))
        }
        if access == .sequential { madvise(mapped, size, MADV_SEQUENTIAL) }
        base = mapped
        bytes = UnsafeRawBufferPointer(start: mapped, count: size)
    }

    deinit { if let base { munmap(base, bytes.count) } }
}
