import Crypto
import MLCIConfig
import MLCIGit
import MLCIHashing
import MLCISupport

/// A view of the project's files at one point: a commit (read through libgit2, no checkout)
/// or the working tree. Lineage is computed the same way over either.
protocol Snapshot {
    /// How files of this snapshot are named in messages (`abc1234:mlci.lock`, `mlci.lock`).
    func display(_ path: String) -> String
    /// The bytes of a file, or `nil` when it does not exist.
    func read(_ path: String, limit: Int) throws -> [UInt8]?
    /// The repository-relative paths of DVC files (`*.dvc`, `dvc.lock`).
    func dvcFiles() throws -> [String]
    /// The hash mlci records for a data or model path, or `nil` when the path is absent.
    func hash(_ path: String) throws -> (hash: String, source: ArtifactHash.Source, size: Int64, files: Int?, isDirectory: Bool)?
    /// The DVC-compatible hash of a path (`md5`, or the legacy dos2unix md5), or `nil` when
    /// this snapshot cannot compute it (a commit: DVC data is not in git).
    func dvcHash(_ path: String, legacy: Bool) throws -> String?
}

/// A commit's files, read from the object database.
struct RevisionSnapshot: Snapshot {
    let repository: Repository
    let commit: ObjectID

    func display(_ path: String) -> String { "\(commit.short()):\(path)" }

    func read(_ path: String, limit: Int) throws -> [UInt8]? {
        guard let entry = try repository.entry(at: commit, path: path), entry.kind != .directory else { return nil }
        let size = try repository.blobSize(entry.id)
        if size > limit {
            throw InputError("\(display(path)): the file is \(size) bytes, more than the \(limit) bytes mlci reads for it")
        }
        return try repository.withBlob(entry.id) { Array($0) }
    }

    func dvcFiles() throws -> [String] {
        try repository.files(at: commit).map(\.path).filter(Self.isDVCFile)
    }

    static func isDVCFile(_ path: String) -> Bool {
        path.hasSuffix(".dvc") && !path.hasPrefix(".dvc/") && !FileSystem.basename(of: path).hasPrefix(".")
            || path == "dvc.lock" || path.hasSuffix("/dvc.lock")
    }

    func hash(_ path: String) throws -> (hash: String, source: ArtifactHash.Source, size: Int64, files: Int?, isDirectory: Bool)? {
        guard let entry = try repository.entry(at: commit, path: path) else { return nil }
        switch entry.kind {
        case .submodule: return nil
        case .directory:
            var lines = SHA256()
            var size: Int64 = 0
            var count = 0
            var sawLFS = false
            // Tree order is not byte order for names that prefix each other ("a.txt" vs "a/"),
            // so sort the full relative paths first.
            let files = try repository.files(at: commit, under: path)
                .map { (relative: String($0.path.dropFirst(path.count + 1)), entry: $0) }
                .sorted { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
            for file in files {
                let (digest, bytes, isLFS) = try blobHash(file.entry)
                sawLFS = sawLFS || isLFS
                lines.update(data: Array("\(digest)  \(file.relative)\n".utf8))
                size += bytes
                count += 1
            }
            let hex = lines.finalize().map { String($0, radix: 16).leftPadded(2) }.joined()
            return (hex + ".dir", sawLFS ? .lfs : .git, size, count, true)
        default:
            let (digest, bytes, isLFS) = try blobHash(entry)
            return (digest, isLFS ? .lfs : .git, bytes, nil, false)
        }
    }

    /// A blob's content hash: an LFS pointer's oid, or the SHA-256 of the bytes.
    private func blobHash(_ entry: TreeEntryInfo) throws -> (String, Int64, Bool) {
        try repository.withBlob(entry.id) { bytes -> (String, Int64, Bool) in
            if bytes.count < 1024, LFSPointer.looksLikePointer(bytes) {
                do {
                    if let pointer = try LFSPointer.parse(bytes) { return (pointer.oid, pointer.size, true) }
                } catch let error as LFSPointer.Malformed {
                    throw InputError("a malformed Git LFS pointer: \(error.message)",
                                     at: SourceLocation(file: display(entry.path), line: error.line),
                                     hint: "restore the file from the LFS server (git lfs push / git lfs fsck)")
                }
            }
            let digests = FileHasher.hash(bytes: bytes, algorithms: [.sha256])
            return (digests.sha256!, Int64(bytes.count), false)
        }
    }

    func dvcHash(_ path: String, legacy: Bool) throws -> String? { nil }
}

/// The working tree's files, hashed through the workspace's cache.
struct WorkingTreeSnapshot: Snapshot {
    let workspace: Workspace

    func display(_ path: String) -> String { path }

    func read(_ path: String, limit: Int) throws -> [UInt8]? {
        let absolute = try workspace.hasher.absolutePath(path)
        guard FileSystem.exists(absolute), !FileSystem.isDirectory(absolute) else { return nil }
        return try FileSystem.read(absolute, limit: limit, display: path)
    }

    func dvcFiles() throws -> [String] {
        let repository = workspace.repository
        var files: Set<String> = []
        let head = try repository.head().commit
        if let head { files.formUnion(try repository.files(at: head).map(\.path).filter(RevisionSnapshot.isDVCFile)) }
        for change in try repository.changesInWorkingTree(from: head, paths: ["*.dvc", "dvc.lock", "*/dvc.lock"]) {
            if change.status == .deleted { files.remove(change.oldPath) } else {
                if change.status == .renamed { files.remove(change.oldPath) }
                if RevisionSnapshot.isDVCFile(change.newPath) { files.insert(change.newPath) }
            }
        }
        return files.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    func hash(_ path: String) throws -> (hash: String, source: ArtifactHash.Source, size: Int64, files: Int?, isDirectory: Bool)? {
        guard let digests = try workspace.hasher.hash(path, algorithms: [.sha256]) else { return nil }
        if case .file(let file) = digests, file.size < 1024,
           let bytes = try read(path, limit: 1024), LFSPointer.looksLikePointer(bytes),
           let pointer = try? LFSPointer.parse(bytes) {
            // An LFS file that was not pulled: its pointer names the content.
            return (pointer.oid, .lfs, pointer.size, nil, false)
        }
        return (digests.sha256!, .workingTree, digests.size, digests.isDirectory ? digests.fileCount : nil, digests.isDirectory)
    }

    func dvcHash(_ path: String, legacy: Bool) throws -> String? {
        try workspace.hasher.hash(path, algorithms: [legacy ? .md5Dos2Unix : .md5])?.dvcHash(legacy: legacy)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
