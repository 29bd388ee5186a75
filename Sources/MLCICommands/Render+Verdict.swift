import MLCIChecks
import MLCIPipeline
import MLCISupport
import MLCIVerify

extension Render {
    static func verdict(_ document: VerdictDocument, style: Style) -> String {
        var lines: [String] = []
        let baseline = document.baseline
        lines.append(style.bold("change") + style.dim(" against \(printable(baseline.reference)): \(printable(baseline.explanation))"))
        let change = document.change
        if change.files.isEmpty { lines.append(style.dim("  no files changed")) }
        for kind in [ChangeSummaryKind.code, .data, .params, .model, .config] {
            let files = change.files(kind)
            guard !files.isEmpty else { continue }
            let shown = files.prefix(6).map { "\(printable($0.path)) (\($0.status.rawValue))" }.joined(separator: ", ")
            lines.append("  \(kind.rawValue.padding(7)) \(shown)\(files.count > 6 ? " +\(files.count - 6) more" : "")")
        }
        if let lineage = change.lineage {
            for artifact in lineage.artifacts {
                lines.append("  \(artifact.role.rawValue.padding(7)) \(printable(artifact.path))  \(short(artifact.old)) → \(short(artifact.new))")
            }
            for param in lineage.params {
                lines.append("  params  \(printable(param.key)): \(param.old.map(value) ?? "-") → \(param.new.map(value) ?? "-")")
            }
        }

        if !document.stages.isEmpty {
            lines.append("")
            lines.append(style.bold("stages"))
            let width = document.stages.map(\.name.count).max() ?? 0
            for stage in document.stages {
                let name = printable(stage.name).padding(width)
                if let result = stage.result {
                    let (short, sentence) = VerdictDocument.describe(result.outcome)
                    let mark = result.outcome.isSuccess ? style.green("✓") : style.red("✗")
                    let reasons = stage.decision.reasons.map(printable).joined(separator: "; ")
                    let text = result.outcome.isSuccess ? "ran \(Verification.seconds(result.duration))" : sentence
                    lines.append("  \(mark) \(name)  \(short == "succeeded" ? text : style.red(text))" + style.dim("  (\(reasons); log \(result.logPath))"))
                } else if stage.decision.action == .run {
                    lines.append("  \(style.cyan("→")) \(name)  would run" + style.dim("  (\(stage.decision.reasons.map(printable).joined(separator: "; ")))"))
                } else {
                    lines.append("  \(style.dim("·")) \(name)  skipped" + style.dim("  (\(stage.decision.reasons.map(printable).joined(separator: "; ")))"))
                }
            }
        }
        guard let verdict = document.verdict else {
            lines.append("")
            lines.append("dry run: nothing ran, nothing was recorded")
            return lines.joined(separator: "\n")
        }

        let checks = document.findings.filter { $0.checkID != "stage.run" || $0.outcome != .passed }
        if !checks.isEmpty {
            lines.append("")
            lines.append(style.bold("checks"))
            for finding in checks {
                let mark: String
                switch finding.outcome {
                case .passed: mark = style.green("✓")
                case .failed: mark = finding.severity == .error ? style.red("✗") : style.yellow("!")
                case .skipped: mark = style.dim("-")
                }
                var line = "  \(mark) \(finding.checkID)  \(printable(finding.message))"
                if finding.outcome == .failed, let location = finding.location { line += style.dim("  (\(printable(location.description)))") }
                lines.append(line)
            }
        }
        if !document.metrics.isEmpty {
            lines.append("")
            let width = max(6, document.metrics.map(\.name.count).max() ?? 0)
            lines.append(style.bold("metrics".padding(width + 2)) + "  " + "baseline".padding(10) + "  " + "candidate".padding(10) + "  delta")
            for metric in document.metrics {
                let baseline = metric.baseline.map { MetricsGate.format($0) } ?? "-"
                let candidate = metric.candidate.map { MetricsGate.format($0) } ?? "-"
                let delta = metric.delta.map { ($0 >= 0 ? "+" : "") + MetricsGate.format($0) } ?? "-"
                lines.append("  " + printable(metric.name).padding(width) + "  " + baseline.padding(10) + "  " + candidate.padding(10) + "  " + delta)
            }
        }
        lines.append("")
        let failed = document.findings.filter(\.rejects)
        if verdict == .approved {
            let warnings = document.findings.filter { $0.outcome == .failed && $0.severity == .warning }.count
            lines.append(style.green(style.bold("APPROVED")) + (warnings > 0 ? " with \(warnings) warning\(warnings == 1 ? "" : "s")" : ""))
        } else {
            let names = failed.prefix(3).map { "\($0.checkID) on \(printable($0.subject))" }.joined(separator: ", ")
            lines.append(style.red(style.bold("REJECTED")) + ": \(failed.count) check\(failed.count == 1 ? "" : "s") failed (\(names)\(failed.count > 3 ? ", …" : ""))")
        }
        let tested = document.tested == document.commit.id
            ? "tested tree \(document.tree.short(12)) of \(document.commit.id.short(12))"
            : "tested tree \(document.tree.short(12)) of \(document.tested.short(12)), CI's merge of the change's head \(document.commit.id.short(12)) into \(printable(document.baseline.reference))"
        lines.append(style.dim(tested))
        lines.append(style.dim(printable(document.recordExplanation)))
        return lines.joined(separator: "\n")
    }
}

typealias ChangeSummaryKind = ChangeSummary.Kind
