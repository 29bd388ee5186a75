import Foundation
import MLCIConfig
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct ConfigLoaderTests {
    @Test func aFileWithOnlyTheVersionIsValid() throws {
        let config = try ConfigLoader.parse("version: 1\n")
        #expect(config.stages.isEmpty && config.data.isEmpty)
        #expect(config.target == "main")
    }

    @Test func theBriefsExampleLoadsWithEverySection() throws {
        let config = try ConfigLoader.parse(ConfigFixtures.full)
        #expect(config.target == "main")
        #expect(config.data.map(\.path) == ["data/train.csv", "data/images", "data/raw.dvc"])
        #expect(config.data[2].source == .dvc("data/raw.dvc"))
        #expect(config.stages.map(\.name) == ["test", "train", "validate"])
        let train = config.stages[1]
        #expect(train.timeout == 1800)
        #expect(train.params == [ParamsReference(file: "", keys: ["train"])])
        #expect(train.outs == ["models/model.pkl"])
        #expect(train.location.line == 14)
        #expect(config.gate.metrics.map(\.name) == ["accuracy", "latency_ms"])
        #expect(config.gate.metrics[0].maxDrop == 0.01)
        #expect(config.gate.metrics[0].location.line == 22)
        #expect(config.models == ["models/model.pkl"])
        #expect(config.deploy?.value["name"]?.stringValue == "churn-model")
        #expect(config.reports.formats == ["json", "junit", "sarif", "markdown", "gitlab"])
        #expect(config.allMetricsFiles == ["metrics.json"])
    }

    /// Each mistake, the line:col it must be reported at, and words the message must contain.
    static let mistakes: [(String, String, String, String)] = [
        ("misspelled top-level key", "version: 1\ntarget: main\nstgaes:\n  a: {cmd: x}\n", "3:1", "unknown key 'stgaes' (did you mean 'stages'?)"),
        ("misspelled stage key", "version: 1\nstages:\n  train:\n    cmd: python train.py\n    dpes: [data]\n", "5:5", "did you mean 'deps'?"),
        ("stage without cmd", "version: 1\nstages:\n  train:\n    deps: [data]\n", "4:5", "the required key 'cmd' is missing"),
        ("missing version", "target: main\n", "1:1", "the required key 'version' is missing"),
        ("unsupported version", "version: 2\n", "1:10", "unsupported configuration version 2"),
        ("path leaving the repository", "version: 1\ndata:\n  - ../secrets.csv\n", "3:5", "leaves the repository"),
        ("absolute path", "version: 1\nparams: /etc/params.yaml\n", "2:9", "leaves the repository"),
        ("number given as text", "version: 1\ngate:\n  metrics:\n    accuracy: {min: high}\n", "4:21", "expected a number, found the string 'high'"),
        ("malformed duration", "version: 1\nstages:\n  train: {cmd: x, timeout: 30 minutes}\n", "3:28", "is not a duration such as 90s"),
        ("contradicting bounds", "version: 1\ngate:\n  metrics:\n    accuracy: {min: 0.9, max: 0.5}\n", "4:5", "min 0.9 is greater than max 0.5"),
        ("duplicate key", "version: 1\ntarget: main\ntarget: dev\n", "2:1", "appears more than once"),
        ("tab indentation", "version: 1\nstages:\n\ttrain: {cmd: x}\n", "3:1", "invalid YAML"),
        ("invalid stage name", "version: 1\nstages:\n  'train model': {cmd: x}\n", "3:3", "is not a name of letters"),
        ("unknown report format", "version: 1\nreports:\n  formats: [json, junitt]\n", "3:19", "did you mean 'junit'?"),
        ("bad resource quantity", "version: 1\ndeploy:\n  name: churn\n  image: x\n  model: m.pkl\n  resources: {cpu: lots}\n", "6:20", "Kubernetes quantity"),
        ("name not DNS-1123", "version: 1\ndeploy:\n  name: Churn Model\n  image: x\n  model: m.pkl\n", "3:9", "DNS-1123"),
        ("port out of range", "version: 1\ndeploy:\n  name: c\n  image: x\n  model: m\n  serve: {port: 70000}\n", "6:17", "at most 65535"),
        ("cycle between stages", "version: 1\nstages:\n  a: {cmd: x, deps: [b.out], outs: [a.out]}\n  b: {cmd: y, deps: [a.out], outs: [b.out]}\n", "3:6", "cycle: a → b → a"),
        ("metric gate without a bound", "version: 1\ngate:\n  metrics:\n    accuracy: {file: m.json}\n", "4:15", "sets none of min, max"),
        ("list where a mapping belongs", "version: 1\ngate: [metrics]\n", "2:7", "expected a mapping, found a list"),
        ("top level is a list", "- version: 1\n", "1:1", "expected a mapping of settings"),
    ]

    @Test(arguments: mistakes.map { $0 })
    func eachMistakeIsReportedAtItsLineAndColumn(name: String, yaml: String, position: String, words: String) throws {
        let error = #expect(throws: InputError.self, "\(name)") { try ConfigLoader.parse(yaml) }
        let text = error?.description ?? ""
        #expect(text.contains("mlci.yaml:\(position): error:"), "\(name): \(text)")
        #expect(text.contains(words), "\(name): \(text)")
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let yaml = "version: 1\ntraget: main\nstages:\n  train:\n    cmd: x\n    outz: [m]\ngate:\n  metrics:\n    acc: {min: x}\n"
        let error = #expect(throws: InputError.self) { try ConfigLoader.parse(yaml) }
        #expect(error?.diagnostics.count == 3)
        #expect(error?.diagnostics.map { $0.location?.line ?? 0 } == [2, 6, 9])
    }

    @Test func emptyAndNonUTF8FilesAreRefusedWithAHint() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("mlci.yaml", "")
        let empty = #expect(throws: InputError.self) { try ConfigLoader.load(path: sandbox.root + "/mlci.yaml") }
        #expect(empty?.description.contains("mlci.yaml:1:1: error: mlci.yaml is empty") == true)
        try sandbox.write("mlci.yaml", bytes: Array("version: 1\ntarget: ma".utf8) + [0xff, 0xfe] + Array("in\n".utf8))
        let binary = #expect(throws: InputError.self) { try ConfigLoader.load(path: sandbox.root + "/mlci.yaml") }
        #expect(binary?.description.contains("mlci.yaml:2:11: error: the file is not valid UTF-8") == true)
    }

    @Test func aHugeFileIsRefusedBeforeParsing() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("mlci.yaml", "version: 1\n# " + String(repeating: "x", count: ConfigLoader.sizeLimit) + "\n")
        let error = #expect(throws: InputError.self) { try ConfigLoader.load(path: sandbox.root + "/mlci.yaml") }
        #expect(error?.description.contains("more than the") == true)
    }

    @Test func durationsReadAsPeopleWriteThem() {
        #expect(Duration.parseSeconds("30m") == 1800)
        #expect(Duration.parseSeconds("1h30m") == 5400)
        #expect(Duration.parseSeconds("250ms") == 0.25)
        #expect(Duration.parseSeconds("90") == 90)
        #expect(Duration.parseSeconds("30 minutes") == nil)
        #expect(Duration.parseSeconds("m") == nil)
    }

    @Test func suggestionsCatchTyposButNotUnrelatedWords() {
        #expect(Suggestion.closest(to: "stgaes", in: ["stages", "data"]) == "stages")
        #expect(Suggestion.closest(to: "deps", in: ["deps", "outs"]) == "deps")
        #expect(Suggestion.closest(to: "banana", in: ["stages", "data", "gate"]) == nil)
    }
}
