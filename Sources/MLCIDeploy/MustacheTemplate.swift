/// A parsed Mustache template of mlci's deploy templates.
///
/// mlci rendered these with the swift-mustache package until it was found to link Foundation,
/// and with it ICU (about 30 MB of code and data), into the release binary for this one use.
/// This is the part of Mustache the templates use, parsed and rendered the way swift-mustache
/// 2.1 does (same standalone-line and partial-indentation rules, so the same bytes come out):
/// `{{name}}` (quoted by ``QuotedText``), `{{{name}}}` and `{{&name}}` (as is), dotted names
/// and `{{.}}`, `{{#section}}`, `{{^inverted}}`, `{{! comments }}`, `{{>partial}}` and
/// `{{=<% %>=}}`. Anything else (transforms, lambdas, `{{<parent}}`/`{{$block}}`, dynamic
/// partials, pragmas) is refused when the template is parsed, at its line and column.
///
/// A value type; `Sendable` and immutable once parsed.
struct MustacheTemplate: Sendable {
    indirect enum Token: Sendable {
        case text(String)
        case variable(String)
        case unescapedVariable(String)
        case section(String, MustacheTemplate)
        case invertedSection(String, MustacheTemplate)
        /// A partial; `indentation` is the whitespace before a standalone partial tag.
        case partial(String, indentation: String?)
    }

    /// Why a template does not parse, and where (1-based line and column).
    struct ParseError: Error, Sendable {
        enum Problem: String, Error, Sendable {
            case sectionCloseNameIncorrect = "a section is closed with another name than it was opened with"
            case unfinishedName = "a tag is not closed, or its name holds a character a name cannot"
            case expectedSectionEnd = "a section is never closed"
            case invalidSetDelimiter = "a set-delimiter tag is malformed"
            case unsupported = "this tag is not supported by mlci's templates (no transforms, lambdas, parents, blocks, dynamic partials or pragmas)"
        }
        let problem: Problem
        let line: Int
        let column: Int
    }

    let tokens: [Token]

    /// Parses `text`.
    init(_ text: String) throws(ParseError) {
        var cursor = Cursor(text)
        do {
            tokens = try Self.parse(&cursor, state: ParserState())
        } catch let problem {
            let (line, column) = cursor.lineAndColumn()
            throw ParseError(problem: problem, line: line, column: column)
        }
    }

    init(tokens: [Token]) { self.tokens = tokens }
}
