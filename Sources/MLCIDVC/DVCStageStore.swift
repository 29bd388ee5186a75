import MLCIConfig
import MLCIHashing
import MLCILineage
import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `dvc status` says about one stage, and what `dvc repro` would do with it.
public struct DVCStageStatus: Sendable, Equatable {
    /// Why the stage is not up to date, in `dvc status`'s words (`changed command`,
    /// `changed deps: data.csv modified`, `changed outs: model.pkl not in cache`, `always
    /// changed`); empty when up to date.
    public var reasons: [String]
    /// Cached outs missing from the workspace.
    public var missingOuts: [DVCPath]
    /// Command, deps and params match the lock, so the missing or changed outs can be checked
    /// out from the cache instead of running the command (DVC's restore from the lock entry).
    public var restorableFromCache: Bool
    /// Outs absent from both the workspace and the cache while nothing else changed: data
    /// recorded by DVC that this copy of the repository does not have (`dvc pull` brings it).
    public var notPulled: [DVCPath]
    /// A frozen stage whose outs differ: DVC re-records it without running.
    public var frozenOutsChanged: Bool

    public var isUpToDate: Bool { reasons.isEmpty }
}

/// dvc.lock as the record of dvc.yaml stages: reads each dvc.yaml's lock, decides per stage as
/// `dvc status` does (DVC 3.67's rules: cmd, deps, params by Python equality, outs against the
/// cache, `frozen`, `always_changed`), and after a stage ran records it (deps hashed after the
/// run, outs stored in the DVC cache, `.gitignore` entries) and rewrites its dvc.lock whole,
/// atomically, as `dvc repro` does.
///
/// Not thread-safe: one per command.
public final class DVCStageStore {
    public let root: String
    public let hasher: ContentHasher
    public let cache: DVCCache
    /// Whether git already ignores a repository-relative path (then no `.gitignore` entry).
    public var isIgnoredByGit: (String) -> Bool = { _ in false }
    /// Reads a params file (repository-relative) into its values; YAML and JSON by default.
    public var readParams: (String) throws -> LockValue?
    /// The locks read so far, by repository-relative path.
    private var locks: [String: DVCLockFile] = [:]
    /// Files written since the last ``flush()`` (absolute), not yet fsync'd.
    private var unflushed: [String] = []

    public init(root: String, hasher: ContentHasher, cache: DVCCache) {
        self.root = root
        self.hasher = hasher
        self.cache = cache
        readParams = { path in try DVCStageStore.defaultParams(root: root, path: path) }
    }

    /// The dvc.lock beside a dvc.yaml.
    public static func lockPath(for file: String) -> String {
        let directory = FileSystem.parent(of: file)
        return directory == "." ? "dvc.lock" : directory + "/dvc.lock"
    }

    public func lock(for stage: DVCStageDefinition) throws(InputError) -> DVCLockFile {
        let path = Self.lockPath(for: stage.file)
        if let known = locks[path] { return known }
        let loaded = try DVCLockFile.load(root: root, path: path)
        locks[path] = loaded
        return loaded
    }

    /// The lock entry of `stage`, if any.
    public func recorded(_ stage: DVCStageDefinition) throws(InputError) -> DVCLockStage? {
        try lock(for: stage).stage(stage.name)
    }

    // MARK: Status

