#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MLCIHashing
import MLCILineage
import MLCISupport

/// Brings DVC objects from a remote into the local cache, as `dvc fetch` does, and asks a remote
/// which objects it lacks, as `dvc status -c` does.
///
/// Each object is streamed into a temporary file beside its cache path, its md5 checked against
/// its name (DVC's content addressing), then made read-only and renamed into place: the cache
/// never holds a partial or wrong object. Objects already in the cache are not downloaded.
/// Downloads and existence checks run in parallel on `jobs` threads. A value type; one call at a
/// time per cache folder.
public struct DVCRemoteFetcher: Sendable {
    public var remote: DVCRemote
    /// The cache folder (absolute), `.dvc/cache` by default.
    public var cacheDirectory: String
    /// Parallel transfers (DVC's default for cloud remotes is 4 × cores).
    public var jobs: Int

    public init(remote: DVCRemote, cacheDirectory: String, jobs: Int = 4 * Parallel.coreCount) {
        self.remote = remote
        self.cacheDirectory = cacheDirectory
        self.jobs = max(1, jobs)
    }

    /// One object DVC stores: its md5 (`.dir` suffixed for listings) and its layout.
    public struct Object: Sendable, Hashable {
        public var md5: String
        public var legacy: Bool
        public init(md5: String, legacy: Bool) {
            self.md5 = md5
            self.legacy = legacy
        }
        public var key: String { DVCRemote.objectKey(md5, legacy: legacy) }
    }

    /// What a fetch did.
    public struct Summary: Sendable, Equatable {
        public var downloaded = 0
        public var bytes: Int64 = 0
        public var alreadyCached = 0
    }

    /// The cache path of an object.
    public func cachePath(_ object: Object) -> String { cacheDirectory + "/" + object.key }

    /// Makes sure every object of `outputs` (listings, then their members) is in the cache.
    /// - Throws: ``InputError`` naming the object and the remote when one is missing on the
    ///   remote, cannot be downloaded, or does not match its md5; nothing partial is left behind.
    @discardableResult
    public func fetch(_ outputs: [MLCILineage.DVCOutput]) throws(InputError) -> Summary {
        var summary = Summary()
        let roots = Array(Set(outputs.map { Object(md5: $0.md5, legacy: $0.isLegacy) })).sorted { $0.key < $1.key }
        try fetch(roots, into: &summary)
        var members: Set<Object> = []
        for root in roots where root.md5.hasSuffix(".dir") {
            for entry in try listing(root) { members.insert(Object(md5: entry.md5, legacy: root.legacy)) }
        }
        try fetch(members.sorted { $0.key < $1.key }, into: &summary)
        return summary
    }

    /// Makes sure one object is in the cache and returns its path.
    public func fetch(_ object: Object) throws(InputError) -> String {
        var summary = Summary()
        try fetch([object], into: &summary)
        return cachePath(object)
    }

    /// The members of a `.dir` object in the cache.
    public func listing(_ object: Object) throws(InputError) -> [(md5: String, relpath: String)] {
        try Self.listing(object, cacheDirectory: cacheDirectory)
    }

    /// The members of the `.dir` object `object` in the cache at `cacheDirectory`.
    public static func listing(_ object: Object, cacheDirectory: String) throws(InputError) -> [(md5: String, relpath: String)] {
        let path = cacheDirectory + "/" + object.key
        let bytes = try FileSystem.read(path, limit: 1 << 30, display: object.key)
        guard let items = (try? JSONParser().parse(bytes))?.arrayValue else {
            throw InputError("the DVC object \(object.key) is not a directory listing", hint: "run 'dvc push' again from a good cache")
        }
        var out: [(md5: String, relpath: String)] = []
        for item in items {
            guard let md5 = item["md5"]?.stringValue, md5.utf8.count == 32, Hex.isLowerHex(md5),
                  let relpath = item["relpath"]?.stringValue, case .success = RepositoryPath.normalize(relpath) else {
                throw InputError("the DVC object \(object.key) has an entry without a valid md5 and relative path",
                                 hint: "run 'dvc push' again from a good cache")
            }
            out.append((md5, relpath))
        }
        return out
    }

