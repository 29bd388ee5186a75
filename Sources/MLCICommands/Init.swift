import ArgumentParser
import MLCIGit
import MLCILineage
import MLCISupport
import MLCIVerify

extension MLCICommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a commented mlci.yaml for this repository and keep .mlci/ out of git.",
            discussion: "Imports the stages of an existing dvc.yaml and suggests data folders and metrics files it finds.")

        @Flag(help: "Overwrite an existing mlci.yaml.")
        var force = false

        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let start = repository.directory ?? FileSystem.currentDirectory
            let opened = try Repository.discover(from: start)
            let root = try opened.requireWorkingDirectory(for: "write mlci.yaml")
            let result = try ProjectInit.run(root: root, force: force)
            Terminal.out("wrote mlci.yaml" + (result.importedStages.isEmpty ? "" : " (stages from dvc.yaml: \(result.importedStages.joined(separator: ", ")))"))
            if !result.skippedStages.isEmpty {
                Terminal.out("not imported from dvc.yaml: \(result.skippedStages.joined(separator: ", ")) (foreach/matrix stages; add them by hand)")
            }
            if result.gitignoreUpdated { Terminal.out("added .mlci/ to .gitignore") }
            Terminal.out("next: edit mlci.yaml, run 'mlci lock', then 'mlci verify'")
        }
    }

    struct Hook: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the git hook that runs mlci verify before every push.",
            subcommands: [Install.self])

        struct Install: ParsableCommand {
            static let configuration = CommandConfiguration(
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
