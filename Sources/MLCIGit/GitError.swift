import CLibGit2

/// A failure of a git operation, with libgit2's message copied out at once.
///
/// The `description` names the operation in words and never shows a raw libgit2 code:
/// users read "could not resolve revision 'x': revspec 'x' not found", not "-3".
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for callers that react to it.
    public enum Kind: Sendable, Equatable {
        /// An object, reference, path or revision does not exist.
        case notFound
        /// A short id or revision matched several objects.
        case ambiguous
        /// The repository has no commit on HEAD yet.
        case unbornBranch
        /// The operation needs a working tree but the repository is bare.
        case bareRepository
        /// A reference changed or was locked by another writer during an update.
        case concurrentUpdate
        /// The history needed is cut off by a shallow clone.
        case shallowHistory
        /// The path is not inside a git repository.
        case notARepository
        /// The repository belongs to another user and is not listed in `safe.directory`.
        case unsafeOwnership
        /// Any other libgit2 failure.
        case other
    }

    public let kind: Kind
    /// The operation in words, e.g. "resolve revision 'main~3'".
    public let operation: String
    /// libgit2's own message, or mlci's explanation.
    public let message: String

    public init(kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    public var isNotFound: Bool { kind == .notFound }

    public var description: String {
        message.isEmpty ? "could not \(operation)" : "could not \(operation): \(message)"
    }

    /// Builds an error from libgit2's thread-local last error. Call it right after the failure.
    static func last(code: Int32, operation: @autoclosure () -> String) -> GitError {
        var message = ""
        if let last = git_error_last(), let text = last.pointee.message {
            message = String(cString: text).trimmingTrailingWhitespace()
        }
        let kind: Kind
        switch code {
        case GIT_ENOTFOUND.rawValue: kind = .notFound
        case GIT_EAMBIGUOUS.rawValue: kind = .ambiguous
        case GIT_EUNBORNBRANCH.rawValue: kind = .unbornBranch
        case GIT_EBAREREPO.rawValue: kind = .bareRepository
        case GIT_EMODIFIED.rawValue, GIT_ELOCKED.rawValue, GIT_EEXISTS.rawValue: kind = .concurrentUpdate
        default: kind = .other
        }
        return GitError(kind: kind, operation: operation(), message: message)
    }
}

/// Turns a negative libgit2 return code into a ``GitError`` naming the operation.
@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(GitError) {
    if result < 0 { throw GitError.last(code: result, operation: operation()) }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
