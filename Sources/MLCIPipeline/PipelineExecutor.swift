#if canImport(Glibc)
import Glibc
#endif
import MLCIConfig
import MLCIDVC
import MLCIHashing
import MLCILineage
import MLCISupport

/// What running the plan did.
public struct PipelineRunResult: Sendable {
    /// The stages that ran, in order (the last may have failed).
    public var results: [StageResult]
    /// The lock as it stands after the run (each successful stage recorded).
    public var lock: Lock
    /// The stage that failed, if any; later stages did not run.
    public var failedStage: String?
    /// Outs a successful stage did not produce.
    public var missingOuts: [(stage: String, out: String)]
    /// The signal that interrupted the run, if any.
    public var interruption: Int32?
    /// dvc.yaml stages whose outs were checked out from the DVC cache instead of running.
    public var restored: [String] = []
    /// dvc.yaml stages found up to date when their turn came (the stages before them left
    /// their deps as they were).
    public var upToDateAfterUpstream: [String] = []
}

/// Runs the stages a ``Plan`` selects, in order, and records each successful stage in
/// mlci.lock (written atomically after every stage): its command, the hashes of its deps and
/// outs, the params values it used and the metrics it wrote. A failure stops the sequence;
/// nothing of a failed or interrupted stage is recorded.
///
/// Not thread-safe.
public struct PipelineExecutor {
    public let workspace: Workspace
    public let runner: StageRunner
    /// Checks a stage's metrics before the stage is recorded (the gate's keys must be numbers):
    /// bad metrics stop the run with nothing of that stage written to mlci.lock.
    public var checkMetrics: ((_ file: String, _ values: [String: JSONValue]) throws -> Void)?
    /// Records dvc.yaml stages (dvc.lock, the DVC cache); required when the plan has any.
    public var dvcStore: DVCStageStore?
    /// Told when a stage starts (before its command runs), for progress output.
    public var onStageStart: ((PlannedStage) -> Void)?

    public init(workspace: Workspace, runner: StageRunner) {
        self.workspace = workspace
        self.runner = runner
    }

