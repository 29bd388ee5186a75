import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a path in the working tree hashes to: a file's digests, or a directory's.
public enum PathDigests: Sendable {
    case file(FileDigests)
    case directory(DirectoryDigests)

    /// The hash mlci records: a file's SHA-256 hex, or a directory's `<sha256>.dir`.
    public var sha256: String? {
        switch self {
        case .file(let d): d.sha256
        case .directory(let d): d.sha256
        }
    }

    /// The hash DVC records for the same path (`md5`, `.dir` for directories).
    public func dvcHash(legacy: Bool = false) -> String? {
        switch self {
        case .file(let d): legacy ? d.md5Dos2Unix : d.md5
        case .directory(let d): d.dvcHash(legacy: legacy)
        }
    }

    public var size: Int64 {
        switch self {
        case .file(let d): d.size
        case .directory(let d): d.size
        }
    }

    /// The number of files: 1 for a file.
    public var fileCount: Int {
        switch self {
        case .file: 1
        case .directory(let d): d.count
        }
    }

    public var isDirectory: Bool { if case .directory = self { true } else { false } }

    /// Whether every file has a digest for each of `algorithms`.
    func covers(_ algorithms: Set<HashAlgorithm>) -> Bool {
        switch self {
        case .file(let d): d.covers(algorithms)
        case .directory(let d): d.covers(algorithms)
        }
    }

    /// The algorithms every file has a digest for.
    var algorithms: Set<HashAlgorithm> {
        Set(HashAlgorithm.allCases.filter { covers([$0]) })
    }
}

/// Hashes files and directories of one working tree, through a ``HashCache``.
///
/// Files whose size, mtime and inode match the cache are not read; the others are hashed on
/// all cores (one ``FileHasher`` per thread). Paths must be repository-relative and are
/// checked not to leave the repository, by `..` or by a symbolic link.
///
/// Not thread-safe: use one per command. Call ``save()`` to persist what was learnt.
public final class ContentHasher {
    /// The working tree's root.
    public let root: String
    private let cache: HashCache
    private let hasher = FileHasher()
    /// How many files were actually read (not answered by the cache), for tests and `--verbose`.
    public private(set) var filesRead = 0
    /// What this hasher already answered, by path: one command asks about the same data
    /// several times (plan, provenance, change summary). Cleared by ``forgetAnswers()``.
    private var answers: [String: PathDigests] = [:]

    /// - Parameters:
    ///   - root: the working tree's absolute root.
    ///   - cachePath: where the hash cache lives (`.mlci/cache/hashes`); `nil` for no cache.
    public init(root: String, cachePath: String?) {
        self.root = root
        self.cache = HashCache(path: cachePath)
    }

    /// Writes the cache if it learnt anything.
    public func save() throws(InputError) { try cache.save() }

    /// The absolute path for a repository-relative one, refusing escapes.
    public func absolutePath(_ relative: String) throws(InputError) -> String {
        switch RepositoryPath.normalize(relative) {
        case .failure(let problem): throw InputError("\(relative): \(problem)")
        case .success(let clean):
            if let problem = RepositoryPath.checkInside(root: root, clean) { throw InputError("\(relative): \(problem)") }
            return clean == "." ? root : root + "/" + clean
        }
    }

    /// Hashes the file or directory at `relative`; `nil` when nothing is there.
    ///
    /// Answers are remembered for the life of the hasher: call ``forgetAnswers()`` after
    /// anything (a stage) may have changed files.
    public func hash(_ relative: String, algorithms: Set<HashAlgorithm>) throws(InputError) -> PathDigests? {
        let absolute = try absolutePath(relative)
        if let known = answers[absolute], known.covers(algorithms) { return known }
        guard FileSystem.exists(absolute) else { return nil }
        let wanted = algorithms.union(answers[absolute]?.algorithms ?? [])
        let digests: PathDigests
        if FileSystem.isDirectory(absolute) {
            digests = .directory(try hashDirectory(relative, absolute: absolute, algorithms: wanted))
        } else {
            digests = .file(try hashFile(relative, absolute: absolute, algorithms: wanted))
        }
        answers[absolute] = digests
        return digests
    }

    /// Forgets remembered answers (the on-disk cache still answers unchanged files).
    public func forgetAnswers() { answers.removeAll() }

    private func hashFile(_ relative: String, absolute: String, algorithms: Set<HashAlgorithm>) throws(InputError) -> FileDigests {
        guard let stat = FileStat.ofRegularFile(absolute) else {
            throw InputError("\(relative): no such file or directory")
        }
        let key = Self.cacheKey(absolute, root: root)
        if let hit = cache.lookup(key, stat: stat, algorithms: algorithms) { return hit }
        filesRead += 1
        let digests = try hasher.hash(file: absolute, algorithms: algorithms, display: relative)
        cache.store(key, stat: stat, digests: digests)
        return digests
    }

    private func hashDirectory(_ relative: String, absolute: String, algorithms: Set<HashAlgorithm>) throws(InputError) -> DirectoryDigests {
        let tree = try TreeWalker.walk(absolute, display: relative, containment: root)
        let prefix = Self.cacheKey(absolute, root: root)
        var digests = [UInt8](repeating: 0, count: tree.count * 64)
        var present = [UInt8](repeating: 0, count: tree.count)
        var sizes = tree.stats.map(\.size)
        let misses = cache.lookup(directory: prefix, tree: tree, algorithms: algorithms, digests: &digests, present: &present)
        if !misses.isEmpty {
            let slots = ResultSlots<Result<FileDigests, InputError>>(count: misses.count)
            let workers = Parallel.coreCount
            let hashers = (0..<workers).map { _ in UncheckedBox(FileHasher()) }
            let paths = misses.map { absolute + "/" + tree.pathString(at: $0) }
            let displays = misses.map { relative + "/" + tree.pathString(at: $0) }
            Parallel.forEach(count: misses.count, workers: workers) { index, worker in
                do {
                    slots[index] = .success(try hashers[worker].value.hash(file: paths[index], algorithms: algorithms,
                                                                           display: displays[index]))
                } catch let error as InputError {
                    slots[index] = .failure(error)
                } catch {
                    slots[index] = .failure(InputError("\(displays[index]): \(error)"))
                }
            }
            filesRead += misses.count
            let folder = Array(prefix.utf8) + [0x2F]
            for (slot, index) in misses.enumerated() {
                switch slots[slot]! {
                case .failure(let error): throw error
                case .success(let fresh):
                    var raw = [UInt8](repeating: 0, count: 64)
                    let flags = DirectoryDigests.store(fresh, into: &raw, at: 0)
                    digests.replaceSubrange(index * 64..<index * 64 + 64, with: raw)
                    present[index] = flags
                    sizes[index] = fresh.size
                    cache.store(folder + tree.path(at: index), stat: tree.stats[index], flags: flags, digests: raw)
                }
            }
        }
        return DirectoryDigests(pathBytes: tree.pathBytes, pathEnds: tree.pathEnds, digestBytes: digests, present: present, sizes: sizes)
    }

    static func cacheKey(_ absolute: String, root: String) -> String {
        absolute == root ? "." : String(absolute.dropFirst(root.count + 1))
    }
}

/// Hands a non-`Sendable` object to exactly one worker thread.
///
/// `@unchecked Sendable`: each box is used by one thread only (indexed by worker number).
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
