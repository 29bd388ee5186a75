import ArgumentParser
import MLCIGit
import MLCILineage
import MLCISupport

extension MLCICommand {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",  // named here: no reflection at start-up
            abstract: "Show data hashes, params and metrics that differ between two revisions.",
            discussion: """
            With one revision, compares it with the working tree (hashing changed files through the \
            cache). What 'dvc params diff' and 'dvc metrics diff' show, and the data, in one command. \
            Exits 0 whether or not something differs; use 'mlci status' as a check.
            """)

        @Argument(help: "The older revision.")
        var old: String

        @Argument(help: "The newer revision. Default: the working tree.")
        var new: String?

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try repository.workspace()
            let a = try workspace.resolve(old)
            let b = try new.map { try workspace.resolve($0) }
            let diff = try workspace.diff(from: a, to: b)
            // Like `dvc metrics diff`: what could not be read at a revision is said, not filled in.
            for warning in diff.old.warnings.map({ "\(old): \($0)" }) + diff.new.warnings.map({ "\(new ?? "working tree"): \($0)" }) {
                Terminal.err("warning: \(printable(warning))")
            }
            if output.json { return output.emit(diff.json) }
            Terminal.out(Render.diff(diff, oldName: old, newName: new ?? "working tree", style: output.style))
        }
    }
}
