import MLCIPipeline

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `verify` shows while it works: the plan before anything runs, each stage as it
/// starts, its output, and on a terminal a `stage 'x' running… 3 s` line for stages that take
/// longer than a second (rewritten in place on standard error, cleared before other output).
///
/// Used from the main thread only.
final class Progress {
    private let toStandardError: Bool
    private var tickerShown = false
    private var lastSecond = -1

    init(toStandardError: Bool) { self.toStandardError = toStandardError }

    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    func line(_ text: String) {
        clearTicker()
        if toStandardError { Terminal.err(text) } else { Terminal.out(text) }
    }

    func tick(_ stage: String, _ seconds: Double) {
        guard seconds >= 1 else { return }
        let whole = Int(seconds)
        guard whole != lastSecond else { return }
        lastSecond = whole
        let text = "\r\u{1B}[K  … stage '\(stage)' running for \(whole) s"
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        tickerShown = true
    }

    func clearTicker() {
        lastSecond = -1
        guard tickerShown else { return }
        tickerShown = false
        _ = "\r\u{1B}[K".withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }

    /// The plan in words, one line per stage: `run  train — changed deps: data.csv modified`.
    static func describe(_ plan: Plan) -> [String] {
        let running = plan.stages.filter { $0.decision.action == .run }
        guard !running.isEmpty else {
            return plan.stages.isEmpty ? [] : ["plan: nothing to run; \(plan.stages.count) stage(s) up to date"]
        }
        var lines = ["plan: \(running.count) of \(plan.stages.count) stage(s) to run"]
        for planned in plan.stages {
            let verb = planned.decision.action == .run ? "run " : "skip"
            lines.append("  \(verb) \(planned.stage.name) — \(planned.decision.reasons.joined(separator: "; "))")
        }
        return lines
    }
}