    public func status(of stage: DVCStageDefinition) throws(InputError) -> DVCStageStatus {
        let record = try recorded(stage)
        var status = DVCStageStatus(reasons: [], missingOuts: [], restorableFromCache: false, notPulled: [], frozenOutsChanged: false)
        var inputsChanged = false
        if let record, record.command != stage.lockCommand {
            status.reasons.append("changed command")
            inputsChanged = true
        }
        if !stage.frozen {
            var changed: [String] = []
            for dep in stage.deps {
                let current = try entry(for: dep)
                guard let current else { changed.append("\(dep.spelled) deleted"); continue }
                if record?.dep(dep.spelled)?.md5 != current.md5 { changed.append("\(dep.spelled) modified") }
            }
            let params = try paramsStatus(stage, record: record)
            changed += params
            if !changed.isEmpty {
                status.reasons.append("changed deps: " + changed.joined(separator: ", "))
                inputsChanged = true
            }
            if record == nil && stage.deps.isEmpty && stage.params.isEmpty && status.reasons.isEmpty {
                inputsChanged = true
            }
        }
        var outChanges: [String] = []
        var missingFromCache: [DVCPath] = []
        for out in stage.outs {
            let locked = record?.out(out.path.spelled)
            let current = try entry(for: out.path)
            if out.cache, let md5 = locked?.md5, !cache.contains(md5) {
                if current?.md5 == md5 {
                    // The workspace still has it: committing stores it again; DVC says "not in cache".
                    outChanges.append("\(out.path.spelled) not in cache")
                } else {
                    outChanges.append(current == nil ? "\(out.path.spelled) deleted" : "\(out.path.spelled) modified")
                    missingFromCache.append(out.path)
                }
                continue
            }
            guard let current else {
                outChanges.append("\(out.path.spelled) deleted")
                status.missingOuts.append(out.path)
                continue
            }
            if locked?.md5 != current.md5 { outChanges.append("\(out.path.spelled) modified") }
        }
        if !outChanges.isEmpty { status.reasons.append("changed outs: " + outChanges.joined(separator: ", ")) }
        if stage.alwaysChanged { status.reasons.append("always changed") }
        if record == nil && !status.reasons.contains(where: { $0.hasPrefix("changed") }) && !stage.alwaysChanged {
            status.reasons.append("never ran (no entry in \(Self.lockPath(for: stage.file)))")
        }
        if stage.frozen {
            status.frozenOutsChanged = !outChanges.isEmpty
        }
        let everyOutLocked = stage.outs.allSatisfy { !$0.cache || record?.out($0.path.spelled)?.md5 != nil }
        if record != nil, !inputsChanged, !stage.alwaysChanged, everyOutLocked, !outChanges.isEmpty {
            let restorable = stage.outs.allSatisfy { out in
                guard out.cache, let md5 = record?.out(out.path.spelled)?.md5 else { return !out.cache }
                return cache.contains(md5)
            }
            status.restorableFromCache = restorable && missingFromCache.isEmpty
            // Recorded, unchanged inputs, and neither here nor in the cache: never pulled.
            status.notPulled = missingFromCache.filter { path in (try? entry(for: path)) == nil }
        }
        return status
    }

    /// Params keys changed against the record, as `dvc status` words them.
    func paramsStatus(_ stage: DVCStageDefinition, record: DVCLockStage?) throws(InputError) -> [String] {
        var out: [String] = []
        for dependency in stage.params {
            let file = dependency.file.spelled
            guard let values = try loadParams(dependency.file) else {
                out.append("\(file) deleted")
                continue
            }
            guard let locked = record?.params(in: file) else {
                out.append("\(file) new")
                continue
            }
            let keys: [String]
            if dependency.keys.isEmpty {
                var union = Self.topLevelKeys(values)
                for (key, _) in locked where !union.contains(key) { union.append(key) }
                keys = union
            } else {
                keys = dependency.keys
            }
            for key in keys {
                let now = Self.select(values, key: key)
                let then = locked.first { $0.0 == key }?.1
                switch (now, then) {
                case (nil, nil): continue
                case (nil, _): out.append("\(file) \(key) deleted")
                case (_, nil): out.append("\(file) \(key) new")
                case let (a?, b?): if !a.pythonEquals(b) { out.append("\(file) \(key) modified") }
                }
            }
        }
        return out
    }

    // MARK: Recording

