import MLCISupport

/// The result of one check: the unit every check family (metrics, provenance, stages, and
/// later data expectations, drift, fairness, model scanning) reports in, and every report
/// format renders.
///
/// A value type: `Sendable`.
public struct Finding: Sendable, Equatable {
    public enum Outcome: String, Sendable { case passed, failed, skipped }
    public enum Severity: String, Sendable { case error, warning, note }

    /// A stable id of the kind of check, `family.rule` (e.g. `metrics.min`): what SARIF rule
    /// ids and JUnit class names are made of.
    public var checkID: String
    /// What was checked: a metric name, a path, a stage.
    public var subject: String
    public var outcome: Outcome
    /// How much a failure matters: `error` rejects the change, `warning` does not.
    public var severity: Severity
    public var message: String
    public var observed: JSONValue?
    public var expected: JSONValue?
    /// Where the check is configured (`mlci.yaml:12`).
    public var location: SourceLocation?
    /// The file the finding is about (a data or model file, a stage log), if any.
    public var artifact: String?

    public init(checkID: String, subject: String, outcome: Outcome, severity: Severity = .error, message: String,
                observed: JSONValue? = nil, expected: JSONValue? = nil, location: SourceLocation? = nil, artifact: String? = nil) {
        self.checkID = checkID
        self.subject = subject
        self.outcome = outcome
        self.severity = severity
        self.message = message
        self.observed = observed
        self.expected = expected
        self.location = location
        self.artifact = artifact
    }

    /// The check family: the part of `checkID` before the dot.
    public var family: String { String(checkID.prefix { $0 != "." }) }

    /// Whether this finding rejects the change.
    public var rejects: Bool { outcome == .failed && severity == .error }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("check", .string(checkID)), ("family", .string(family)), ("subject", .string(subject)),
            ("outcome", .string(outcome.rawValue)), ("severity", .string(severity.rawValue)), ("message", .string(message)),
            ("observed", observed ?? .null), ("expected", expected ?? .null),
        ]
        if let location {
            members.append(("location", ["file": .string(location.file), "line": location.line.map { .int(Int64($0)) } ?? .null]))
        } else {
            members.append(("location", .null))
        }
        members.append(("artifact", .optional(artifact)))
        return .object(members)
    }
}
