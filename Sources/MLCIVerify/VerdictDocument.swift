import MLCIChecks
import MLCIGit
import MLCILineage
import MLCIPipeline
import MLCISupport

/// Everything one verification found, in one document: what `--json` prints, what the note
/// records a summary of, and what reports render.
public struct VerdictDocument: Sendable {
    public enum Verdict: String, Sendable { case approved, rejected }

    /// What the change was compared with.
    public struct Baseline: Sendable {
        /// The branch or revision asked for (`main`).
        public var reference: String
        /// The baseline commit (the merge-base), or `nil` when there is none yet.
        public var commit: ObjectID?
        /// Why this commit, or why none, in words.
        public var explanation: String
    }

    /// One stage's line in the summary.
    public struct StageLine: Sendable {
        public var name: String
        public var decision: StageDecision
        public var result: StageResult?
    }

    /// `nil` for `--dry-run`.
    public var verdict: Verdict?
    /// The commit the verdict belongs to (in CI, the change's head).
    public var commit: CommitInfo
    /// The tree that was tested (in CI, possibly a merge of the head into the target).
    public var tree: ObjectID
    /// The commit checked out and tested: `commit`, or the synthetic merge CI made of it.
    public var tested: ObjectID
    public var isTreeClean: Bool
    public var baseline: Baseline
    public var change: ChangeSummary
    public var stages: [StageLine]
    public var findings: [Finding]
    public var metrics: [MetricComparison]
    public var ci: CIContext?
    /// Whether the verdict was written to the commit's note.
    public var recorded: Bool
    public var recordExplanation: String
    public var time: String
    public var tool: String
    /// A metric over the target branch's last verified commits (from the notes ledger).
    public var history: (metric: String, points: [(commit: String, value: Double)])? = nil

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("schema", "mlci.verdict/1"),
            ("verdict", .optional(verdict?.rawValue)),
            ("commit", .string(commit.id.hex)),
            ("tree", .string(tree.hex)),
            ("tested", ["commit": .string(tested.hex), "tree": .string(tree.hex),
                        "merge": .bool(tested != commit.id)]),
            ("clean_tree", .bool(isTreeClean)),
            ("baseline", ["ref": .string(baseline.reference), "commit": .optional(baseline.commit?.hex),
                          "explanation": .string(baseline.explanation)]),
            ("change", change.json),
            ("stages", .array(stages.map { line in
                var stage: [(String, JSONValue)] = [
                    ("name", .string(line.name)), ("action", .string(line.decision.action.rawValue)),
                    ("reasons", .array(line.decision.reasons.map(JSONValue.string))),
                ]
                if let result = line.result {
                    stage.append(("outcome", .string(Self.describe(result.outcome).0)))
                    stage.append(("duration_seconds", .double((result.duration * 1000).rounded() / 1000)))
                    stage.append(("log", .string(result.logPath)))
                }
                return .object(stage)
            })),
            ("checks", .array(findings.map(\.json))),
            ("summary", ["passed": .int(Int64(findings.filter { $0.outcome == .passed }.count)),
                         "failed": .int(Int64(findings.filter { $0.outcome == .failed }.count)),
                         "skipped": .int(Int64(findings.filter { $0.outcome == .skipped }.count))]),
            ("metrics", .array(metrics.map(\.json))),
            ("lineage", ["data": .array(change.lineage?.new.data.map(\.json) ?? []),
                         "models": .array(change.lineage?.new.models.map(\.json) ?? [])]),
            ("ci", ci?.json ?? .null),
            ("history", history.map { h in
                ["metric": .string(h.metric), "points": .array(h.points.map { ["commit": .string($0.commit), "value": .double($0.value)] })]
            } ?? .null),
            ("recorded", .bool(recorded)),
            ("record_explanation", .string(recordExplanation)),
            ("tool", .string(tool)),
            ("time", .string(time)),
        ]
        return .object(members)
    }

    /// The outcome's short name and a sentence.
    public static func describe(_ outcome: StageOutcome) -> (String, String) {
        switch outcome {
        case .succeeded: ("succeeded", "succeeded")
        case .failed(let code): ("failed", "failed with exit code \(code)")
        case .killedBySignal(let signal): ("failed", "was killed by \(Interrupts.name(signal))")
        case .timedOut(let seconds): ("timed-out", "timed out after \(MetricsGate.format(seconds)) s; its processes were stopped")
        case .interrupted(let signal): ("interrupted", "was interrupted by \(Interrupts.name(signal))")
        case .couldNotStart(let why): ("failed", "could not start: \(why)")
        }
    }

    /// The note recorded on `refs/notes/mlci` for the commit, merged with what was there
    /// (promotions are kept). `time` is left out of the comparison that decides whether a
    /// new note is needed.
    func note(merging existing: JSONValue?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("commit", .string(commit.id.hex)),
            ("verdict", .optional(verdict?.rawValue)),
            ("tree", .string(tree.hex)),
            ("baseline", .optional(baseline.commit?.hex)),
            ("metrics", .object(metrics.map { ($0.name, $0.candidate.map(JSONValue.double) ?? .null) })),
            ("data", .object(change.lineage?.new.data.map { ($0.path, .optional($0.hash)) } ?? [])),
            ("models", .object(change.lineage?.new.models.map { ($0.path, .optional($0.hash)) } ?? [])),
            ("checks", ["passed": .int(Int64(findings.filter { $0.outcome == .passed }.count)),
                        "failed": .array(findings.filter { $0.outcome == .failed }.map { .string("\($0.checkID):\($0.subject)") })]),
            ("ci", ci.map { ["provider": .string($0.provider.rawValue), "run_url": .optional($0.runURL)] } ?? .null),
            ("tool", .string(tool)),
            ("time", .string(time)),
        ]
        if tested != commit.id { members.insert(("tested_merge", .string(tested.hex)), at: 3) }
        if let promotions = existing?["promotions"] { members.append(("promotions", promotions)) }
        return .object(members)
    }
}
