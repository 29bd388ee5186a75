import Foundation
import MLCISupport
import MLCITestSupport
import MLCIYAML
import Testing

/// MLCIYAML composes the same trees libyaml gives PyYAML's C loader (`yaml.compose` with
/// `CSafeLoader`): kinds, scalar text and style, start line and column of every node, aliases
/// as their anchored node; and it refuses the texts PyYAML refuses, at the same line and column.
/// Documents are generated fresh at each run.
@Suite struct ComposerTests {
    var python: String { ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3" }

    /// Prints one JSON line per file: the tree, or `{"error": [line, column]}`.
    static let composer = """
    import json, sys, yaml
    def tree(n):
        mark = [n.start_mark.line + 1, n.start_mark.column + 1]
        if isinstance(n, yaml.ScalarNode):
            return {"scalar": n.value, "style": n.style or "", "at": mark}
        if isinstance(n, yaml.SequenceNode):
            return {"sequence": [tree(i) for i in n.value], "at": mark}
        return {"mapping": [[tree(k), tree(v)] for k, v in n.value], "at": mark}
    for path in sys.argv[1:]:
        text = open(path, encoding="utf-8").read()
        try:
            root = yaml.compose(text, Loader=yaml.CSafeLoader)
            print(json.dumps({"root": None if root is None else tree(root)}))
        except yaml.MarkedYAMLError as e:
            m = e.problem_mark
            print(json.dumps({"error": [m.line + 1, m.column + 1]}))
    """

    static func tree(_ node: Node) -> JSONValue {
        let at: JSONValue = .array([.int(Int64(node.mark?.line ?? 0)), .int(Int64(node.mark?.column ?? 0))])
        switch node {
        case .scalar(let scalar):
            let style: String
            switch scalar.style {
            case .singleQuoted: style = "'"
            case .doubleQuoted: style = "\""
            case .literal: style = "|"
            case .folded: style = ">"
            default: style = ""
            }
            return .object([("scalar", .string(scalar.string)), ("style", .string(style)), ("at", at)])
        case .sequence(let items):
            return .object([("sequence", .array(items.map(tree))), ("at", at)])
        case .mapping(let pairs):
            return .object([("mapping", .array(pairs.map { .array([tree($0.key), tree($0.value)]) })), ("at", at)])
        }
    }

    // MARK: - Generated documents

    static let words = ["a", "train", "0.5", "yes", "~", "1_000", "x y", "é名", "-", "k: v", "# not", "'q'", "\"d\"", "tab\there",
                        "line\nbreak", "", "*star", "&amp", "@at", "0x1F", "2024-01-02", "back\\slash", "trail "]

    struct Generator {
        var g = SystemRandomNumberGenerator()
        var anchors: [String] = []
        var serial = 0

        mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &g)! }

