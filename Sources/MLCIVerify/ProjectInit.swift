import MLCIConfig
import MLCIDVC
import MLCILineage
import MLCISupport
import MLCIYAML

/// Writes a commented mlci.yaml for an existing repository. With dvc.yaml files the DVC
/// pipeline stays the pipeline: mlci.yaml gets the metrics files dvc.yaml names and a gate on
/// the metric keys found in them, and no `data:` entry over DVC-tracked paths or stage outs.
public enum ProjectInit {
    /// What `mlci init` wrote.
    public struct Result: Sendable {
        public var configText: String
        /// The dvc.yaml stages mlci runs as they are (not copied into mlci.yaml).
        public var dvcStages: [String]
        /// The metric keys the gate stub names.
        public var gatedMetrics: [String]
        public var gitignoreUpdated: Bool
    }

    /// - Parameters:
    ///   - target: the branch changes are compared with (the repository's default branch).
    ///   - isIgnored: whether git ignores a repository-relative folder (dvc.yaml discovery).
    public static func run(root: String, force: Bool, target: String = "main",
                           isIgnored: (String) -> Bool = { _ in false }) throws -> Result {
        let configPath = root + "/mlci.yaml"
        if FileSystem.exists(configPath) && !force {
            throw InputError("mlci.yaml already exists", hint: "edit it, or run 'mlci init --force' to write a new one over it")
        }
        let pipeline = try DVCPipeline.load(root: root, isIgnored: isIgnored)
        // Paths DVC owns: outs of .dvc files and of stages. A data entry over them would be a
        // second, disagreeing record.
        let dvcOwned: [String] = pipeline.stages.flatMap { $0.outs.map(\.path.repositoryPath) } + pipeline.trackedOutputs.map(\.path)
        func overlapsDVC(_ path: String) -> Bool {
            dvcOwned.contains { $0 == path || $0.hasPrefix(path + "/") || path.hasPrefix($0 + "/") }
        }
        let dataDirectories = ["data", "dataset", "datasets"].filter {
            FileSystem.isDirectory(root + "/" + $0) && !FileSystem.exists(root + "/" + $0 + ".dvc") && !overlapsDVC($0)
        }
        var metricsFiles: [String] = []
        for file in pipeline.files {
            let fromStages = file.stages.flatMap { $0.outs.filter { $0.kind == .metric }.map(\.path.repositoryPath) }
            for path in fromStages + file.topLevel.metrics.map(\.repositoryPath) where !metricsFiles.contains(path) {
                metricsFiles.append(path)
            }
        }
        if pipeline.isEmpty {
            metricsFiles = ["metrics.json", "metrics.yaml", "scores.json", "eval/metrics.json", "reports/metrics.json"]
                .filter { FileSystem.exists(root + "/" + $0) }
        }
        var lines: [String] = [
            "# mlci configuration — https://github.com/mlci/mlci/blob/main/docs/config.md",
            "# Validate it in your editor with schemas/mlci.schema.json (yaml-language-server).",
            "version: 1",
            "",
            "# The branch a change is compared with (its metrics are the baseline).",
            "target: \(YAMLWriter.scalar(.string(target)))",
            "",
            "# What the data of a commit is: files or folders committed to git, or hashed into mlci.lock.",
            "# Data tracked by DVC (*.dvc files, dvc.lock) is picked up without being listed.",
        ]
        if dataDirectories.isEmpty {
            lines += ["# data:", "#   - data/train.csv"]
        } else {
            lines.append("data:")
            lines += dataDirectories.map { "  - \(YAMLWriter.scalar(.string($0)))" }
        }
        lines.append("")
        if FileSystem.exists(root + "/params.yaml") {
            lines += ["# Params: a changed key shows as train.lr: 0.01 -> 0.02.", "params: params.yaml", ""]
        }
        if !metricsFiles.isEmpty {
            lines += ["# Metrics files the gate reads\(pipeline.isEmpty ? "" : " (from dvc.yaml)")."]
            lines += ["metrics:"] + metricsFiles.map { "  - \(YAMLWriter.scalar(.string($0)))" } + [""]
        }
        if pipeline.isEmpty {
            lines += [
                "# The pipeline, run in this order; a stage re-runs when its cmd, deps, params keys or outs change.",
                "# stages:",
                "#   test:  { cmd: pytest -q, deps: [src/, tests/] }",
                "#   train: { cmd: python src/train.py, deps: [src/train.py, data/train.csv], params: [train], outs: [models/model.pkl] }",
                "#   evaluate: { cmd: python src/evaluate.py, deps: [models/model.pkl], metrics: [metrics.json] }",
                "",
            ]
        } else {
            let files = pipeline.files.map(\.path).joined(separator: ", ")
            lines += ["# The pipeline is \(files): mlci runs its \(pipeline.stages.count) stage(s) as 'dvc repro' would and records them in dvc.lock.", ""]
        }
        let gated = try gateLines(root: root, metricsFiles: metricsFiles)
        lines += ["# What a change must satisfy to be approved."]
        if gated.lines.isEmpty {
            lines += ["# gate:", "#   metrics:", "#     accuracy: { min: 0.8, max_drop: 0.01 }", ""]
        } else {
            lines += ["# Each metric found in the metrics files may not get worse by more than 1% against the target branch.",
                      "gate:", "  metrics:"] + gated.lines + [""]
        }
        let text = lines.joined(separator: "\n")
        // Never write a configuration mlci itself would refuse.
        _ = try ConfigLoader.parse(text)
        try FileSystem.writeAtomically(configPath, text, temporaryDirectory: try FileSystem.scratchDirectory(repositoryRoot: root))
        let updated = try ignoreLocalFolder(root: root)
        return Result(configText: text, dvcStages: pipeline.stages.map(\.address), gatedMetrics: gated.keys, gitignoreUpdated: updated)
    }

