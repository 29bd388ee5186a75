import MLCIConfig
import MLCIGit
import MLCIHashing
import MLCISupport

extension Workspace {
    /// The lineage of a commit, read through libgit2 without a checkout.
    ///
    /// Uses the commit's own mlci.yaml when it has a valid one (the paths it declared then),
    /// otherwise the working tree's.
    public func lineage(at commit: ObjectID) throws -> LineageRecord {
        let snapshot = RevisionSnapshot(repository: repository, commit: commit)
        var warnings: [String] = []
        var config = self.config
        if let bytes = try snapshot.read("mlci.yaml", limit: ConfigLoader.sizeLimit) {
            do {
                config = try ConfigLoader.parse(try TextDecoding.utf8(bytes, file: snapshot.display("mlci.yaml")),
                                                file: snapshot.display("mlci.yaml"))
            } catch {
                warnings.append("\(snapshot.display("mlci.yaml")) is not valid; using the working tree's mlci.yaml to read this commit")
            }
        }
        var record = try lineage(of: snapshot, config: config)
        record.commit = try repository.commit(commit)
        record.warnings = warnings + record.warnings
        if let text = try repository.note(for: commit) {
            do {
                let note = try JSONParser().parse(text)
                if note.objectValue != nil {
                    record.note = note
                } else {
                    record.warnings.append("the note of \(commit.short()) on \(Repository.notesReference) is not an mlci record (not a JSON object); it is ignored")
                }
            } catch {
                record.warnings.append("the note of \(commit.short()) on \(Repository.notesReference) is not valid JSON (\(error)); it is ignored")
            }
        }
        return record
    }

    /// The lineage of the working tree: everything hashed from disk (through the cache).
    public func workingTreeLineage() throws -> LineageRecord {
        let record = try lineage(of: WorkingTreeSnapshot(workspace: self), config: config)
        saveCache()
        return record
    }

    func lock(in snapshot: Snapshot) throws -> Lock {
        guard let bytes = try snapshot.read(Lock.fileName, limit: 256 << 20) else { return Lock() }
        let name = snapshot.display(Lock.fileName)
        return try Lock.parse(try TextDecoding.utf8(bytes, file: name), file: name)
    }

    /// Every DVC output recorded in the snapshot's `.dvc` files and `dvc.lock`s.
    func dvcOutputs(in snapshot: Snapshot) throws -> [DVCOutput] {
        var outputs: [DVCOutput] = []
        for file in try snapshot.dvcFiles() {
            guard let bytes = try snapshot.read(file, limit: 64 << 20) else { continue }
            let name = snapshot.display(file)
            let text = try TextDecoding.utf8(bytes, file: name)
            outputs += file.hasSuffix("dvc.lock") ? try DVCFiles.parseLock(text, file: file, display: name, wdirs: try stageDirectories(besideLock: file, in: snapshot))
                                                  : try DVCFiles.parseDVCFile(text, file: file, display: name)
        }
        return outputs
    }

    /// The DVC cache file of an md5 in this repository's cache (DVC 3's `files/md5/` layout, or
    /// DVC 2's), when present.
    func dvcCacheObject(_ md5: String) throws -> String? {
        guard !md5.hasSuffix(".dir"), md5.utf8.count == 32 else { return nil }
        let cache = try dvcCacheDirectory()
        for candidate in ["\(cache)/files/md5/\(md5.prefix(2))/\(md5.dropFirst(2))", "\(cache)/\(md5.prefix(2))/\(md5.dropFirst(2))"]
        where FileSystem.exists(candidate) {
            return candidate
        }
        return nil
    }

    /// The directory out that holds `file`, and `file`'s path inside it.
    func dvcDirectory(containing file: String, in outputs: [String: DVCOutput]) -> (DVCOutput, String)? {
        var prefix = file
        while let slash = prefix.utf8.lastIndex(of: UInt8(ascii: "/")) {
            prefix = String(prefix[..<slash])
            if let output = outputs[prefix], output.md5.hasSuffix(".dir") {
                return (output, String(file.dropFirst(prefix.count + 1)))
            }
        }
        return nil
    }

