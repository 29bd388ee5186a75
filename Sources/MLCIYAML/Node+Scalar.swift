extension Node {
    /// A scalar: its text after YAML's folding and escapes, its style and resolved tag.
    /// A value type; `Sendable`.
    public struct Scalar: Hashable, Sendable {
        /// How the scalar was written.
        public enum Style: UInt32, Sendable {
            case any = 0, plain, singleQuoted, doubleQuoted, literal, folded
        }

        public var string: String
        /// The resolved tag: an explicit tag, `str` for quoted and block scalars, otherwise what
        /// the document's ``Resolver`` reads in the text.
        public var tag: Tag.Name
        public var style: Style
        public var mark: Mark?

        public init(_ string: String, tag: Tag.Name = .str, style: Style = .any, mark: Mark? = nil) {
            self.string = string
            self.tag = tag
            self.style = style
            self.mark = mark
        }

        public static func == (lhs: Scalar, rhs: Scalar) -> Bool { lhs.string == rhs.string && lhs.tag == rhs.tag }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(string)
            hasher.combine(tag)
        }
    }
}
