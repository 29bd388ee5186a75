import MLCISupport

/// Python params files read as DVC reads them (`dvc/utils/serialize/_py.py`), without running
/// Python: module-level `NAME = literal` and `NAME: T = literal`, and `class C:` bodies as
/// `C: {attr: literal}` with `self.attr = literal` from that class's `__init__` merged in.
/// Assignments whose value is not a literal (`X = LR * 2`), several targets (`X = Y = 3`),
/// other statements and other functions are skipped, as DVC skips them. Text mlci cannot
/// tokenize (an unterminated string, bytes, sets, f-strings) is refused with its location.
///
/// Stateless; safe from any thread.
public enum PythonParams {
    public static func parse(_ text: String, file: String) throws(InputError) -> JSONValue {
        let lines = try PythonLines.split(text, file: file)
        var index = 0
        return try block(lines, &index, indent: 0, mode: .module, file: file)
    }

    enum Mode { case module, classBody, initializer }

    /// The statements at `indent` from `index` on, until a line indented less.
    static func block(_ lines: [PythonLines.Line], _ index: inout Int, indent: Int, mode: Mode, file: String) throws(InputError) -> JSONValue {
        var result: [(String, JSONValue)] = []
        func put(_ key: String, _ value: JSONValue) {
            if let i = result.firstIndex(where: { $0.0 == key }) { result[i].1 = value } else { result.append((key, value)) }
        }
        while index < lines.count {
            let line = lines[index]
            if line.indent < indent { break }
            if line.indent > indent { index += 1; continue }  // the body of a skipped statement
            index += 1
            let tokens = line.tokens
            guard let first = tokens.first else { continue }
            let bodyIndent = index < lines.count && lines[index].indent > indent ? lines[index].indent : nil
            if first.kind == .name && first.text == "class" && mode != .initializer, tokens.count >= 2, tokens[1].kind == .name,
               tokens.last?.text == ":" {
                if let bodyIndent {
                    let body = try block(lines, &index, indent: bodyIndent, mode: .classBody, file: file)
                    put(tokens[1].text, body)
                } else {
                    put(tokens[1].text, .object([]))
                }
                continue
            }
            if first.kind == .name && first.text == "def" {
                if mode == .classBody, tokens.count > 1, tokens[1].text == "__init__", let bodyIndent {
                    let attributes = try block(lines, &index, indent: bodyIndent, mode: .initializer, file: file)
                    for (key, value) in attributes.objectValue ?? [] { put(key, value) }
                }
                continue
            }
            guard let (name, value) = try assignment(tokens, mode: mode, file: file) else { continue }
            put(name, value)
        }
        return .object(result)
    }

    /// `target = value` or `target: T = value` with one target: its name and literal value;
    /// `nil` when DVC would skip the statement.
    static func assignment(_ tokens: [PythonLines.Token], mode: Mode, file: String) throws(InputError) -> (String, JSONValue)? {
        var position = 0
        let name: String
        if mode == .initializer {
            guard tokens.count > 3, tokens[0].text == "self", tokens[1].text == ".", tokens[2].kind == .name else { return nil }
            name = tokens[2].text
            position = 3
        } else {
            guard tokens.count > 1, tokens[0].kind == .name, !PythonLines.keywords.contains(tokens[0].text) else { return nil }
            name = tokens[0].text
            position = 1
        }
        guard position < tokens.count else { return nil }
        if tokens[position].text == ":" {
            // An annotation: skip to a top-level `=`.
            var depth = 0
            var found: Int? = nil
            for i in (position + 1)..<tokens.count {
                let t = tokens[i].text
                if tokens[i].kind == .operator {
                    if "([{".contains(t) { depth += 1 } else if ")]}".contains(t) { depth -= 1 } else if t == "=" && depth == 0 { found = i; break }
                }
            }
            guard let found else { return nil }
            position = found
        }
        guard tokens[position].kind == .operator, tokens[position].text == "=" else { return nil }
        let value = Array(tokens[(position + 1)...])
        // `X = Y = 3`: several targets.
        var depth = 0
        for token in value where token.kind == .operator {
            if "([{".contains(token.text) { depth += 1 } else if ")]}".contains(token.text) { depth -= 1 } else if token.text == "=" && depth == 0 { return nil }
        }
        var parser = PythonLiteral(tokens: value, file: file)
        guard let literal = try parser.parseTopLevel() else { return nil }
        return (name, literal)
    }
}

