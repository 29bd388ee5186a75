import CYAML

/// Composes YAML text into ``Node`` trees with libyaml's event parser, the way Yams'
/// `compose` does: aliases resolved to their anchored node, duplicate keys refused, tags
/// resolved with a ``Resolver``. The only code in mlci that touches libyaml's C pointers.
///
/// Not `Sendable`: one composer reads one text, on one thread, inside ``YAML``.
final class Composer {
    /// The deepest nesting of collections accepted (libyaml as Yams builds it stops at 1000;
    /// Debian's libyaml has no limit, and composing is recursive).
    static let maximumDepth = 1000

    private let yaml: String
    private let resolver: Resolver
    private var parser = yaml_parser_t()
    /// Anchors by name; like Yams, an anchor stays defined for later documents of the stream.
    private var anchors: [String: Node] = [:]
    private var depth = 0

    /// Runs `body` with a composer reading `text` (kept alive and unmoved while it runs).
    static func with<T>(_ text: String, resolver: Resolver, _ body: (Composer) throws(YAMLError) -> T) throws(YAMLError) -> T {
        var bytes = Array(text.utf8)
        let composer = Composer(yaml: text, resolver: resolver)
        guard yaml_parser_initialize(&composer.parser) == 1 else { throw .memory }
        defer { yaml_parser_delete(&composer.parser) }
        let count = bytes.count
        let result: Result<T, YAMLError> = bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_encoding(&composer.parser, YAML_UTF8_ENCODING)
            // libyaml reads from the pointer; an empty text still needs a valid address.
            var empty: UInt8 = 0
            if let base = buffer.baseAddress {
                yaml_parser_set_input_string(&composer.parser, base, count)
            } else {
                yaml_parser_set_input_string(&composer.parser, &empty, 0)
            }
            do throws(YAMLError) {
                _ = try composer.next()  // STREAM-START
                return .success(try body(composer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private init(yaml: String, resolver: Resolver) {
        self.yaml = yaml
        self.resolver = resolver
    }

    /// The next document's root, or nil at the end of the stream.
    func nextRoot() throws(YAMLError) -> Node? {
        let start = try next()  // DOCUMENT-START or STREAM-END
        guard start.type != YAML_STREAM_END_EVENT else { return nil }
        let root = try node(from: try next())
        _ = try next()  // DOCUMENT-END
        return root
    }

    /// The one document of the stream, nil for an empty stream.
    func singleRoot() throws(YAMLError) -> Node? {
        guard let root = try nextRoot() else { return nil }
        let event = try next()
        if event.type != YAML_STREAM_END_EVENT {
            throw .composer(context: YAMLError.Context(text: "expected a single document in the stream", mark: Mark(line: 1, column: 1)),
                            problem: "but found another document", event.mark, yaml: yaml)
        }
        return root
    }

    // MARK: - Events

    /// One event, copied out of libyaml's structure (which is freed at once).
    struct Event {
        var type: yaml_event_type_t
        var mark: Mark
        var anchor: String?
        var tag: String?
        var value = ""
        var style: UInt32 = 0
        var implicit = false
        var quotedImplicit = false
    }

    private func next() throws(YAMLError) -> Event {
        var raw = yaml_event_t()
        guard yaml_parser_parse(&parser, &raw) == 1 else { throw error() }
        defer { yaml_event_delete(&raw) }
        var event = Event(type: raw.type, mark: Mark(line: Int(raw.start_mark.line) + 1, column: Int(raw.start_mark.column) + 1))
        switch raw.type {
        case YAML_ALIAS_EVENT:
            event.anchor = Self.string(raw.data.alias.anchor)
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            event.anchor = Self.string(scalar.anchor)
            event.tag = Self.string(scalar.tag)
            event.value = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self) } ?? ""
            event.style = scalar.style.rawValue
            event.quotedImplicit = scalar.quoted_implicit != 0
        case YAML_SEQUENCE_START_EVENT:
            let start = raw.data.sequence_start
            event.anchor = Self.string(start.anchor)
            event.tag = Self.string(start.tag)
            event.implicit = start.implicit != 0
        case YAML_MAPPING_START_EVENT:
            let start = raw.data.mapping_start
            event.anchor = Self.string(start.anchor)
            event.tag = Self.string(start.tag)
            event.implicit = start.implicit != 0
        default: break
        }
        return event
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }

    private static func strlen(_ pointer: UnsafeMutablePointer<yaml_char_t>) -> Int {
        var n = 0
        while pointer[n] != 0 { n += 1 }
        return n
    }

    private func error() -> YAMLError {
        func text(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        let problemMark = Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        let context = parser.context.map {
            YAMLError.Context(text: String(cString: $0),
                              mark: Mark(line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1))
        }
        switch parser.error {
        case YAML_READER_ERROR:
            // libyaml counts bytes; the message counts characters.
            let utf8 = yaml.utf8
            let offset = utf8.index(utf8.startIndex, offsetBy: Int(parser.problem_offset), limitedBy: utf8.endIndex)?
                .samePosition(in: yaml).map { yaml.distance(from: yaml.startIndex, to: $0) }
            return .reader(problem: text(parser.problem), offset: offset, value: parser.problem_value, yaml: yaml)
        case YAML_SCANNER_ERROR:
            return .scanner(context: context, problem: text(parser.problem), problemMark, yaml: yaml)
        case YAML_PARSER_ERROR:
            return .parser(context: context, problem: text(parser.problem), problemMark, yaml: yaml)
        case YAML_COMPOSER_ERROR:
            return .composer(context: context, problem: text(parser.problem), problemMark, yaml: yaml)
        default:
            return .memory
        }
    }

    // MARK: - Nodes

    private func node(from event: Event) throws(YAMLError) -> Node {
        switch event.type {
        case YAML_ALIAS_EVENT:
            guard let name = event.anchor, let node = anchors[name] else {
                throw .composer(context: nil, problem: "found undefined alias", event.mark, yaml: yaml)
            }
            return node
        case YAML_SCALAR_EVENT:
            let tag: Tag.Name
            if event.quotedImplicit {
                tag = .str
            } else if let explicit = event.tag {
                tag = explicit == Tag.Name.nonSpecific.rawValue ? .str : Tag.Name(rawValue: explicit)
            } else {
                tag = resolver.resolve(event.value)
            }
            let node = Node.scalar(Node.Scalar(event.value, tag: tag, style: Node.Scalar.Style(rawValue: event.style) ?? .any, mark: event.mark))
            register(event.anchor, node)
            return node
        case YAML_SEQUENCE_START_EVENT:
            try enter(event)
            var items: [Node] = []
            var inner = try next()
            while inner.type != YAML_SEQUENCE_END_EVENT {
                items.append(try node(from: inner))
                inner = try next()
            }
            depth -= 1
            let node = Node.sequence(Node.Sequence(items, tag: collectionTag(event, default: .seq), mark: event.mark))
            register(event.anchor, node)
            return node
        case YAML_MAPPING_START_EVENT:
            try enter(event)
            var pairs: [(Node, Node)] = []
            var inner = try next()
            while inner.type != YAML_MAPPING_END_EVENT {
                let key = try node(from: inner)
                let value = try node(from: try next())
                pairs.append((key, value))
                inner = try next()
            }
            depth -= 1
            try checkDuplicates(pairs.map(\.0))
            let node = Node.mapping(Node.Mapping(pairs, tag: collectionTag(event, default: .map), mark: event.mark, resolver: resolver))
            register(event.anchor, node)
            return node
        default:
            throw .composer(context: nil, problem: "unexpected event \(event.type.rawValue)", event.mark, yaml: yaml)
        }
    }

    private func enter(_ event: Event) throws(YAMLError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw .parser(context: YAMLError.Context(text: "while parsing", mark: event.mark),
                          problem: "Maximum nesting level reached, set with yaml_set_max_nest_level())", event.mark, yaml: yaml)
        }
    }

    private func collectionTag(_ event: Event, default name: Tag.Name) -> Tag.Name {
        guard !event.implicit, let tag = event.tag, tag != Tag.Name.nonSpecific.rawValue else { return name }
        return Tag.Name(rawValue: tag)
    }

    private func register(_ anchor: String?, _ node: Node) {
        if let anchor { anchors[anchor] = node }
    }

    /// Yams' check: keys equal by text and tag; reported by the smallest duplicated key, at its
    /// first occurrence.
    private func checkDuplicates(_ keys: [Node]) throws(YAMLError) {
        guard keys.count > 1 else { return }
        var first: [Node: Int] = [:]
        var counts: [Node: Int] = [:]
        for (index, key) in keys.enumerated() {
            if first[key] == nil { first[key] = index }
            counts[key, default: 0] += 1
        }
        let duplicated = counts.filter { $0.value > 1 }.map { keys[first[$0.key]!] }
        guard !duplicated.isEmpty else { return }
        let sorted = duplicated.sorted()
        let mark = sorted[0].mark ?? Mark(line: 0, column: 0)
        throw .duplicatedKeysInMapping(duplicates: sorted.map { $0.string ?? "<uncovertable>" },
                                       context: YAMLError.Context(text: yaml, mark: mark))
    }
}
