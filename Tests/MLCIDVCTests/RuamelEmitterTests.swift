import Foundation
import MLCIDVC
import MLCISupport
import MLCITestSupport
import Testing

/// The dvc.lock writer against ruamel.yaml itself (the dumper DVC uses): random documents of
/// the shapes dvc.lock holds, dumped by both, compared byte for byte.
@Suite struct RuamelEmitterTests {
    var python: String { ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3" }

    /// ruamel's bytes for a JSON document (ints stay ints, floats floats), as DVC dumps it.
    func ruamel(_ json: String) throws -> String {
        let script = """
        import sys, json
        from dvc.utils.serialize import dumps_yaml
        sys.stdout.write(dumps_yaml(json.loads(sys.stdin.read())))
        """
        let result = try ProcessRunner.run(python, ["-c", script], input: Array(json.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    static let words = ["echo", "python", "train.py", "--lr", "0.001", "a:b", "a: b", "#x", "x #y", "it's", "\"q\"", "yes", "no",
                        "on", "true", "null", "~", "1", "017", "0o17", "1_000", "1e3", ".5", "é", "😀", "-", "- a", "?a", ":a",
                        "@a", "`a", "%a", "!a", "&a", "*a", "[a", "{a", "a,b", "2024-01-01", "12:30", "=", "<<", "---", "...",
                        "\t", "\n", "a\\b", "${x}", ">", "|", "&&", "\u{7F}", "\u{85}", "\u{A0}", "NaN", ".inf", "0x1F", "+5",
                        String(repeating: "w", count: 90), "model-cnn.txt", "data/prepared", "'", " ", "  "]

    /// Keys as params files have them (ruamel writes long or multi-line keys as `? ` keys, which dvc.lock never holds).
    static let keys = ["lr", "a: b", "#x", "it's", "yes", "1", "é", "train.lr", "- a", "@a", "x y", "~", "true", "[a", "a,b"]

    func randomString(_ rng: inout some RandomNumberGenerator) -> String {
        let count = Int.random(in: 1...40, using: &rng)
        var parts: [String] = []
        for _ in 0..<count { parts.append(Self.words.randomElement(using: &rng)!) }
        let separator = [" ", " ", " ", "", "\n", "  "].randomElement(using: &rng)!
        return parts.joined(separator: Bool.random(using: &rng) ? " " : separator)
    }

    func randomValue(_ rng: inout some RandomNumberGenerator, depth: Int) -> LockValue {
        switch Int.random(in: 0...(depth > 2 ? 4 : 6), using: &rng) {
        case 0: return .string(randomString(&rng))
        case 1: return .int(Int64.random(in: -100_000...100_000, using: &rng))
        case 2:
            let exponent = Double(Int.random(in: -12...20, using: &rng))
            return .float(Double.random(in: -10...10, using: &rng) * pow(10, exponent), text: nil)
        case 3: return [.bool(true), .bool(false), .null, .string(""), .float(0.001, text: nil), .float(1e-7, text: nil),
                        .float(1e16, text: nil), .float(100, text: nil)].randomElement(using: &rng)!
        case 4: return .string(Self.words.randomElement(using: &rng)!)
        case 5: return .sequence((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            return .mapping((0..<Int.random(in: 0...3, using: &rng)).map { i in
                (Bool.random(using: &rng) ? Self.keys.randomElement(using: &rng)! + "\(i)" : "k\(i)", randomValue(&rng, depth: depth + 1))
            })
        }
    }

    func json(_ value: LockValue) -> String {
        switch value {
        case .float(let d, _): return PythonFloat.repr(d)
        default: return JSONWriter(style: .compact).string(value.json)
        }
    }

    func jsonDocument(_ value: LockValue) -> String {
        switch value {
        case .sequence(let items): return "[" + items.map(jsonDocument).joined(separator: ",") + "]"
        case .mapping(let members):
            return "{" + members.map { JSONWriter(style: .compact).string(.string($0.0)) + ":" + jsonDocument($0.1) }.joined(separator: ",") + "}"
        default: return json(value)
        }
    }

    @Test func randomLockShapedDocumentsComeOutAsRuamelWritesThem() throws {
        var rng = SystemRandomNumberGenerator()
        var documents: [LockValue] = []
        for index in 0..<150 {
            let stage: LockValue = .mapping([
                ("cmd", Bool.random(using: &rng) ? .string(randomString(&rng))
                    : .sequence((0..<3).map { _ in .string(randomString(&rng)) })),
                ("deps", .sequence([.mapping([("path", .string(randomString(&rng))), ("hash", .string("md5")),
                                              ("md5", .string("e5ebd4c02cefbe7955977c67ada242b7")), ("size", .int(8))])])),
                ("params", .mapping([("params.yaml", .mapping([(Self.keys.filter { $0 != "train.lr" }.randomElement(using: &rng)!, randomValue(&rng, depth: 0)),
                                                               ("train.lr", randomValue(&rng, depth: 0))]))])),
            ])
            documents.append(.mapping([("schema", .string("2.0")), ("stages", .mapping([("stage\(index)", stage)]))]))
        }
        let batch = "[" + documents.map(jsonDocument).joined(separator: ",") + "]"
        let file = NSTemporaryDirectory() + "/mlci-ruamel-\(UUID().uuidString).json"
        try batch.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let script = """
        import sys, json
        from dvc.utils.serialize import dumps_yaml
        for d in json.loads(open(sys.argv[1]).read()):
            sys.stdout.write(dumps_yaml(d) + "\\u0000")
        """
        let result = try ProcessRunner.run(python, ["-c", script, file])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = result.stdout.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
        #expect(expected.count == documents.count + 1)
        var failures = 0
        for (document, want) in zip(documents, expected) {
            let got = String(decoding: RuamelEmitter.emit(document), as: UTF8.self)
            if got != want {
                failures += 1
                if failures <= 3 { Issue.record("mlci:\n\(got)\nruamel:\n\(want)") }
            }
        }
        #expect(failures == 0)
    }

    @Test func aLockRewrittenAfterEveryStageIsTheWholeDocumentRuamelWrites() throws {
        var rng = SystemRandomNumberGenerator()
        func stage(_ index: Int) -> DVCLockStage {
            DVCLockStage(command: .string(randomString(&rng)),
                         deps: [DVCLockEntry(path: "data/\(index).csv", md5: "e5ebd4c02cefbe7955977c67ada242b7", size: 8)],
                         params: [(file: "params.yaml", values: [("k", randomValue(&rng, depth: 0))])],
                         outs: [DVCLockEntry(path: "out/\(index).txt", md5: "0cc175b9c0f1b6a831c399e269772661", size: 2)])
        }
        var lock = DVCLockFile(path: "dvc.lock")
        for index in 0..<40 {
            lock.set("s\(index)", stage(index))
            // A stage that runs again replaces its entry in place (its kept block must go).
            if index % 7 == 6 { lock.set("s\(Int.random(in: 0...index, using: &rng))", stage(index)) }
            guard index % 8 == 7 else { _ = lock.renderedBytes(); continue }
            // ruamel (DVC's dumper) decides what the whole file is at this point.
            let want = try ruamel(jsonDocument(.mapping(lock.document)))
            #expect(String(decoding: lock.renderedBytes(), as: UTF8.self) == want)
            #expect(lock.renderedBytes() == lock.bytes)
        }
    }

    @Test func pythonFloatReprMatchesPython() throws {
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0.001, 1e-5, 1e-7, 1e16, 1e15, 100, 0.1, 1.5, 123456789012345680, 2.5e-10, -0.0, 0.0001, Double.leastNonzeroMagnitude]
        for _ in 0..<300 { values.append(Double.random(in: 1...10, using: &rng) * pow(10, Double(Int.random(in: -30...30, using: &rng)))) }
        let text = values.map { String($0.bitPattern) }.joined(separator: ",")
        let script = "import sys, struct\nfor l in sys.argv[1].split(','):\n print(repr(struct.unpack('<d', struct.pack('<Q', int(l)))[0]))"
        let result = try ProcessRunner.run(python, ["-c", script, text])
        let expected = result.stdout.split(separator: "\n").map(String.init)
        #expect(expected == values.map(PythonFloat.repr))
    }
}
