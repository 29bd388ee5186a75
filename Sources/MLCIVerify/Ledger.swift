import MLCIGit
import MLCISupport
import MLCITrust

/// Records verdicts in git notes (`refs/notes/mlci`): one JSON note per verified commit,
/// written with compare-and-swap so concurrent verifications never lose each other's note.
///
/// Not thread-safe (uses one repository handle).
public struct Ledger {
    public let repository: Repository
    /// Signs each note written (never stored or printed).
    public let signingKey: SSHSigningKey?

    public init(repository: Repository, signingKey: SSHSigningKey? = nil) {
        self.repository = repository
        self.signingKey = signingKey
    }

    /// Writes the verdict into the commit's note, keeping what other commands recorded
    /// there (promotions). A note that would differ only in its time is not rewritten, so
    /// verifying the same commit twice records it once.
    ///
    /// - Returns: whether a new note was written.
    @discardableResult
    public func record(_ document: VerdictDocument) throws -> Bool {
        try repository.updateNote(for: document.commit.id, message: "mlci: \(document.verdict?.rawValue ?? "verified") \(document.commit.id.short())") { current in
            let existing = current.flatMap { try? JSONParser().parse($0) }
            var note = document.note(merging: existing)
            if let existing, Self.withoutTime(existing) == Self.withoutTime(note),
               (existing["signature"] != nil) == (signingKey != nil) { return nil }
            if let signingKey {
                note = try SignedNote.sign(note, commit: document.commit.id.hex, namespace: SignedNote.verdictNamespace, key: signingKey)
            }
            return JSONWriter().string(note)
        }
    }

    static func withoutTime(_ value: JSONValue) -> JSONValue {
        guard case .object(let members) = value else { return value }
        return .object(members.filter { $0.0 != "time" && $0.0 != "signature" })
    }

    /// One commit's note as two writers left it, made one: the verdict of the later one
    /// (by `time`; ours on a tie), with the promotions of both (each once, by time). A note
    /// that is not JSON loses to one that is.
    public static func mergeNotes(ours: String, theirs: String) -> String {
        guard let mine = try? JSONParser().parse(ours), mine.objectValue != nil else { return theirs }
        guard let other = try? JSONParser().parse(theirs), other.objectValue != nil else { return ours }
        let later = (other["time"]?.stringValue ?? "") > (mine["time"]?.stringValue ?? "") ? other : mine
        var seen: Set<String> = []
        var promotions: [JSONValue] = []
        for entry in (mine["promotions"]?.arrayValue ?? []) + (other["promotions"]?.arrayValue ?? []) {
            if seen.insert(JSONWriter(style: .compact).string(entry)).inserted { promotions.append(entry) }
        }
        promotions.sort { ($0["at"]?.stringValue ?? "") < ($1["at"]?.stringValue ?? "") }
        var members = (later.objectValue ?? []).filter { $0.0 != "promotions" }
        if !promotions.isEmpty { members.append(("promotions", .array(promotions))) }
        return JSONWriter().string(.object(members))
    }
}