    /// The lock entry of `stage` as it stands now: deps and params read after the run, outs
    /// hashed. Throws when a declared out or params key is missing.
    public func currentRecord(_ stage: DVCStageDefinition) throws(InputError) -> DVCLockStage {
        var record = DVCLockStage(command: stage.lockCommand)
        for dep in stage.deps {
            guard let found = try entry(for: dep) else {
                throw InputError("stage '\(stage.address)': the dep '\(dep.spelled)' does not exist", at: stage.location,
                                 hint: "create it, or run 'dvc pull' if DVC tracks it")
            }
            record.deps.append(found)
        }
        for dependency in stage.params {
            guard let values = try loadParams(dependency.file) else {
                throw InputError("stage '\(stage.address)': the params file '\(dependency.file.spelled)' does not exist", at: stage.location)
            }
            var members: [(String, LockValue)] = []
            let keys = dependency.keys.isEmpty ? Self.topLevelKeys(values) : dependency.keys
            var missing: [String] = []
            for key in keys {
                if let value = Self.select(values, key: key) { members.append((key, value)) } else { missing.append(key) }
            }
            if !missing.isEmpty {
                throw InputError("Parameters '\(missing.joined(separator: ", "))' are missing from '\(dependency.file.spelled)'",
                                 at: stage.location, hint: "add them to \(dependency.file.spelled) or remove them from the stage's params")
            }
            members.sort { DVCLockStage.pythonLess($0.0, $1.0) }
            if let at = record.params.firstIndex(where: { $0.file == dependency.file.spelled }) {
                for member in members where !record.params[at].values.contains(where: { $0.0 == member.0 }) {
                    record.params[at].values.append(member)
                }
                record.params[at].values.sort { DVCLockStage.pythonLess($0.0, $1.0) }
            } else {
                record.params.append((dependency.file.spelled, members))
            }
        }
        for out in stage.outs {
            guard let found = try entry(for: out.path) else {
                throw InputError("stage '\(stage.address)' succeeded but did not write its out '\(out.path.spelled)'", at: stage.location,
                                 hint: "make the stage write it, or remove it from the stage's outs")
            }
            record.outs.append(found)
        }
        return record
    }

    /// After a successful run: `.gitignore` entries for cached outs, the outs stored in the
    /// cache (and re-linked), the lock entry written to dvc.lock.
    @discardableResult
    public func commit(_ stage: DVCStageDefinition) throws(InputError) -> DVCLockStage {
        for out in stage.outs where out.cache { try ignore(out.path) }
        hasher.forgetAnswers()
        let record = try currentRecord(stage)
        for out in stage.outs {
            // Cached outs, and `cache: false` metrics and plots of run-cache-eligible stages (DVC's run-cache save copies those).
            let eligible = !stage.deps.isEmpty && !stage.alwaysChanged && !stage.outs.contains { $0.persist }
                && !stage.outs.contains { !$0.cache && $0.kind == .out }
            guard out.cache || (eligible && out.kind != .out) else { continue }
            try store(out.path, relink: out.cache)
        }
        hasher.forgetAnswers()
        try write(stage, record)
        return record
    }

    /// Restores a stage's outs from the cache as its lock entry records them (DVC's "Stage is
    /// cached - skipping run, checking out outputs").
    public func checkout(_ stage: DVCStageDefinition) throws(InputError) {
        guard let record = try recorded(stage) else { return }
        for out in stage.outs where out.cache {
            guard let locked = record.out(out.path.spelled), let md5 = locked.md5 else { continue }
            let current = try entry(for: out.path)
            if current?.md5 == md5 { continue }
            try cache.checkout(md5, to: try hasher.absolutePath(out.path.repositoryPath), executable: locked.isExecutable)
        }
        hasher.forgetAnswers()
    }

    /// Writes the stage's entry into its dvc.lock (in place, or appended) and the file whole.
    public func write(_ stage: DVCStageDefinition, _ record: DVCLockStage) throws(InputError) {
        var lock = try lock(for: stage)
        lock.set(stage.name, record)
        // Rewritten after every stage as `dvc repro` does; made durable once, by flush().
        try lock.write(root: root, durable: false)
        noteWritten(root + "/" + lock.path)
        locks[lock.path] = lock
    }

    /// Makes every dvc.lock and `.gitignore` written since the last flush durable (one fsync
    /// each, not one per stage). Call it when a run ends, successful or not.
    public func flush() throws(InputError) {
        try FileSystem.flush(unflushed)
        unflushed.removeAll()
    }

    private func noteWritten(_ absolute: String) {
        if !unflushed.contains(absolute) { unflushed.append(absolute) }
    }

    func store(_ path: DVCPath, relink: Bool) throws(InputError) {
        let absolute = try hasher.absolutePath(path.repositoryPath)
        guard let digests = try hasher.hash(path.repositoryPath, algorithms: [.md5]) else { return }
        switch digests {
        case .file(let file):
            guard let md5 = file.md5 else { return }
            try cache.commitFile(at: absolute, md5: md5, relink: relink)
        case .directory(let directory):
            try cache.commitDirectory(at: absolute, digests: directory)
        }
    }

