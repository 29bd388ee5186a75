/// Why YAML text could not be composed, with the marks libyaml reports. The cases and their
/// `description` are those of Yams' `YamlError`, so messages read as they did. `Sendable`.
public enum YAMLError: Error, Sendable, CustomStringConvertible {
    /// What was being read when the problem was found (`while parsing a block mapping`).
    public struct Context: Sendable, CustomStringConvertible {
        public let text: String
        public let mark: Mark
        public var description: String { text + " in line \(mark.line), column \(mark.column)\n" }
    }

    /// The text cannot be read (an invalid byte; `offset` in characters).
    case reader(problem: String, offset: Int?, value: Int32, yaml: String)
    case scanner(context: Context?, problem: String, Mark, yaml: String)
    case parser(context: Context?, problem: String, Mark, yaml: String)
    /// An undefined alias, or a second document where one was expected.
    case composer(context: Context?, problem: String, Mark, yaml: String)
    /// The same key twice in one mapping; `context.mark` is the first of the (smallest) key.
    case duplicatedKeysInMapping(duplicates: [String], context: Context)
    /// libyaml could not allocate memory.
    case memory

    public var description: String {
        switch self {
        case .memory:
            return "Memory error"
        case let .reader(problem, offset, value, yaml):
            guard let offset, let (line, column, contents) = Self.lineColumnAndContents(yaml, at: offset) else {
                return "\(problem) at offset: \(offset.map { "Optional(\($0))" } ?? "nil"), value: \(value)"
            }
            return "\(Mark(line: line + 1, column: column + 1)): error: reader: \(problem):\n" + Self.endingWithNewline(contents)
                + String(repeating: " ", count: column) + "^"
        case let .scanner(context, problem, mark, yaml):
            return "\(mark): error: scanner: \(context?.description ?? "")\(problem):\n" + Self.snippet(yaml, at: mark)
        case let .parser(context, problem, mark, yaml):
            return "\(mark): error: parser: \(context?.description ?? "")\(problem):\n" + Self.snippet(yaml, at: mark)
        case let .composer(context, problem, mark, yaml):
            return "\(mark): error: composer: \(context?.description ?? "")\(problem):\n" + Self.snippet(yaml, at: mark)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "Parser: expected all keys to be unique but found the following duplicated key(s): \(keys).\nContext:\n\(context.description)"
        }
    }

    /// The lines of `yaml` as Yams splits them (each keeps its line break).
    static func lines(_ yaml: String) -> [Substring] {
        var out: [Substring] = []
        var start = yaml.startIndex
        var index = yaml.startIndex
        while index < yaml.endIndex {
            let next = yaml.index(after: index)
            if yaml[index].isNewline {
                out.append(yaml[start..<next])
                start = next
            }
            index = next
        }
        if start < yaml.endIndex { out.append(yaml[start...]) }
        return out
    }

    static func endingWithNewline(_ text: Substring) -> String {
        text.last?.isNewline == true ? String(text) : String(text) + "\n"
    }

    /// The line of `mark` and a caret under its column.
    static func snippet(_ yaml: String, at mark: Mark) -> String {
        let all = lines(yaml)
        let contents = mark.line - 1 < all.count && mark.line >= 1 ? all[mark.line - 1] : ""
        let scalars = contents.unicodeScalars
        let end = scalars.index(scalars.startIndex, offsetBy: max(0, mark.column - 1), limitedBy: scalars.endIndex) ?? scalars.endIndex
        let width = String(scalars[scalars.startIndex..<end]).utf16.count
        return endingWithNewline(contents) + String(repeating: " ", count: width) + "^"
    }

    /// Line and column (0-based, in characters) of the character at `offset`.
    static func lineColumnAndContents(_ yaml: String, at offset: Int) -> (Int, Int, Substring)? {
        var remaining = offset
        for (number, line) in lines(yaml).enumerated() {
            if remaining < line.count { return (number, remaining, line) }
            remaining -= line.count
        }
        return nil
    }
}
