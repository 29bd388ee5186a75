import ArgumentParser
import MLCIGit
import MLCILineage
import MLCISupport
import MLCIVerify

extension MLCICommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",  // named here: no reflection at start-up
            abstract: "Write a commented mlci.yaml for this repository and keep .mlci/ out of git.",
            discussion: """
            With dvc.yaml files, the DVC pipeline stays the pipeline: mlci.yaml names the metrics files \
            dvc.yaml declares and gates the metric keys found in them. target is the default branch \
            (origin's HEAD, else the current branch).
            """)

        @Flag(help: "Overwrite an existing mlci.yaml.")
        var force = false

        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let start = repository.directory ?? FileSystem.currentDirectory
            let opened = try Repository.discover(from: start)
            let root = try opened.requireWorkingDirectory(for: "write mlci.yaml")
            let result = try ProjectInit.run(root: root, force: force, target: Self.defaultBranch(opened),
                                             isIgnored: { opened.isIgnored($0 + "/") })
            Terminal.out("wrote mlci.yaml" + (result.dvcStages.isEmpty ? "" : " (the pipeline is dvc.yaml: \(result.dvcStages.count) stage(s))"))
            if !result.gatedMetrics.isEmpty { Terminal.out("gate: \(result.gatedMetrics.joined(separator: ", "))") }
            if result.gitignoreUpdated { Terminal.out("added .mlci/ to .gitignore") }
            Terminal.out("next: review mlci.yaml, commit it, then run 'mlci verify'")
        }

        /// The remote's default branch (`refs/remotes/origin/HEAD`), else the current branch.
        static func defaultBranch(_ repository: Repository) -> String {
            if let target = repository.symbolicTarget(of: "refs/remotes/origin/HEAD"), target.hasPrefix("refs/remotes/origin/") {
                return String(target.dropFirst("refs/remotes/origin/".count))
            }
            if let branch = try? repository.head().branch { return branch }
            return "main"
        }
    }

    struct Hook: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hook",  // named here: no reflection at start-up
            abstract: "Manage the git hook that runs mlci verify before every push.",
            subcommands: [Install.self])

        struct Install: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "install",  // named here: no reflection at start-up
                abstract: "Install a pre-push hook that runs 'mlci verify' (refuses to replace another hook without --force).")

            @Flag(help: "Replace a pre-push hook that mlci did not write.")
            var force = false

            @OptionGroup var repository: RepositoryOptions

            func run() throws {
                let opened = try Repository.discover(from: repository.directory ?? FileSystem.currentDirectory)
                let root = try opened.requireWorkingDirectory(for: "install a hook")
                let executable = FileSystem.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
                switch try HookInstaller.install(repository: opened, root: root, executable: executable, force: force) {
                case .installed(let path): Terminal.out("installed \(path): 'git push' now runs 'mlci verify' first")
                case .updated(let path): Terminal.out("updated \(path)")
                case .replaced(let path): Terminal.out("replaced \(path) (--force)")
                }
            }
        }
    }
}
