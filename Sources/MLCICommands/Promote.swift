import ArgumentParser
import MLCIDeploy
import MLCIGit
import MLCILineage
import MLCISupport

/// `--branch` / `--dir`, shared by promote and rollback.
struct GitOpsTargetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The GitOps branch to commit to (default: the environment's branch, else gitops).", valueName: "branch"))
    var branch: String?

    @Option(name: .long, help: ArgumentHelp("Write the manifests into this folder on disk instead (a GitOps checkout); it is replaced as a whole.", valueName: "dir"))
    var dir: String?

    func validate() throws {
        if branch != nil && dir != nil { throw ValidationError("give --branch or --dir, not both") }
    }

    var absoluteDir: String? { dir.map { $0.hasPrefix("/") ? $0 : FileSystem.currentDirectory + "/" + $0 } }
}

extension MLCICommand {
    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",  // named here: no reflection at start-up
            abstract: "Commit an approved commit's manifests for an environment to the GitOps branch.",
            discussion: """
            Renders the environment's kustomize tree (base/ and overlays/ENV/) and commits it as the \
            folder NAME/ENV (or the environment's dir) of the GitOps branch through git: the working \
            tree, the index and HEAD are not touched. The commit message carries the lineage and \
            Mlci-* trailers; nothing is committed when the folder already holds these manifests. The \
            promotion (environment, who, when, manifest digest) is recorded in the commit's note.

            Refuses (exit 1) a commit that is not approved for its tree, or that is not on the target \
            branch unless --allow-off-target is given (then recorded as an override).
            """)

        @OptionGroup var ship: ShipOptions

        @Option(name: .long, help: ArgumentHelp("The environment (a key of deploy.environments).", valueName: "env"))
        var env: String

        @OptionGroup var target: GitOpsTargetOptions

        @Flag(name: .long, help: "Promote a commit that is not on the target branch; recorded as an override.")
        var allowOffTarget = false

        @OptionGroup var signing: SigningOptions
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try repository.workspace()
            let key = try signing.key()
            let release = try ship.release(in: workspace)
            let outcome = try Promoter(workspace: workspace, trust: try ship.unsigned.policy(workspace), signingKey: key).promote(release, environment: env, branch: target.branch,
                                                                    directory: target.absoluteDir, allowOffTarget: allowOffTarget)
            Shipping.report(outcome, verb: "promoted", output: output)
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback",  // named here: no reflection at start-up
            abstract: "Promote again the model an environment ran before the current one.",
            discussion: """
            Restores the previous manifests exactly: the folder is set to the tree of the GitOps commit \
            that carried them (re-rendered from that commit when they went to a folder on disk). The \
            rollback is recorded in that commit's note and shows in mlci models.
            """)

        @Option(name: .long, help: ArgumentHelp("The environment to roll back.", valueName: "env"))
        var env: String

        @OptionGroup var target: GitOpsTargetOptions
        @OptionGroup var unsigned: UnsignedOptions
        @OptionGroup var signing: SigningOptions
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try repository.workspace()
            let key = try signing.key()
            let outcome = try Promoter(workspace: workspace, trust: try unsigned.policy(workspace), signingKey: key).rollback(environment: env, branch: target.branch, directory: target.absoluteDir)
            Shipping.report(outcome, verb: "rolled back", output: output)
        }
    }
}

extension Shipping {
    static func report(_ outcome: PromotionOutcome, verb: String, output: OutputOptions) {
        let place: String
        switch outcome.target {
        case .branch(let name, let folder): place = "\(folder)/ on \(name)"
        case .directory(let path): place = path
        }
        if output.json {
            var members: [(String, JSONValue)] = [
                ("environment", .string(outcome.environment)), ("commit", .string(outcome.commit.hex)),
                ("changed", .bool(outcome.record != nil)), ("manifest_digest", .string(outcome.manifestDigest)), ("target", .string(place)),
            ]
            if let record = outcome.record { members.append(("record", record.json)) }
            return output.emit(.object(members))
        }
        guard let record = outcome.record else {
            return Terminal.out("\(outcome.environment) already has the manifests of \(outcome.commit.short(12)) in \(printable(place)); nothing to commit")
        }
        var line = "\(verb) \(outcome.commit.short(12)) to \(outcome.environment): \(printable(place))"
        if let gitops = record.gitOpsCommit { line += " (commit \(gitops.short(12)))" }
        Terminal.out(line)
        Terminal.out("manifests \(outcome.manifestDigest)")
        if let override = record.override { Terminal.out("override recorded: \(override)") }
    }
}
