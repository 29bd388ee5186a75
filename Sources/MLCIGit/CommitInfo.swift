/// A commit's metadata, copied out of libgit2.
public struct CommitInfo: Sendable, Equatable {
    public let id: ObjectID
    public let tree: ObjectID
    public let parents: [ObjectID]
    public let authorName: String
    public let authorEmail: String
    /// Author time, seconds since the Unix epoch.
    public let authorTime: Int64
    /// Author time-zone offset in minutes east of UTC.
    public let authorOffsetMinutes: Int32
    public let committerName: String
    public let committerEmail: String
    public let commitTime: Int64
    public let commitOffsetMinutes: Int32
    /// The first line of the message.
    public let summary: String
    public let message: String
}
