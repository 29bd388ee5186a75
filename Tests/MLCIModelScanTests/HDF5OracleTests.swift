import Foundation
import MLCIModelScan
import MLCISupport
import MLCITestSupport
import Testing

/// Keras legacy `.h5` files written at test time by h5py exactly as Keras's legacy_h5_format
/// writes them (fresh random seed each run; scripts/h5-corpus.py), and their corruptions. h5py
/// decides: what it reads back from the root attributes (json.loads of model_config and
/// training_config, walked for Lambda layers and objects Keras does not define) is the expected
/// judgement, and a file h5py cannot read is never "safe".
struct CorpusFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

final class H5Corpus: @unchecked Sendable {
    let directory: String
    let seed: Int
    /// file → (h5py read it, its error, model/weights/other, the flagged names)
    let oracle: [String: (readable: Bool, error: String?, kind: String?, flagged: Set<String>)]

    /// Built once per test run; its error says why when it cannot be.
    static let built = Result { try H5Corpus() }
    static var shared: H5Corpus? { try? built.get() }
    static var failure: String {
        if case .failure(let error) = built { return "no corpus: \(error)" }
        return ""
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/h5-corpus.py").path

    init() throws {
        guard let python = ModelCorpus.python else { throw CocoaError(.fileNoSuchFile) }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlci-h5-corpus-\(UUID().uuidString)").path
        seed = Int.random(in: 1...1_000_000)
        func run(_ arguments: [String]) throws -> String {
            let result = try ProcessRunner.run(python, [Self.script] + arguments, in: FileManager.default.temporaryDirectory.path)
            guard result.status == 0 else { throw CorpusFailure(message: "\(arguments.first ?? ""): exit \(result.status): \(result.stderr.suffix(2000))") }
            return result.stdout
        }
        _ = try run(["build", directory, String(seed)])
        let json = try JSONParser().parse(try run(["oracle", directory]))
        var oracle: [String: (readable: Bool, error: String?, kind: String?, flagged: Set<String>)] = [:]
        for (name, entry) in json.objectValue ?? [] {
            oracle[name] = (entry["readable"] == .bool(true), entry["error"]?.stringValue, entry["kind"]?.stringValue,
                            Set((entry["flagged"]?.arrayValue ?? []).compactMap(\.stringValue)))
        }
        self.oracle = oracle
    }
}

@Suite(.serialized) struct HDF5OracleTests {
    /// mlci's verdict through the real command: exit status and the names it reports.
    func check(_ corpus: H5Corpus, _ name: String, in sandbox: GitSandbox) throws -> (status: Int32, callables: Set<String>, malformed: Bool, text: String) {
        let result = try MLCIBinary.run(["check", "model", "--json", name], in: sandbox, directory: corpus.directory)
        let document = try? JSONParser().parse(result.stdout)
        let findings = document?.arrayValue?.first?["findings"]?.arrayValue ?? []
        let callables = Set(findings.compactMap { $0["callable"]?.stringValue })
        let malformed = findings.contains { $0["kind"]?.stringValue == "malformed" }
        let text = findings.prefix(3).compactMap { $0["message"]?.stringValue }.joined(separator: " | ")
        return (result.status, callables, malformed, text)
    }

    @Test func theCorpusHoldsAHundredKerasFilesOfEveryKindAndTheirCorruptions() throws {
        guard let corpus = H5Corpus.shared else {
            Issue.record("set MLCI_MODELSCAN_PYTHON to the venv scripts/deps.sh makes ($VENV-modelscan, with h5py)")
            return
        }
        let files = corpus.oracle.filter { $0.key.hasPrefix("h5_") }
        #expect(files.count >= 100, "seed \(corpus.seed)")
        #expect(files.values.filter { $0.kind == "model" && $0.flagged.isEmpty }.count >= 20, "seed \(corpus.seed): benign models")
        #expect(files.values.filter { $0.flagged.contains("keras.layers.Lambda") }.count >= 10, "seed \(corpus.seed): Lambda models")
        #expect(files.values.filter { $0.kind == "model" && !$0.flagged.isEmpty && !$0.flagged.contains("keras.layers.Lambda") }.count >= 10,
                "seed \(corpus.seed): custom-object models")
        #expect(corpus.oracle.keys.filter { $0.hasPrefix("corrupt_") }.count >= 50)
        #expect(corpus.oracle.filter { $0.key.hasPrefix("corrupt_") && !$0.value.readable }.count >= 15, "seed \(corpus.seed): unreadable corruptions")
    }

