/// Blank-trimming without Foundation: blanks are tabs and Unicode space separators (what
/// Foundation's `CharacterSet.whitespaces` holds). Stateless.
enum Spaces {
    static func isBlank(_ character: Character) -> Bool {
        character == "\t" || character.unicodeScalars.allSatisfy { $0.properties.generalCategory == .spaceSeparator }
    }

    /// `text` without blanks at either end.
    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(text[first...last])
    }
}