    /// The `.gitignore` side effect: `/<name>` appended to the `.gitignore` in the out's parent
    /// directory unless git ignores the path already or the line is there.
    public func ignore(_ path: DVCPath) throws(InputError) {
        let repositoryPath = path.repositoryPath
        if isIgnoredByGit(repositoryPath) { return }
        let parent = FileSystem.parent(of: repositoryPath)
        let name = FileSystem.basename(of: repositoryPath)
        let gitignore = (parent == "." ? "" : parent + "/") + ".gitignore"
        let absolute = root + "/" + gitignore
        var bytes: [UInt8] = FileSystem.exists(absolute) ? try FileSystem.read(absolute, limit: 16 << 20, display: gitignore) : []
        let entry = "/" + Self.escapeIgnore(name)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        if lines.contains(where: { $0 == entry }) { return }
        if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
        bytes += Array((entry + "\n").utf8)
        try FileSystem.writeAtomically(absolute, bytes, durable: false)
        noteWritten(absolute)
    }

    /// `GitWildMatchPattern.escape`: a backslash before `[]!*#?` characters.
    static func escapeIgnore(_ name: String) -> String {
        var out = ""
        for c in name {
            if "[]!*#?".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    // MARK: Hashing

    /// The lock entry a path would get now (`nil` when absent).
    public func entry(for path: DVCPath) throws(InputError) -> DVCLockEntry? {
        guard let digests = try hasher.hash(path.repositoryPath, algorithms: [.md5]) else { return nil }
        switch digests {
        case .file(let file):
            let executable = Self.isExecutable(try hasher.absolutePath(path.repositoryPath))
            return DVCLockEntry(path: path.spelled, md5: file.md5, size: file.size, isExecutable: executable)
        case .directory(let directory):
            return DVCLockEntry(path: path.spelled, md5: directory.dvcHash(), size: directory.size, fileCount: directory.count)
        }
    }

    static func isExecutable(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_mode & S_IXUSR != 0
    }

    // MARK: Params

    private var paramsCache: [String: LockValue?] = [:]

    func loadParams(_ file: DVCPath) throws(InputError) -> LockValue? {
        if let known = paramsCache[file.repositoryPath] { return known }
        let loaded: LockValue?
        do { loaded = try readParams(file.repositoryPath) } catch let error as InputError { throw error } catch {
            throw InputError("\(file.repositoryPath): \(error)")
        }
        paramsCache[file.repositoryPath] = loaded
        return loaded
    }

    /// Forgets params files read (a stage may have rewritten them).
    public func forgetParams() { paramsCache.removeAll() }

    /// The params file by its suffix as DVC loads it (YAML 1.2, JSON, TOML, Python); `nil`
    /// when it does not exist.
    public static func defaultParams(root: String, path: String) throws(InputError) -> LockValue? {
        let absolute = root + "/" + path
        guard FileSystem.exists(absolute) else { return nil }
        return LockValue(json: try ParamsDocument.load(absolute, display: path))
    }

    static func topLevelKeys(_ value: LockValue) -> [String] {
        guard case .mapping(let members) = value else { return [] }
        return members.map(\.0).sorted { DVCLockStage.pythonLess($0, $1) }
    }

    /// The value at a dotted key (`train.lr`), or `nil`.
    static func select(_ value: LockValue, key: String) -> LockValue? {
        if let direct = value[key] { return direct }
        var current = value
        for part in key.split(separator: ".", omittingEmptySubsequences: false) {
            if case .sequence(let items) = current, let index = Int(part), items.indices.contains(index) {
                current = items[index]
                continue
            }
            guard let next = current[String(part)] else { return nil }
            current = next
        }
        return current
    }
}

extension DVCStageDefinition {
    /// `cmd` as dvc.lock records it: a text, or a list.
    public var lockCommand: LockValue {
        switch cmd {
        case .text(let text): .string(text)
        case .list(let items): .sequence(items.map(LockValue.string))
        }
    }
}
