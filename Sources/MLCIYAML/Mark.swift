/// A position in YAML text: 1-based line, and 1-based column counted in characters (Unicode
/// scalars), as libyaml counts them. A value type; `Sendable`.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}
