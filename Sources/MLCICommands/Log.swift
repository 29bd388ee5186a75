import ArgumentParser
import MLCIGit
import MLCILineage
import MLCISupport

extension MLCICommand {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",  // named here: no reflection at start-up
            abstract: "List commits with the data and models they changed and their verdicts.",
            usage: "mlci log [<range>] [-n <n>] [--json] [-- <path>...]")

        @Argument(help: "A revision or range (main..HEAD). Default: HEAD.")
        var range: String?

        @Option(name: .customShort("n"), help: "Show at most this many commits.")
        var maxCount: Int?

        @Argument(parsing: .postTerminator, help: "Only commits that changed these paths (after --).")
        var paths: [String] = []

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let maxCount, maxCount < 0 { throw ValidationError("-n must be zero or more") }
        }

        func run() throws {
            let workspace = try repository.workspace()
            let entries = try workspace.log(range: range, paths: paths, limit: maxCount)
            for problem in entries.compactMap(\.noteProblem) { Terminal.err("warning: \(printable(problem))") }
            if output.json { return output.emit(.array(entries.map(\.json))) }
            if entries.isEmpty {
                Terminal.err(workspace.repository.isHeadUnborn ? "no commits yet" : "no commits match")
                return
            }
            Terminal.out(Render.log(entries, style: output.style))
        }
    }
}
