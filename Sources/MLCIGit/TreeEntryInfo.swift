/// One file or directory in a commit's tree.
public struct TreeEntryInfo: Sendable, Equatable {
    /// What a tree entry holds.
    public enum Kind: Sendable, Equatable {
        case file
        case executable
        case symlink
        case directory
        case submodule
    }

    /// The path relative to the repository root, `/`-separated.
    public let path: String
    public let id: ObjectID
    public let kind: Kind
}
