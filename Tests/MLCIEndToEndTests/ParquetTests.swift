import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// The Python with pyarrow, pandas, Great Expectations and Evidently (`MLCI_DATA_PYTHON`; make
/// sets it to .venv-data/bin/python).
enum DataPeers {
    static var python: String? {
        let path = ProcessInfo.processInfo.environment["MLCI_DATA_PYTHON"] ?? MLCIBinary.packageRoot + "/.venv-data/bin/python"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        Issue.record("\(path) is missing (run make deps, which creates .venv-data with pyarrow, pandas, great_expectations, evidently)")
        return nil
    }

    static func script(_ name: String) -> String { MLCIBinary.packageRoot + "/Tests/Fixtures/parquet/" + name }

    static func run(_ script: String, _ arguments: [String]) throws -> ProcessResult? {
        guard let python else { return nil }
        return try ProcessRunner.run(python, [self.script(script)] + arguments,
                                     environment: ["HOME": NSTemporaryDirectory(), "PATH": "/usr/bin:/bin", "GX_ANALYTICS_ENABLED": "false",
                                                   "DO_NOT_TRACK": "1", "EVIDENTLY_DISABLE_TELEMETRY": "1"])
    }
}

@Suite(.serialized) struct ParquetTests {
    let directory = NSTemporaryDirectory() + "mlci-parquet-\(UUID().uuidString)"

    @Test func everyCellOfPyarrowsMatrixReadsAsPandasReadsIt() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let result = try DataPeers.run("matrix.py", [directory, MLCIBinary.path]) else { return }
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(" 0 differ"), "\(result.stdout)")
    }

    @Test func corruptParquetIsBadInputNamingRowGroupColumnAndPage() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let made = try DataPeers.run("corrupt.py", [directory]) else { return }
        #expect(made.status == 0, "\(made.stderr)")
        let manifest = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json"))))
        let cases = manifest.arrayValue ?? []
        #expect(cases.count == 7)
        for entry in cases {
            let file = entry["file"]?.stringValue ?? ""
            let result = try ProcessRunner.run(MLCIBinary.path, ["check", "data", file])
            #expect(result.status == 2, "\(file): \(result.stdout)")
            for expected in entry["expect"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                #expect(result.stderr.contains(expected), "\(file): \(result.stderr)")
            }
            #expect(result.stderr.contains(file), "the message names the file: \(result.stderr)")
        }
    }

    @Test func driftAndExpectationsOnParquetEqualThoseOnTheSameTableAsCSV() throws {
        let sandbox = try GitSandbox()
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        var generator = SeededGenerator(seed: seed)  // replayable from the printed seed
        func table(shift: Double) -> String {
            var lines = ["amount,count,group,score"]
            for row in 0..<400 {
                let amount = row % 37 == 0 ? "" : String(Double(generator.next() % 10_000) / 100 + shift)
                let count = String(generator.next() % 4)
                let group = ["a", "b", "ü", "NA"][Int(generator.next() % 4)]
                // ±inf now and then: missing to the drift check (as to Evidently), in both formats.
                let score = row % 61 == 5 ? "inf" : row % 67 == 3 ? "-inf" : String(Double(generator.next() % 1000) / 1000)
                lines.append("\(amount),\(count),\(group),\(score)")
            }
            return lines.joined(separator: "\n") + "\n"
        }
        try sandbox.write("data/ref.csv", table(shift: 0))
        try sandbox.write("data/cur.csv", table(shift: 3))
        try sandbox.write("mlci.yaml", """
        version: 1
        gate:
          data:
            data/cur.csv: &spec
              not_null: [amount, group]
              unique: [score]
              between: { amount: [1, 90], count: [0, 2] }
              in_set: { group: [a, b] }
              mean_between: { amount: [0, 60] }
              mostly: 0.8
            data/cur.parquet: *spec

        """)
        guard let python = DataPeers.python else { return }
        for name in ["ref", "cur"] {
            let converted = try ProcessRunner.run(python, ["-c", "import pandas as pd, sys; pd.read_csv(sys.argv[1]).to_parquet(sys.argv[2], row_group_size=150)",
                                                          sandbox.root + "/data/\(name).csv", sandbox.root + "/data/\(name).parquet"])
            #expect(converted.status == 0, "\(converted.stderr)")
        }
        let csvDrift = try mlci("check", "drift", "--json", "--reference", "data/ref.csv", "--current", "data/cur.csv", in: sandbox)
        let parquetDrift = try mlci("check", "drift", "--json", "--reference", "data/ref.parquet", "--current", "data/cur.parquet", in: sandbox)
        #expect(csvDrift.status == parquetDrift.status, "seed \(seed)")
        #expect(csvDrift.stdout == parquetDrift.stdout, "seed \(seed)\n\(csvDrift.stdout)\n\(parquetDrift.stdout)\(parquetDrift.stderr)")
        let csvData = try mlci("check", "data", "--json", "data/cur.csv", in: sandbox)
        let parquetData = try mlci("check", "data", "--json", "data/cur.parquet", in: sandbox)
        #expect(csvData.status == parquetData.status, "seed \(seed): \(csvData.stdout)\(csvData.stderr) \(parquetData.stdout)\(parquetData.stderr)")
        func decisions(_ result: ProcessResult) throws -> [String] {
            try json(result)["checks"]?.arrayValue?.map { check in
                "\(check["check"]?.stringValue ?? "") \(check["subject"]?.stringValue?.split(separator: ":").last ?? "") \(check["outcome"]?.stringValue ?? "") "
                    + "\(check["observed"]?["unexpected_count"].map { JSONWriter(style: .compact).string($0) } ?? JSONWriter(style: .compact).string(check["observed"] ?? .null))"
            } ?? []
        }
        let csvDecisions = try decisions(csvData)
        #expect(csvDecisions.count == 7)
        #expect(csvDecisions == (try decisions(parquetData)), "seed \(seed)")
    }

    @Test func sixtyFourRandomTablesGetGreatExpectationsAndEvidentlysDecisions() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let result = try DataPeers.run("differential.py", [MLCIBinary.path, directory]) else { return }
        let summary = result.stdout.split(separator: "\n").filter { !$0.hasPrefix("Calculating") }.joined(separator: "\n")
        #expect(result.status == 0, "\(summary)\n\(result.stderr.suffix(2000))")
        #expect(result.stdout.contains("64 tables:") && result.stdout.contains(" 0 differ"), "\(summary)")
    }

    @Test func parquetIsToldByContentNotByName() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let python = DataPeers.python else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/table.csv"
        let made = try ProcessRunner.run(python, ["-c", "import pyarrow as pa, pyarrow.parquet as pq, sys; pq.write_table(pa.table({'x': [1, 2, None]}), sys.argv[1])", path])
        #expect(made.status == 0, "\(made.stderr)")
        let result = try ProcessRunner.run(MLCIBinary.path, ["check", "data", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3 rows, 1 columns"), "\(result.stdout)")
        #expect(result.stdout.contains("x: float64"), "\(result.stdout)")
    }
}