    public func execute(_ plan: Plan, lock initial: Lock, environment: [String: String]) throws -> PipelineRunResult {
        var lock = initial
        var results: [StageResult] = []
        var missing: [(stage: String, out: String)] = []
        let planner = Planner(workspace: workspace, lock: initial)
        let modelPaths = Set(workspace.config.models)
        let dataPaths = Set(workspace.config.data.map(\.path))
        var restored: [String] = []
        var upToDate: [String] = []
        // A run that stops with an error still makes what it recorded durable.
        defer { try? dvcStore?.flush() }
        func finish(failed: String?, interruption: Int32? = nil) throws -> PipelineRunResult {
            // What the stages recorded in dvc.lock is made durable once, at the end.
            try dvcStore?.flush()
            return PipelineRunResult(results: results, lock: lock, failedStage: failed, missingOuts: missing, interruption: interruption,
                              restored: restored, upToDateAfterUpstream: upToDate)
        }
        for planned in plan.stages where planned.decision.action == .run {
            let stage = planned.stage
            if let definition = planned.dvc {
                guard let store = dvcStore else { throw InputError("internal: a dvc.yaml stage without a dvc.lock store") }
                var planned = planned
                if planned.recheck {
                    workspace.hasher.forgetAnswers()
                    store.forgetParams()
                    let status = try store.status(of: definition)
                    if status.isUpToDate { upToDate.append(definition.address); continue }
                    planned.restoreFromCache = status.restorableFromCache && !definition.alwaysChanged
                }
                onStageStart?(planned)
                if planned.restoreFromCache {
                    try store.checkout(definition)
                    restored.append(definition.address)
                    continue
                }
                if planned.rerecordOnly {
                    try store.commit(definition)
                    continue
                }
                // Non-persist outs go before the run, as `dvc repro` removes them.
                for out in definition.outs where !out.persist { try removeOut(out.path.repositoryPath, stage: stage) }
                var env = environment
                if (runner.environment["DVC_ROOT"] ?? "").isEmpty { env["DVC_ROOT"] = workspace.root }
                env["DVC_STAGE"] = definition.address
                let result = runner.run(stage, extraEnvironment: env)
                workspace.hasher.forgetAnswers()
                store.forgetParams()
                results.append(result)
                switch result.outcome {
                case .interrupted(let signal): return try finish(failed: definition.address, interruption: signal)
                case .succeeded: break
                default: return try finish(failed: definition.address)
                }
                let absent = try definition.outs.filter { try workspace.hasher.hash($0.path.repositoryPath, algorithms: [.md5]) == nil }
                if !absent.isEmpty {
                    missing += absent.map { (definition.address, $0.path.repositoryPath) }
                    return try finish(failed: definition.address)
                }
                try store.commit(definition)
                continue
            }
            onStageStart?(planned)
            // As DVC does, a stage's outs are removed before it runs: stale outs of an earlier
            // run must never pass for this run's.
            for out in stage.outs + stage.metrics { try removeOut(out, stage: stage) }
            var env = environment
            env["MLCI_STAGE"] = stage.name
            let result = runner.run(stage, extraEnvironment: env)
            workspace.hasher.forgetAnswers()  // the stage may have changed any file
            results.append(result)
            switch result.outcome {
            case .interrupted(let signal):
                return PipelineRunResult(results: results, lock: lock, failedStage: stage.name, missingOuts: missing, interruption: signal)
            case .succeeded:
                break
            default:
                return PipelineRunResult(results: results, lock: lock, failedStage: stage.name, missingOuts: missing, interruption: nil)
            }
            var record = StageLock(command: stage.command)
            for dep in stage.deps {
                if let found = try workspace.hasher.hash(dep, algorithms: [.sha256]) { record.deps[dep] = Self.artifact(found) }
            }
            record.params = try planner.currentParams(stage)
            var produced = true
            for file in stage.metrics where try workspace.hasher.hash(file, algorithms: [.sha256]) == nil {
                throw InputError("stage '\(stage.name)' succeeded but did not write its metrics file '\(file)'", at: stage.location,
                                 hint: "make the stage write \(file), or remove it from the stage's metrics")
            }
            for out in stage.outs + stage.metrics {
                guard let found = try workspace.hasher.hash(out, algorithms: [.sha256]) else {
                    missing.append((stage.name, out))
                    produced = false
                    continue
                }
                record.outs[out] = Self.artifact(found)
                if dataPaths.contains(out) { lock.data[out] = Self.artifact(found) }
                if modelPaths.contains(out) { lock.models[out] = Self.artifact(found) }
            }
            if !produced {
                return PipelineRunResult(results: results, lock: lock, failedStage: stage.name, missingOuts: missing, interruption: nil)
            }
            for file in stage.metrics {
                let bytes = try FileSystem.read(try workspace.hasher.absolutePath(file), limit: 16 << 20, display: file)
                let values = try MetricsFile.parse(bytes, file: file)
                try checkMetrics?(file, values)
                record.metrics[file] = values
            }
            lock.stages[stage.name] = record
            try lock.write(root: workspace.root)
        }
        workspace.saveCache()
        return try finish(failed: nil)
    }

    private func removeOut(_ out: String, stage: Stage) throws {
        let path = try workspace.hasher.absolutePath(out)
        guard out != ".", out != ".git", !out.hasPrefix(".git/"), out != "mlci.yaml", out != Lock.fileName else {
            throw InputError("stage '\(stage.name)' declares '\(out)' as an out; mlci will not delete it before the run",
                             at: stage.location, hint: "declare the files the stage writes, not the repository or mlci's files")
        }
        guard FileSystem.exists(path) else { return }
        do {
            try FileSystem.removeTree(path)
        } catch {
            throw InputError("cannot remove the old out '\(out)' of stage '\(stage.name)' before running it: \(error.diagnostics.map(\.message).joined(separator: "; "))",
                             at: stage.location)
        }
    }

    static func artifact(_ digests: PathDigests) -> LockedArtifact {
        LockedArtifact(sha256: digests.sha256 ?? "", size: digests.size, files: digests.isDirectory ? digests.fileCount : nil)
    }
}
