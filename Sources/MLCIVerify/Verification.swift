import MLCIChecks
import MLCIConfig
import MLCIGit
import MLCIHashing
import MLCIData
import MLCIDVC
import MLCILineage
import MLCIModelScan
import MLCIPipeline
import MLCISupport
import MLCITrust

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `mlci verify` and `mlci ci` were asked to do.
public struct VerifyOptions: Sendable {
    /// Compare with this branch or revision instead of `target` (or the PR/MR target in CI).
    public var base: String?
    public var force = false
    public var stage: String?
    public var dryRun = false
    /// Do not write the verdict note.
    public var noRecord = false
    public var ci: CIContext?
    /// Signs the recorded note (OpenSSH SSHSIG, namespace ``SignedNote/verdictNamespace``).
    public var signingKey: SSHSigningKey?

    public init(base: String? = nil, force: Bool = false, stage: String? = nil, dryRun: Bool = false,
                noRecord: Bool = false, ci: CIContext? = nil, signingKey: SSHSigningKey? = nil) {
        self.signingKey = signingKey
        self.base = base
        self.force = force
        self.stage = stage
        self.dryRun = dryRun
        self.noRecord = noRecord
        self.ci = ci
    }
}

/// A stage was interrupted by Ctrl-C or SIGTERM: nothing of it was recorded, no verdict.
public struct InterruptedError: Error, Sendable, CustomStringConvertible {
    public let stage: String
    public let signal: Int32
    public var description: String {
        "interrupted by \(Interrupts.name(signal)) during stage '\(stage)'; its processes were stopped and nothing of it was recorded"
    }
}

/// The gate: the change against the baseline, the plan, the run, the checks, the verdict and
/// its record — config + repository → plan → run → findings → verdict → ledger.
///
/// Not thread-safe: one per command.
public final class Verification {
    public let workspace: Workspace
    public let options: VerifyOptions
    /// Receives stage output and progress lines as they happen.
    public var echo: ((String) -> Void)?
    /// Receives the plan before any stage runs.
    public var onPlan: ((Plan) -> Void)?
    /// Told when each stage starts.
    public var onStageStart: ((PlannedStage) -> Void)?
    /// Told while a stage runs: its name and elapsed seconds.
    public var onTick: ((String, Double) -> Void)?
    public static let tool = "mlci \(Version.current)"

    public init(workspace: Workspace, options: VerifyOptions) {
        self.workspace = workspace
        self.options = options
    }

