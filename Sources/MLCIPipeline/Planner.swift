import MLCIConfig
import MLCIDVC
import MLCIHashing
import MLCILineage
import MLCISupport

/// Decides which stages run, with DVC's rules (`dvc repro`): a stage runs when it has no
/// record yet, its command changed, a dep's content changed (or the dep is new), a params key
/// it uses changed, one of its outs is missing or differs from the record, or it is
/// `always_changed`; and so does every stage after it that depends on its outs. A changed
/// params key the stage does not use, or a touched file with the same content, does not.
///
/// Not thread-safe: uses the workspace's hasher.
public struct Planner {
    public let workspace: Workspace
    public let lock: Lock
    /// The dvc.yaml stages, planned first and recorded in dvc.lock; `nil` without dvc.yaml.
    public var dvc: DVCPipelineInput?

    public init(workspace: Workspace, lock: Lock, dvc: DVCPipelineInput? = nil) {
        self.workspace = workspace
        self.lock = lock
        self.dvc = dvc
    }

    /// - Parameters:
    ///   - force: run every stage.
    ///   - only: run just this stage (others are skipped as not selected).
    public func plan(force: Bool = false, only: String? = nil) throws -> Plan {
        let config = workspace.config
        let dvcNames = dvc?.stages.map(\.address) ?? []
        if let only, !config.stages.contains(where: { $0.name == only }), !dvcNames.contains(only) {
            let names = dvcNames + config.stages.map(\.name)
            let hint = Suggestion.closest(to: only, in: names).map { "did you mean '\($0)'?" }
                ?? (names.isEmpty ? "mlci.yaml defines no stages" : "stages: \(names.joined(separator: ", "))")
            throw InputError("unknown stage '\(only)'", hint: hint)
        }
        var planned: [PlannedStage] = []
        var willChange: [String: String] = [:]  // out path → the stage that will rewrite it
        if let dvc, let twice = config.stages.first(where: { stage in dvc.stages.contains { $0.address == stage.name } }) {
            throw InputError("stage '\(twice.name)' is defined in mlci.yaml and in dvc.yaml; a stage has one record (dvc.lock for dvc.yaml stages)",
                             at: twice.location, hint: "remove it from mlci.yaml's stages: mlci runs dvc.yaml's stages itself")
        }
        if let dvc {
            let notPulled = try planDVC(dvc, force: force, only: only, planned: &planned, willChange: &willChange)
            let absent = try missingTrackedData() + notPulled
            if !absent.isEmpty { throw MissingDVCData(paths: Array(Set(absent)).sorted()) }
        }
        for stage in config.stages {
            var reasons: [String] = []
            var handEdited: [String] = []
            let record = lock.stages[stage.name]
            if let only, only != stage.name {
                planned.append(PlannedStage(stage: stage, decision: .skip("not selected (--stage \(only))"), handEditedOuts: []))
                continue
            }
            if force || only != nil { reasons.append(force ? "--force" : "selected with --stage") }
            if stage.alwaysChanged { reasons.append("always_changed") }
            if record == nil { reasons.append("never ran (no record in mlci.lock)") }
            if let record, record.command != stage.command { reasons.append("command changed") }
            var inputsChanged = false
            for dep in stage.deps {
                if let upstream = willChange.first(where: { SemanticPaths.overlaps(dep, $0.key) })?.value {
                    reasons.append("upstream stage '\(upstream)' runs")
                    inputsChanged = true
                    continue
                }
                guard let current = try workspace.hasher.hash(dep, algorithms: [.sha256])?.sha256 else {
                    throw InputError("stage '\(stage.name)' depends on '\(dep)', which does not exist and no stage before it writes it",
                                     at: stage.location, hint: "create it, or list the stage that writes it first")
                }
                guard let record else { continue }
                if let locked = record.deps[dep] {
                    if locked.sha256 != current { reasons.append("dep \(dep) changed"); inputsChanged = true }
                } else {
                    reasons.append("dep \(dep) is new")
                    inputsChanged = true
                }
            }
            let params = try currentParams(stage)
            if let record {
                for (file, values) in params.sorted(by: { $0.key < $1.key }) {
                    let old = record.params[file] ?? [:]
                    for key in Set(values.keys).union(old.keys).sorted() where values[key] != old[key] {
                        reasons.append("params \(key) changed: \(Self.show(old[key])) → \(Self.show(values[key]))")
                        inputsChanged = true
                    }
                }
            }
            for out in stage.outs + stage.metrics {
                guard let current = try workspace.hasher.hash(out, algorithms: [.sha256]) else {
                    reasons.append("out \(out) is missing")
                    continue
                }
                guard let record else { continue }
                if let locked = record.outs[out] {
                    if locked.sha256 != current.sha256 {
                        reasons.append("out \(out) differs from its record")
                        if !inputsChanged && record.command == stage.command { handEdited.append(out) }
                    }
                } else {
                    reasons.append("out \(out) has no record")
                }
            }
            if stage.deps.isEmpty && stage.outs.isEmpty && stage.metrics.isEmpty && !reasons.contains("always_changed") {
                // DVC's "callback" stage: no deps and no outs, so nothing can tell it is up to date.
                reasons.append("no deps and no outs (runs every time)")
            }
            let decision: StageDecision = reasons.isEmpty ? .skip("up to date: command, deps, params and outs unchanged") : .run(reasons)
            if decision.action == .run { for out in stage.outs + stage.metrics { willChange[out] = stage.name } }
            planned.append(PlannedStage(stage: stage, decision: decision, handEditedOuts: handEdited))
        }
        return Plan(stages: planned)
    }

    /// The current values of the params keys `stage` uses, by params file.
    public func currentParams(_ stage: Stage) throws -> [String: [String: JSONValue]] {
        var out: [String: [String: JSONValue]] = [:]
        for reference in stage.params {
            let file = reference.file.isEmpty ? (workspace.config.paramsFiles.first ?? "params.yaml") : reference.file
            let path = try workspace.hasher.absolutePath(file)
            guard FileSystem.exists(path) else {
                throw InputError("stage '\(stage.name)' uses params from '\(file)', which does not exist", at: stage.location)
            }
            let values = try FlatValues.parse(bytes: try FileSystem.read(path, limit: 16 << 20, display: file), file: file)
            let selected = FlatValues.select(values, keys: reference.keys)
            for key in reference.keys where !selected.keys.contains(where: { $0 == key || $0.hasPrefix(key + ".") }) {
                throw InputError("stage '\(stage.name)' uses params key '\(key)', which \(file) does not have", at: stage.location,
                                 hint: Suggestion.closest(to: key, in: Array(values.keys)).map { "did you mean '\($0)'?" })
            }
            out[file, default: [:]].merge(selected) { _, new in new }
        }
        return out
    }

    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        if case .string(let s) = value { return s }
        return JSONWriter(style: .compact).string(value)
    }
}

/// Path relations shared by the planner and the runner.
public enum SemanticPaths {
    /// Whether `a` and `b` name the same path or one contains the other.
    public static func overlaps(_ a: String, _ b: String) -> Bool {
        a == b || a == "." || b == "." || b.hasPrefix(a + "/") || a.hasPrefix(b + "/")
    }
}
