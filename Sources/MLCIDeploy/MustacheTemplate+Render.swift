/// Rendering, as swift-mustache renders: names are looked up through the stack of section
/// values (innermost first), `[String: Any]` dictionaries being the only values with members;
/// a section repeats for each item of an array, shows once for `true` or any other value, and
/// not for `false`, an empty array or a missing name; a standalone partial indents every
/// token of it that starts a line.
extension MustacheTemplate {
    struct Context {
        var stack: [Any]
        var indentation: String?
        let library: MustacheLibrary
    }

    func render(_ context: Context) -> String {
        var out = ""
        if let indentation = context.indentation, !indentation.isEmpty {
            for token in tokens {
                let rendered = render(token, context)
                if !rendered.isEmpty, out.last == "\n" { out += indentation }
                out += rendered
            }
        } else {
            for token in tokens { out += render(token, context) }
        }
        return out
    }

    private func render(_ token: Token, _ context: Context) -> String {
        switch token {
        case .text(let text):
            return text
        case .variable(let name):
            return Self.lookup(name, context).map { QuotedText.quote(Self.text($0)) } ?? ""
        case .unescapedVariable(let name):
            return Self.lookup(name, context).map(Self.text) ?? ""
        case .section(let name, let inner):
            switch Self.lookup(name, context) {
            case let items as [Any]:
                return items.map { item in
                    var scoped = context
                    scoped.stack.append(item)
                    return inner.render(scoped)
                }.joined()
            case let flag as Bool:
                return flag ? inner.render(context) : ""
            case .some(let value):
                var scoped = context
                scoped.stack.append(value)
                return inner.render(scoped)
            case .none:
                return ""
            }
        case .invertedSection(let name, let inner):
            switch Self.lookup(name, context) {
            case let items as [Any]:
                guard items.isEmpty else { return "" }
                var scoped = context
                scoped.stack.append(items)
                return inner.render(scoped)
            case let flag as Bool:
                return flag ? "" : inner.render(context)
            case .some:
                return ""
            case .none:
                return inner.render(context)
            }
        case .partial(let name, let indentation):
            guard let template = context.library.templates[name] else { return "" }
            var scoped = context
            if let indentation { scoped.indentation = (context.indentation ?? "") + indentation }
            return template.render(scoped)
        }
    }

    /// A value as text (`String(describing:)`, as swift-mustache writes numbers and booleans).
    static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        return String(describing: value)
    }

    /// `.` is the innermost value; `a.b` finds `a` in the innermost value that has it, then
    /// `b` in that; `.a` looks only in the innermost value.
    static func lookup(_ name: String, _ context: Context) -> Any? {
        if name == "." { return context.stack.last }
        let parts = name.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        func member(_ key: String, of object: Any) -> Any? { (object as? [String: Any])?[key] }
        var found: Any?
        if name.hasPrefix(".") {
            found = context.stack.last.flatMap { member(first, of: $0) }
        } else {
            for object in context.stack.reversed() {
                if let value = member(first, of: object) { found = value; break }
            }
        }
        for part in parts.dropFirst() {
            guard let object = found else { return nil }
            found = member(part, of: object)
        }
        return found
    }
}
