/// A place in a file the user wrote: 1-based line and column.
public struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?

    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, or as much of it as is known.
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }
}

/// One problem in the user's input, located where possible, in the shape compilers print:
/// `mlci.yaml:12:5: error: unknown key 'trian' (did you mean 'train'?)`.
///
/// A value type: `Sendable`.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable { case error, warning, note }

    public let severity: Severity
    public let message: String
    public let location: SourceLocation?
    /// What the user can do about it, printed on its own line.
    public let hint: String?

    public init(_ severity: Severity = .error, _ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
        self.hint = hint
    }

    public static func error(_ message: String, at location: SourceLocation? = nil, hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: location, hint: hint)
    }

    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += "\(severity.rawValue): \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// The user's input (a file, an argument, the repository's state) keeps mlci from reaching
/// an answer: exit code 2. Carries every problem found, so that all are reported at once.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public init(_ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.diagnostics = [.error(message, at: location, hint: hint)]
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