    public func run() throws -> VerdictDocument {
        let repository = workspace.repository
        guard let headID = try repository.head().commit else {
            throw InputError("the repository has no commits yet; commit your project first, then verify it")
        }
        let head = try repository.commit(headID)
        // The commit the verdict belongs to: in CI, the PR/MR head, not a synthetic merge.
        let owner = try recordedCommit(head: head)
        if !options.noRecord && !options.dryRun { try repository.requireValidIdentity() }
        let startedClean = !(try repository.isDirty())
        let baseline = try findBaseline(head: head)
        let change = try summarizeChange(base: baseline.commit)
        let lock = try workspace.lock()
        let dvc = try dvcPipeline()
        let plan: Plan
        do {
            plan = try Planner(workspace: workspace, lock: lock, dvc: dvc).plan(force: options.force, only: options.stage)
        } catch let missing as MissingDVCData {
            throw InputError("data recorded by DVC is not in the workspace: \(missing.paths.joined(separator: ", "))",
                             hint: "run 'dvc pull' to download it (or 'dvc checkout' if it is in the local cache), then verify again")
        }
        onPlan?(plan)
        var stages = plan.stages.map { VerdictDocument.StageLine(name: $0.stage.name, decision: $0.decision, result: nil) }
        let now = Dates.iso8601(Int64(time(nil)), offsetMinutes: 0).replacing("+00:00", with: "Z")

        if options.dryRun {
            return VerdictDocument(verdict: nil, commit: owner, tree: head.tree, tested: head.id, isTreeClean: startedClean, baseline: baseline,
                                   change: change, stages: stages, findings: [], metrics: [], ci: options.ci, recorded: false,
                                   recordExplanation: "dry run: nothing ran and nothing was recorded", time: now, tool: Self.tool)
        }

        Interrupts.install()
        var environment: [String: String] = [:]
        for (key, value) in ProcessEnvironment.current where !key.hasPrefix("MLCI_") { environment[key] = value }
        environment["MLCI_COMMIT"] = head.id.hex
        environment["MLCI_BASE"] = baseline.commit?.hex ?? ""
        environment["MLCI_ROOT"] = workspace.root
        environment["MLCI_REPORTS_DIR"] = workspace.root + "/" + workspace.config.reports.directory
        var runner = StageRunner(root: workspace.root, environment: environment, echo: echo)
        runner.onTick = onTick
        var executor = PipelineExecutor(workspace: workspace, runner: runner)
        executor.dvcStore = dvc?.store
        executor.onStageStart = onStageStart
        let gates = workspace.config.gate.metrics
        let metricsFiles = workspace.config.allMetricsFiles
        executor.checkMetrics = { file, values in
            // A gated key this file must hold (named by the gate, or the only metrics file).
            for gate in gates where gate.file == file || (gate.file == nil && metricsFiles == [file]) {
                _ = try MetricsGate.value(of: gate, in: [file: values], required: true)
            }
        }
        let outcome = try executor.execute(plan, lock: lock, environment: [:])
        if let signal = outcome.interruption, let stage = outcome.failedStage {
            throw InterruptedError(stage: stage, signal: signal)
        }
        for result in outcome.results {
            if let index = stages.firstIndex(where: { $0.name == result.name }) { stages[index].result = result }
        }

        var findings: [Finding] = []
        findings += stageFindings(outcome)
        var comparisons: [MetricComparison] = []
        if outcome.failedStage == nil {
            let candidate = try readMetrics()
            let baselineMetrics = try baseline.commit.map { try workspace.lineage(at: $0).metrics }
            let (metricFindings, metricComparisons) = try MetricsGate.evaluate(
                workspace.config.gate.metrics, candidate: candidate, baseline: baselineMetrics)
            findings += metricFindings
            comparisons = metricComparisons
            findings += try dataFindings()
            findings += try fairnessFindings()
            findings += try driftFindings(baseline: baseline.commit)
            findings += try modelFindings()
            findings += try provenanceFindings(plan: plan, outcome: outcome, startedClean: startedClean)
        } else {
            for later in plan.toRun where !outcome.results.contains(where: { $0.name == later.stage.name }) {
                if let index = stages.firstIndex(where: { $0.name == later.stage.name }) {
                    stages[index].decision = .skip("not run: stage '\(outcome.failedStage!)' failed")
                }
            }
        }
        if workspace.config.gate.checksNothing {
            let allowed = workspace.config.gate.allowEmpty
            findings.append(Finding(
                checkID: "gate.empty", subject: "gate", outcome: allowed ? .passed : .failed, severity: allowed ? .warning : .error,
                message: allowed ? "the gate checks no metric, data, drift, fairness or model (gate.allow_empty: true in \(workspace.config.file))"
                                 : "the gate checks nothing: no metric, data, drift, fairness or model check is configured, so there is nothing to approve (add checks under gate:, or set gate.allow_empty: true to approve anyway)",
                location: workspace.config.gate.provenance.location))
        }
        let verdict: VerdictDocument.Verdict = findings.contains(where: \.rejects) ? .rejected : .approved
        let history = try metricHistory(baseline: baseline, comparisons: comparisons)
        // The verdict belongs to a commit only if the tree verified is exactly that commit's.
        let endedClean = !(try repository.isDirty())
        var document = VerdictDocument(
            verdict: verdict, commit: owner, tree: head.tree, tested: head.id, isTreeClean: endedClean, baseline: baseline, change: change,
            stages: stages, findings: findings, metrics: comparisons, ci: options.ci, recorded: false, recordExplanation: "",
            time: now, tool: Self.tool, history: history)
        if options.noRecord {
            document.recordExplanation = "not recorded (--no-record)"
        } else if !endedClean {
            document.recordExplanation = "not recorded: the working tree differs from \(head.id.short()) (commit the changes and verify again to record the verdict)"
        } else {
            let written = try Ledger(repository: repository, signingKey: options.signingKey).record(document)
            document.recorded = true
            let signed = options.signingKey.map { ", signed with \($0)" } ?? ""
            let which = owner.id == head.id ? "" : " (the head of the change; \(head.id.short()) is the merge CI tested)"
            document.recordExplanation = written
                ? "recorded in refs/notes/mlci for \(owner.id.short())\(which)\(signed)"
                : "already recorded in refs/notes/mlci for \(owner.id.short())\(which)"
        }
        return document
    }

