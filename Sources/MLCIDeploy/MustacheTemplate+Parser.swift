/// The parser, following swift-mustache's `MustacheTemplate.parse` step by step so that
/// whitespace comes out the same: text is cut into one token per line, a section, comment,
/// partial or delimiter tag alone on its line ("standalone") takes the line's indentation and
/// line break with it.
extension MustacheTemplate {
    typealias Problem = ParseError.Problem

    /// A position in the template text (by `Character`, as swift-mustache reads it).
    struct Cursor {
        let characters: [Character]
        var position = 0

        init(_ text: String) { characters = Array(text) }

        var atEnd: Bool { position >= characters.count }
        /// The current character, NUL at the end.
        var current: Character { atEnd ? "\0" : characters[position] }
        mutating func advance() { position += 1 }

        @discardableResult
        mutating func read(while accept: (Character) -> Bool) -> String {
            let start = position
            while !atEnd, accept(characters[position]) { position += 1 }
            return String(characters[start..<position])
        }

        /// Reads `string` if the text continues with it.
        mutating func read(_ string: [Character]) -> Bool {
            guard position + string.count <= characters.count, Array(characters[position..<(position + string.count)]) == string else { return false }
            position += string.count
            return true
        }

        /// Reads up to (not including) the first character satisfying `stop`; nil (and no
        /// move) if there is none.
        mutating func read(until stop: (Character) -> Bool) -> String? {
            let start = position
            while !atEnd {
                if stop(characters[position]) { return String(characters[start..<position]) }
                position += 1
            }
            position = start
            return nil
        }

        /// 1-based line and column of the current position.
        func lineAndColumn() -> (Int, Int) {
            var line = 1
            var column = 1
            for c in characters[0..<min(position, characters.count)] {
                if c == "\n" || c == "\r\n" { line += 1; column = 1 } else { column += 1 }
            }
            return (line, column)
        }
    }

    struct ParserState {
        var sectionName: String?
        var newLine = true
        var start: [Character] = ["{", "{"]
        var end: [Character] = ["}", "}"]

        func withSection(_ name: String, newLine: Bool) -> ParserState {
            var copy = self
            copy.sectionName = name
            if !newLine { copy.newLine = false }
            return copy
        }
    }

    private static let nameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*")
    private static let partialNameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*/")
    private static func isBlank(_ c: Character) -> Bool { c == " " || c == "\t" }

    static func parse(_ cursor: inout Cursor, state initial: ParserState) throws(Problem) -> [Token] {
        var tokens: [Token] = []
        var state = initial
        var whiteSpaceBefore = ""
        while !cursor.atEnd {
            if state.newLine { whiteSpaceBefore = cursor.read(while: isBlank) }
            let text = readUntilDelimiterOrNewline(&cursor, state: state)
            if cursor.current.isNewline {
                tokens.append(.text(whiteSpaceBefore + text + String(cursor.current)))
                state.newLine = true
                cursor.advance()
                continue
            }
            if !text.isEmpty {
                tokens.append(.text(whiteSpaceBefore + text))
                whiteSpaceBefore = ""
                state.newLine = false
            }
            if cursor.atEnd { break }
            var setNewLine = false
            func flushWhiteSpace() {
                if !whiteSpaceBefore.isEmpty {
                    tokens.append(.text(whiteSpaceBefore))
                    whiteSpaceBefore = ""
                }
            }
            switch cursor.current {
            case "#", "^":
                let inverted = cursor.current == "^"
                cursor.advance()
                let name = try parseName(&cursor, state: state)
                if isStandalone(&cursor, state: state) { setNewLine = true } else { flushWhiteSpace() }
                let inner = MustacheTemplate(tokens: try parse(&cursor, state: state.withSection(name, newLine: setNewLine)))
                tokens.append(inverted ? .invertedSection(name, inner) : .section(name, inner))
            case "/":
                cursor.advance()
                let position = cursor.position
                let name = try parseName(&cursor, state: state)
                guard name == state.sectionName else {
                    cursor.position = position
                    throw .sectionCloseNameIncorrect
                }
                if !isStandalone(&cursor, state: state) { flushWhiteSpace() }
                return tokens
            case "!":
                cursor.advance()
                try skipComment(&cursor, state: state)
                setNewLine = isStandalone(&cursor, state: state)
            case "{", "&":
                let triple = cursor.current == "{"
                flushWhiteSpace()
                cursor.advance()
                let name = try parseName(&cursor, state: state)
                if triple {
                    guard cursor.current == "}" else { throw .unfinishedName }
                    cursor.advance()
                }
                tokens.append(.unescapedVariable(name))
            case ">":
                cursor.advance()
                cursor.read(while: \.isWhitespace)
                if cursor.current == "*" { throw .unsupported }
                cursor.read(while: \.isWhitespace)
                let name = cursor.read(while: partialNameCharacters.contains)
                cursor.read(while: \.isWhitespace)
                guard cursor.read(state.end) else { throw .unfinishedName }
                if !whiteSpaceBefore.isEmpty { tokens.append(.text(whiteSpaceBefore)) }
                if isStandalone(&cursor, state: state) {
                    setNewLine = true
                    tokens.append(.partial(name, indentation: whiteSpaceBefore))
                } else {
                    tokens.append(.partial(name, indentation: nil))
                }
                whiteSpaceBefore = ""
            case "=":
                cursor.advance()
                state = try setDelimiters(&cursor, state: state)
                setNewLine = isStandalone(&cursor, state: state)
            case "<", "$", "%":
                throw .unsupported
            default:
                flushWhiteSpace()
                tokens.append(.variable(try parseName(&cursor, state: state)))
            }
            state.newLine = setNewLine
        }
        guard state.sectionName == nil else { throw .expectedSectionEnd }
        return tokens
    }

