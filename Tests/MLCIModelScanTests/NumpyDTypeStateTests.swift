import Foundation
import MLCIModelScan
import MLCITestSupport
import Testing

/// numpy.dtype states as a pickle's BUILD hands them to `dtype.__setstate__`: numpy itself
/// decides which it takes (its __setstate__ is called on the state directly; nothing is
/// unpickled), and mlci calls a file safe exactly when numpy would take its state.
@Suite struct NumpyDTypeStateTests {
    var python: String { ProcessInfo.processInfo.environment["MLCI_MODELSCAN_PYTHON"] ?? "python3" }

    @Test func aDTypeStateNumpyRefusesIsNeverSafeAndOneItTakesIsSafe() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlci-dtype-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let seed = Int.random(in: 1...1_000_000)
        let script = """
        import json, pickle, random, sys
        import numpy as np
        directory, seed = sys.argv[1], int(sys.argv[2])
        r = random.Random(seed)
        class Made:
            def __init__(self, state): self.state = state
            def __reduce__(self): return (np.dtype, ("i8", False, True), self.state)
        values = [lambda: r.randint(-3, 6), lambda: r.choice([True, False]), lambda: 2 ** 70, lambda: "<",
                  lambda: r.choice(["|", ">", "x"]), lambda: None, lambda: 1.5, lambda: [1], lambda: -1]
        base = (3, "<", None, None, None, -1, -1, 0)
        verdicts = {}
        for index in range(150):
            if index % 3 == 0:
                state = tuple(r.choice(values)() for _ in range(r.randint(3, 11)))
            else:  # numpy's own state, one item changed, added or dropped
                state = list(base)
                action = r.randrange(3)
                if action == 0: state[r.randrange(len(state))] = r.choice(values)()
                elif action == 1: state.insert(r.randrange(len(state) + 1), r.choice(values)())
                else: del state[r.randrange(len(state))]
                state = tuple(state) if r.random() < 0.95 else state
            try:
                np.dtype("i8", False, True).__setstate__(state)
                takes = True
            except Exception:
                takes = False
            name = "dtype_%03d.pkl" % index
            open(directory + "/" + name, "wb").write(pickle.dumps(Made(state), protocol=r.randint(2, 5)))
            verdicts[name] = [takes, repr(state)]
        json.dump(verdicts, open(directory + "/verdicts.json", "w"))
        """
        let made = try ProcessRunner.run(python, ["-c", script, directory, String(seed)])
        #expect(made.status == 0, "\(made.stderr)")
        let verdicts = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/verdicts.json"))) as? [String: [Any]] ?? [:]
        #expect(verdicts.count == 150)
        var taken = 0
        for (name, verdict) in verdicts.sorted(by: { $0.key < $1.key }) {
            let takes = verdict[0] as? Bool ?? false
            if takes { taken += 1 }
            let result = try ModelScanner().scan(path: "\(directory)/\(name)", display: name)
            #expect(result.isSafe == takes, "seed \(seed): \(name) state \(verdict[1]): numpy \(takes ? "takes" : "refuses") it; mlci: \(result.findings.map(\.message))")
        }
        // Both kinds are in the corpus.
        #expect(taken > 10 && taken < 140, "seed \(seed): numpy took \(taken) of 150")
    }
}
