import Foundation
import MLCIModelScan
import MLCISupport
import MLCITestSupport
import Testing

/// Pickles written by hand, opcode by opcode, so no test ever pickles (let alone unpickles) a
/// payload. Each reaches a callable that runs code when the file is loaded.
enum HandMade {
    /// Protocol 0: `GLOBAL 'module name'`, `(`, a string, `t`, `R`, `.`
    static func protocol0(_ module: String, _ name: String, argument: String = "echo pwned") -> [UInt8] {
        Array("c\(module)\n\(name)\n(S'\(argument)'\ntR.".utf8)
    }

    /// Protocol 4: `STACK_GLOBAL` fed through the memo (`BINUNICODE`, `MEMOIZE`, `BINGET`).
    static func protocol4(_ module: String, _ name: String) -> [UInt8] {
        var out: [UInt8] = [0x80, 0x04, 0x95] + [UInt8](repeating: 0, count: 8)
        out += [0x8C, UInt8(module.utf8.count)] + Array(module.utf8) + [0x94]
        out += [0x8C, UInt8(name.utf8.count)] + Array(name.utf8) + [0x94]
        out += [0x68, 0x00, 0x68, 0x01]  // BINGET 0, BINGET 1: the strings again, from the memo
        out += [0x93, 0x94]              // STACK_GLOBAL, MEMOIZE
        out += [0x8C, 0x03] + Array("arg".utf8) + [0x85, 0x52, 0x2E]  // 'arg', TUPLE1, REDUCE, STOP
        return out
    }

    /// A getattr trick: `builtins.getattr(builtins.__import__('os'), 'system')`.
    static let getattrTrick: [UInt8] = Array("cbuiltins\ngetattr\n(cbuiltins\n__import__\n(S'os'\ntRS'system'\ntR(S'id'\ntR.".utf8)

    /// A STACK_GLOBAL whose operands are computed (the results of calls), not literals.
    static let computedImport: [UInt8] = [0x80, 0x04] + Array("cbuiltins\nstr\n(S'o'\ntR".utf8) + Array("cbuiltins\nstr\n(S's'\ntR".utf8) + [0x93, 0x2E]

    /// sklearn-style estimator rebuilt from NEWOBJ/BUILD with a BYTEARRAY8 payload (protocol 5).
    static let sklearnStyle: [UInt8] = {
        var out: [UInt8] = [0x80, 0x05]
        for text in ["sklearn.linear_model._logistic", "LogisticRegression"] { out += [0x8C, UInt8(text.utf8.count)] + Array(text.utf8) + [0x94] }
        out += [0x93, 0x94, 0x29, 0x81, 0x94, 0x7D, 0x94]  // STACK_GLOBAL, MEMOIZE, EMPTY_TUPLE, NEWOBJ, MEMOIZE, EMPTY_DICT, MEMOIZE
        out += [0x8C, 0x05] + Array("coef_".utf8)
        for text in ["numpy._core.numeric", "_frombuffer"] { out += [0x8C, UInt8(text.utf8.count)] + Array(text.utf8) }
        out += [0x93, 0x96] + [16, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 7, count: 16)  // STACK_GLOBAL, BYTEARRAY8(16)
        for text in ["numpy", "dtype"] { out += [0x8C, UInt8(text.utf8.count)] + Array(text.utf8) }
        out += [0x93, 0x8C, 0x02] + Array("f8".utf8) + [0x85, 0x52]  // dtype('f8')
        out += [0x86, 0x52, 0x73, 0x62, 0x2E]  // TUPLE2, REDUCE, SETITEM, BUILD, STOP
        return out
    }()
}

@Suite struct PickleScannerTests {
    let scanner = ModelScanner()

    func scan(_ bytes: [UInt8], name: String = "model.pkl") -> ModelScanResult {
        bytes.withUnsafeBytes { scanner.scan(bytes: $0, name: name) }
    }

