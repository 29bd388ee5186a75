/// Named ``MustacheTemplate``s: the templates one emit renders, each usable as a partial of
/// the others. A value type; `Sendable` once built.
struct MustacheLibrary: Sendable {
    private(set) var templates: [String: MustacheTemplate] = [:]

    /// Parses `text` and registers it as `name`.
    mutating func register(_ text: String, named name: String) throws(MustacheTemplate.ParseError) {
        templates[name] = try MustacheTemplate(text)
    }

    /// `name` rendered with `values` (a dictionary of strings, numbers, booleans, arrays and
    /// dictionaries); nil when there is no such template.
    func render(_ values: [String: Any], withTemplate name: String) -> String? {
        guard let template = templates[name] else { return nil }
        return template.render(MustacheTemplate.Context(stack: [values], indentation: nil, library: self))
    }
}
