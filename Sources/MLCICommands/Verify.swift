import ArgumentParser
import MLCIGit
import MLCILineage
import MLCISupport
import MLCIVerify
import MLCIReport

/// Options shared by `verify` and `ci`.
struct GateOptions: ParsableArguments {
    @Option(help: "Compare with this branch or revision instead of the target branch.")
    var base: String?

    @Flag(help: "Run every stage, changed or not.")
    var force = false

    @Option(help: "Run only this stage.")
    var stage: String?

    @Flag(help: "Print the plan (which stages would run, and why); run nothing.")
    var dryRun = false

    @Flag(help: "Do not record the verdict in refs/notes/mlci.")
    var noRecord = false

    @OptionGroup var signing: SigningOptions

    func options(ci: CIContext?) throws -> VerifyOptions {
        VerifyOptions(base: base, force: force, stage: stage, dryRun: dryRun, noRecord: noRecord, ci: ci, signingKey: try signing.key())
    }
}

extension MLCICommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",  // named here: no reflection at start-up
            abstract: "Run test → train → validate for this change and gate it against the target branch.",
            discussion: """
            Compares HEAD and uncommitted work with the merge-base of the target branch (mlci.yaml \
            'target', or --base), re-runs only the stages whose command, deps, params keys or outs \
            changed (DVC's rules), checks metrics and provenance, and prints the verdict. A verdict for \
            a clean working tree is recorded in the commit's note on refs/notes/mlci.
            Exits 0 when approved, 1 when rejected (or a stage failed), 2 when no verdict could be reached.
            """)

        @OptionGroup var gate: GateOptions
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try repository.workspace()
            try Gatekeeper.run(workspace: workspace, options: try gate.options(ci: nil), output: output, plain: false)
        }
    }

    struct CI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ci",
            abstract: "verify with CI context: GitHub Actions or GitLab CI detected from the environment.",
            discussion: """
            Takes the pull/merge request's target branch as the baseline, records the run URL with the \
            verdict, never prompts and prints plain text. Exit codes as verify.
            """)

        @OptionGroup var gate: GateOptions
        @OptionGroup var posting: PostOptions

        @Flag(help: "Fetch refs/notes/mlci from the remote first, and merge and push it after recording (retrying until no verdict is lost).")
        var syncNotes = false

        @Option(help: ArgumentHelp("The remote --sync-notes uses: a name, URL or path (credentials from MLCI_GIT_TOKEN, never printed).", valueName: "remote"))
        var remote = "origin"

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let context = CIContext.detect(ProcessEnvironment.current)
            if context == nil && !output.json {
                Terminal.err("note: no GitHub Actions or GitLab CI environment found; verifying without CI context")
            }
            let workspace = try repository.workspace()
            let sync: (() throws -> Void)? = syncNotes ? {
                let result = try workspace.repository.syncNotes(remote: remote, resolve: Ledger.mergeNotes)
                let what = result.pushed ? "pushed" : "in sync"
                Terminal.err("notes: refs/notes/mlci \(what) with \(printable(remote))\(result.rounds > 1 ? " after \(result.rounds) rounds" : "")")
            } : nil
            // Earlier verdicts (history, the champion's) come from the remote's ledger too.
            try sync?()
            try Gatekeeper.run(workspace: workspace, options: try gate.options(ci: context), output: output, plain: true,
                               post: posting.comment ? { try Posting.postAfterVerdict($0, strict: posting.strictPost) } : nil,
                               afterRecord: sync)
        }
    }
}

/// Writes the report files of a verdict and, inside GitHub Actions, the step summary, outputs and
/// annotations.
enum Reports {
    static func write(_ report: JSONValue, workspace: Workspace, announce: Bool) throws {
        let reports = workspace.config.reports
        let directory = workspace.root + "/" + reports.directory
        try ReportWriter.write(report, to: directory, displayDirectory: reports.directory, formats: reports.formats,
                               toolVersion: Version.current)
        let environment = ProcessEnvironment.current
        guard environment["GITHUB_ACTIONS"] == "true" else { return }
        for line in ReportWriter.annotations(report) { Terminal.out(line) }
        if let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
            try append(MarkdownRenderer.render(report), to: summary)
        }
        if let outputs = environment["GITHUB_OUTPUT"], !outputs.isEmpty {
            var lines = "verdict=\(Escaping.dotenv(report["verdict"]?.stringValue ?? "none"))\nreport-dir=\(Escaping.dotenv(directory))\n"
            lines += "commit=\(Escaping.dotenv(report["commit"]?.stringValue ?? ""))\ntested-tree=\(Escaping.dotenv(report["tree"]?.stringValue ?? ""))\n"
            // Documented as empty unless approved: a rejected model has no digest to ship.
            if report["verdict"]?.stringValue == "approved", let digest = report["lineage"]?["models"]?.arrayValue?.first?["hash"]?.stringValue {
                lines += "model-digest=sha256:\(Escaping.dotenv(digest))\n"
            }
            try append(lines, to: outputs)
        }
    }

    /// Appends to a file the runner gave (GitHub reads these after the step).
    static func append(_ text: String, to path: String) throws {
        let existing = FileSystem.exists(path) ? try FileSystem.read(path, limit: 64 << 20) : []
        try FileSystem.writeAtomically(path, existing + Array(text.utf8))
    }
}

/// The body both `verify` and `ci` share: run, print, exit.
enum Gatekeeper {
    static func run(workspace: Workspace, options: VerifyOptions, output: OutputOptions, plain: Bool,
                    post: ((JSONValue) throws -> Void)? = nil, afterRecord: (() throws -> Void)? = nil) throws {
        // Nothing configured is never "approved".
        if !workspace.hasConfigFile && !FileSystem.exists(workspace.root + "/dvc.yaml") {
            throw InputError("no mlci.yaml or dvc.yaml in \(workspace.root)/ (the root of the repository, where mlci looks); with nothing configured there is nothing to verify",
                             hint: "run mlci init there (it imports dvc.yaml stages), or put mlci.yaml at the repository root")
        }
        let verification = Verification(workspace: workspace, options: options)
        let json = output.json
        let progress = Progress(toStandardError: json)
        verification.echo = { line in progress.line(printable(line)) }
        if !options.dryRun {
            verification.onPlan = { plan in for line in Progress.describe(plan) { progress.line(printable(line)) } }
            verification.onStageStart = { planned in
                let what = planned.restoreFromCache ? "restoring its outs from the DVC cache"
                    : planned.rerecordOnly ? "re-recording (frozen)" : "running"
                progress.line(printable("▶ stage '\(planned.stage.name)': \(what)"))
            }
            if Progress.standardErrorIsTerminal { verification.onTick = { name, seconds in progress.tick(name, seconds) } }
        }
        let document = try verification.run()
        progress.clearTicker()
        if document.recorded, let afterRecord { try afterRecord() }
        if document.verdict != nil {
            try Reports.write(document.json, workspace: workspace, announce: !output.json)
        }
        if output.json {
            output.emit(document.json)
        } else {
            let style = plain ? Style(enabled: false) : output.style
            Terminal.out(Render.verdict(document, style: style))
        }
        if let post, document.verdict != nil { try post(document.json) }
        if document.verdict == .rejected { throw ExitCode(1) }
    }
}