    @Test(arguments: [
        ("posix", "system"), ("os", "system"), ("nt", "system"), ("subprocess", "Popen"), ("subprocess", "check_output"),
        ("builtins", "eval"), ("builtins", "exec"), ("__builtin__", "eval"), ("builtins", "__import__"), ("runpy", "_run_code"),
        ("webbrowser", "open"), ("socket", "socket"), ("importlib", "import_module"), ("operator", "methodcaller"),
        ("operator", "attrgetter"), ("numpy.testing._private.utils", "runstring"), ("pty", "spawn"), ("shutil", "rmtree"),
        ("torch.hub", "load"), ("torch.storage", "_load_from_bytes"), ("os.path", "join"), ("ctypes", "CDLL"),
    ])
    func flagsEveryDeniedCallableInProtocols0And4(module: String, name: String) {
        for (label, bytes) in [("p0", HandMade.protocol0(module, name)), ("p4", HandMade.protocol4(module, name))] {
            let result = scan(bytes)
            let unsafe = result.findings.filter { $0.kind == .unsafeGlobal }
            #expect(unsafe.count == 1, "\(label) \(module).\(name): \(result.findings)")
            // Protocols 0-2 map Python 2 names as CPython's find_class does (`__builtin__` → builtins).
            let expectedName = module == "__builtin__" && label == "p0" ? "builtins.\(name)" : "\(module).\(name)"
            #expect(unsafe.first?.callable == expectedName)
            #expect(!result.isSafe)
        }
    }

    @Test func reportsTheByteOffsetOfTheImport() {
        let result = scan([0x80, 0x02] + HandMade.protocol0("posix", "system"))
        #expect(result.findings.first?.offset == 2)
        #expect(result.findings.first?.message.contains("GLOBAL at byte 2 imports posix.system") == true)
    }

    @Test func flagsTheGetattrTrickAndComputedImports() {
        let trick = scan(HandMade.getattrTrick)
        #expect(Set(trick.findings.compactMap(\.callable)) == ["builtins.getattr", "builtins.__import__"])
        // CPython refuses a STACK_GLOBAL whose operands are not str: the file cannot load, so it is not safe.
        let computed = scan(HandMade.computedImport)
        #expect(computed.findings.contains { $0.kind == .malformed && $0.message.contains("STACK_GLOBAL requires str") })
        #expect(!computed.isSafe)
    }

    @Test func findsAPayloadInAnyOfSeveralStackedPickles() {
        let benign = HandMade.protocol4("collections", "OrderedDict")
        let result = scan(benign + benign + HandMade.protocol0("posix", "system") + benign)
        #expect(result.findings.filter { $0.kind == .unsafeGlobal }.count == 1)
        #expect(result.scanned == ["model.pkl (4 pickles)"])
    }

    @Test func passesSklearnStyleReconstructionWithoutAlarm() {
        let result = scan(HandMade.sklearnStyle)
        #expect(result.findings.isEmpty, "\(result.findings)")
    }

    @Test func anUnlistedCallableFailsAndOnlyTheExactNameAllowsIt() {
        let result = scan(HandMade.protocol4("mylib.models", "Net"))
        #expect(result.findings.map(\.kind) == [.unknownGlobal])
        #expect(!result.isSafe)
        let prefix = ModelScanner(policy: GlobalPolicy.standard.adding(deny: [], allow: ["mylib", "mylib.models"]))
        #expect(!HandMade.protocol4("mylib.models", "Net").withUnsafeBytes { prefix.scan(bytes: $0, name: "m.pkl") }.isSafe)
        let allowed = ModelScanner(policy: GlobalPolicy.standard.adding(deny: [], allow: ["mylib.models.Net"]))
        #expect(HandMade.protocol4("mylib.models", "Net").withUnsafeBytes { allowed.scan(bytes: $0, name: "m.pkl") }.findings.isEmpty)
        // A denied component is never allowed, even when listed exactly.
        let sneaky = ModelScanner(policy: GlobalPolicy.standard.adding(deny: [], allow: ["sklearn.utils.os.system"]))
        #expect(!HandMade.protocol4("sklearn.utils", "os.system").withUnsafeBytes { sneaky.scan(bytes: $0, name: "m.pkl") }.isSafe)
        let denied = ModelScanner(policy: GlobalPolicy.standard.adding(deny: ["mylib.models.Net"], allow: []))
        #expect(!HandMade.protocol4("mylib.models", "Net").withUnsafeBytes { denied.scan(bytes: $0, name: "m.pkl") }.isSafe)
    }