    /// The gate stub: one entry per numeric key of the metrics files present in the working
    /// tree (at most 20), `max_drop_pct` for scores and `max_rise_pct` for losses and errors.
    static func gateLines(root: String, metricsFiles: [String]) throws -> (lines: [String], keys: [String]) {
        var lines: [String] = []
        var keys: [String] = []
        let several = metricsFiles.filter { FileSystem.exists(root + "/" + $0) }.count > 1
        for file in metricsFiles where FileSystem.exists(root + "/" + file) {
            guard let values = try? MetricsFile.parse(try FileSystem.read(root + "/" + file, limit: 16 << 20, display: file), file: file) else {
                continue
            }
            for key in values.keys.sorted() where values[key]?.doubleValue?.isFinite == true && !keys.contains(key) && keys.count < 20
                && !["step", "epoch", "epochs"].contains(key.split(separator: ".").last.map(String.init) ?? key) {
                let lowered = key.lowercased()
                let lowerIsBetter = ["loss", "error", "err", "rmse", "mse", "mae", "perplexity", "latency"].contains { lowered.contains($0) }
                var bounds = lowerIsBetter ? "max_rise_pct: 1" : "max_drop_pct: 1"
                if several { bounds += ", file: \(YAMLWriter.scalar(.string(file)))" }
                lines.append("    \(YAMLWriter.scalar(.string(key))): { \(bounds) }")
                keys.append(key)
            }
        }
        return (lines, keys)
    }

    /// Adds `.mlci/` to .gitignore unless it is there; returns whether the file changed.
    static func ignoreLocalFolder(root: String) throws -> Bool {
        let path = root + "/.gitignore"
        var text = FileSystem.exists(path) ? String(decoding: try FileSystem.read(path, display: ".gitignore"), as: UTF8.self) : ""
        let lines = text.split(separator: "\n").map { Spaces.trimmed($0) }
        if lines.contains(where: { [".mlci", ".mlci/", "/.mlci", "/.mlci/"].contains($0) }) { return false }
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += "# mlci's local files (hash cache, logs, reports)\n.mlci/\n"
        try FileSystem.writeAtomically(path, text, temporaryDirectory: try FileSystem.scratchDirectory(repositoryRoot: root))
        return true
    }
}

enum StringRuleCheck {
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || CharacterSetCheck.letter(first) else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSetCheck.letter($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}

enum CharacterSetCheck {
    static func letter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
}
