import Foundation
import MLCIModelScan
import MLCITestSupport
import Testing

/// Legacy (non-zip) PyTorch files, laid out as torch.serialization._legacy_save writes them
/// (scripts/legacy-torch-corpus.py, fresh seed): benign ones are read exactly and completely and
/// pass; any byte the layout does not account for is a finding.
@Suite struct LegacyTorchTests {
    var python: String { ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3" }

    @Test func benignLegacyStateDictsPassAndEveryByteTheLayoutDoesNotAccountForIsAFinding() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlci-legacy-torch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let seed = Int.random(in: 1...1_000_000)
        let script = MLCIBinary.packageRoot + "/scripts/legacy-torch-corpus.py"
        let made = try ProcessRunner.run(python, [script, directory, String(seed)])
        #expect(made.status == 0, "\(made.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names.filter { $0.hasPrefix("expect_safe_") }.count == 8)
        #expect(names.filter { $0.hasPrefix("expect_unsafe_") }.count == 5)
        for name in names {
            let result = try ModelScanner().scan(path: "\(directory)/\(name)", display: name)
            #expect(result.format == "pytorch-legacy", "seed \(seed): \(name)")
            if name.hasPrefix("expect_safe_") {
                #expect(result.isSafe, "seed \(seed): \(name): \(result.findings.map(\.message))")
            } else {
                // A cut may land in a pickle as well as in the storages: either way it is malformed.
                #expect(!result.isSafe && result.findings.contains { $0.kind == .malformed },
                        "seed \(seed): \(name): \(result.findings.map(\.message))")
            }
        }
    }
}