    @Test func truncatedPicklesNeverCrashAndKeepWhatWasFound() {
        let full = HandMade.protocol0("posix", "system") + HandMade.sklearnStyle
        for length in 0..<full.count {
            let result = scan(Array(full.prefix(length)))
            if length > 20 { #expect(result.findings.contains { $0.kind == .unsafeGlobal }, "prefix \(length)") }
        }
    }

    @Test func randomBytesAndDeepNestingFinishQuickly() {
        var generator = SystemRandomNumberGenerator()
        // This thread's CPU time, not the wall clock: other suites share the cores meanwhile.
        func cpuSeconds() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let started = cpuSeconds()
        for round in 0..<2_000 {
            var bytes = [UInt8](repeating: 0, count: Int.random(in: 0...4096, using: &generator))
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0, bytes.count > 2 { bytes[0] = 0x80; bytes[1] = 0x04 }
            _ = scan(bytes)
        }
        // A million nested lists, a million MARKs, and lengths claiming exabytes.
        _ = scan([0x80, 0x02] + [UInt8](repeating: 0x5D, count: 1_000_000) + [UInt8](repeating: 0x61, count: 999_999) + [0x2E])
        _ = scan([UInt8](repeating: 0x28, count: 1_000_000) + [0x2E])
        _ = scan([0x80, 0x04, 0x8D] + [UInt8](repeating: 0xFF, count: 8) + [0x2E])
        _ = scan([0x80, 0x04] + Array(repeating: [0x8C, 0x01, 0x61, 0x94, 0x68, 0x00], count: 100_000).flatMap { $0 } + [0x2E])
        #expect(cpuSeconds() - started < 60)  // a debug build; about 10 s here
    }
}

@Suite struct ModelContainerTests {
    var python: String { ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3" }

    /// Writes model files with Python: real pickles of benign objects, numpy arrays, zip
    /// containers laid out as torch.save and numpy.savez do, a legacy stacked PyTorch file,
    /// safetensors. Payload pickles are the hand-made bytes passed in hex: nothing is
    /// pickled that would run, and nothing is ever unpickled.
    func makeFiles(in directory: String) throws {
        let payload = HandMade.protocol4("posix", "system").map { String(format: "%02x", $0) }.joined()
        let script = """
        import io, json, pickle, struct, sys, zipfile
        import numpy as np
        d = sys.argv[1]
        payload = bytes.fromhex(sys.argv[2])
        benign = {"weights": [1.5, 2.5, (3, "x")], "nested": {"a": {"b": {"c": [None, True, b"raw"]}}}, "set": {1, 2}}
        for p in range(6):
            open(f"{d}/plain_p{p}.pkl", "wb").write(pickle.dumps(benign, protocol=p))
        for p in range(2, 6):
            open(f"{d}/numpy_p{p}.pkl", "wb").write(pickle.dumps({"w": np.arange(6, dtype=np.float32).reshape(2, 3), "n": np.int64(3)}, protocol=p))
        def torch_zip(path, pkl):
            with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
                z.writestr("archive/data.pkl", pkl)
                z.writestr("archive/byteorder", "little")
                z.writestr("archive/data/0", b"\\0" * 64)
                z.writestr("archive/version", "3\\n")
        # torch.save's data.pkl for a state dict, written opcode-compatibly by hand.
        state = b"\\x80\\x02}q\\x00X\\x06\\x00\\x00\\x00weightq\\x01ctorch._utils\\n_rebuild_tensor_v2\\nq\\x02((X\\x07\\x00\\x00\\x00storageq\\x03ctorch\\nFloatStorage\\nq\\x04X\\x01\\x00\\x00\\x000q\\x05X\\x03\\x00\\x00\\x00cpuq\\x06K\\x10tq\\x07QK\\x00K\\x04K\\x04\\x86q\\x08K\\x04K\\x01\\x86q\\x09\\x89ccollections\\nOrderedDict\\nq\\x0a)Rq\\x0btq\\x0cRq\\x0ds."
        torch_zip(f"{d}/clean.pt", state)
        torch_zip(f"{d}/malicious.pt", payload)
        with zipfile.ZipFile(f"{d}/deflated.keras", "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("config.json", json.dumps({"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {"function": "..."}}]}}))
        legacy = io.BytesIO()
        for part in [0x1950a86a20f9469cfc6c, 1001, {"protocol_version": 1001, "little_endian": True}]:
            pickle.dump(part, legacy, protocol=2)
        legacy.write(payload)
        pickle.dump(["0"], legacy, protocol=2)
        legacy.write(struct.pack("<q", 4) + b"\\x01\\x02\\x03\\x04" * 8)
        open(f"{d}/legacy.pt", "wb").write(legacy.getvalue())
        np.save(f"{d}/weights.npy", np.ones((3, 3), dtype=np.float32))
        header = open(f"{d}/weights.npy", "rb").read()
        np.save(f"{d}/objects.npy", np.array([{"k": 1}, [1, 2]], dtype=object), allow_pickle=True)
        obj = open(f"{d}/objects.npy", "rb").read()
        hlen = struct.unpack("<H", obj[8:10])[0]
        open(f"{d}/evil.npy", "wb").write(obj[:10 + hlen] + payload)
        np.savez(f"{d}/bundle.npz", a=np.zeros(4), b=np.ones(2))
        with zipfile.ZipFile(f"{d}/evil.npz", "w") as z:
            z.writestr("a.npy", header)
            z.writestr("b.npy", obj[:10 + hlen] + payload)
        meta = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}, "__metadata__": {"format": "pt"}}).encode()
        open(f"{d}/model.safetensors", "wb").write(struct.pack("<Q", len(meta)) + meta + b"\\0" * 16)
        bad = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 64]}}).encode()
        open(f"{d}/bad.safetensors", "wb").write(struct.pack("<Q", len(bad)) + bad + b"\\0" * 16)
        """
        try script.write(toFile: directory + "/make.py", atomically: true, encoding: .utf8)
        let result = try ProcessRunner.run(python, [directory + "/make.py", directory, payload])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func benignModelsPassAndPayloadsAreFoundInEveryContainer() throws {
        let sandbox = try GitSandbox(initialize: false)
        try makeFiles(in: sandbox.root)
        let scanner = ModelScanner()
        func scan(_ name: String) throws -> ModelScanResult { try scanner.scan(path: sandbox.root + "/" + name, display: name) }

        for name in (0...5).map({ "plain_p\($0).pkl" }) + (2...5).map({ "numpy_p\($0).pkl" })
            + ["clean.pt", "weights.npy", "objects.npy", "bundle.npz", "model.safetensors"] {
            let result = try scan(name)
            #expect(result.findings.isEmpty, "\(name) (\(result.format)): \(result.findings.map(\.message))")
        }
        #expect(try scan("clean.pt").format == "pytorch-zip")
        #expect(try scan("clean.pt").scanned == ["clean.pt:archive/data.pkl"])

        let malicious = try scan("malicious.pt")
        #expect(malicious.findings.first { $0.kind == .unsafeGlobal }?.source == "malicious.pt:archive/data.pkl")
        let legacy = try scan("legacy.pt")
        #expect(legacy.format == "pytorch-legacy")
        #expect(legacy.findings.contains { $0.callable == "posix.system" }, "\(legacy.findings)")
        #expect(try scan("evil.npy").findings.contains { $0.callable == "posix.system" })
        #expect(try scan("evil.npz").findings.contains { $0.source == "evil.npz:b.npy" && $0.callable == "posix.system" })
        #expect(try scan("deflated.keras").findings.contains { $0.callable == "keras.layers.Lambda" })
        #expect(try scan("bad.safetensors").findings.contains { $0.kind == .malformed && $0.message.contains("data_offsets") })
        let budget = ModelScanner(maximumBytes: 10)
        #expect(try budget.scan(path: sandbox.root + "/clean.pt").findings.contains { $0.kind == .oversized })
    }

    @Test func theCommandExitsOneForAnUnsafeFileAndTwoForAMissingOne() throws {
        let sandbox = try GitSandbox(initialize: false)
        try makeFiles(in: sandbox.root)
        let clean = try MLCIBinary.run(["check", "model", "clean.pt", "weights.npy"], in: sandbox)
        #expect(clean.status == 0, "\(clean.stdout)")
        let unsafe = try MLCIBinary.run(["check", "model", "--json", "clean.pt", "malicious.pt"], in: sandbox)
        #expect(unsafe.status == 1)
        let document = try JSONParser().parse(unsafe.stdout)
        let finding = document.arrayValue?[1]["findings"]?.arrayValue?.first
        #expect(finding?["callable"] == "posix.system")
        #expect(finding?["source"] == "malicious.pt:archive/data.pkl")
        #expect(finding?["offset"] != nil)
        let missing = try MLCIBinary.run(["check", "model", "nope.pkl"], in: sandbox)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.pkl: no such file or directory"))
    }
}