    /// The commit a verdict for `head` belongs to. Outside CI, or when CI built the change's
    /// own commit, `head`. When CI checked out a synthetic merge (GitHub's refs/pull/N/merge,
    /// GitLab's merged-results pipelines), the change's head commit: one of the merge's
    /// parents, named by the CI event (`pull_request.head.sha`,
    /// `CI_MERGE_REQUEST_SOURCE_BRANCH_SHA`). The verdict then records the merged tree tested.
    func recordedCommit(head: CommitInfo) throws -> CommitInfo {
        guard let sha = options.ci?.headSHA, let headID = ObjectID(hex: sha), headID != head.id else { return head }
        guard head.parents.contains(headID) else {
            throw InputError("CI names \(headID.short(12)) as the change's head, but HEAD (\(head.id.short(12))) is neither it nor a merge of it",
                             hint: "check out the pull/merge request's head or its merge ref (actions/checkout does by default)")
        }
        guard workspace.repository.hasCommit(headID) else {
            throw InputError("the change's head \(headID.short(12)) is not in this clone", hint: "fetch it (fetch-depth: 0 in actions/checkout)")
        }
        return try workspace.repository.commit(headID)
    }

    /// The dvc.yaml stages and their store, when the repository has dvc.yaml files.
    func dvcPipeline() throws -> DVCPipelineInput? {
        let repository = workspace.repository
        let pipeline = try DVCPipeline.load(root: workspace.root, isIgnored: { repository.isIgnored($0) })
        guard !pipeline.isEmpty else { return nil }
        let store = DVCStageStore(root: workspace.root, hasher: workspace.hasher, cache: try DVCCache(root: workspace.root))
        store.isIgnoredByGit = { repository.isIgnored($0) }
        var tracked: [String] = []
        if let head = try repository.head().commit {
            for file in try repository.files(at: head).map(\.path) where file.hasSuffix(".dvc") && !file.hasPrefix(".dvc/") {
                let absolute = workspace.root + "/" + file
                guard FileSystem.exists(absolute) else { continue }
                let text = String(decoding: try FileSystem.read(absolute, limit: 1 << 20, display: file), as: UTF8.self)
                tracked += try DVCFiles.parseDVCFile(text, file: file).map(\.path)
            }
        }
        return DVCPipelineInput(stages: pipeline.stages, store: store, trackedData: tracked)
    }

    /// The commit the change is compared with: the merge-base of HEAD and the target branch;
    /// on the target branch itself, HEAD's first parent (the previous champion).
    func findBaseline(head: CommitInfo) throws -> VerdictDocument.Baseline {
        let repository = workspace.repository
        let reference = options.base ?? options.ci?.targetBranch ?? workspace.config.target
        var tip: ObjectID?
        if options.ci != nil { tip = repository.branchTip("origin/\(reference)") }
        tip = tip ?? repository.branchTip(reference)
        if tip == nil, options.base != nil { tip = try workspace.resolve(reference) }
        guard let tip else {
            if repository.isShallow {
                throw InputError("the target branch '\(reference)' is not in this shallow clone",
                                 hint: "fetch it: git fetch origin \(reference) (or fetch-depth: 0 in actions/checkout, GIT_DEPTH: 0 in GitLab)")
            }
            return .init(reference: reference, commit: nil,
                         explanation: "no branch '\(reference)' yet: no baseline, only absolute gates apply")
        }
        // On the target branch itself (or a CI build of a push to it) the champion is the
        // previous commit; on another branch at the same commit, it is that commit.
        let onTarget = (try repository.head().branch == reference) || (options.ci != nil && options.ci?.targetBranch == nil)
        if tip == head.id && !onTarget {
            return .init(reference: reference, commit: head.id, explanation: "HEAD is the tip of '\(reference)': compared with it")
        }
        if tip == head.id {
            guard let parent = head.parents.first else {
                return .init(reference: reference, commit: nil,
                             explanation: "first commit of '\(reference)': no baseline yet, only absolute gates apply")
            }
            guard repository.hasCommit(parent) else {
                throw InputError("the previous commit of '\(reference)' is not in this shallow clone",
                                 hint: "fetch more history: git fetch --deepen=1 (or fetch-depth: 0 in actions/checkout)")
            }
            return .init(reference: reference, commit: parent, explanation: "on '\(reference)': compared with its previous commit \(parent.short())")
        }
        let mergeBase: ObjectID?
        do {
            mergeBase = try repository.mergeBase(head.id, tip)
        } catch {
            guard error.kind == .shallowHistory else { throw error }
            throw InputError("cannot find where HEAD left '\(reference)': this is a shallow clone and the merge-base is not in it",
                             hint: "fetch the whole history: git fetch --unshallow (fetch-depth: 0 in actions/checkout, GIT_DEPTH: 0 in GitLab CI)")
        }
        guard let base = mergeBase else {
            return .init(reference: reference, commit: nil,
                         explanation: "'\(reference)' shares no history with HEAD: no baseline, only absolute gates apply")
        }
        return .init(reference: reference, commit: base, explanation: "merge-base of HEAD and '\(reference)': \(base.short())")
    }

