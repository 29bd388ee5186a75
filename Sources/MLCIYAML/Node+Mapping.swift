extension Node {
    /// A mapping's pairs in document order. A value type; `Sendable`.
    public struct Mapping: RandomAccessCollection, Hashable, Sendable {
        public typealias Element = (key: Node, value: Node)

        private var pairs: [Pair]
        public var tag: Tag.Name
        public var mark: Mark?
        /// How keys given as text are typed for lookup (the document's resolver).
        public var resolver: Resolver

        public init(_ pairs: [(Node, Node)], tag: Tag.Name = .map, mark: Mark? = nil, resolver: Resolver = .default) {
            self.pairs = pairs.map { Pair(key: $0.0, value: $0.1) }
            self.tag = tag
            self.mark = mark
            self.resolver = resolver
        }

        public var startIndex: Int { pairs.startIndex }
        public var endIndex: Int { pairs.endIndex }
        public subscript(position: Int) -> Element { (key: pairs[position].key, value: pairs[position].value) }

        /// The value of the last key that equals `key` read as a plain scalar (Yams' lookup:
        /// `m["on"]` finds a plain `on:` under the default resolver, where it is a boolean,
        /// and not a quoted `"on":`).
        /// Setting replaces the value of that key (or appends the pair); setting `nil` removes it.
        public subscript(key: String) -> Node? {
            get {
                let probe = probe(key)
                return pairs.last(where: { $0.key == probe })?.value
            }
            set {
                let probe = probe(key)
                let index = pairs.lastIndex(where: { $0.key == probe })
                switch (index, newValue) {
                case let (index?, value?): pairs[index] = Pair(key: pairs[index].key, value: value)
                case let (index?, nil): pairs.remove(at: index)
                case let (nil, value?): pairs.append(Pair(key: probe, value: value))
                case (nil, nil): break
                }
            }
        }

        private func probe(_ key: String) -> Node { .scalar(Scalar(key, tag: resolver.resolve(key))) }

        public static func == (lhs: Mapping, rhs: Mapping) -> Bool { lhs.pairs == rhs.pairs && lhs.tag == rhs.tag }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(pairs)
            hasher.combine(tag)
        }

        private struct Pair: Hashable, Sendable {
            let key: Node
            let value: Node
        }
    }
}
