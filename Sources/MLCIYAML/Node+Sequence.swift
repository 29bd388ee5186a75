extension Node {
    /// A sequence's items in document order. A value type; `Sendable`.
    public struct Sequence: RandomAccessCollection, Hashable, Sendable {
        public var items: [Node]
        public var tag: Tag.Name
        public var mark: Mark?

        public init(_ items: [Node], tag: Tag.Name = .seq, mark: Mark? = nil) {
            self.items = items
            self.tag = tag
            self.mark = mark
        }

        public var startIndex: Int { items.startIndex }
        public var endIndex: Int { items.endIndex }
        public subscript(position: Int) -> Node { items[position] }

        public static func == (lhs: Sequence, rhs: Sequence) -> Bool { lhs.items == rhs.items && lhs.tag == rhs.tag }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(items)
            hasher.combine(tag)
        }
    }
}
