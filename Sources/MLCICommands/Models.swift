import ArgumentParser
import MLCIDeploy
import MLCIGit
import MLCILineage
import MLCISupport

extension MLCICommand {
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "models",  // named here: no reflection at start-up
            abstract: "Show which commit and model each environment runs, with the history of promotions.",
            discussion: """
            Read from the promotions recorded in refs/notes/mlci; only promotions signed by a key of \
            trust.allowed_signers count (or unsigned ones with --allow-unsigned); the others, and notes \
            that are not mlci records, are named on stderr and left out. Stages follow MLflow's registry: the \
            model an environment runs is Production or Staging (deploy.environments.ENV.stage; by \
            default production, prod and live are Production), the ones it replaced are Archived, and \
            approved commits never promoted are None.
            """)

        @Option(name: .long, help: ArgumentHelp("Show only this environment.", valueName: "env"))
        var env: String?

        @OptionGroup var unsigned: UnsignedOptions
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try repository.workspace()
            let registry = try ModelRegistry(repository: workspace.repository, trust: try unsigned.policy(workspace))
            // Records that cannot be read or believed are named with their commit and left out.
            for skipped in registry.skipped { Terminal.err("warning: \(skipped.commit.short(12)): \(printable(skipped.reason))") }
            let spec = try? DeploySpec(config: workspace.config)
            func stage(_ environment: String) -> ModelRegistry.Stage {
                if let configured = spec?.environments.first(where: { $0.name == environment }) {
                    return configured.stage == .production ? .production : .staging
                }
                return ["production", "prod", "live"].contains(environment) ? .production : .staging
            }
            let environments = env.map { [$0] } ?? registry.environments
            if output.json {
                let members: [(String, JSONValue)] = environments.map { name in
                    let history = registry.history(of: name)
                    return (name, [
                        "current": history.first.map { entry(name, $0, registry.stage(of: $0, environmentStage: stage(name))) } ?? .null,
                        "history": .array(history.map { entry(name, $0, registry.stage(of: $0, environmentStage: stage(name))) }),
                    ])
                }
                return output.emit([
                    "environments": .object(members),
                    "none": .array(registry.unpromoted.map { .string($0.hex) }),
                    "skipped": .array(registry.skipped.map { ["commit": .string($0.commit.hex), "reason": .string($0.reason)] }),
                ])
            }
            if environments.allSatisfy({ registry.history(of: $0).isEmpty }) {
                Terminal.out(env.map { "nothing was promoted to \(printable($0)) yet" } ?? "nothing was promoted yet (mlci promote --env ENV)")
            } else {
                var rows = [["ENVIRONMENT", "STAGE", "COMMIT", "MODEL", "SINCE", "BY"]]
                for name in environments {
                    guard let current = registry.current(name) else { continue }
                    rows.append([name, stage(name).rawValue, current.commit.short(12), short(current.modelDigest), current.at, current.by])
                }
                Terminal.out(table(rows))
                for name in environments where !registry.history(of: name).isEmpty {
                    Terminal.out("\nhistory of \(printable(name)) (newest first):")
                    var lines: [[String]] = []
                    for record in registry.history(of: name) {
                        let s = registry.stage(of: record, environmentStage: stage(name)).rawValue
                        var what = record.action.rawValue
                        if let override = record.override { what += " (\(override))" }
                        lines.append(["  " + record.at, what, record.commit.short(12), s, short(record.manifestDigest), record.by])
                    }
                    Terminal.out(table(lines))
                }
            }
            if !registry.unpromoted.isEmpty && env == nil {
                let shown = registry.unpromoted.prefix(5).map { $0.short(12) }.joined(separator: ", ")
                Terminal.out("\napproved, never promoted (None): \(shown)\(registry.unpromoted.count > 5 ? " and \(registry.unpromoted.count - 5) more" : "")")
            }
        }

        func entry(_ environment: String, _ record: PromotionRecord, _ stage: ModelRegistry.Stage) -> JSONValue {
            var members = record.json.objectValue ?? []
            members.insert(("commit", .string(record.commit.hex)), at: 0)
            members.insert(("stage", .string(stage.rawValue)), at: 1)
            return .object(members)
        }

        func short(_ digest: String?) -> String {
            guard let digest else { return "-" }
            return digest.count > 19 ? String(digest.prefix(19)) + "…" : digest
        }

        func table(_ rows: [[String]]) -> String {
            let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
            return rows.map { row in
                row.enumerated().map { index, cell in
                    index == row.count - 1 ? printable(cell) : printable(cell).padding(widths[index])
                }.joined(separator: "  ")
            }.joined(separator: "\n")
        }
    }
}
