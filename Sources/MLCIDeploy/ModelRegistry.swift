import MLCIGit
import MLCISupport
import MLCITrust

/// The registry view of the ledger: which commit and model each environment runs, with its
/// history, in MLflow's stage names (None, Staging, Production, Archived).
///
/// Built from the promotions recorded in the notes on refs/notes/mlci; a value once built.
public struct ModelRegistry: Sendable {
    /// MLflow's model-version stages.
    public enum Stage: String, Sendable { case none = "None", staging = "Staging", production = "Production", archived = "Archived" }

    /// Every promotion and rollback, newest first.
    public let records: [PromotionRecord]
    /// Approved commits never promoted, newest verdict first.
    public let unpromoted: [ObjectID]

    /// Records and notes left out, each with its commit and why (unreadable, or not trusted).
    public let skipped: [(commit: ObjectID, reason: String)]

    /// - Parameter trust: when given, only promotions whose signature it accepts count (the
    ///   others are listed in ``skipped``); `nil` takes every record as written.
    public init(repository: Repository, trust: TrustPolicy? = nil) throws {
        var records: [PromotionRecord] = []
        var approved: [(ObjectID, String)] = []
        var skipped: [(ObjectID, String)] = []
        for (commit, text) in try repository.notes() {
            guard let note = try? JSONParser().parse(text), note.objectValue != nil else {
                skipped.append((commit, "its note on \(Repository.notesReference) is not an mlci record (not a JSON object); ignored"))
                continue
            }
            var entries: [PromotionRecord] = []
            for (index, json) in (note["promotions"]?.arrayValue ?? []).enumerated() {
                guard let entry = PromotionRecord(json: json, commit: commit) else {
                    skipped.append((commit, "promotion #\(index + 1) is not one mlci wrote; ignored"))
                    continue
                }
                if let trust {
                    do {
                        _ = try trust.check(json, commit: commit.hex, namespace: SignedNote.promotionNamespace,
                                            what: "the \(entry.action.rawValue) of \(commit.short(12)) to \(entry.environment) at \(entry.at)")
                    } catch {
                        skipped.append((commit, error.message + "; ignored"))
                        continue
                    }
                }
                entries.append(entry)
            }
            records += entries
            if entries.isEmpty, note["verdict"]?.stringValue == "approved" {
                approved.append((commit, note["time"]?.stringValue ?? ""))
            }
        }
        // RFC 3339 UTC with milliseconds sorts as text; ties (same millisecond) by commit.
        self.records = records.sorted { ($0.at, $0.commit.hex, $0.environment) > ($1.at, $1.commit.hex, $1.environment) }
        unpromoted = approved.sorted { ($0.1, $0.0.hex) > ($1.1, $1.0.hex) }.map(\.0)
        self.skipped = skipped.sorted { ($0.0.hex, $0.1) < ($1.0.hex, $1.1) }.map { (commit: $0.0, reason: $0.1) }
    }

    /// The promotions and rollbacks of `environment`, newest first.
    public func history(of environment: String) -> [PromotionRecord] {
        records.filter { $0.environment == environment }
    }

    /// The environments that ever had a promotion, sorted.
    public var environments: [String] { Array(Set(records.map(\.environment))).sorted() }

    /// What `environment` runs now.
    public func current(_ environment: String) -> PromotionRecord? { history(of: environment).first }

    /// The stage of one history entry: the current one takes the environment's stage, the
    /// ones it replaced are Archived.
    public func stage(of record: PromotionRecord, environmentStage: Stage) -> Stage {
        current(record.environment) == record ? environmentStage : .archived
    }
}
