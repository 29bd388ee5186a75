import MLCIGit
import MLCISupport

/// Which data, params, model and metrics a commit (or the working tree) is, and what the
/// ledger says of it.
public struct LineageRecord: Sendable {
    /// The commit, or `nil` for the working tree.
    public var commit: CommitInfo?
    public var artifacts: [ArtifactHash]
    /// Params values by file, then dotted key.
    public var params: [String: [String: JSONValue]]
    /// Metric values by file, then dotted key.
    public var metrics: [String: [String: JSONValue]]
    /// The commit's note on refs/notes/mlci, parsed; `nil` if there is none.
    public var note: JSONValue?
    /// Things worth telling that did not stop the answer (a malformed note, say).
    public var warnings: [String]

    public var data: [ArtifactHash] { artifacts.filter { $0.role == .data } }
    public var models: [ArtifactHash] { artifacts.filter { $0.role == .model } }

    /// The verdict recorded in the note, if any.
    public var verdict: String? { note?["verdict"]?.stringValue }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = []
        if let commit {
            members.append(("commit", .string(commit.id.hex)))
            members.append(("author", .string("\(commit.authorName) <\(commit.authorEmail)>")))
            members.append(("date", .string(Dates.iso8601(commit.authorTime, offsetMinutes: commit.authorOffsetMinutes))))
            members.append(("summary", .string(commit.summary)))
        } else {
            members.append(("commit", .null))
            members.append(("working_tree", true))
        }
        members.append(("data", .array(data.map(\.json))))
        members.append(("models", .array(models.map(\.json))))
        members.append(("params", Self.nested(params)))
        members.append(("metrics", Self.nested(metrics)))
        members.append(("verdict", .optional(verdict)))
        members.append(("note", note ?? .null))
        if !warnings.isEmpty { members.append(("warnings", .array(warnings.map(JSONValue.string)))) }
        return .object(members)
    }

    static func nested(_ values: [String: [String: JSONValue]]) -> JSONValue {
        .object(values.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { file, keys in
            (file, .object(keys.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) }))
        })
    }
}

/// Date formatting without Foundation's locale machinery.
public enum Dates {
    /// `2026-11-21T20:18:00+01:00` for a Unix time and an offset in minutes.
    public static func iso8601(_ seconds: Int64, offsetMinutes: Int32) -> String {
        let local = seconds + Int64(offsetMinutes) * 60
        let (year, month, day, hour, minute, second) = civil(local)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let offset = abs(Int(offsetMinutes))
        return String(format4(year)) + "-" + two(month) + "-" + two(day) + "T" + two(hour) + ":" + two(minute) + ":" + two(second)
            + sign + two(offset / 60) + ":" + two(offset % 60)
    }

    /// `2026-11-21` in the commit's own time zone.
    public static func day(_ seconds: Int64, offsetMinutes: Int32) -> String {
        String(iso8601(seconds, offsetMinutes: offsetMinutes).prefix(10))
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    static func format4(_ n: Int) -> String { String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n) }

    /// Days-from-civil inverse (Howard Hinnant's algorithm).
    static func civil(_ t: Int64) -> (Int, Int, Int, Int, Int, Int) {
        var days = t / 86400
        var rem = t % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d), Int(rem / 3600), Int(rem % 3600 / 60), Int(rem % 60))
    }
}