    func summarizeChange(base: ObjectID?) throws -> ChangeSummary {
        let repository = workspace.repository
        let changes = try repository.changesInWorkingTree(from: base).filter { !$0.path.hasPrefix(".mlci/") }
        let lineage = try base.map { try workspace.diff(from: $0, to: nil) }
        let dvcOuts = Set((lineage?.new.artifacts ?? []).filter { $0.recordedIn != nil }.map(\.path))
        let files = changes.map {
            ChangeSummary.File(path: $0.path, status: $0.status, kind: ChangeSummary.classify($0.path, config: workspace.config, dvcOuts: dvcOuts))
        }
        return ChangeSummary(files: files, lineage: lineage)
    }

    /// `7 ms`, `0.42 s`, `12.3 s`.
    public static func seconds(_ value: Double) -> String {
        if value < 1 { return "\(Int((value * 1000).rounded())) ms" }
        return value < 10 ? MetricsGate.format((value * 100).rounded() / 100) + " s" : MetricsGate.format((value * 10).rounded() / 10) + " s"
    }

    func readMetrics() throws -> [String: [String: JSONValue]] {
        var out: [String: [String: JSONValue]] = [:]
        for file in workspace.config.allMetricsFiles {
            let path = try workspace.hasher.absolutePath(file)
            guard FileSystem.exists(path) else {
                let writer = workspace.config.stages.first { $0.metrics.contains(file) }
                throw InputError("the metrics file '\(file)' does not exist", at: writer?.location,
                                 hint: writer.map { "stage '\($0.name)' must write it" } ?? "write it, or remove it from mlci.yaml")
            }
            out[file] = try MetricsFile.parse(try FileSystem.read(path, limit: 16 << 20, display: file), file: file)
        }
        return out
    }

