/// Where HEAD points.
public enum Head: Sendable, Equatable {
    /// HEAD names a branch that has at least one commit.
    case attached(branch: String, commit: ObjectID)
    /// HEAD points straight at a commit.
    case detached(commit: ObjectID)
    /// HEAD names a branch with no commit yet (a new, empty repository).
    case unborn(branch: String)

    /// The commit HEAD resolves to, if any.
    public var commit: ObjectID? {
        switch self {
        case .attached(_, let commit), .detached(let commit): commit
        case .unborn: nil
        }
    }

    /// The short branch name, if HEAD is on a branch.
    public var branch: String? {
        switch self {
        case .attached(let branch, _), .unborn(let branch): branch
        case .detached: nil
        }
    }
}
