#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// Removes `path`: a file, a symbolic link (not its target) or a directory with everything
    /// under it (symbolic links inside are removed, never followed). A missing path is no error.
    public static func removeTree(_ path: String) throws(InputError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw InputError(describeErrno(errno, verb: "remove", name: path))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            guard let directory = opendir(path) else { throw InputError(describeErrno(errno, verb: "remove", name: path)) }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else { throw InputError(describeErrno(errno, verb: "remove", name: path)) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw InputError(describeErrno(errno, verb: "remove", name: path)) }
        }
    }
}
