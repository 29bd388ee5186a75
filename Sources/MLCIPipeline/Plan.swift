import MLCIConfig
import MLCIDVC
import MLCISupport

/// Why a stage runs or is skipped, in words users see.
public struct StageDecision: Sendable, Equatable {
    public enum Action: String, Sendable { case run, skip }
    public var action: Action
    /// Each reason, e.g. "dep data/train.csv changed", "params train.lr changed: 0.01 → 0.02".
    public var reasons: [String]

    public static func run(_ reasons: [String]) -> StageDecision { StageDecision(action: .run, reasons: reasons) }
    public static func skip(_ reason: String) -> StageDecision { StageDecision(action: .skip, reasons: [reason]) }
}

/// One stage with what the planner decided.
public struct PlannedStage: Sendable {
    public var stage: Stage
    public var decision: StageDecision
    /// Outs that differ from the lock while nothing the stage depends on changed: edited by hand.
    public var handEditedOuts: [String]
    /// The dvc.yaml stage this is (recorded in dvc.lock), or `nil` for an mlci.yaml stage
    /// (recorded in mlci.lock). A stage is never recorded in both.
    public var dvc: DVCStageDefinition? = nil
    /// Up to date by itself, but a stage before it runs: decided again once that one ran
    /// (DVC re-runs it only if the upstream outs actually changed).
    public var recheck = false
    /// Outs to restore from the DVC cache instead of running (command, deps and params unchanged).
    public var restoreFromCache = false
    /// A frozen stage whose outs changed: re-recorded without running, as DVC does.
    public var rerecordOnly = false
}

/// What `mlci verify` will run, in order.
public struct Plan: Sendable {
    public var stages: [PlannedStage]

    public var toRun: [PlannedStage] { stages.filter { $0.decision.action == .run } }

    public var json: JSONValue {
        .array(stages.map { planned in
            ["stage": .string(planned.stage.name), "action": .string(planned.decision.action.rawValue),
             "reasons": .array(planned.decision.reasons.map(JSONValue.string))]
        })
    }
}
