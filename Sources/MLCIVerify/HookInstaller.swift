import MLCIGit
import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Installs the pre-push hook that runs `mlci verify`.
public enum HookInstaller {
    static let marker = "# mlci pre-push hook"

    /// The result of an installation.
    public enum Outcome: Sendable, Equatable { case installed(String), updated(String), replaced(String) }

    /// Writes `pre-push` into the repository's hooks folder (`core.hooksPath` when set).
    ///
    /// - Parameters:
    ///   - executable: the mlci binary the hook runs (an absolute path).
    ///   - force: replace a pre-push hook that mlci did not write.
    /// - Throws: ``InputError`` when another pre-push hook exists and `force` is not set.
    public static func install(repository: Repository, root: String, executable: String, force: Bool) throws -> Outcome {
        var directory = repository.commonDirectory + "/hooks"
        if let configured = repository.configString("core.hooksPath"), !configured.isEmpty {
            directory = configured.hasPrefix("/") ? configured : root + "/" + configured
        }
        let path = directory + "/pre-push"
        var existingIsOurs = false
        if FileSystem.exists(path) {
            let existing = (try? FileSystem.read(path, limit: 1 << 20)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            existingIsOurs = existing.contains(marker)
            if !existingIsOurs && !force {
                throw InputError("\(path) already exists and was not written by mlci",
                                 hint: "add 'mlci verify' to it yourself, or run 'mlci hook install --force' to replace it")
            }
        }
        let quoted = "'" + executable.replacing("'", with: "'\\''") + "'"
        let script = """
            #!/bin/sh
            \(marker): verify the change before it is pushed.
            # Installed by 'mlci hook install'; skip once with 'git push --no-verify'.
            MLCI=\(quoted)
            [ -x "$MLCI" ] || MLCI=mlci
            exec "$MLCI" verify

            """
        let existed = FileSystem.exists(path)
        try FileSystem.writeAtomically(path, Array(script.utf8), mode: 0o755)
        chmod(path, 0o755)
        if !existed { return .installed(path) }
        return existingIsOurs ? .updated(path) : .replaced(path)
    }
}
