import Foundation
import MLCILineage
import MLCISupport
import MLCITestSupport
import Testing

/// Params files read by mlci are the values DVC 3's own loaders (`dvc.utils.serialize`:
/// ruamel YAML 1.2, json, tomlkit, its Python AST reader) give, on files generated at test time.
@Suite struct ParamsDocumentTests {
    var python: String { ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3" }

    static let loader = """
    import json, sys
    from dvc.fs import LocalFileSystem
    from dvc.utils.serialize import load_path
    def plain(x):
        if hasattr(x, "unwrap"):
            x = x.unwrap()
        if isinstance(x, dict):
            return {str(k): plain(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        return x
    print(json.dumps(plain(load_path(sys.argv[1], LocalFileSystem()))))
    """

    /// DVC's value of the file, or `nil` when DVC refuses it.
    func dvcValue(_ path: String) throws -> JSONValue? {
        let result = try ProcessRunner.run(python, ["-c", Self.loader, path])
        guard result.status == 0 else { return nil }
        return try JSONParser().parse(result.stdout)
    }

    func check(_ text: String, name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let directory = NSTemporaryDirectory() + "params-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let theirs = try dvcValue(path)
        let mine = Result { () throws(InputError) -> JSONValue in try ParamsDocument.parse(bytes: Array(text.utf8), file: name) }
        switch (mine, theirs) {
        case (.success(let value), .some(let expected)):
            #expect(value == expected, "\(name):\n\(text)\nmlci: \(JSONWriter(style: .compact).string(value))\ndvc:  \(JSONWriter(style: .compact).string(expected))",
                    sourceLocation: sourceLocation)
        case (.failure(let error), .some(let expected)):
            Issue.record("mlci refused what DVC reads (\(error)):\n\(text)\ndvc: \(JSONWriter(style: .compact).string(expected))", sourceLocation: sourceLocation)
        case (.success(let value), .none):
            Issue.record("mlci read what DVC refuses:\n\(text)\nmlci: \(JSONWriter(style: .compact).string(value))", sourceLocation: sourceLocation)
        case (.failure(let error), .none):
            #expect(error.diagnostics.first?.location?.line != nil, "a refusal names its line: \(error)", sourceLocation: sourceLocation)
        }
    }

    static let yamlScalars = ["yes", "no", "on", "off", "y", "True", "FALSE", "true", "1e-3", "100.", ".5", "017", "0o17", "0x1F",
                              "1_000", "+5", "-3", "~", "null", "", "12:30", "1.0e+2", "3.14159265358979323846", "0.30", "'017'",
                              "\"yes\"", "text with spaces", "-.5", "1e3", "+.inf", "-.inf", "0b101", "1.5e-7", "-0"]

    @Test func yamlScalarsAreTypedAsRuamelTypesThemInYaml12() throws {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            let picks = Self.yamlScalars.shuffled(using: &g)
            var text = "top:\n"
            for (index, scalar) in picks.enumerated() { text += "  k\(index): \(scalar)\n" }
            text += "list:\n" + picks.prefix(8).map { "  - \($0)\n" }.joined()
            text += "flow: {a: 1, b: [x, 2.5, null]}\n"
            try check(text, name: "params.yaml")
        }
    }

    static func tomlValue(_ g: inout SystemRandomNumberGenerator, depth: Int = 0) -> String {
        let choices = depth > 1 ? 8 : 10
        switch Int.random(in: 0..<choices, using: &g) {
        case 0: return String(Int.random(in: -100_000...100_000, using: &g))
        case 1: return ["1_000", "0x1F", "0o17", "0b101", "+7", "-0"].randomElement(using: &g)!
        case 2: return ["0.5", "1e-3", "-2.5E+4", "3.0", "6.626e-34", "1_000.5", "0.1"].randomElement(using: &g)!
        case 3: return Bool.random(using: &g) ? "true" : "false"
        case 4: return "\"basic \\t \\\"quoted\\\" \\u00e9 \(Int.random(in: 0...99, using: &g))\""
        case 5: return "'literal \\ \(Int.random(in: 0...99, using: &g))'"
        case 6: return "\"\"\"\nmulti\nline \\\n   joined\"\"\""
        case 7: return "'''\nraw ''lines''\n'''"
        case 8: return "[" + (0..<Int.random(in: 0...3, using: &g)).map { _ in tomlValue(&g, depth: depth + 1) }.joined(separator: ", ") + "]"
        default: return "{ " + (0..<Int.random(in: 1...3, using: &g)).map { "i\($0) = \(tomlValue(&g, depth: depth + 1))" }.joined(separator: ", ") + " }"
        }
    }

    @Test func tomlFilesReadAsTomlkitReadsThem() throws {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<6 {
            var text = "# generated\n"
            for index in 0..<Int.random(in: 1...5, using: &g) { text += "top\(index) = \(Self.tomlValue(&g))\n" }
            text += "dotted.key.\"quoted part\" = 1\n"
            for table in 0..<Int.random(in: 1...3, using: &g) {
                text += "\n[table\(table)]\n"
                for index in 0..<Int.random(in: 1...4, using: &g) { text += "k\(index) = \(Self.tomlValue(&g))  # comment\n" }
                text += "\n[table\(table).sub]\nx = \(Int.random(in: 0...9, using: &g))\n"
            }
            text += "\n[[runs]]\nid = 1\n\n[[runs]]\nid = 2\nname = \"second\"\n"
            try check(text, name: "params.toml")
        }
        // What TOML forbids is refused by both, with a line.
        for bad in ["a = 1\na = 2\n", "[t]\nx = 1\n[t]\ny = 2\n", "x = 01\n", "d = 1979-05-27\n", "s = \"open\n"] {
            try check(bad, name: "bad.toml")
        }
    }

    @Test func pythonFilesReadAsDvcsAstReaderReadsThem() throws {
        var g = SystemRandomNumberGenerator()
        let literals = ["1", "-2", "0.25", "1e-05", "'text'", "\"double\"", "True", "None", "[1, 'a', [2.5]]", "(1, -2)",
                        "{'k': 1, \"n\": [None]}", "0x10", "1_000", "'a' 'b'", "()", "[]", "{}", "-1.5", "r'raw\\d'", "'\\n\\t'"]
        for _ in 0..<4 {
            var text = "import os\nfrom math import pi\n\n"
            for index in 0..<Int.random(in: 3...8, using: &g) { text += "V\(index) = \(literals.randomElement(using: &g)!)\n" }
            text += "A: int = \(Int.random(in: 0...9, using: &g))\nCOMPUTED = V0 * 2\nX = Y = 3\nP = pi\nV0 = 'redefined'\n"
            text += "WRAPPED = [\n    1,\n    2,  # two\n]\n"
            text += "\nclass Cfg:\n    depth = \(Int.random(in: 1...9, using: &g))\n    name: str = 'c'\n\n    def __init__(self):\n"
            text += "        self.width = \(Int.random(in: 1...9, using: &g))\n        local = 1\n        if True:\n            self.hidden = 2\n\n"
            text += "    def other(self):\n        self.no = 1\n\n\ndef helper():\n    HIDDEN = 1\n\n\nif __name__ == '__main__':\n    MAIN = 1\n"
            try check(text, name: "params.py")
        }
    }

    @Test func jsonFilesKeepTheirOrderAndTypes() throws {
        try check("{\"b\": 1, \"a\": {\"y\": [1, 2.5, null, true], \"x\": \"s\"}, \"big\": 1e-07, \"n\": null}\n", name: "params.json")
    }
}