    /// For every file h5py writes: mlci's exit status and the layers it names are exactly what
    /// h5py's reading of the attributes gives (0 and nothing for benign models and weights files;
    /// 1 and every Lambda/custom object otherwise).
    @Test func everyKerasH5FileIsJudgedExactlyAsH5pyReadsIt() throws {
        guard let corpus = H5Corpus.shared else { Issue.record("\(H5Corpus.failure) (MLCI_MODELSCAN_PYTHON with h5py)"); return }
        let sandbox = try GitSandbox(initialize: false)
        for (name, expected) in corpus.oracle.sorted(by: { $0.key < $1.key }) where name.hasPrefix("h5_") || name.hasPrefix("other_") {
            #expect(expected.readable, "seed \(corpus.seed): h5py cannot read \(name) it wrote: \(expected.error ?? "")")
            let verdict = try check(corpus, name, in: sandbox)
            switch expected.kind {
            case "model", "weights":
                #expect(verdict.status == (expected.flagged.isEmpty ? 0 : 1), "seed \(corpus.seed): \(name): exit \(verdict.status), expected \(expected.flagged.sorted()): \(verdict.text)")
                #expect(verdict.callables == expected.flagged, "seed \(corpus.seed): \(name): mlci names \(verdict.callables.sorted()), h5py's reading \(expected.flagged.sorted())")
                #expect(!verdict.malformed, "seed \(corpus.seed): \(name): \(verdict.text)")
            default:
                #expect(verdict.status == 1, "seed \(corpus.seed): \(name) is not a Keras file but mlci passes it")
            }
        }
    }

    /// Truncated and bit-flipped files: a file h5py cannot read is never "safe"; one it reads is
    /// judged by what h5py reads (a Lambda or custom object h5py sees, mlci reports).
    @Test func corruptedFilesAreNeverSafeUnlessH5pyReadsThemAsBenign() throws {
        guard let corpus = H5Corpus.shared else { Issue.record("\(H5Corpus.failure) (MLCI_MODELSCAN_PYTHON with h5py)"); return }
        let sandbox = try GitSandbox(initialize: false)
        for (name, expected) in corpus.oracle.sorted(by: { $0.key < $1.key }) where name.hasPrefix("corrupt_") {
            let verdict = try check(corpus, name, in: sandbox)
            #expect(verdict.status != 2, "seed \(corpus.seed): \(name): no answer")
            if !expected.readable {
                #expect(verdict.status == 1, "seed \(corpus.seed): \(name): h5py fails (\(expected.error ?? "")) but mlci calls it safe")
            } else if !expected.flagged.isEmpty {
                #expect(verdict.status == 1, "seed \(corpus.seed): \(name): h5py reads \(expected.flagged.sorted()) but mlci calls it safe")
                #expect(verdict.malformed || expected.flagged.isSubset(of: verdict.callables),
                        "seed \(corpus.seed): \(name): mlci names \(verdict.callables.sorted()), h5py's reading \(expected.flagged.sorted())")
            }
        }
    }

    /// Hand-crafted files: a continuation chain that loops, a superblock version no library
    /// writes, a bad v2 superblock checksum, a pickle in the user block, two model_config
    /// attributes, a model_config that is not a string, a zip appended after the HDF5 data — each
    /// refused with its precise reason; a Keras 3 `.weights.h5`, a NUL-terminated fixed
    /// string and a float attribute only x86's long double holds pass (h5py reads the last one).
    @Test func craftedFilesAreRefusedWithTheirReason() throws {
        guard let corpus = H5Corpus.shared else { Issue.record("\(H5Corpus.failure) (MLCI_MODELSCAN_PYTHON with h5py)"); return }
        let sandbox = try GitSandbox(initialize: false)
        let reasons = ["loop": "loops back", "version": "superblock version 7", "checksum": "superblock checksum does not match",
                       "userblock": "user block", "duplicate": "two attributes named 'model_config'",
                       "notstring": "not a single string", "zip": "posix.system",
                       "statusflags": "bad superblock status flags", "leafk": "symbol table leaf node 1/2 rank",
                       "floatbias": "no numpy float holds"]
        let crafted = corpus.oracle.keys.filter { $0.hasPrefix("crafted_") }.sorted()
        #expect(crafted.count == reasons.count + 3)
        for name in crafted {
            let result = try MLCIBinary.run(["check", "model", name], in: sandbox, directory: corpus.directory)
            if name.hasPrefix("crafted_safe_") {
                #expect(result.status == 0, "\(name): \(result.stdout)")
                if name.contains("longbias") {
                    #expect(corpus.oracle[name]?.readable == true, "\(name): h5py refuses it")
                }
            } else {
                let reason = reasons.first { name.hasPrefix("crafted_unsafe_\($0.key)") }?.value ?? "?"
                #expect(result.status == 1, "\(name) is called safe")
                #expect(result.stdout.contains(reason), "\(name): expected '\(reason)' in \(result.stdout)")
                if ["statusflags", "leafk", "floatbias"].contains(where: name.contains) {
                    #expect(corpus.oracle[name]?.readable == false, "\(name): h5py reads it")
                }
            }
        }
    }
}