        mutating func scalar(flow: Bool) -> String {
            let word = pick(ComposerTests.words)
            switch Int.random(in: 0..<5, using: &g) {
            case 0: return "'" + word.replacingOccurrences(of: "'", with: "''") + "'"
            case 1: return JSONWriter(style: .compact).string(.string(word))
            default:
                let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) } && !word.isEmpty && word != "-"
                return plain ? word : JSONWriter(style: .compact).string(.string(word))
            }
        }

        mutating func flow(depth: Int) -> String {
            if depth > 2 || Bool.random(using: &g) { return alias() ?? scalar(flow: true) }
            if Bool.random(using: &g) {
                return "[" + (0..<Int.random(in: 0...3, using: &g)).map { _ in flow(depth: depth + 1) }.joined(separator: ", ") + "]"
            }
            return "{" + (0..<Int.random(in: 0...3, using: &g)).map { i in "k\(i): " + flow(depth: depth + 1) }.joined(separator: ", ") + "}"
        }

        mutating func alias() -> String? {
            guard !anchors.isEmpty, Int.random(in: 0..<4, using: &g) == 0 else { return nil }
            return "*" + pick(anchors)
        }

        /// A block node at `indent`, written after a key or dash (`inline`) or on its own lines.
        mutating func block(indent: Int, depth: Int) -> String {
            let pad = String(repeating: " ", count: indent)
            // Each anchor is new: PyYAML refuses a second `&name`, libyaml and Yams shadow it.
            var anchor: String? = nil
            if Int.random(in: 0..<5, using: &g) == 0 { anchor = "a\(serial)"; serial += 1 }
            let prefix = anchor.map { "&\($0) " } ?? ""
            defer { if let anchor { anchors.append(anchor) } }
            switch depth > 3 ? 0 : Int.random(in: 0..<6, using: &g) {
            case 0: return " " + prefix + scalar(flow: false) + "  # c\n"
            case 1: return " " + prefix + flow(depth: 0) + "\n"
            case 2:
                let body = (0..<Int.random(in: 1...3, using: &g)).map { _ in pad + "  " + pick(["text", "more  text", "", "é"]) }
                return " " + prefix + pick(["|", ">", "|-", ">+"]) + "\n" + body.joined(separator: "\n") + "\n"
            case 3, 4:
                var out = " " + prefix + "\n"
                for i in 0..<Int.random(in: 1...3, using: &g) {
                    out += pad + pick(["k\(i)", "\"k \(i)\"", "'k\(i)'", "? k\(i)\n" + pad]) + ":" + block(indent: indent + 2, depth: depth + 1)
                }
                return out
            default:
                var out = " " + prefix + "\n"
                for _ in 0..<Int.random(in: 1...3, using: &g) {
                    out += pad + "-" + block(indent: indent + 2, depth: depth + 1)
                }
                return out
            }
        }

        mutating func document() -> String {
            anchors = []
            var text = pick(["", "# head\n", "---\n", "%YAML 1.1\n---\n"])
            for i in 0..<Int.random(in: 1...4, using: &g) {
                text += "key\(i):" + block(indent: 2, depth: 0)
            }
            // One in five is damaged somewhere: a tab indent, an unclosed bracket or quote, a
            // bad indent, an undefined alias.
            if Int.random(in: 0..<5, using: &g) == 0 {
                var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                let index = Int.random(in: 0..<lines.count, using: &g)
                lines[index] = pick(["\t" + lines[index], lines[index] + " [", lines[index] + " \"open", " x: y: z", "- *nowhere"])
                text = lines.joined(separator: "\n")
            }
            return text
        }
    }

    @Test func treesMarksAndErrorsAreLibyamlsAsPyYAMLSeesThem() throws {
        var generator = Generator()
        var documents = (0..<300).map { _ in generator.document() }
        documents += ["", "# only a comment\n", "a: 1\n---\nb: 2\n", "[1, 2", "a:\n  - b\n c: d\n", "k: \"\\x41\\u00e9\\N\\t\"\n",
                      "a: &x {b: [1, &y two]}\nc: *x\nd: *y\n", "? [complex, key]\n: value\n", "- !!str 3\n- !custom {a: 1}\n- ! plain\n"]
        let directory = NSTemporaryDirectory() + "mlciyaml-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var paths: [String] = []
        for (index, text) in documents.enumerated() {
            let path = directory + "/\(index).yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let result = try ProcessRunner.run(python, ["-c", Self.composer] + paths)
        try #require(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == documents.count, "\(result.stderr)")
        var errors = 0
        for (text, line) in zip(documents, lines) {
            let theirs = try JSONParser().parse(String(line))
            do {
                let root = try YAML.compose(text, resolver: .basic)
                #expect(theirs["error"] == nil, "mlci composed what libyaml refuses:\n\(text)\n\(line)")
                #expect((root.map(Self.tree) ?? .null) == theirs["root"], "\(text)\nmlci: \(JSONWriter(style: .compact).string(root.map(Self.tree) ?? .null))\npy:   \(line)")
            } catch {
                errors += 1
                // A second document is refused by mlci (one document per file) but not by
                // compose_all; PyYAML's compose refuses it too.
                guard case .array(let at)? = theirs["error"] else {
                    Issue.record("mlci refused what libyaml composes (\(error)):\n\(text)\n\(line)")
                    continue
                }
                #expect([Self.mark(of: error).line, Self.mark(of: error).column].map { JSONValue.int(Int64($0)) } == at,
                        "\(text)\nmlci: \(error)\npy: \(line)")
            }
        }
        #expect(errors > 10, "the generator damages about one document in five")
    }

    static func mark(of error: YAMLError) -> Mark {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark
        case .duplicatedKeysInMapping(_, let context): context.mark
        default: Mark(line: 0, column: 0)
        }
    }
}
