import Foundation
import MLCIModelScan
import MLCISupport
import Testing

/// The corpus built at test time by scripts/model-corpus.py (fresh random seed each run): pickles
/// of every payload class at every protocol, odd argument spellings, mutants of benign and
/// malicious files, joblib files with every compressor, real scikit-learn and numpy files, and
/// other containers. CPython's C unpickler and joblib's own loader — with a find_class that
/// records what they resolve and returns inert stand-ins — decide; so do the peer scanners.
final class ModelCorpus: @unchecked Sendable {
    let directory: String
    let seed: Int
    /// file → (loaded completely, error, globals CPython resolved)
    let oracle: [String: (loaded: Bool, error: String?, globals: [String])]
    let scanner = ModelScanner()

    static let shared: ModelCorpus? = try? ModelCorpus()

    static var python: String? {
        guard let python = ProcessInfo.processInfo.environment["MLCI_MODELSCAN_PYTHON"], FileManager.default.isExecutableFile(atPath: python) else {
            return nil
        }
        return python
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/model-corpus.py").path

    static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python!)
        process.arguments = [script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadUnknown) }
        return data
    }

    init() throws {
        guard Self.python != nil else { throw CocoaError(.fileNoSuchFile) }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlci-model-corpus-\(UUID().uuidString)").path
        seed = Int.random(in: 1...1_000_000)
        _ = try Self.run(["build", directory, String(seed)])
        let json = try JSONSerialization.jsonObject(with: try Self.run(["oracle", directory])) as? [String: [String: Any]] ?? [:]
        var oracle: [String: (Bool, String?, [String])] = [:]
        for (name, entry) in json {
            oracle[name] = (entry["loaded"] as? Bool ?? false, entry["error"] as? String, entry["globals"] as? [String] ?? [])
        }
        self.oracle = oracle.mapValues { (loaded: $0.0, error: $0.1, globals: $0.2) }
    }

    func scan(_ name: String) throws -> ModelScanResult {
        try scanner.scan(path: "\(directory)/\(name)", display: name)
    }

    func describe(_ result: ModelScanResult) -> String {
        result.findings.prefix(3).map(\.message).joined(separator: " | ")
    }
}

@Suite(.serialized) struct CorpusOracleTests {
    @Test func theCorpusIsBuiltAndHoldsAtLeastFiveHundredPicklesOfEveryKind() throws {
        guard let corpus = ModelCorpus.shared else {
            Issue.record("set MLCI_MODELSCAN_PYTHON to the venv scripts/deps.sh makes ($VENV-modelscan)")
            return
        }
        let pickles = corpus.oracle.keys.filter { $0.hasSuffix(".pkl") }
        #expect(pickles.count >= 500, "seed \(corpus.seed)")
        for prefix in ["benign_", "sklearn_", "malicious_", "odd_", "mutant_"] {
            #expect(pickles.contains { $0.hasPrefix(prefix) }, "no \(prefix) files")
        }
        for proto in 0...5 { #expect(pickles.contains { $0.hasSuffix("_p\(proto).pkl") }) }
        #expect(corpus.oracle.keys.filter { $0.hasSuffix(".joblib") }.count >= 20)
    }

    /// For every file: every global CPython (or joblib) resolves is exactly allowlisted or
    /// reported by mlci, and a file the loader cannot load completely is never "safe".
    @Test func everyGlobalTheLoaderResolvesIsAllowlistedOrReportedAndUnloadableFilesAreNeverSafe() throws {
        guard let corpus = ModelCorpus.shared else { Issue.record("no corpus (MLCI_MODELSCAN_PYTHON)"); return }
        let policy = GlobalPolicy.standard
        var checked = 0, unloadable = 0, withPayload = 0
        for (name, expected) in corpus.oracle.sorted(by: { $0.key < $1.key }) {
            let result = try corpus.scan(name)
            checked += 1
            if !expected.loaded { unloadable += 1 }
            if expected.globals.contains(where: { !policy.allowed.contains($0) }) { withPayload += 1 }
            if !expected.loaded {
                #expect(!result.isSafe, "seed \(corpus.seed): \(name): CPython fails (\(expected.error ?? "")) but mlci calls it safe")
            }
            let reported = Set(result.findings.compactMap(\.callable))
            let stoppedEarly = result.findings.contains { $0.kind == .malformed || $0.kind == .oversized }
            for global in expected.globals {
                let dot = global.lastIndex(of: ".")
                let allowed = policy.allowed.contains(global) && dot.map { policy.verdict(module: String(global[..<$0]), name: String(global[global.index(after: $0)...])) } != .unsafe
                if allowed { continue }
                #expect(!result.isSafe, "seed \(corpus.seed): \(name): CPython resolves \(global), not allowlisted, but mlci calls the file safe")
                // Named exactly, unless mlci stopped reading before it (then the file is unsafe anyway).
                #expect(reported.contains(global) || stoppedEarly,
                        "seed \(corpus.seed): \(name): CPython resolves \(global); mlci reports \(reported.sorted())")
            }
            if result.isSafe {
                let imported = Set(result.imports.map(\.qualifiedName))
                for global in expected.globals {
                    #expect(imported.contains(global), "seed \(corpus.seed): \(name): mlci says safe but never saw \(global) (it saw \(imported.sorted()))")
                }
            }
        }
        #expect(checked >= 500)
        // The corpus exercises both sides: files CPython refuses, and files that import unlisted globals.
        #expect(unloadable >= 50, "only \(unloadable) files fail to load")
        #expect(withPayload >= 100, "only \(withPayload) files import an unlisted global")
    }