    /// The cache object of `relative` inside the `.dir` listing `md5`, when both are here.
    func dvcCacheMember(of md5: String, _ relative: String) throws -> String? {
        guard md5.hasSuffix(".dir"), md5.utf8.count == 36 else { return nil }
        let cache = try dvcCacheDirectory()
        let name = "\(md5.prefix(2))/\(md5.dropFirst(2))"
        guard let listing = ["\(cache)/files/md5/\(name)", "\(cache)/\(name)"].first(where: { FileSystem.exists($0) }),
              let bytes = try? FileSystem.read(listing, limit: 256 << 20, display: listing),
              let items = (try? JSONParser().parse(bytes))?.arrayValue,
              let member = items.first(where: { $0["relpath"]?.stringValue == relative })?["md5"]?.stringValue
        else { return nil }
        return try dvcCacheObject(member)
    }

    /// The stage `wdir`s of the dvc.yaml beside a dvc.lock in `snapshot`.
    func stageDirectories(besideLock lock: String, in snapshot: Snapshot) throws -> [String: String] {
        let yaml = String(lock.dropLast("dvc.lock".count)) + "dvc.yaml"
        guard let bytes = try snapshot.read(yaml, limit: 16 << 20) else { return [:] }
        return DVCFiles.stageDirectories(dvcYAML: String(decoding: bytes, as: UTF8.self))
    }

    func lineage(of snapshot: Snapshot, config: Config) throws -> LineageRecord {
        let lock = try lock(in: snapshot)
        var artifacts: [ArtifactHash] = []
        var covered: Set<String> = []
        let modelPaths = Set(config.models)
        let dvc = try dvcOutputs(in: snapshot)
        let dvcByPath = Dictionary(dvc.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })

        func add(_ path: String, role: ArtifactHash.Role) throws {
            guard covered.insert(path).inserted else { return }
            if let output = dvcByPath[path] {
                artifacts.append(try dvcArtifact(output, role: role, snapshot: snapshot))
                return
            }
            let locked = role == .model ? (lock.models[path] ?? lock.data[path]) : (lock.data[path] ?? lock.models[path])
            if let found = try snapshot.hash(path) {
                artifacts.append(ArtifactHash(path: path, role: role, hash: found.hash, algorithm: "sha256", source: found.source,
                                              recordedIn: nil, size: found.size, fileCount: found.files, isDirectory: found.isDirectory))
            } else if let locked, snapshot is RevisionSnapshot {
                artifacts.append(ArtifactHash(path: path, role: role, hash: locked.sha256, algorithm: "sha256", source: .lock,
                                              recordedIn: Lock.fileName, size: locked.size, fileCount: locked.files,
                                              isDirectory: locked.sha256.hasSuffix(".dir")))
            } else {
                artifacts.append(ArtifactHash(path: path, role: role, hash: nil, algorithm: "sha256", source: snapshot is RevisionSnapshot ? .git : .workingTree,
                                              recordedIn: nil, size: nil, fileCount: nil, isDirectory: false))
            }
        }

