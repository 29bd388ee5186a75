import ArgumentParser
import MLCILineage
import MLCISupport

extension MLCICommand {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",  // named here: no reflection at start-up
            abstract: "Show which data and model files differ from mlci.lock and DVC's records.",
            discussion: "Exits 0 when everything matches, 1 when something differs (like git diff --exit-code), 2 on error.")

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        @Flag(name: .shortAndLong, help: "Print nothing; only the exit code tells.")
        var quiet = false

        func run() throws {
            let workspace = try repository.workspace()
            let report = try workspace.status()
            if output.json {
                output.emit(report.json)
            } else if !quiet {
                Terminal.out(Render.status(report, style: output.style))
            }
            if !report.isClean { throw ExitCode(1) }
        }
    }
}
