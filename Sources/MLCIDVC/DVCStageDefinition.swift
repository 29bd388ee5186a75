import MLCISupport

/// One stage of a `dvc.yaml` after templating, `foreach` and `matrix` expansion: one line of
/// `dvc stage list`.
///
/// This is the contract between the dvc.yaml front end (parsing, `vars`, `${}`, `foreach`,
/// `matrix`, `wdir`) and the planner, runner and dvc.lock store. A value type; safe to share
/// between threads.
public struct DVCStageDefinition: Sendable, Equatable {
    /// The `dvc.yaml` that defines the stage, repository-relative with `/` (`dvc.yaml`,
    /// `nested/dvc.yaml`).
    public var file: String
    /// The stage's name inside its file as DVC writes it in dvc.lock: `train`, `build@us`,
    /// `fit@lr-0.1-depth-3`.
    public var name: String
    /// The commands, each run with `/bin/sh -c` in `workingDirectory` (a `cmd` list gives several).
    /// A multi-line `cmd` text gives one command per line, as `dvc repro` runs it.
    public var commands: [String]
    /// `cmd` as written after interpolation, in its YAML form: dvc.lock records a text as a text
    /// (trailing newline of a `|` block kept) and a list as a list.
    public var cmd: DVCCommand
    /// The folder the commands run in and paths are relative to, repository-relative (`""` is
    /// the root): the dvc.yaml's folder joined with `wdir`.
    public var workingDirectory: String
    /// `wdir` as written after interpolation (`nil` when absent); dvc.lock does not record it.
    public var wdir: String?
    public var deps: [DVCPath]
    public var outs: [DVCOutput]
    public var params: [DVCParamsDependency]
    public var frozen: Bool
    public var alwaysChanged: Bool
    public var description: String?
    /// Where the stage is defined (the key under `stages:`), for messages.
    public var location: SourceLocation

    public init(
        file: String, name: String, commands: [String], workingDirectory: String, wdir: String? = nil,
        deps: [DVCPath] = [], outs: [DVCOutput] = [], params: [DVCParamsDependency] = [],
        frozen: Bool = false, alwaysChanged: Bool = false, description: String? = nil,
        location: SourceLocation, cmd: DVCCommand? = nil
    ) {
        self.file = file
        self.name = name
        self.commands = commands
        self.cmd = cmd ?? (commands.count == 1 ? .text(commands[0]) : .list(commands))
        self.workingDirectory = workingDirectory
        self.wdir = wdir
        self.deps = deps
        self.outs = outs
        self.params = params
        self.frozen = frozen
        self.alwaysChanged = alwaysChanged
        self.description = description
        self.location = location
    }

    /// How `dvc stage list`, `dvc status` and `dvc repro` name the stage from the repository
    /// root: `train` for the root dvc.yaml, `nested/dvc.yaml:train` otherwise.
    public var address: String {
        file == "dvc.yaml" ? name : "\(file):\(name)"
    }
}

/// A stage's `cmd` as written: one text (possibly several lines) or a list of commands.
public enum DVCCommand: Sendable, Equatable {
    case text(String)
    case list([String])

    /// The commands `dvc repro` runs: each list item, or each line of the text (`splitlines`),
    /// empty lines skipped.
    public var commands: [String] {
        switch self {
        case .list(let items): return items
        case .text(let text):
            return text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(String.init)
        }
    }
}

/// A path of a stage: as written (relative to the stage's working directory; what dvc.lock
/// records) and as the repository sees it.
public struct DVCPath: Sendable, Equatable, Hashable {
    /// As written in dvc.yaml after interpolation, relative to the working directory.
    public var spelled: String
    /// Normalised, repository-relative with `/`, no trailing slash.
    public var repositoryPath: String

    public init(spelled: String, repositoryPath: String) {
        self.spelled = spelled
        self.repositoryPath = repositoryPath
    }
}

/// An entry of a stage's `outs`, `metrics` or `plots`.
public struct DVCOutput: Sendable, Equatable {
    public enum Kind: String, Sendable { case out = "outs", metric = "metrics", plot = "plots" }
    public var path: DVCPath
    public var kind: Kind
    /// `cache: false` leaves the file to git and out of the DVC cache.
    public var cache: Bool
    /// `persist: true`: not removed before the stage runs.
    public var persist: Bool
    /// `push: false`: not pushed to a remote.
    public var push: Bool
    /// `remote:` to push this out to, when not the default.
    public var remote: String?
    public var description: String?

    public init(path: DVCPath, kind: Kind = .out, cache: Bool = true, persist: Bool = false, push: Bool = true,
                remote: String? = nil, description: String? = nil) {
        self.path = path
        self.kind = kind
        self.cache = cache
        self.persist = persist
        self.push = push
        self.remote = remote
        self.description = description
    }
}

/// A stage's `params` entry: keys of one params file, or the whole file.
public struct DVCParamsDependency: Sendable, Equatable {
    /// The params file as written (`params.yaml` by default), relative to the working directory.
    public var file: DVCPath
    /// Dotted keys, in the order written; empty means the whole file is tracked.
    public var keys: [String]

    public init(file: DVCPath, keys: [String]) {
        self.file = file
        self.keys = keys
    }
}
