import MLCIConfig
import MLCIGit
import MLCISupport

/// One line of `mlci log`.
public struct LogEntry: Sendable {
    public var commit: CommitInfo
    /// The data and model paths whose content changed in this commit.
    public var changed: [String]
    /// The verdict recorded in the commit's note, if any.
    public var verdict: String?
    /// Why the commit's note was skipped (not an mlci record), if it was.
    public var noteProblem: String? = nil

    public var json: JSONValue {
        ["commit": .string(commit.id.hex),
         "date": .string(Dates.iso8601(commit.authorTime, offsetMinutes: commit.authorOffsetMinutes)),
         "author": .string(commit.authorName), "summary": .string(commit.summary),
         "changed": .array(changed.map(JSONValue.string)), "verdict": .optional(verdict)]
    }
}

extension Workspace {
    /// The commits of `range` (`A..B`, a single revision, or HEAD when `nil`), newest first,
    /// optionally only those that touched `paths`, each with the data and model paths it
    /// changed and its recorded verdict.
    public func log(range: String?, paths: [String] = [], limit: Int? = nil) throws -> [LogEntry] {
        var tips: [ObjectID] = []
        var hidden: [ObjectID] = []
        if let range, let dots = range.firstRange(of: "..") {
            let left = String(range[..<dots.lowerBound])
            let right = String(range[dots.upperBound...])
            if right.hasPrefix(".") { throw InputError("'\(range)': symmetric ranges (A...B) are not supported; use A..B") }
            hidden.append(try resolve(left.isEmpty ? "HEAD" : left))
            tips.append(try resolve(right.isEmpty ? "HEAD" : right))
        } else if let range {
            tips.append(try resolve(range))
        } else {
            guard let head = try repository.head().commit else { return [] }
            tips.append(head)
        }
        var cleanPaths: [String] = []
        for path in paths {
            switch RepositoryPath.normalize(path) {
            case .success(let clean): cleanPaths.append(clean == "." ? "" : clean)
            case .failure(let problem): throw InputError("\(path): \(problem)")
            }
        }
        // The paths whose tree entries tell what data changed: declared data and models, the
        // DVC files of the tip, and mlci.lock.
        var tracked: [String] = config.data.map(\.path) + config.models
        tracked += try repository.files(at: tips[0]).map(\.path).filter(RevisionSnapshot.isDVCFile)
        tracked.append(Lock.fileName)
        var unique: Set<String> = []
        tracked = tracked.filter { unique.insert($0).inserted }

        // A path DVC records (a .dvc file's out, a dvc.lock out: not in git itself) is matched
        // through its record: commits whose record changed that path's md5.
        var gitPaths = cleanPaths.filter { !$0.isEmpty }
        var dvcRequested: [String] = []
        if !gitPaths.isEmpty {
            let outs = try dvcOutputs(at: tips[0], recordFiles: tracked.filter(RevisionSnapshot.isDVCFile))
            var records: [String] = []
            var plain: [String] = []
            for path in gitPaths {
                let matches = outs.filter { Self.overlaps($0.path, path) }
                if matches.isEmpty {
                    plain.append(path)
                } else {
                    dvcRequested.append(path)
                    for match in matches where !records.contains(match.recordedIn) { records.append(match.recordedIn) }
                }
            }
            if !dvcRequested.isEmpty {
                gitPaths = plain + records
                for path in plain where unique.insert(path).inserted { tracked.append(path) }
            }
        }
        let plainRequested = Set(gitPaths)

        let items = try repository.history(from: tips, hiding: hidden, paths: gitPaths, watching: tracked, limit: dvcRequested.isEmpty ? limit : nil)
        if items.isEmpty { return [] }
        let notes = try repository.notes()
        var entries: [LogEntry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            let commit = item.commit
            // The parent is read only when a lock or DVC file changed (a shallow clone may lack it).
            let parent = item.changedWatched.isEmpty ? nil : commit.parents.first.flatMap { repository.hasCommit($0) ? $0 : nil }
            var changed: [String] = []
            for index in item.changedWatched {
                let path = tracked[index]
                if path == Lock.fileName {
                    changed += try lockChanges(commit: commit.id, parent: parent)
                } else if RevisionSnapshot.isDVCFile(path) {
                    changed += try dvcChanges(path: path, commit: commit.id, parent: parent)
                } else {
                    changed.append(path)
                }
            }
            var seen: Set<String> = []
            changed = changed.filter { seen.insert($0).inserted }
            if !dvcRequested.isEmpty {
                let touchedPlain = item.changedWatched.contains { plainRequested.contains(tracked[$0]) && !RevisionSnapshot.isDVCFile(tracked[$0]) }
                let touchedDVC = changed.contains { path in dvcRequested.contains { Self.overlaps(path, $0) } }
                guard touchedPlain || touchedDVC else { continue }
                if let limit, entries.count >= limit { break }
            }
            var verdict: String? = nil
            var problem: String? = nil
            if let text = notes[commit.id] {
                if let note = try? JSONParser().parse(text), note.objectValue != nil {
                    verdict = note["verdict"]?.stringValue
                } else {
                    problem = "the note of \(commit.id.short(12)) on \(Repository.notesReference) is not an mlci record (not a JSON object); it is skipped"
                }
            }
            entries.append(LogEntry(commit: commit, changed: changed, verdict: verdict, noteProblem: problem))
        }
        return entries
    }

