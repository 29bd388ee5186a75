#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// The names in directory `path` (without `.` and `..`), sorted; `nil` if it cannot be
    /// opened (missing, not a directory, no permission).
    public static func entries(of path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Every file under directory `path`, as paths relative to it (`a/b.yaml`), sorted.
    /// Symbolic links to files count as files; directories are descended (a symbolic link to
    /// a directory is not, so no cycle can be followed). Empty if `path` is not a directory.
    public static func files(under path: String) -> [String] {
        var out: [String] = []
        func walk(_ relative: String) {
            let full = relative.isEmpty ? path : path + "/" + relative
            for name in entries(of: full) ?? [] {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(path + "/" + child, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    walk(child)
                } else if (info.st_mode & S_IFMT) != S_IFLNK || !isDirectory(path + "/" + child) {
                    out.append(child)
                }
            }
        }
        walk("")
        return out.sorted()
    }
}
