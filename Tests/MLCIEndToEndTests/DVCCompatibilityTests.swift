import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// mlci against the real DVC: the hashes DVC writes are the hashes mlci reads and computes.
@Suite(.serialized) struct DVCCompatibilityTests {
    var dvc: String { PeerTools.dvc }

    var python: String { PeerTools.python }

    func run(_ sandbox: GitSandbox, _ arguments: String...) throws -> ProcessResult {
        let result = try ProcessRunner.run(dvc, arguments, in: sandbox.root, environment: sandbox.environment())
        #expect(result.status == 0, "dvc \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    func dvcRepository() throws -> GitSandbox {
        let sandbox = try GitSandbox()
        _ = try run(sandbox, "init", "-q")
        _ = try run(sandbox, "config", "--local", "core.site_cache_dir", sandbox.base + "/dvc-site-cache")
        _ = try run(sandbox, "config", "--local", "core.analytics", "false")
        // The smallest valid config: DVC-tracked data must be picked up without being declared.
        try sandbox.write("mlci.yaml", "version: 1\n")
        try sandbox.commit("dvc init")
        return sandbox
    }

    /// The md5 DVC wrote for the single out of a `.dvc` file (parsed by PyYAML, not by mlci).
    func recordedMD5(_ sandbox: GitSandbox, _ file: String) throws -> String {
        let result = try ProcessRunner.run(python, ["-c", "import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))['outs'][0]['md5'])",
                                                    sandbox.root + "/" + file])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func mlciReadsAndRecomputesTheHashesDvcAddWrote() throws {
        let sandbox = try dvcRepository()
        var generator = SystemRandomNumberGenerator()
        try sandbox.write("data/model.bin", bytes: (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try sandbox.write("data/windows.csv", "id,name\r\n1,Zoë\r\n2,Łukasz\r\n")
        try sandbox.write("data/corpus/a.txt", "first\n")
        try sandbox.write("data/corpus/nested/deeper/b.txt", "second\n")
        try sandbox.write("data/corpus/ünïcödé/名前.txt", "third\n")
        try sandbox.write("data/corpus/😀 emoji.txt", "fourth\n")
        try sandbox.write("data/corpus/B upper.txt", "fifth\n")
        for target in ["data/model.bin", "data/windows.csv", "data/corpus"] { _ = try run(sandbox, "add", "-q", target) }
        try sandbox.commit("track data with dvc")

        let record = try json(mlci("lineage", "--json", in: sandbox))
        for (path, file) in [("data/model.bin", "data/model.bin.dvc"), ("data/windows.csv", "data/windows.csv.dvc"),
                             ("data/corpus", "data/corpus.dvc")] {
            let expected = try recordedMD5(sandbox, file)
            let found = entry(record["data"], path: path)
            #expect(found?["hash"]?.stringValue == expected, "\(path)")
            #expect(found?["algorithm"]?.stringValue == "md5")
            #expect(found?["recorded_in"]?.stringValue == file)
        }
        #expect(try recordedMD5(sandbox, "data/corpus.dvc").hasSuffix(".dir"))

        // mlci hashes the working tree itself and gets DVC's values: status is clean.
        let status = try mlci("status", "--json", in: sandbox)
        #expect(status.status == 0, "\(status.stdout)")
        #expect(try json(status)["paths"]?.arrayValue?.count == 3)

        // An edit DVC has not recorded is seen by both.
        try sandbox.write("data/corpus/ünïcödé/名前.txt", "changed\n")
        let changed = try mlci("status", "--json", in: sandbox)
        #expect(changed.status == 1)
        #expect(entry(try json(changed)["paths"], path: "data/corpus")?["state"]?.stringValue == "modified")
        let dvcStatus = try ProcessRunner.run(dvc, ["status", "--json"], in: sandbox.root, environment: sandbox.environment())
        #expect(dvcStatus.stdout.contains("data/corpus"))
        // After dvc records it, mlci agrees again.
        _ = try run(sandbox, "add", "-q", "data/corpus")
        #expect(try mlci("status", in: sandbox).status == 0)
    }

    @Test func aLegacyDvc2EntryIsVerifiedWithItsDos2UnixHash() throws {
        let sandbox = try dvcRepository()
        try sandbox.write("legacy.csv", "a,b\r\n1,2\r\n3,4\r\n")
        // DVC's own legacy hasher (dvc-data's md5-dos2unix) computes the DVC 2 value.
        let legacy = try ProcessRunner.run(python, ["-c", """
            import sys
            from dvc_data.hashfile.hash import file_md5
            print(file_md5(sys.argv[1], name="md5-dos2unix"))
            """, sandbox.root + "/legacy.csv"])
        #expect(legacy.status == 0, "\(legacy.stderr)")
        let md5 = legacy.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // A .dvc file as DVC 2 wrote it: no `hash: md5`.
        try sandbox.write("legacy.csv.dvc", "outs:\n- md5: \(md5)\n  size: 15\n  path: legacy.csv\n")
        try sandbox.write(".gitignore", "/legacy.csv\n")
        try sandbox.commit("dvc 2 era data")
        let record = try json(mlci("lineage", "--json", in: sandbox))
        let found = entry(record["data"], path: "legacy.csv")
        #expect(found?["hash"]?.stringValue == md5)
        #expect(found?["algorithm"]?.stringValue == "md5-dos2unix")
        let plainMD5 = try ProcessRunner.run("md5sum", [sandbox.root + "/legacy.csv"]).stdout.prefix(32)
        #expect(String(plainMD5) != md5)
        #expect(try mlci("status", in: sandbox).status == 0)
        try sandbox.write("legacy.csv", "a,b\r\n1,2\r\n3,5\r\n")
        #expect(try mlci("status", in: sandbox).status == 1)
    }

    @Test func aDvcLockWrittenByReproIsRead() throws {
        let sandbox = try dvcRepository()
        try sandbox.write("params.yaml", "train:\n  lr: 0.1\n")
        try sandbox.write("prepare.py", """
            import os
            os.makedirs("features", exist_ok=True)
            for i in range(3):
                open(f"features/part-{i}.txt", "w").write("row %d\\n" % i)
            open("model.txt", "w").write("weights\\n")
            """)
        try sandbox.write("dvc.yaml", """
            stages:
              prepare:
                cmd: \(python) prepare.py
                deps: [prepare.py]
                params: [train.lr]
                outs: [features, model.txt]
            """)
        _ = try run(sandbox, "repro", "-q")
        try sandbox.commit("repro")
        let lock = try ProcessRunner.run(python, ["-c", """
            import sys, yaml
            outs = yaml.safe_load(open(sys.argv[1]))['stages']['prepare']['outs']
            for o in outs: print(o['path'], o['md5'])
            """, sandbox.root + "/dvc.lock"])
        let expected = Dictionary(uniqueKeysWithValues: lock.stdout.split(separator: "\n").map {
            let parts = $0.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        })
        #expect(expected.count == 2)
        let record = try json(mlci("lineage", "--json", in: sandbox))
        for (path, md5) in expected {
            #expect(entry(record["data"], path: path)?["hash"]?.stringValue == md5, "\(path)")
            #expect(entry(record["data"], path: path)?["recorded_in"]?.stringValue == "dvc.lock")
        }
        #expect(record["params"]?["params.yaml"]?["train.lr"] == 0.1)
        #expect(try mlci("status", in: sandbox).status == 0)
    }
}