    /// Whether one path is the other or lies inside it.
    static func overlaps(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b + "/") || b.hasPrefix(a + "/")
    }

    /// The outs the DVC record files at `commit` name.
    private func dvcOutputs(at commit: ObjectID, recordFiles: [String]) throws -> [DVCOutput] {
        let snapshot = RevisionSnapshot(repository: repository, commit: commit)
        var out: [DVCOutput] = []
        for path in recordFiles {
            guard let bytes = try snapshot.read(path, limit: 64 << 20) else { continue }
            let text = try TextDecoding.utf8(bytes, file: snapshot.display(path))
            out += path.hasSuffix("dvc.lock") ? try DVCFiles.parseLock(text, file: path, display: snapshot.display(path), wdirs: try stageDirectories(besideLock: path, in: snapshot))
                                              : try DVCFiles.parseDVCFile(text, file: path, display: snapshot.display(path))
        }
        return out
    }

    private func lockChanges(commit: ObjectID, parent: ObjectID?) throws -> [String] {
        func load(_ at: ObjectID?) throws -> Lock {
            guard let at else { return Lock() }
            return try lock(in: RevisionSnapshot(repository: repository, commit: at))
        }
        let old = try load(parent)
        let new = try load(commit)
        var out: [String] = []
        for (a, b) in [(old.data, new.data), (old.models, new.models)] {
            for key in Set(a.keys).union(b.keys).sorted() where a[key]?.sha256 != b[key]?.sha256 { out.append(key) }
        }
        return out
    }

    private func dvcChanges(path: String, commit: ObjectID, parent: ObjectID?) throws -> [String] {
        func outputs(_ at: ObjectID?) throws -> [String: String] {
            guard let at else { return [:] }
            let snapshot = RevisionSnapshot(repository: repository, commit: at)
            guard let bytes = try snapshot.read(path, limit: 64 << 20) else { return [:] }
            let text = try TextDecoding.utf8(bytes, file: snapshot.display(path))
            let outs = path.hasSuffix("dvc.lock") ? try DVCFiles.parseLock(text, file: path, display: snapshot.display(path), wdirs: try stageDirectories(besideLock: path, in: snapshot))
                                                  : try DVCFiles.parseDVCFile(text, file: path, display: snapshot.display(path))
            return Dictionary(outs.map { ($0.path, $0.md5) }, uniquingKeysWith: { a, _ in a })
        }
        let old = try outputs(parent)
        let new = try outputs(commit)
        return Set(old.keys).union(new.keys).sorted().filter { old[$0] != new[$0] }
    }
}
