import MLCIConfig
import MLCIGit
import MLCIHashing
import MLCISupport

/// A repository with its working tree, its mlci.yaml and its hash cache: what every command
/// works on.
///
/// Owns a ``Repository`` and a ``ContentHasher``; not thread-safe (one per command).
public final class Workspace {
    public let repository: Repository
    /// The working tree's root.
    public let root: String
    /// The working tree's configuration (a minimal one when mlci.yaml is absent).
    public let config: Config
    /// Whether mlci.yaml exists.
    public let hasConfigFile: Bool
    private var hasherStorage: ContentHasher?
    private var dvcCacheStorage: String?
    /// Finds the DVC cache folder (absolute) when lineage first needs it: set by the command
    /// layer to read `cache.dir` from `.dvc/config` and `config.local` (MLCIDVC's reader, which
    /// this module cannot import). Unset, or answering `nil`: `<root>/.dvc/cache`.
    public var locateDVCCache: (() throws -> String?)?

    /// Opens the repository enclosing `directory` and loads its mlci.yaml.
    ///
    /// - Throws: ``InputError`` for a bare repository, no repository, or a bad mlci.yaml.
    public init(discoveringFrom directory: String) throws {
        let repository: Repository
        do {
            repository = try Repository.discover(from: directory)
        } catch {
            if error.kind == .unsafeOwnership { throw InputError(error.description) }
            guard error.kind == .notARepository else { throw error }
            throw InputError("\(directory) is not inside a git repository",
                             hint: "run mlci in a clone of your project, or 'git init' first")
        }
        guard let root = repository.workingDirectory else {
            throw InputError("'\(repository.gitDirectory)' is a bare repository; mlci needs a working tree",
                             hint: "run mlci in a clone with a checkout (git clone, not git clone --bare)")
        }
        self.repository = repository
        self.root = root
        // Temporary files of writes a kill interrupted: in .mlci/tmp, and in the root from
        // versions that wrote them there.
        FileSystem.removeStaleTemporaries(in: root)
        FileSystem.removeStaleTemporaries(in: root + "/.mlci/tmp")
        let configPath = root + "/mlci.yaml"
        if FileSystem.exists(configPath) {
            config = try ConfigLoader.load(path: configPath, display: "mlci.yaml")
            hasConfigFile = true
        } else {
            config = Config.minimal()
            hasConfigFile = false
        }
    }

    /// The hasher for the working tree, with its cache under `.mlci/cache/`.
    public var hasher: ContentHasher {
        if let hasherStorage { return hasherStorage }
        let made = ContentHasher(root: root, cachePath: root + "/.mlci/cache/hashes")
        hasherStorage = made
        return made
    }

    /// The DVC cache folder (absolute): `cache.dir` as ``locateDVCCache`` finds it, else
    /// `<root>/.dvc/cache`. Read once.
    ///
    /// - Throws: what ``locateDVCCache`` throws (a `.dvc/config` that cannot be read).
    public func dvcCacheDirectory() throws -> String {
        if let dvcCacheStorage { return dvcCacheStorage }
        let found = try locateDVCCache?() ?? root + "/.dvc/cache"
        dvcCacheStorage = found
        return found
    }

    /// Saves what the hasher learnt. Failing to write the cache only costs time later, so it
    /// is not an error.
    public func saveCache() {
        guard let hasherStorage else { return }
        // .mlci/ ignores itself (as .pytest_cache does), so the cache never shows up in
        // `git status` even before `mlci init` adds it to .gitignore.
        let ignore = root + "/.mlci/.gitignore"
        if !FileSystem.exists(ignore) {
            try? FileSystem.writeAtomically(ignore, "# Written by mlci: everything here is local (cache, logs, reports).\n*\n")
        }
        try? hasherStorage.save()
    }

    /// The working tree's mlci.lock.
    public func lock() throws(InputError) -> Lock { try Lock.load(root: root) }

    /// Resolves a revision, turning libgit2's failures into messages users can act on.
    public func resolve(_ revision: String) throws -> ObjectID {
        do {
            return try repository.resolve(revision)
        } catch {
            switch error.kind {
            case .unbornBranch:
                throw InputError("the repository has no commits yet, so '\(revision)' names nothing", hint: "commit something first")
            case .shallowHistory:
                throw InputError("unknown revision '\(revision)' in this shallow clone",
                                 hint: "fetch the history it needs: git fetch --unshallow (or fetch-depth: 0 in actions/checkout)")
            case .ambiguous:
                throw InputError("'\(revision)' matches several objects", hint: "give more characters of the sha")
            default:
                throw InputError("unknown revision '\(revision)': no branch, tag or commit has that name",
                                 hint: "check 'git log --oneline' or 'git branch -a' for the name")
            }
        }
    }

    /// The params files: those configured, or `params.yaml` when none are (as DVC does).
    func paramsFiles(config: Config) -> [String] {
        var files = config.paramsFiles.isEmpty ? ["params.yaml"] : config.paramsFiles
        for stage in config.stages {
            for reference in stage.params where !reference.file.isEmpty && !files.contains(reference.file) {
                files.append(reference.file)
            }
        }
        return files
    }
}
