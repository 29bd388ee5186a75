import MLCIGit
import MLCILineage
import MLCISupport

#if canImport(Glibc)
import Glibc
#endif

/// One promotion (or rollback) of a commit to an environment, as recorded in the commit's note
/// under `promotions`.
public struct PromotionRecord: Sendable, Equatable {
    public enum Action: String, Sendable { case promote, rollback }

    public var commit: ObjectID
    public var environment: String
    public var action: Action
    /// UTC, RFC 3339 with milliseconds.
    public var at: String
    /// `name <email>` of the git identity, plus the CI actor when there is one.
    public var by: String
    /// ``DeployBundle/digest(of:)`` of the environment's files.
    public var manifestDigest: String
    public var image: String
    public var modelDigest: String?
    /// The GitOps branch and folder, or `nil` for a folder on disk.
    public var branch: String?
    public var folder: String
    /// The commit on the GitOps branch that carries these manifests.
    public var gitOpsCommit: ObjectID?
    /// What was shipped on purpose against the rules, comma-separated: `not-on-target` (off the
    /// target branch), `unsigned-verdict` (accepted with --allow-unsigned).
    public var override: String?
    /// For a rollback: the commit it replaced.
    public var replaced: ObjectID?

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("env", .string(environment)), ("action", .string(action.rawValue)), ("at", .string(at)), ("by", .string(by)),
            ("manifest_digest", .string(manifestDigest)), ("image", .string(image)),
        ]
        if let modelDigest { members.append(("model_digest", .string(modelDigest))) }
        if let branch { members.append(("branch", .string(branch))) } else { members.append(("dir", .string(folder))) }
        if branch != nil { members.append(("folder", .string(folder))) }
        if let gitOpsCommit { members.append(("gitops_commit", .string(gitOpsCommit.hex))) }
        if let override { members.append(("override", .string(override))) }
        if let replaced { members.append(("replaced", .string(replaced.hex))) }
        return .object(members)
    }

    /// Reads one entry of a note's `promotions`; `nil` when it is not one mlci wrote.
    public init?(json: JSONValue, commit: ObjectID) {
        guard let env = json["env"]?.stringValue, let at = json["at"]?.stringValue,
              let action = json["action"]?.stringValue.flatMap(Action.init(rawValue:)) else { return nil }
        self.commit = commit
        environment = env
        self.action = action
        self.at = at
        by = json["by"]?.stringValue ?? ""
        manifestDigest = json["manifest_digest"]?.stringValue ?? ""
        image = json["image"]?.stringValue ?? ""
        modelDigest = json["model_digest"]?.stringValue
        branch = json["branch"]?.stringValue
        folder = json["folder"]?.stringValue ?? json["dir"]?.stringValue ?? ""
        gitOpsCommit = json["gitops_commit"]?.stringValue.flatMap(ObjectID.init(hex:))
        override = json["override"]?.stringValue
        replaced = json["replaced"]?.stringValue.flatMap(ObjectID.init(hex:))
    }

    public init(commit: ObjectID, environment: String, action: Action, at: String, by: String, manifestDigest: String, image: String,
                modelDigest: String?, branch: String?, folder: String, gitOpsCommit: ObjectID?, override: String?, replaced: ObjectID?) {
        self.commit = commit
        self.environment = environment
        self.action = action
        self.at = at
        self.by = by
        self.manifestDigest = manifestDigest
        self.image = image
        self.modelDigest = modelDigest
        self.branch = branch
        self.folder = folder
        self.gitOpsCommit = gitOpsCommit
        self.override = override
        self.replaced = replaced
    }

    /// Now, as `2026-11-21T23:10:05.123Z`.
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let millis = Int(spec.tv_nsec / 1_000_000)
        let base = Dates.iso8601(Int64(spec.tv_sec), offsetMinutes: 0).prefix(19)
        return base + "." + String(repeating: "0", count: 3 - String(millis).count) + String(millis) + "Z"
    }
}
