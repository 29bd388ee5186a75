import MLCISupport

/// The hash of one data or model path at a revision or in the working tree.
public struct ArtifactHash: Sendable, Equatable {
    /// What the path is to the project.
    public enum Role: String, Sendable { case data, model }

    /// Where the hash came from.
    public enum Source: String, Sendable {
        /// Hashed by mlci from the content git holds (blob or tree).
        case git
        /// A Git LFS pointer's oid.
        case lfs
        /// Recorded in mlci.lock (the content is not in git).
        case lock = "mlci.lock"
        /// Recorded by DVC (a `.dvc` file or `dvc.lock`).
        case dvc
        /// Hashed by mlci from the working tree.
        case workingTree = "working-tree"
    }

    public var path: String
    public var role: Role
    /// The hash: SHA-256 hex (`.dir` for directories) for mlci's own, md5 as DVC writes it.
    public var hash: String?
    /// `sha256`, `md5` or `md5-dos2unix`.
    public var algorithm: String
    public var source: Source
    /// For DVC entries: the `.dvc` file or `dvc.lock` that records it.
    public var recordedIn: String?
    public var size: Int64?
    public var fileCount: Int?
    public var isDirectory: Bool

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("path", .string(path)),
            ("hash", .optional(hash)),
            ("algorithm", .string(algorithm)),
            ("source", .string(source.rawValue)),
        ]
        if let recordedIn { members.append(("recorded_in", .string(recordedIn))) }
        members.append(("kind", isDirectory ? "directory" : "file"))
        if let size { members.append(("size", .int(size))) }
        if let fileCount { members.append(("files", .int(Int64(fileCount)))) }
        return .object(members)
    }
}
