import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// Runs the built mlci in the sandbox's repository.
@discardableResult
func mlci(_ arguments: String..., in sandbox: GitSandbox, directory: String? = nil) throws -> ProcessResult {
    try MLCIBinary.run(arguments, in: sandbox, directory: directory)
}

/// Parses stdout as JSON, failing the test with the output when it is not.
func json(_ result: ProcessResult, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> JSONValue {
    do {
        return try JSONParser().parse(result.stdout)
    } catch {
        Issue.record("stdout is not JSON (\(error)): \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        throw error
    }
}

func sha256sum(_ path: String) throws -> String {
    String(try ProcessRunner.run("sha256sum", [path]).stdout.prefix(64))
}

/// A small project: data files, a data directory, a model, params and metrics, declared in
/// mlci.yaml, locked and committed.
func project() throws -> GitSandbox {
    let sandbox = try GitSandbox()
    try sandbox.write("mlci.yaml", """
    version: 1
    data:
      - data/train.csv
      - data/images
    params: params.yaml
    models: [models/model.pkl]
    metrics: [metrics.json]

    """)
    try sandbox.write("data/train.csv", "x,y\n1,2\n3,4\n")
    try sandbox.write("data/images/a.png", bytes: [0x89, 0x50, 0x4e, 0x47, 0, 1, 2])
    try sandbox.write("data/images/sub/b.png", bytes: [0x89, 0x50, 0x4e, 0x47, 9, 9])
    try sandbox.write("models/model.pkl", bytes: [0x80, 0x05, 0x4b, 0x01, 0x2e])
    try sandbox.write("params.yaml", "train:\n  lr: 0.01\n  epochs: 10\nseed: 42\n")
    try sandbox.write("metrics.json", "{\"accuracy\": 0.81, \"loss\": {\"val\": 0.4}}\n")
    let lock = try mlci("lock", in: sandbox)
    #expect(lock.status == 0, "\(lock.stderr)")
    try sandbox.commit("first")
    return sandbox
}

/// The object in `array` whose `path` member is `path`.
func entry(_ array: JSONValue?, path: String) -> JSONValue? {
    array?.arrayValue?.first { $0["path"]?.stringValue == path }
}
