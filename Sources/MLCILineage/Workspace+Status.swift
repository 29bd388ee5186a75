import MLCIConfig
import MLCIGit
import MLCIHashing
import MLCISupport

/// How one data or model path in the working tree compares with its record.
public struct StatusEntry: Sendable, Equatable {
    public enum State: String, Sendable {
        case unchanged
        case modified
        /// Recorded, but nothing is at the path.
        case missing
        /// Declared in mlci.yaml but not in mlci.lock yet.
        case notLocked = "not-locked"
    }

    public var path: String
    public var role: ArtifactHash.Role
    public var state: State
    /// The recorded hash (mlci.lock, or DVC's md5).
    public var recorded: String?
    /// The hash of what is on disk.
    public var current: String?
    /// Where the record lives: `mlci.lock` or a DVC file.
    public var recordedIn: String

    public var json: JSONValue {
        ["path": .string(path), "role": .string(role.rawValue), "state": .string(state.rawValue),
         "recorded": .optional(recorded), "current": .optional(current), "recorded_in": .string(recordedIn)]
    }
}

/// The result of `mlci status`.
public struct StatusReport: Sendable {
    public var entries: [StatusEntry]

    /// Whether every declared path matches its record.
    public var isClean: Bool { entries.allSatisfy { $0.state == .unchanged } }

    public var json: JSONValue {
        ["clean": .bool(isClean), "paths": .array(entries.map(\.json))]
    }
}

extension Workspace {
    /// Compares every declared data and model path, and every DVC-tracked output, with what
    /// mlci.lock and the DVC files record. Unchanged files are answered from the hash cache.
    public func status() throws -> StatusReport {
        let lock = try lock()
        let snapshot = WorkingTreeSnapshot(workspace: self)
        var entries: [StatusEntry] = []
        var covered: Set<String> = []
        let modelPaths = Set(config.models)

        let head = try? repository.head().commit
        func compare(_ path: String, role: ArtifactHash.Role) throws {
            guard covered.insert(path).inserted else { return }
            // Git is a record: data committed to git is tracked by its blobs. It matches when
            // the working tree has no change under it (edits, deletions or new files).
            if let head, let entry = try repository.entry(at: head, path: path) {
                let differences = try repository.changesInWorkingTree(from: head, paths: [path])
                let state: StatusEntry.State = differences.isEmpty ? .unchanged
                    : (differences.allSatisfy { $0.status == .deleted } && !FileSystem.exists(root + "/" + path) ? .missing : .modified)
                entries.append(StatusEntry(path: path, role: role, state: state, recorded: entry.id.hex,
                                           current: state == .unchanged ? entry.id.hex : nil, recordedIn: "git (\(head.short()))"))
                return
            }
            let recorded = role == .model ? (lock.models[path] ?? lock.data[path]) : (lock.data[path] ?? lock.models[path])
            let current = try snapshot.hash(path)?.hash
            let state: StatusEntry.State
            switch (recorded, current) {
            case (nil, _): state = .notLocked
            case (.some, nil): state = .missing
            case let (.some(r), .some(c)): state = r.sha256 == c ? .unchanged : .modified
            }
            entries.append(StatusEntry(path: path, role: role, state: state, recorded: recorded?.sha256, current: current,
                                       recordedIn: Lock.fileName))
        }

        let dvc = try dvcOutputs(in: snapshot)
        let dvcPaths = Set(dvc.map(\.path))
        for entry in config.data {
            if case .path(let path) = entry.source, !dvcPaths.contains(path) {
                try compare(path, role: modelPaths.contains(path) ? .model : .data)
            }
        }
        for model in config.models where !dvcPaths.contains(model) { try compare(model, role: .model) }
        for output in dvc where covered.insert(output.path).inserted {
            let current = try snapshot.dvcHash(output.path, legacy: output.isLegacy)
            let state: StatusEntry.State = current == nil ? .missing : (current == output.md5 ? .unchanged : .modified)
            entries.append(StatusEntry(path: output.path, role: modelPaths.contains(output.path) ? .model : .data, state: state,
                                       recorded: output.md5, current: current, recordedIn: output.recordedIn))
        }
        saveCache()
        return StatusReport(entries: entries)
    }

    /// Hashes every declared data and model path and writes mlci.lock, keeping its stage
    /// records. Nothing is written when a declared path is missing.
    ///
    /// - Returns: the lock written and whether its bytes changed.
    public func writeLock() throws -> (lock: Lock, changed: Bool) {
        var lock = try lock()
        let before = lock.serialized()
        let snapshot = WorkingTreeSnapshot(workspace: self)
        var data: [String: LockedArtifact] = [:]
        var models: [String: LockedArtifact] = [:]
        var problems: [Diagnostic] = []
        let modelPaths = Set(config.models)
        let dvcPaths = Set(try dvcOutputs(in: snapshot).map(\.path))
        var declared: [(String, ArtifactHash.Role, SourceLocation?)] = []
        for entry in config.data {
            if case .path(let path) = entry.source, !dvcPaths.contains(path) {
                declared.append((path, modelPaths.contains(path) ? .model : .data, entry.location))
            }
        }
        for model in config.models where !dvcPaths.contains(model) && !declared.contains(where: { $0.0 == model }) {
            declared.append((model, .model, nil))
        }
        let stageOuts = Set(config.stages.flatMap { $0.outs + $0.metrics })
        for (path, role, location) in declared {
            guard let found = try snapshot.hash(path) else {
                // A stage will write it; `mlci verify` records it when it does.
                if stageOuts.contains(path) { continue }
                problems.append(.error("'\(path)' is declared in mlci.yaml but does not exist", at: location,
                                       hint: "create it (run the stage that writes it), or remove it from mlci.yaml"))
                continue
            }
            let artifact = LockedArtifact(sha256: found.hash, size: found.size, files: found.files)
            if role == .model { models[path] = artifact } else { data[path] = artifact }
        }
        if !problems.isEmpty { throw InputError(problems) }
        lock.data = data
        lock.models = models
        // Stage records of stages no longer configured are dropped.
        let stageNames = Set(config.stages.map(\.name))
        lock.stages = lock.stages.filter { stageNames.contains($0.key) }
        let changed = lock.serialized() != before || !FileSystem.exists(root + "/" + Lock.fileName)
        if changed { try lock.write(root: root) }
        saveCache()
        return (lock, changed)
    }
}
