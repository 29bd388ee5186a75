import MLCIConfig
import MLCIDVC
import MLCISupport

/// The dvc.yaml stages a plan covers and the store that records them (dvc.lock, the DVC cache).
public struct DVCPipelineInput {
    public var stages: [DVCStageDefinition]
    public var store: DVCStageStore
    /// Repository-relative paths `.dvc` files record (`dvc add`-ed data).
    public var trackedData: [String]

    public init(stages: [DVCStageDefinition], store: DVCStageStore, trackedData: [String] = []) {
        self.stages = stages
        self.store = store
        self.trackedData = trackedData
    }
}

/// Data DVC records that this copy of the repository does not have: `dvc pull` brings it.
public struct MissingDVCData: Error, Sendable {
    public var paths: [String]
}

extension Planner {
    /// dvc.yaml stages in the order `dvc repro` runs them: a depth-first post-order over the
    /// graph of path overlaps, stages in definition order, deps in listed order; a frozen
    /// stage's upstream is not followed through it.
    public static func executionOrder(_ stages: [DVCStageDefinition]) -> [DVCStageDefinition] {
        var producers: [(path: String, index: Int)] = []
        for (index, stage) in stages.enumerated() {
            for out in stage.outs { producers.append((out.path.repositoryPath, index)) }
        }
        var visited = Set<Int>()
        var order: [Int] = []
        func visit(_ index: Int) {
            guard visited.insert(index).inserted else { return }
            if !stages[index].frozen {
                for dep in stages[index].deps {
                    for producer in producers where producer.index != index && SemanticPaths.overlaps(dep.repositoryPath, producer.path) {
                        visit(producer.index)
                    }
                }
            }
            order.append(index)
        }
        for index in stages.indices { visit(index) }
        return order.map { stages[$0] }
    }

    /// Decides the dvc.yaml stages with `dvc status`'s rules; a stage after one that runs is
    /// re-checked when its turn comes. Throws ``MissingDVCData`` (before anything runs) when
    /// recorded outs are in neither the workspace nor the cache.
    func planDVC(_ input: DVCPipelineInput, force: Bool, only: String?, planned: inout [PlannedStage],
                 willChange: inout [String: String]) throws -> [String] {
        var notPulled: [String] = []
        for definition in Self.executionOrder(input.stages) {
            let stage = Self.runnable(definition, root: workspace.root)
            var item = PlannedStage(stage: stage, decision: .skip("up to date (dvc status: nothing changed)"), handEditedOuts: [], dvc: definition)
            if let only, only != definition.address {
                item.decision = .skip("not selected (--stage \(only))")
                planned.append(item)
                continue
            }
            let status = try input.store.status(of: definition)
            notPulled += status.notPulled.map(\.repositoryPath)
            var reasons = status.reasons
            if force { reasons.insert("--force", at: 0) }
            if only != nil && reasons.isEmpty { reasons.append("selected with --stage") }
            let changing = willChange
            let upstream = definition.frozen ? nil : definition.deps.compactMap { dep in
                changing.first { SemanticPaths.overlaps(dep.repositoryPath, $0.key) }?.value
            }.first
            if definition.frozen && !status.frozenOutsChanged && !force && only == nil {
                item.decision = .skip("frozen")
            } else if definition.frozen && status.frozenOutsChanged && !force {
                item.decision = .run(["frozen, outs changed: re-recorded without running"])
                item.rerecordOnly = true
            } else if !reasons.isEmpty {
                item.decision = .run(reasons)
                item.restoreFromCache = status.restorableFromCache && !force && !definition.alwaysChanged
                if item.restoreFromCache { item.decision.reasons.append("outs restored from the DVC cache (command, deps and params unchanged)") }
            } else if let upstream {
                item.decision = .run(["runs if the outs of '\(upstream)' change"])
                item.recheck = true
            }
            if item.decision.action == .run {
                for out in definition.outs { willChange[out.path.repositoryPath] = definition.address }
            }
            planned.append(item)
        }
        return notPulled
    }

    /// `.dvc`-tracked paths absent from the workspace.
    func missingTrackedData() throws -> [String] {
        guard let dvc else { return [] }
        return try dvc.trackedData.filter { !FileSystem.exists(try workspace.hasher.absolutePath($0)) }
    }

    /// The stage the runner runs for a dvc.yaml stage: its commands in its working directory
    /// through `$SHELL` as `dvc repro` runs them.
    static func runnable(_ definition: DVCStageDefinition, root: String) -> Stage {
        let shellPath = ProcessShell.path
        var shell = [shellPath]
        let name = FileSystem.basename(of: shellPath)
        if name == "bash" { shell += ["--noprofile", "--norc"] }
        if name == "zsh" { shell += ["--no-rcs"] }
        let outs = definition.outs.map(\.path.repositoryPath)
        return Stage(name: definition.address, commands: definition.commands, deps: definition.deps.map(\.repositoryPath),
                     outs: outs, alwaysChanged: definition.alwaysChanged, location: definition.location,
                     workingDirectory: definition.workingDirectory, shell: shell)
    }
}

/// `$SHELL`, or `/bin/sh` when unset, as DVC picks the shell for stage commands.
enum ProcessShell {
    static var path: String {
        if let value = getenv("SHELL") {
            let text = String(cString: value)
            if !text.isEmpty { return text }
        }
        return "/bin/sh"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
