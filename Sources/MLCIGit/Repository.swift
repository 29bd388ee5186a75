import CLibGit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open git repository.
///
/// Owns its `git_repository` handle and frees it on deinit. libgit2 handles are not safe for
/// concurrent use, so a `Repository` is deliberately not `Sendable`: open one per task or
/// thread (opening is cheap). Everything it returns is a `Sendable` value copied out of
/// libgit2, safe to keep after the repository is gone.
public final class Repository {
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) { self.pointer = pointer }

    deinit { git_repository_free(pointer) }

    /// Opens the repository containing `path`, searching parent directories the way `git`
    /// does (a worktree's `.git` file is followed to its main repository).
    ///
    /// - Throws: ``GitError`` of kind `.notARepository` when no repository encloses `path`.
    public static func discover(from path: String) throws(GitError) -> Repository {
        try open(path, flags: 0)
    }

    /// Opens exactly the repository at `path` (its working tree or its git directory).
    public static func open(at path: String) throws(GitError) -> Repository {
        try open(path, flags: GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue)
    }

    private static func open(_ path: String, flags: UInt32) throws(GitError) -> Repository {
        LibGit2.bootstrap()
        var raw: OpaquePointer?
        let result = git_repository_open_ext(&raw, path, flags, nil)
        // libgit2 refuses a repository owned by another user with GIT_EOWNER, or (1.5, when
        // no safe.directory is configured at all) with GIT_ENOTFOUND and a message naming
        // safe.directory; during discovery it then reports no repository at all, so probe
        // the nearest .git to tell "not a repository" from "not yours".
        var refusedForOwner = result == GIT_EOWNER.rawValue || (result == GIT_ENOTFOUND.rawValue && lastErrorMentions("safe.directory"))
        var ownerPath = path
        if result == GIT_ENOTFOUND.rawValue, !refusedForOwner, flags & GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue == 0,
           let enclosing = nearestGitDirectory(above: path) {
            var probe: OpaquePointer?
            let reopened = git_repository_open_ext(&probe, enclosing, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
            if let probe { git_repository_free(probe) }
            refusedForOwner = reopened == GIT_EOWNER.rawValue || (reopened == GIT_ENOTFOUND.rawValue && lastErrorMentions("safe.directory"))
            ownerPath = enclosing
        }
        if refusedForOwner {
            throw GitError(
                kind: .unsafeOwnership, operation: "open the repository at '\(ownerPath)'",
                message: "it is owned by another user; if you trust it, run: git config --global --add safe.directory '\(ownerPath)'")
        }
        if result == GIT_ENOTFOUND.rawValue {
            throw GitError(
                kind: .notARepository, operation: "open a repository at '\(path)'",
                message: "not a git repository (or any of its parent directories); run 'git init' or change to a repository")
        }
        try check(result, "open a repository at '\(path)'")
        guard let raw else {
            throw GitError(kind: .other, operation: "open a repository at '\(path)'", message: "libgit2 returned no handle")
        }
        return Repository(pointer: raw)
    }

    private static func lastErrorMentions(_ text: String) -> Bool {
        guard let last = git_error_last(), let message = last.pointee.message else { return false }
        return String(cString: message).contains(text)
    }

    /// The nearest directory at or above `path` that holds a `.git` entry.
    private static func nearestGitDirectory(above path: String) -> String? {
        var current = path.hasPrefix("/") ? path : String(cString: getcwd(nil, 0)) + "/" + path
        while true {
            if access(current + "/.git", F_OK) == 0 { return current }
            guard let slash = current.lastIndex(of: "/"), current != "/" else { return nil }
            current = slash == current.startIndex ? "/" : String(current[..<slash])
        }
    }

    /// The working tree's root, with a trailing slash removed; `nil` for a bare repository.
    public var workingDirectory: String? {
        guard let path = git_repository_workdir(pointer) else { return nil }
        return String(cString: path).trimmingSlash()
    }

    /// The working tree's root, or a `.bareRepository` error naming what needed it.
    public func requireWorkingDirectory(for purpose: String) throws(GitError) -> String {
        guard let directory = workingDirectory else {
            throw GitError(
                kind: .bareRepository, operation: purpose,
                message: "'\(gitDirectory)' is a bare repository; mlci needs a working tree (run it in a clone)")
        }
        return directory
    }

    /// The repository's git directory (for a worktree, the worktree's own admin directory).
    public var gitDirectory: String { String(cString: git_repository_path(pointer)).trimmingSlash() }

    /// The common git directory shared by all worktrees.
    public var commonDirectory: String { String(cString: git_repository_commondir(pointer)).trimmingSlash() }

    /// Whether the repository has no working tree.
    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }

    /// Whether this is a clone with truncated history (`git clone --depth`).
    public var isShallow: Bool { git_repository_is_shallow(pointer) == 1 }

    /// Whether this repository is a linked worktree (`git worktree add`).
    public var isWorktree: Bool { git_repository_is_worktree(pointer) == 1 }

    /// Whether the repository has no commits on HEAD yet.
    public var isHeadUnborn: Bool { git_repository_head_unborn(pointer) == 1 }
}

@available(*, unavailable, message: "libgit2 handles are not thread-safe; open one Repository per task")
extension Repository: Sendable {}

extension String {
    func trimmingSlash() -> String {
        var s = self
        while s.count > 1, s.hasSuffix("/") { s.removeLast() }
        return s
    }
}

extension Repository {
    /// A string value of the repository's configuration (local, then global/system unless
    /// isolated), or `nil` when unset.
    public func configString(_ key: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, key) == 0, let value else { return nil }
        return String(cString: value)
    }
}