        for entry in config.data {
            switch entry.source {
            case .path(let path): try add(path, role: modelPaths.contains(path) ? .model : .data)
            case .dvc(let file):
                guard let bytes = try snapshot.read(file, limit: 64 << 20) else {
                    throw InputError("\(snapshot.display(file)): no such file; mlci.yaml lists it under data", at: entry.location)
                }
                let outs = try DVCFiles.parseDVCFile(try TextDecoding.utf8(bytes, file: snapshot.display(file)), file: file,
                                                     display: snapshot.display(file))
                for output in outs where covered.insert(output.path).inserted {
                    artifacts.append(try dvcArtifact(output, role: .data, snapshot: snapshot))
                }
            }
        }
        for output in dvc.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) })
        where !covered.contains(output.path) && !modelPaths.contains(output.path) {
            covered.insert(output.path)
            artifacts.append(try dvcArtifact(output, role: .data, snapshot: snapshot))
        }
        for model in config.models { try add(model, role: .model) }

        var params: [String: [String: JSONValue]] = [:]
        for file in paramsFiles(config: config) {
            guard let bytes = try snapshot.read(file, limit: 16 << 20) else { continue }
            params[file] = try FlatValues.parse(bytes: bytes, file: snapshot.display(file))
        }
        // A commit's metrics come from that commit: the file in git, else the out its dvc.lock
        // records (read from the DVC cache), else what its mlci.lock recorded for an mlci.yaml
        // stage. Never another commit's values: when none is there, say so.
        var metrics: [String: [String: JSONValue]] = [:]
        var warnings: [String] = []
        for file in config.allMetricsFiles {
            if let bytes = try snapshot.read(file, limit: 16 << 20) {
                metrics[file] = try MetricsFile.parse(bytes, file: snapshot.display(file))
            } else if let output = dvcByPath[file] {
                if let cached = try dvcCacheObject(output.md5) {
                    metrics[file] = try MetricsFile.parse(try FileSystem.read(cached, limit: 16 << 20, display: cached),
                                                          file: snapshot.display(file) + " (DVC cache)")
                } else if snapshot is RevisionSnapshot {
                    warnings.append("\(snapshot.display(file)) is not in git and its DVC cache object \(output.md5) (\(output.recordedIn)) is not here: its metrics are not shown; 'dvc fetch' may bring it")
                }
            } else if let (output, relative) = dvcDirectory(containing: file, in: dvcByPath) {
                // get-started's shape: the metrics file is inside a directory out (`eval`).
                if let cached = try dvcCacheMember(of: output.md5, relative) {
                    metrics[file] = try MetricsFile.parse(try FileSystem.read(cached, limit: 16 << 20, display: cached),
                                                          file: snapshot.display(file) + " (DVC cache)")
                } else if snapshot is RevisionSnapshot {
                    warnings.append("\(snapshot.display(file)) is not in git and its DVC cache object in \(output.md5) (\(output.recordedIn)) is not here: its metrics are not shown; 'dvc fetch' may bring it")
                }
            } else if let recorded = lock.stages.values.compactMap({ $0.metrics[file] }).first {
                metrics[file] = recorded
            } else if snapshot is RevisionSnapshot {
                warnings.append("\(snapshot.display(file)) does not exist at this commit and nothing records it: its metrics are not shown")
            }
        }
        return LineageRecord(commit: nil, artifacts: artifacts, params: params, metrics: metrics, note: nil, warnings: warnings)
    }

    private func dvcArtifact(_ output: DVCOutput, role: ArtifactHash.Role, snapshot: Snapshot) throws -> ArtifactHash {
        // At a commit, DVC's record is the answer. In the working tree, hash what is on disk
        // the way DVC would, so that status and diff see edits DVC has not recorded yet.
        if snapshot is WorkingTreeSnapshot {
            let current = try snapshot.dvcHash(output.path, legacy: output.isLegacy)
            return ArtifactHash(path: output.path, role: role, hash: current, algorithm: output.isLegacy ? "md5-dos2unix" : "md5",
                                source: .workingTree, recordedIn: output.recordedIn, size: nil, fileCount: nil,
                                isDirectory: output.isDirectory)
        }
        return ArtifactHash(path: output.path, role: role, hash: output.md5, algorithm: output.isLegacy ? "md5-dos2unix" : "md5",
                            source: .dvc, recordedIn: output.recordedIn, size: output.size, fileCount: output.fileCount,
                            isDirectory: output.isDirectory)
    }
}