/// A Python literal (`ast.literal_eval`'s subset mlci supports) from tokens: `nil` when the
/// expression is valid Python but not a literal (a name, a call, arithmetic).
struct PythonLiteral {
    let tokens: [PythonLines.Token]
    let file: String
    var i = 0

    init(tokens: [PythonLines.Token], file: String) {
        self.tokens = tokens
        self.file = file
    }

    struct NotLiteral: Error {}

    mutating func parseTopLevel() throws(InputError) -> JSONValue? {
        do {
            let value = try expression(allowTuple: true)
            guard i == tokens.count else { return nil }
            return value
        } catch let error as InputError {
            throw error
        } catch {
            return nil
        }
    }

    mutating func expression(allowTuple: Bool) throws -> JSONValue {
        let first = try single()
        guard allowTuple, i < tokens.count, tokens[i].text == ",", tokens[i].kind == .operator else { return first }
        var items = [first]
        while i < tokens.count, tokens[i].text == "," {
            i += 1
            if i == tokens.count { break }
            items.append(try single())
        }
        return .array(items)
    }

    mutating func single() throws -> JSONValue {
        guard i < tokens.count else { throw NotLiteral() }
        let token = tokens[i]
        i += 1
        switch token.kind {
        case .number(let value): return value
        case .string(let text):
            var combined = text
            while i < tokens.count, case .string(let more) = tokens[i].kind { combined += more; i += 1 }
            return .string(combined)
        case .name:
            switch token.text {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .null
            default: throw NotLiteral()
            }
        case .unsupported(let what):
            throw InputError("\(what) in a Python params file is not supported by mlci", at: token.location,
                             hint: "use numbers, strings, booleans, None, lists, tuples and dicts")
        case .operator:
            switch token.text {
            case "-", "+":
                let inner = try single()
                switch inner {
                case .int(let v): return token.text == "-" ? .int(-v) : .int(v)
                case .double(let v): return token.text == "-" ? .double(-v) : .double(v)
                default: throw NotLiteral()
                }
            case "[": return .array(try items(until: "]"))
            case "(":
                if i < tokens.count, tokens[i].text == ")" { i += 1; return .array([]) }
                let first = try single()
                if i < tokens.count, tokens[i].text == ")" { i += 1; return first }
                guard i < tokens.count, tokens[i].text == "," else { throw NotLiteral() }
                i += 1
                return .array([first] + (try items(until: ")")))
            case "{":
                var members: [(String, JSONValue)] = []
                while true {
                    guard i < tokens.count else { throw NotLiteral() }
                    if tokens[i].text == "}" { i += 1; break }
                    let key = try single()
                    guard i < tokens.count, tokens[i].text == ":" else {
                        throw InputError("sets in a Python params file are not supported by mlci", at: token.location)
                    }
                    i += 1
                    let value = try single()
                    let name = key.stringValue ?? PythonText.string(key)
                    if let index = members.firstIndex(where: { $0.0 == name }) { members[index].1 = value } else { members.append((name, value)) }
                    guard i < tokens.count else { throw NotLiteral() }
                    if tokens[i].text == "," { i += 1 } else if tokens[i].text != "}" { throw NotLiteral() }
                }
                return .object(members)
            default: throw NotLiteral()
            }
        }
    }

    mutating func items(until close: String) throws -> [JSONValue] {
        var out: [JSONValue] = []
        while true {
            guard i < tokens.count else { throw NotLiteral() }
            if tokens[i].text == close { i += 1; return out }
            out.append(try single())
            guard i < tokens.count else { throw NotLiteral() }
            if tokens[i].text == "," { i += 1 } else if tokens[i].text != close { throw NotLiteral() }
        }
    }
}
