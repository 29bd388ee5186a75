import MLCIGit
import MLCISupport

/// Why mlci will not ship a commit: it is not approved, or not for exactly its tree, or not
/// on the target branch. Commands exit 1 with it (a "no", not a broken input).
public struct Refusal: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}

/// The rule that only an approved commit ships.
public enum Approval {
    /// Passes when `note` (the commit's note on refs/notes/mlci) says `approved` for exactly
    /// `commit`'s tree; throws a ``Refusal`` saying why not otherwise.
    public static func require(_ commit: CommitInfo, note: JSONValue?) throws(Refusal) {
        let short = commit.id.short(12)
        guard let note else {
            throw Refusal("\(short) has no verdict in \(Repository.notesReference); only an approved commit ships",
                          hint: "run mlci verify on a clean checkout of it (in CI: mlci ci), or fetch the ledger: git fetch origin refs/notes/mlci:refs/notes/mlci")
        }
        let verdict = note["verdict"]?.stringValue
        guard verdict == "approved" else {
            if verdict == "rejected" {
                let failed = note["checks"]?["failed"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let why = failed.isEmpty ? "" : " (failed: \(failed.prefix(5).joined(separator: ", "))\(failed.count > 5 ? ", …" : ""))"
                throw Refusal("\(short) was rejected by the gate\(why); a rejected commit does not ship",
                              hint: "fix the change and verify the new commit")
            }
            throw Refusal("\(short) has no approval in its note (verdict: \(verdict ?? "none"))",
                          hint: "run mlci verify on a clean checkout of it")
        }
        guard note["tree"]?.stringValue == commit.tree.hex else {
            throw Refusal("the approval on \(short) is for tree \(note["tree"]?.stringValue.map { String($0.prefix(12)) } ?? "(none)"), but the commit's tree is \(commit.tree.short(12)); it approves other content",
                          hint: "verify this commit again: mlci verify on a clean checkout of it")
        }
    }
}