    private func fetch(_ objects: [Object], into summary: inout Summary) throws(InputError) {
        let wanted = objects.filter { !FileSystem.exists(cachePath($0)) }
        summary.alreadyCached += objects.count - wanted.count
        let results = ResultSlots<Result<Int64, InputError>>(count: wanted.count)
        let fetcher = self
        Parallel.forEach(count: wanted.count, workers: jobs) { index, _ in
            do throws(InputError) {
                results[index] = .success(try fetcher.download(wanted[index]))
            } catch {
                results[index] = .failure(error)
            }
        }
        for result in results.values {
            switch result {
            case .success(let bytes)?:
                summary.downloaded += 1
                summary.bytes += bytes
            case .failure(let error)?: throw error
            case nil: throw InputError("a download did not finish")
            }
        }
    }

    /// Downloads one object into a temporary file, checks its md5, renames it into the cache.
    func download(_ object: Object) throws(InputError) -> Int64 {
        let destination = cachePath(object)
        let directory = FileSystem.parent(of: destination)
        try FileSystem.makeDirectories(directory)
        let temporary = "\(directory)/.\(FileSystem.basename(of: destination)).mlci-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "write", name: temporary)) }
        var keep = false
        defer { if !keep { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            guard try remote.download(object.key, to: descriptor) else {
                throw InputError("the object \(object.key) is not in \(remote.display)",
                                 hint: "run 'dvc push' where the data was produced, then run again")
            }
        }
        let algorithm: HashAlgorithm = object.legacy ? .md5Dos2Unix : .md5
        let digests = try FileHasher().hash(file: temporary, algorithms: [algorithm], display: object.key)
        let expected = object.md5.hasSuffix(".dir") ? String(object.md5.dropLast(4)) : object.md5
        guard digests[algorithm] == expected else {
            throw InputError("the object \(object.key) from \(remote.display) has md5 \(digests[algorithm] ?? "?"), not the \(expected) it is stored under",
                             hint: "the remote copy is corrupt: push it again from a good cache ('dvc push'); nothing was written")
        }
        chmod(temporary, 0o444)
        guard rename(temporary, destination) == 0 else {
            throw InputError(FileSystem.describeErrno(errno, verb: "store in the DVC cache", name: destination))
        }
        keep = true
        return digests.size
    }

    /// The objects of `outputs` (listings and, where the cache or remote has the listing, their
    /// members) that the remote lacks, by HEAD requests in parallel (no download of data).
    public func missingOnRemote(_ outputs: [MLCILineage.DVCOutput]) throws(InputError) -> [(output: MLCILineage.DVCOutput, key: String)] {
        var checks: [(output: MLCILineage.DVCOutput, object: Object)] = outputs.map { ($0, Object(md5: $0.md5, legacy: $0.isLegacy)) }
        var missing: [(output: MLCILineage.DVCOutput, key: String)] = []
        // A listing's members are known only from the listing: read it from the cache, or fetch
        // it (a small JSON object, verified) when the remote has it.
        for output in outputs where output.isDirectory {
            let object = Object(md5: output.md5, legacy: output.isLegacy)
            if !FileSystem.exists(cachePath(object)) {
                guard try remote.exists(object.key) else { continue }
                _ = try fetch(object)
            }
            for entry in try listing(object) { checks.append((output, Object(md5: entry.md5, legacy: output.isLegacy))) }
        }
        let present = ResultSlots<Result<Bool, InputError>>(count: checks.count)
        let remote = self.remote
        let keys = checks.map(\.object.key)
        Parallel.forEach(count: checks.count, workers: jobs) { index, _ in
            do throws(InputError) {
                present[index] = .success(try remote.exists(keys[index]))
            } catch {
                present[index] = .failure(error)
            }
        }
        for (index, result) in present.values.enumerated() {
            switch result {
            case .success(true)?: continue
            case .success(false)?: missing.append((checks[index].output, checks[index].object.key))
            case .failure(let error)?: throw error
            case nil: throw InputError("an existence check did not finish")
            }
        }
        return missing
    }
}

extension Hex {
    /// Whether every character is `0-9` or `a-f`.
    static func isLowerHex(_ text: String) -> Bool {
        text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
