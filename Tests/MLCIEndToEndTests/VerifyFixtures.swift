import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// A three-stage pipeline of shell scripts: prepare copies the data, train "fits" a model
/// from it and the params, evaluate writes metrics.json with the accuracy in acc.txt.
/// Outs are ignored by git; the first verify records the stages and is committed.
func pipeline(accuracy: String = "0.90", gate: String = "accuracy: {min: 0.5, max_drop: 0.02}") throws -> GitSandbox {
    let sandbox = try GitSandbox()
    try sandbox.write("mlci.yaml", """
    version: 1
    target: main
    data: [data.csv]
    stages:
      prepare: {cmd: "sh prepare.sh", deps: [data.csv, prepare.sh], outs: [prepared.csv]}
      train:
        cmd: sh train.sh
        deps: [prepared.csv, train.sh]
        params: [train]
        outs: [model.bin]
      evaluate: {cmd: "sh eval.sh", deps: [model.bin, eval.sh, acc.txt], metrics: [metrics.json]}
    gate:
      metrics:
        \(gate)

    """)
    try sandbox.write("data.csv", "x,y\n1,2\n")
    try sandbox.write("params.yaml", "train:\n  lr: 0.1\n  epochs: 3\nseed: 1\n")
    try sandbox.write("prepare.sh", "cp data.csv prepared.csv\n")
    // The model is a plain pickle (a list of two strings) that depends on the data and the params.
    try sandbox.write("train.sh", "echo training with $(grep lr params.yaml)\nprintf \"(lp0\\nS'%s'\\naS'%s'\\na.\" \"$(grep lr params.yaml)\" \"$(cksum < prepared.csv | cut -d' ' -f1)\" > model.bin\n")
    try sandbox.write("eval.sh", "printf '{\"accuracy\": %s}\\n' \"$(cat acc.txt)\" > metrics.json\n")
    try sandbox.write("acc.txt", accuracy + "\n")
    try sandbox.write(".gitignore", "prepared.csv\nmodel.bin\nmetrics.json\n")
    #expect(try mlci("lock", in: sandbox).status == 0)
    try sandbox.commit("pipeline")
    let first = try mlci("verify", in: sandbox)
    #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
    try sandbox.commit("record the stages")
    return sandbox
}

/// The plan of a dry run, as stage → (action, reasons).
func plan(_ sandbox: GitSandbox, _ extra: String...) throws -> [String: (String, [String])] {
    let result = try MLCIBinary.run(["verify", "--dry-run", "--json"] + extra, in: sandbox)
    #expect(result.status == 0, "\(result.stderr)")
    var out: [String: (String, [String])] = [:]
    for stage in try json(result)["stages"]?.arrayValue ?? [] {
        out[stage["name"]?.stringValue ?? ""] = (stage["action"]?.stringValue ?? "",
                                                 stage["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
    return out
}

/// Whether any process whose command line contains `marker` is alive.
func processRunning(_ marker: String) throws -> Bool {
    try ProcessRunner.run("pgrep", ["-f", marker]).status == 0
}
