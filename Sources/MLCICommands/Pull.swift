import ArgumentParser
import MLCIDVC
import MLCILineage
import MLCISupport

extension MLCICommand {
    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull",  // named here: no reflection at start-up
            abstract: "Download the data DVC records from its remote and check it out, as 'dvc pull' does.",
            discussion: """
            Reads the outs of the working tree's .dvc files and dvc.lock files, downloads the objects \
            the DVC cache lacks from the remote (local folder, HTTP(S) or S3-compatible; the default \
            remote of .dvc/config unless --remote), checks each one's md5, and links them into the \
            workspace with cache.type. An object that is missing or corrupt stops the pull before \
            the workspace is touched (exit 2).
            """)

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        @Option(name: .shortAndLong, help: "The remote to pull from (default: core.remote of .dvc/config).")
        var remote: String?

        @Option(name: .shortAndLong, help: "Parallel downloads (default: 4 × cores).")
        var jobs: Int?

        @Argument(help: "Outs to pull (paths as recorded, or folders holding them); all when none.")
        var paths: [String] = []

        func run() throws {
            let workspace = try repository.workspace()
            let config = try DVCConfig.load(root: workspace.root)
            var outputs = try workspace.recordedDVCOutputs(at: nil)
            if !paths.isEmpty {
                let wanted = try paths.map { path throws(InputError) -> String in try Self.normalize(path, workspace: workspace) }
                for path in wanted where !outputs.contains(where: { Self.matches($0.path, path) }) {
                    throw InputError("no DVC out is recorded at or below '\(path)'", hint: "run 'mlci lineage' to see what DVC tracks")
                }
                outputs = outputs.filter { out in wanted.contains { Self.matches(out.path, $0) } }
            }
            let remote = try DVCRemote.named(self.remote, in: config)
            let fetcher = DVCRemoteFetcher(remote: remote, cacheDirectory: config.cacheDirectory, jobs: jobs ?? 4 * Parallel.coreCount)
            let summary = try fetcher.fetch(outputs)
            let cache = DVCCache(root: workspace.root, directory: config.cacheDirectory, linkTypes: try config.cacheTypes)
            for out in outputs {
                if out.isLegacy {
                    throw InputError("\(out.path) is recorded by DVC 2 (no 'hash: md5' in \(out.recordedIn)); mlci pull checks out DVC 3 outs",
                                     hint: "run 'dvc pull' for it, or 'dvc cache migrate' and commit the updated file")
                }
                try cache.checkout(out.md5, to: workspace.root + "/" + out.path)
            }
            let paths = outputs.map(\.path).sorted()
            if output.json {
                output.emit(.object([
                    ("remote", .string(remote.name)), ("downloaded", .int(Int64(summary.downloaded))),
                    ("bytes", .int(summary.bytes)), ("already_cached", .int(Int64(summary.alreadyCached))),
                    ("paths", .array(paths.map(JSONValue.string))),
                ]))
            } else {
                Terminal.out("\(summary.downloaded) objects downloaded (\(summary.bytes) bytes) from remote '\(remote.name)', "
                             + "\(summary.alreadyCached) already cached; \(paths.count) outs checked out\n")
            }
        }

        /// Whether the out at `out` is `wanted`, inside it, or holds it.
        static func matches(_ out: String, _ wanted: String) -> Bool {
            wanted.isEmpty || out == wanted || out.hasPrefix(wanted + "/") || wanted.hasPrefix(out + "/")
        }

        static func normalize(_ path: String, workspace: Workspace) throws(InputError) -> String {
            let current = FileSystem.currentDirectory
            let absolute = path.hasPrefix("/") ? path : current + "/" + path
            let root = FileSystem.realPath(workspace.root) ?? workspace.root
            var relative = absolute
            for prefix in [root, workspace.root] where absolute == prefix || absolute.hasPrefix(prefix + "/") {
                relative = String(absolute.dropFirst(prefix.count)).drop { $0 == "/" }.description
            }
            guard !relative.hasPrefix("/") else { throw InputError("'\(path)' is outside the repository") }
            switch RepositoryPath.normalize(relative.isEmpty ? "." : relative) {
            case .success(let clean): return clean == "." ? "" : clean
            case .failure(let problem): throw InputError("'\(path)': \(problem)")
            }
        }
    }
}