    /// Real files written by scikit-learn, numpy and joblib (compressed and not): no finding.
    @Test func realBenignFilesFromTheLibrariesHaveNoFinding() throws {
        guard let corpus = ModelCorpus.shared else { Issue.record("no corpus (MLCI_MODELSCAN_PYTHON)"); return }
        let benign = corpus.oracle.keys.filter {
            $0.hasPrefix("benign_") || $0.hasPrefix("sklearn_") || ($0.hasPrefix("joblib_") && !$0.contains("malicious") && !$0.contains("mutant") && !$0.contains("stacked"))
        }
        #expect(benign.count >= 40)
        for name in benign.sorted() {
            #expect(corpus.oracle[name]?.loaded == true, "\(name) does not load in CPython")
            let result = try corpus.scan(name)
            #expect(result.isSafe, "seed \(corpus.seed): \(name) (\(result.format)): \(corpus.describe(result))")
        }
    }

    /// Other containers, built by their real libraries (numpy, zipfile, gzip/bz2/lzma, a Keras-3
    /// layout, safetensors, ONNX protobuf, a PyTorch zip layout), named by what they must give.
    @Test func containerFilesAreReadCompletelyAndFailClosed() throws {
        guard let corpus = ModelCorpus.shared else { Issue.record("no corpus (MLCI_MODELSCAN_PYTHON)"); return }
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(corpus.directory)/formats").sorted()
        #expect(names.count >= 25)
        for name in names {
            let result = try corpus.scanner.scan(path: "\(corpus.directory)/formats/\(name)", display: name)
            if name.hasPrefix("expect_safe_") {
                #expect(result.isSafe, "\(name) (\(result.format)): \(corpus.describe(result))")
            } else {
                #expect(!result.isSafe, "\(name) (\(result.format)) is called safe")
            }
        }
    }

    /// Every pickle that modelscan, picklescan or fickling (LIKELY_OVERTLY_MALICIOUS or worse)
    /// flags, mlci flags.
    @Test func everyFileAPeerScannerFlagsMlciFlags() throws {
        guard let corpus = ModelCorpus.shared else { Issue.record("no corpus (MLCI_MODELSCAN_PYTHON)"); return }
        let json = try JSONSerialization.jsonObject(with: try ModelCorpus.run(["peers", corpus.directory])) as? [String: [String]] ?? [:]
        var flaggedByPeers = 0
        var seen: Set<String> = []
        for (name, peers) in json.sorted(by: { $0.key < $1.key }) where !peers.isEmpty {
            flaggedByPeers += 1
            seen.formUnion(peers)
            let result = try corpus.scan(name)
            #expect(!result.isSafe, "seed \(corpus.seed): \(name) is flagged by \(peers) but mlci calls it safe")
        }
        #expect(flaggedByPeers >= 50)
        #expect(seen == ["modelscan", "picklescan", "fickling"], "peers that flagged anything: \(seen.sorted())")
    }
}