    func stageFindings(_ outcome: PipelineRunResult) -> [Finding] {
        var findings: [Finding] = []
        let stages = Dictionary(workspace.config.stages.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for result in outcome.results {
            let stage = stages[result.name]
            let (_, sentence) = VerdictDocument.describe(result.outcome)
            if result.outcome.isSuccess {
                let missing = outcome.missingOuts.filter { $0.stage == result.name }.map(\.out)
                if missing.isEmpty {
                    findings.append(Finding(checkID: "stage.run", subject: result.name, outcome: .passed,
                                            message: "stage '\(result.name)' succeeded in \(Self.seconds(result.duration))",
                                            location: stage?.location, artifact: result.logPath))
                } else {
                    findings.append(Finding(checkID: "stage.outs", subject: result.name, outcome: .failed,
                                            message: "stage '\(result.name)' succeeded but did not write \(missing.joined(separator: ", "))",
                                            expected: .array(missing.map(JSONValue.string)), location: stage?.location, artifact: result.logPath))
                }
            } else {
                let tail = result.tail.suffix(10)
                let rule = { if case .timedOut = result.outcome { return "stage.timeout" } else { return "stage.run" } }()
                let last = tail.last { !Spaces.trimmed($0).isEmpty }
                findings.append(Finding(checkID: rule, subject: result.name, outcome: .failed,
                                        message: "stage '\(result.name)' \(sentence)" + (last.map { " (last output: \($0))" } ?? ""),
                                        observed: .array(tail.map(JSONValue.string)), location: stage?.location, artifact: result.logPath))
            }
        }
        return findings
    }

    /// The history metric (`reports.history_metric`, or the first gated metric) on the target
    /// branch's last 20 verified commits, read from their notes, oldest first.
    func metricHistory(baseline: VerdictDocument.Baseline, comparisons: [MetricComparison]) throws -> (metric: String, points: [(commit: String, value: Double)])? {
        guard let metric = workspace.config.reports.historyMetric ?? workspace.config.gate.metrics.first?.name,
              let tip = workspace.repository.branchTip("origin/\(baseline.reference)") ?? workspace.repository.branchTip(baseline.reference) else {
            return nil
        }
        let notes = try workspace.repository.notes()
        var points: [(commit: String, value: Double)] = []
        var walked = 0
        try workspace.repository.walk(from: [tip], order: .topological, firstParentOnly: true) { (id: ObjectID) throws(GitError) -> Bool in
            walked += 1
            if let text = notes[id], let note = try? JSONParser().parse(text), let value = note["metrics"]?[metric]?.doubleValue {
                points.append((id.short(), value))
            }
            return points.count < 20 && walked < 500
        }
        guard !points.isEmpty else { return nil }
        return (metric, points.reversed())
    }

    /// `gate.data`: expectations on each listed data file, read from the working tree.
    func dataFindings() throws -> [Finding] {
        guard let section = workspace.config.gate.data, let files = section.value.objectValue else { return [] }
        var findings: [Finding] = []
        for (path, spec) in files {
            let absolute = try workspace.hasher.absolutePath(path)
            let format = spec["format"]?.stringValue.flatMap(TableFormat.init(rawValue:))
            let table = try TableReader.read(path: absolute, display: path, format: format)
            findings += try DataGate.evaluate(table, spec: spec, location: section.location)
        }
        return findings
    }

    /// `gate.drift`: each data file against its reference — an explicit `reference` file, or
    /// the same file at the baseline commit, read through git without a checkout.
    func driftFindings(baseline: ObjectID?) throws -> [Finding] {
        guard let section = workspace.config.gate.drift else { return [] }
        let spec = section.value
        let paths = spec["data"]?.stringValue.map { [$0] } ?? spec["data"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var findings: [Finding] = []
        for path in paths {
            let current = try TableReader.read(path: try workspace.hasher.absolutePath(path), display: path)
            let reference: Table
            if let explicit = spec["reference"]?.stringValue {
                reference = try TableReader.read(path: try workspace.hasher.absolutePath(explicit), display: explicit)
            } else if let baseline, let bytes = try workspace.repository.blob(at: baseline, path: path) {
                reference = try TableReader.parse(bytes, name: "\(baseline.short()):\(path)", format: TableFormat.guess(path))
            } else if let baseline, let cached = try dvcCachedCopy(of: path, at: baseline) {
                reference = try TableReader.read(path: cached, display: "\(baseline.short()):\(path) (DVC cache)", format: TableFormat.guess(path))
            } else {
                findings.append(Finding(checkID: "drift.reference", subject: path, outcome: .skipped, severity: .note,
                                        message: "no reference for \(path) yet (not in git at the baseline, and no 'reference' file): drift was not checked",
                                        location: section.location, artifact: path))
                continue
            }
            let result = try DriftCheck.evaluate(reference: reference, current: current, spec: spec)
            for column in result.columns {
                let score = column.pValue.map { "p-value \(JSONWriter.number($0))" } ?? "\(column.method) \(MetricsGate.format(column.statistic))"
                findings.append(Finding(
                    checkID: "drift.column", subject: "\(path):\(column.column)", outcome: column.drifted ? .failed : .passed, severity: .warning,
                    message: "\(path): column '\(column.column)' \(column.drifted ? "drifted" : "did not drift") (\(column.method), \(score), threshold \(MetricsGate.format(column.threshold)))",
                    observed: column.json, location: section.location, artifact: path))
            }
            let shareMax = spec["share_max"]?.doubleValue ?? 0.5
            findings.append(Finding(
                checkID: "drift.dataset", subject: path, outcome: result.datasetDrift ? .failed : .passed,
                message: "\(path): \(MetricsGate.format(result.share * 100))% of \(result.columns.count) columns drifted (dataset drift at \(MetricsGate.format(shareMax * 100))%)",
                observed: .double(result.share), expected: ["share_max": .double(shareMax)], location: section.location, artifact: path))
        }
        return findings
    }

    /// `gate.fairness`: group fairness of the predictions file a stage wrote.
    func fairnessFindings() throws -> [Finding] {
        guard let section = workspace.config.gate.fairness, let path = section.value["predictions"]?.stringValue else { return [] }
        let table = try TableReader.read(path: try workspace.hasher.absolutePath(path), display: path)
        let (report, _) = try FairnessGate.report(table, spec: section.value)
        return FairnessGate.findings(report, spec: section.value, file: path, location: section.location)
    }

    /// `gate.model`: every listed model file scanned statically.
    func modelFindings() throws -> [Finding] {
        guard let section = workspace.config.gate.model else { return [] }
        let scanner = ModelGate.scanner(for: section.value)
        var results: [ModelScanResult] = []
        for path in ModelGate.paths(section.value) {
            let absolute = try workspace.hasher.absolutePath(path)
            guard FileSystem.exists(absolute) else {
                throw InputError("the model file '\(path)' that gate.model scans does not exist", at: section.location,
                                 hint: "run the stage that writes it, or fix the path")
            }
            results.append(try scanner.scan(path: absolute, display: path))
        }
        return ModelGate.findings(results, waivers: ModelGate.waivers(section.value), location: section.location)
    }

    func provenanceFindings(plan: Plan, outcome: PipelineRunResult, startedClean: Bool) throws -> [Finding] {
        let provenance = workspace.config.gate.provenance
        var findings: [Finding] = []
        if provenance.cleanTree {
            findings.append(Finding(
                checkID: "provenance.clean_tree", subject: "working tree", outcome: startedClean ? .passed : .failed,
                message: startedClean ? "the working tree matched HEAD" : "the working tree had uncommitted changes; commit them before verifying",
                location: provenance.location))
        }
        if provenance.dataTracked {
            let status = try workspace.status()
            for entry in status.entries where entry.role == .data || entry.role == .model {
                let ok = entry.state == .unchanged
                let what: String
                switch entry.state {
                case .unchanged: what = "matches \(entry.recordedIn)"
                case .modified:
                    what = entry.recordedIn.hasPrefix("git") ? "has changes not committed to git; commit them"
                        : "differs from \(entry.recordedIn); run 'mlci lock' (or 'dvc add'/'dvc commit') and commit"
                case .missing: what = "is missing; \(entry.recordedIn) records it"
                case .notLocked: what = "is not in mlci.lock; run 'mlci lock' and commit"
                }
                findings.append(Finding(checkID: "provenance.data_tracked", subject: entry.path, outcome: ok ? .passed : .failed,
                                        message: "\(entry.path) \(what)", observed: .optional(entry.current), expected: .optional(entry.recorded),
                                        location: provenance.location ?? workspace.config.data.first { $0.path == entry.path }?.location,
                                        artifact: entry.path))
            }
        }
        if provenance.dataPushed { findings += try pushedFindings(location: provenance.location) }
        if provenance.outsUnmodified {
            let ran = Set(outcome.results.map(\.name))
            for planned in plan.stages {
                for out in planned.handEditedOuts {
                    let restored = ran.contains(planned.stage.name)
                    findings.append(Finding(
                        checkID: "provenance.outs_unmodified", subject: out, outcome: restored ? .passed : .failed,
                        severity: restored ? .warning : .error,
                        message: restored ? "\(out) had been edited by hand; stage '\(planned.stage.name)' re-ran and rewrote it"
                                          : "\(out) was edited by hand: it differs from what stage '\(planned.stage.name)' produced",
                        location: planned.stage.location, artifact: out))
                }
            }
        }
        return findings
    }
}
