import ArgumentParser
import MLCIHashing
import MLCISupport

extension MLCICommand {
    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash",  // named here: no reflection at start-up
            abstract: "Print the hash mlci records for files or directories (like sha256sum).",
            discussion: """
            A file's hash is its SHA-256 (what sha256sum prints); a directory's is the SHA-256 of the \
            sha256sum lines of its files in byte order of their paths, with DVC's .dir suffix. With \
            --dvc, the md5 DVC 3 records (a directory's .dir hash included). Directories are hashed on \
            all cores. Works outside a repository; no cache is used.
            """)

        @Flag(help: "Print DVC's md5 hash instead of SHA-256.")
        var dvc = false

        @Argument(help: "Files or directories.")
        var paths: [String]

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if paths.isEmpty { throw ValidationError("name at least one file or directory") }
        }

        func run() throws {
            var results: [JSONValue] = []
            var lines: [String] = []
            for path in paths {
                let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
                let parent = FileSystem.parent(of: trimmed)
                let root = FileSystem.realPath(parent == "." && !trimmed.hasPrefix("/") ? "." : parent) ?? parent
                let hasher = ContentHasher(root: root, cachePath: nil)
                guard let digests = try hasher.hash(FileSystem.basename(of: trimmed), algorithms: dvc ? [.md5] : [.sha256]) else {
                    throw InputError("\(path): no such file or directory")
                }
                let hash = (dvc ? digests.dvcHash() : digests.sha256) ?? ""
                lines.append("\(hash)  \(printable(path))")
                results.append(["path": .string(path), "hash": .string(hash), "algorithm": dvc ? "md5" : "sha256",
                                "size": .int(digests.size), "files": .int(Int64(digests.fileCount))])
            }
            if output.json { return output.emit(.array(results)) }
            Terminal.out(lines.joined(separator: "\n"))
        }
    }
}
