/// One changed path between two trees, or between a tree and the working tree.
public struct FileChange: Sendable, Equatable, Hashable {
    /// How the path changed.
    public enum Status: String, Sendable, Equatable, Hashable {
        case added
        case modified
        case deleted
        case renamed
        case typeChanged = "type-changed"
    }

    public let status: Status
    /// The path before the change (equal to `newPath` unless renamed).
    public let oldPath: String
    /// The path after the change (equal to `oldPath` for a deletion).
    public let newPath: String

    public init(status: Status, oldPath: String, newPath: String) {
        self.status = status
        self.oldPath = oldPath
        self.newPath = newPath
    }

    /// The path a reader cares about: the new one, or the old one for a deletion.
    public var path: String { status == .deleted ? oldPath : newPath }
}
