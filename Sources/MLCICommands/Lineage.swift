import ArgumentParser
import MLCIGit
import MLCILineage
import MLCISupport

extension MLCICommand {
    struct Lineage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which data, params, model and metrics a commit is.",
            discussion: """
            Reads the commit through git, without a checkout: data hashes from the files git holds \
            (SHA-256, or a Git LFS pointer's oid), from mlci.lock for data outside git, and from DVC's \
            .dvc files and dvc.lock (md5, as DVC writes it). Shows the verdict and promotions recorded \
            in the commit's note on refs/notes/mlci.
            """)

        @Argument(help: "The revision (branch, tag, sha, HEAD~2). Default: HEAD.")
        var revision: String = "HEAD"

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try repository.workspace()
            let commit = try workspace.resolve(revision)
            let record = try workspace.lineage(at: commit)
            if output.json { return output.emit(record.json) }
            Terminal.out(Render.lineage(record, style: output.style))
            for warning in record.warnings { Terminal.err("warning: \(printable(warning))") }
        }
    }
}
