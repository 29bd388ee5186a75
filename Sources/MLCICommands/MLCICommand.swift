import ArgumentParser
import MLCIDeploy
import MLCIGit
import MLCISupport
import MLCIVerify
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `mlci` command: its subcommands, exit codes and error reporting.
public struct MLCICommand: ParsableCommand {
    public static let version = Version.current

    /// The root's configuration: `plainConfiguration` except while ``main(arguments:)`` parses
    /// a command line that cannot ask for a completion script (see ``parse(_:)``).
    public static var configuration: CommandConfiguration {
        completionCheckSkipped.load(ordering: .relaxed) ? parsingConfiguration : plainConfiguration
    }

    static let plainConfiguration = CommandConfiguration(
        commandName: "mlci",
        abstract: "Make an ML repository a GitOps system: lineage of data and models for every commit.",
        discussion: """
        Exit codes:
          0  success (approved, clean, nothing differs)
          1  rejected, or a difference (verify/ci: the gate rejected the change or a
             stage failed; status: files differ from mlci.lock; emit, promote,
             rollback: the commit is not approved or not on the target branch)
          2  no answer could be reached: bad usage, a bad mlci.yaml or input file
             (the message names file:line:col), or an environment problem
             (not a git repository, a shallow clone missing history)
        """,
        version: "mlci \(version)",
        subcommands: [Verify.self, CI.self, Check.self, Report.self, Emit.self, Promote.self, Rollback.self, Models.self, Init.self, Hook.self, Lineage.self, Log.self, Diff.self, Status.self, Lock.self, Pull.self, Hash.self, Schema.self, DVC.self]
    )

    /// `plainConfiguration` marked as a pseudo-command (`_superCommandName`), the one switch
    /// swift-argument-parser has for not looking for `--generate-completion-script`. Help and
    /// error messages, which would print the super command's name, are made after parsing,
    /// from `plainConfiguration`.
    static let parsingConfiguration: CommandConfiguration = {
        var configuration = plainConfiguration
        configuration._superCommandName = ""
        return configuration
    }()

    /// Set only for the duration of ``parse(_:)``, on the main thread before anything else runs.
    static let completionCheckSkipped = Atomic<Bool>(false)

    public init() {}

    /// Parses the arguments, runs the command and exits with mlci's exit codes: usage errors
    /// exit 2 (not argument-parser's 64), every ``InputError`` and ``GitError`` exits 2 with
    /// its message on stderr.
    public static func main(arguments: [String]? = nil) -> Never {
        do {
            // Every real command line has at least the program's name. None at all means the
            // runtime could not read it (the static runtime reads /proc/self/cmdline): running
            // on would print the help and exit 0, and a gate would pass without running.
            if arguments == nil && CommandLine.arguments.isEmpty {
                throw InputError("cannot read this process's command line (is /proc mounted?)",
                                 hint: "mount /proc (mount -t proc proc /proc) in the container or chroot that runs mlci")
            }
            let arguments = try globalOptions(arguments ?? Array(CommandLine.arguments.dropFirst()))
            var command = try parse(arguments)
            try command.run()
            exit(withError: nil)
        } catch let error as InputError {
            report(error.diagnostics)
            exit(withError: ExitCode(2))
        } catch let error as Refusal {
            report([Diagnostic(.error, error.message, hint: error.hint)])
            exit(withError: ExitCode(1))
        } catch let error as InterruptedError {
            report([.error(error.description)])
            exit(withError: ExitCode(2))
        } catch let error as GitError {
            report([.error(error.description)])
            exit(withError: ExitCode(2))
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            if code == .validationFailure {
                Terminal.err(fullMessage(for: error))
                exit(withError: ExitCode(2))
            }
            Terminal.err("error: \(error)")
            exit(withError: ExitCode(2))
        }
    }

    /// `parseAsRoot`, without swift-argument-parser's search for `--generate-completion-script`
    /// when no argument can be that option. The search builds two commands' argument sets by
    /// reflection on every parse, and the runtime scans every protocol conformance record for
    /// each new type: about a third of `mlci --version`'s CPU time (`perf record`).
    static func parse(_ arguments: [String]) throws -> ParsableCommand {
        guard !arguments.contains(where: { $0.hasPrefix("--generate-completion-script") }) else {
            return try parseAsRoot(arguments)
        }
        completionCheckSkipped.store(true, ordering: .relaxed)
        defer { completionCheckSkipped.store(false, ordering: .relaxed) }
        return try parseAsRoot(arguments)
    }

    /// Options git and DVC users put before the subcommand: `-C <dir>` (repeatable, each
    /// relative to the previous, as in git) changes directory before anything runs; `--json`
    /// is handed to the subcommand. Returns the remaining arguments.
    static func globalOptions(_ arguments: [String]) throws -> [String] {
        var rest = arguments[...]
        var json = false
        while let first = rest.first {
            if first == "-C" {
                rest = rest.dropFirst()
                guard let directory = rest.first else { throw InputError("-C needs a directory: mlci -C <dir> <command>") }
                rest = rest.dropFirst()
                try changeDirectory(directory)
            } else if first.hasPrefix("-C"), first.count > 2 {
                rest = rest.dropFirst()
                try changeDirectory(first.hasPrefix("-C=") ? String(first.dropFirst(3)) : String(first.dropFirst(2)))
            } else if first == "--json" {
                rest = rest.dropFirst()
                json = true
            } else {
                break
            }
        }
        var out = Array(rest)
        if json {
            if let terminator = out.firstIndex(of: "--") { out.insert("--json", at: terminator) } else { out.append("--json") }
        }
        return out
    }

    static func changeDirectory(_ directory: String) throws {
        guard !directory.isEmpty else { return }  // git: an empty -C is a no-op
        if chdir(directory) != 0 {
            throw InputError(FileSystem.describeErrno(errno, verb: "change to the directory", name: directory),
                             hint: "-C takes a directory that exists: mlci -C path/to/repo status")
        }
    }

    static func report(_ diagnostics: [Diagnostic]) {
        let style = Style(enabled: Terminal.stderrColorEnabled)
        for diagnostic in diagnostics {
            var line = diagnostic.location.map { style.bold(printable($0.description)) + ": " } ?? ""
            line += style.red("\(diagnostic.severity.rawValue):") + " " + printable(diagnostic.message)
            if let hint = diagnostic.hint { line += "\n  " + style.cyan("hint:") + " " + printable(hint) }
            Terminal.err(line)
        }
    }
}
