import ArgumentParser
import MLCIDVC
import MLCILineage
import MLCISupport

/// Options every command that reads a repository takes.
struct RepositoryOptions: ParsableArguments {
    @Option(name: .customShort("C"), help: ArgumentHelp("Run as if mlci was started in <dir>.", valueName: "dir"))
    var directory: String?

    /// Opens the workspace enclosing `-C` or the current directory.
    func workspace() throws -> Workspace {
        let workspace = try Workspace(discoveringFrom: directory ?? FileSystem.currentDirectory)
        let root = workspace.root
        // A commit's metrics may live in the DVC cache, wherever `cache.dir` puts it.
        workspace.locateDVCCache = {
            FileSystem.exists(root + "/.dvc") ? try DVCConfig.load(root: root).cacheDirectory : nil
        }
        return workspace
    }
}

/// `--json`.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print a JSON document on stdout instead of text.")
    var json = false

    var style: Style { Style(enabled: !json && Terminal.colorEnabled) }

    func emit(_ value: JSONValue) { Terminal.out(JSONWriter().string(value)) }
}
