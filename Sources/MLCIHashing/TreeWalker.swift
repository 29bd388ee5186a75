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
/// Stateless; safe from any thread.
public enum TreeWalker {
    public static func files(in directory: String, display: String, containment: String) throws(InputError) -> [WalkedFile] {
        var out: [WalkedFile] = []
        let realRoot = FileSystem.realPath(containment) ?? containment
        try walk(directory, prefix: [], display: display, realRoot: realRoot, depth: 0, into: &out)
        out.sort { $0.relativePath.lexicographicallyPrecedes($1.relativePath) }
        return out
    }

    private static func walk(_ path: String, prefix: [UInt8], display: String, realRoot: String, depth: Int,
                             into out: inout [WalkedFile]) throws(InputError) {
        guard depth < 128 else {
            throw InputError("\(display)/\(String(decoding: prefix, as: UTF8.self)): directories nest more than 128 levels deep (a symbolic link loop?)")
        }
        guard let dir = opendir(path) else {
            throw InputError(FileSystem.describeErrno(errno, verb: "list", name: display + (prefix.isEmpty ? "" : "/" + String(decoding: prefix, as: UTF8.self))))
        }
        defer { closedir(dir) }
        let fd = dirfd(dir)
        while let entry = readdir(dir) {
            let nameBytes: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let bound = raw.bindMemory(to: UInt8.self)
                let length = bound.firstIndex(of: 0) ?? bound.count
                return Array(bound[0..<length])
            }
            if nameBytes == [0x2E] || nameBytes == [0x2E, 0x2E] { continue }
            if nameBytes == Array(".git".utf8) || nameBytes == Array(".dvc".utf8) { continue }
            let relative = prefix.isEmpty ? nameBytes : prefix + [0x2F] + nameBytes
            let relativeName = String(decoding: relative, as: UTF8.self)
            guard String(validating: nameBytes, as: UTF8.self) != nil else {
                throw InputError("\(display)/\(relativeName): the file name is not valid UTF-8",
                                 hint: "rename the file; hashes are defined over UTF-8 paths")
            }
            var info = stat()
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw InputError(FileSystem.describeErrno(errno, verb: "read", name: "\(display)/\(relativeName)"))
            }
            let full = path + "/" + name
            if (info.st_mode & S_IFMT) == S_IFLNK {
                guard let target = FileSystem.realPath(full) else {
                    throw InputError("\(display)/\(relativeName): the symbolic link points to nothing")
                }
                guard target == realRoot || target.hasPrefix(realRoot + "/") else {
                    throw InputError("\(display)/\(relativeName): the symbolic link leads out of the repository (to \(target))",
                                     hint: "copy the data into the repository or track it with DVC")
                }
                guard stat(full, &info) == 0 else {
                    throw InputError(FileSystem.describeErrno(errno, verb: "read", name: "\(display)/\(relativeName)"))
                }
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: try walk(full, prefix: relative, display: display, realRoot: realRoot, depth: depth + 1, into: &out)
            case S_IFREG: out.append(WalkedFile(relativePath: relative, stat: FileStat(info)))
            default: continue  // sockets, fifos, devices: not data
            }
        }
    }
}
