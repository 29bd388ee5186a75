#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The identity of a file's content as the file system sees it: if none of these changed,
/// the bytes did not either (the rule DVC's state database and git's index use).
public struct FileStat: Sendable, Equatable, Hashable {
    public var size: Int64
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: Int64
    public var inode: UInt64

    public init(size: Int64, mtimeSeconds: Int64, mtimeNanoseconds: Int64, inode: UInt64) {
        self.size = size
        self.mtimeSeconds = mtimeSeconds
        self.mtimeNanoseconds = mtimeNanoseconds
        self.inode = inode
    }

    init(_ info: stat) {
        #if os(Linux)
        self.init(size: Int64(info.st_size), mtimeSeconds: Int64(info.st_mtim.tv_sec),
                  mtimeNanoseconds: Int64(info.st_mtim.tv_nsec), inode: UInt64(info.st_ino))
        #else
        self.init(size: Int64(info.st_size), mtimeSeconds: Int64(info.st_mtimespec.tv_sec),
                  mtimeNanoseconds: Int64(info.st_mtimespec.tv_nsec), inode: UInt64(info.st_ino))
        #endif
    }

    /// The stat of the regular file at `path` (symlinks followed), or `nil`.
    public static func ofRegularFile(_ path: String) -> FileStat? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileStat(info)
    }

    /// The modification time in nanoseconds since the epoch.
    public var mtime: Int64 { mtimeSeconds &* 1_000_000_000 &+ mtimeNanoseconds }
}
