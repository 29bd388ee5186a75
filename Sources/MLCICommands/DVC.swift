import ArgumentParser
import MLCIDVC
import MLCILineage
import MLCISupport

extension MLCICommand {
    struct DVC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dvc",
            abstract: "Read the repository's DVC pipeline (dvc.yaml files) as mlci expands it.",
            subcommands: [Stages.self])

        struct Stages: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "stages",  // named here: no reflection at start-up
                abstract: "List every dvc.yaml stage after vars, ${}, foreach and matrix, like 'dvc stage list --all'.",
                discussion: "Read-only. A bad dvc.yaml is reported as dvc.yaml:line:col with exit code 2.")

            @OptionGroup var repository: RepositoryOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let workspace = try repository.workspace()
                let repo = workspace.repository
                let pipeline = try DVCPipeline.load(root: workspace.root, isIgnored: { repo.isIgnored($0 + "/") })
                let stages = pipeline.stages
                if output.json {
                    return output.emit(["files": .array(pipeline.files.map { .string($0.path) }), "stages": .array(stages.map(\.json))])
                }
                let width = (stages.map(\.address.count).max() ?? 0) + 2
                for stage in stages {
                    let summary = stage.summary
                    Terminal.out(summary.isEmpty ? stage.address : stage.address.padding(width) + summary)
                }
            }
        }
    }
}