    /// Text up to a line break (`\n` or `\r\n`, not read) or the opening delimiter (read).
    static func readUntilDelimiterOrNewline(_ cursor: inout Cursor, state: ParserState) -> String {
        var text = ""
        let first = state.start[0]
        while !cursor.atEnd {
            text += cursor.read(while: { $0 != "\n" && $0 != "\r\n" && $0 != first })
            if cursor.atEnd || cursor.current.isNewline { break }
            if cursor.read(state.start) { break }
            text.append(first)
            cursor.advance()
        }
        return text
    }

    /// A tag's name and its closing delimiter. Transforms (`name(x)`) are refused.
    static func parseName(_ cursor: inout Cursor, state: ParserState) throws(Problem) -> String {
        cursor.read(while: \.isWhitespace)
        let name = cursor.read(while: nameCharacters.contains)
        cursor.read(while: \.isWhitespace)
        guard cursor.read(state.end) else { throw .unfinishedName }
        if name.contains("(") || name.contains(")") { throw .unsupported }
        return name
    }

    static func skipComment(_ cursor: inout Cursor, state: ParserState) throws(Problem) {
        while !cursor.atEnd {
            if cursor.read(state.end) { return }
            cursor.advance()
        }
        throw .unfinishedName
    }

    /// Whether the tag just read is alone on its line; if so the rest of the line (blanks and
    /// the line break) is read too.
    static func isStandalone(_ cursor: inout Cursor, state: ParserState) -> Bool {
        guard state.newLine else { return false }
        if cursor.atEnd { return true }
        var probe = cursor
        probe.read(while: isBlank)
        guard probe.current.isNewline else { return false }
        probe.advance()
        cursor = probe
        return true
    }

    static func setDelimiters(_ cursor: inout Cursor, state: ParserState) throws(Problem) -> ParserState {
        cursor.read(while: \.isWhitespace)
        guard let start = cursor.read(until: \.isWhitespace) else { throw .invalidSetDelimiter }
        cursor.read(while: \.isWhitespace)
        guard let end = cursor.read(until: { $0 == "=" || $0.isWhitespace }) else { throw .invalidSetDelimiter }
        cursor.read(while: \.isWhitespace)
        guard cursor.current == "=" else { throw .invalidSetDelimiter }
        cursor.advance()
        guard cursor.read(state.end), !start.isEmpty, !end.isEmpty else { throw .invalidSetDelimiter }
        var next = state
        next.start = Array(start)
        next.end = Array(end)
        return next
    }
}
