import MLCIConfig
import MLCILineage
import MLCISupport
import Yams

/// Writes a commented mlci.yaml for an existing repository: stages imported from dvc.yaml,
/// data folders and metrics files it finds suggested, and `.mlci/` added to .gitignore.
public enum ProjectInit {
    /// What `mlci init` wrote.
    public struct Result: Sendable {
        public var configText: String
        public var importedStages: [String]
        public var skippedStages: [String]
        public var gitignoreUpdated: Bool
    }

    public static func run(root: String, force: Bool) throws -> Result {
        let configPath = root + "/mlci.yaml"
        if FileSystem.exists(configPath) && !force {
            throw InputError("mlci.yaml already exists", hint: "edit it, or run 'mlci init --force' to write a new one over it")
        }
        var imported: [String] = []
        var skipped: [String] = []
        var stageLines: [String] = []
        if FileSystem.exists(root + "/dvc.yaml") {
            let node = try YAMLDocument.load(root + "/dvc.yaml", display: "dvc.yaml")
            if case .mapping(let top)? = node, case .mapping(let stages)? = top["stages"] {
                for (nameNode, stageNode) in stages {
                    guard let name = nameNode.string, case .mapping(let stage) = stageNode else { continue }
                    guard stage["foreach"] == nil, stage["matrix"] == nil, stage["cmd"] != nil,
                          StringRuleCheck.isIdentifier(name) else {
                        skipped.append(name)
                        continue
                    }
                    stageLines += stageYAML(name: name, stage)
                    imported.append(name)
                }
            }
        }
        let dataDirectories = ["data", "dataset", "datasets"].filter { FileSystem.isDirectory(root + "/" + $0) && !FileSystem.exists(root + "/" + $0 + ".dvc") }
        let metricsFiles = ["metrics.json", "metrics.yaml", "scores.json", "eval/metrics.json", "reports/metrics.json"]
            .filter { FileSystem.exists(root + "/" + $0) }
        var lines: [String] = [
            "# mlci configuration — https://github.com/mlci/mlci/blob/main/docs/config.md",
            "# Validate it in your editor with schemas/mlci.schema.json (yaml-language-server).",
            "version: 1",
            "",
            "# The branch a change is compared with (its metrics are the baseline).",
            "target: main",
            "",
            "# What the data of a commit is: files or folders hashed into mlci.lock.",
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
        if !metricsFiles.isEmpty, stageLines.isEmpty {
            lines += ["# Metrics files the gate reads.", "metrics:"] + metricsFiles.map { "  - \(YAMLWriter.scalar(.string($0)))" } + [""]
        }
        if stageLines.isEmpty {
            lines += [
                "# The pipeline, run in this order; a stage re-runs when its cmd, deps, params keys or outs change.",
                "# stages:",
                "#   test:  { cmd: pytest -q, deps: [src/, tests/] }",
                "#   train: { cmd: python src/train.py, deps: [src/train.py, data/train.csv], params: [train], outs: [models/model.pkl] }",
                "#   evaluate: { cmd: python src/evaluate.py, deps: [models/model.pkl], metrics: [metrics.json] }",
            ]
        } else {
            lines += ["# The pipeline, imported from dvc.yaml; a stage re-runs when its cmd, deps, params keys or outs change.", "stages:"] + stageLines
            if !skipped.isEmpty { lines.append("  # not imported (foreach/matrix or unusual names): \(skipped.joined(separator: ", "))") }
        }
        lines += [
            "",
            "# What a change must satisfy to be approved.",
            "# gate:",
            "#   metrics:",
            "#     accuracy: { min: 0.8, max_drop: 0.01 }",
            "",
        ]
        let text = lines.joined(separator: "\n")
        // Never write a configuration mlci itself would refuse.
        _ = try ConfigLoader.parse(text)
        try FileSystem.writeAtomically(configPath, text, temporaryDirectory: try FileSystem.scratchDirectory(repositoryRoot: root))
        let updated = try ignoreLocalFolder(root: root)
        return Result(configText: text, importedStages: imported, skippedStages: skipped, gitignoreUpdated: updated)
    }

    static func stageYAML(name: String, _ stage: Node.Mapping) -> [String] {
        var out = ["  \(name):"]
        func paths(_ node: Node?) -> [String] {
            guard case .sequence(let items)? = node else { return [] }
            return items.compactMap { item in
                if let text = item.string, case .scalar = item { return text }
                if case .mapping(let m) = item, let first = m.first?.key.string { return first }  // {path: {cache: false}}
                return nil
            }
        }
        let cmd: String
        if case .sequence(let commands)? = stage["cmd"] {
            cmd = "[" + commands.compactMap(\.string).map { YAMLWriter.scalar(.string($0)) }.joined(separator: ", ") + "]"
        } else {
            cmd = YAMLWriter.scalar(.string(stage["cmd"]?.string ?? ""))
        }
        out.append("    cmd: \(cmd)")
        for (key, values) in [("deps", paths(stage["deps"])), ("outs", paths(stage["outs"])),
                              ("metrics", paths(stage["metrics"]))] where !values.isEmpty {
            out.append("    \(key): [" + values.map { YAMLWriter.scalar(.string($0)) }.joined(separator: ", ") + "]")
        }
        if case .sequence(let params)? = stage["params"] {
            var keys: [String] = []
            var files: [String] = []
            for item in params {
                if let key = item.string, case .scalar = item { keys.append(YAMLWriter.scalar(.string(key))) }
                if case .mapping(let m) = item {
                    for (fileNode, keysNode) in m {
                        guard let file = fileNode.string else { continue }
                        let list = (keysNode.sequence?.compactMap(\.string) ?? []).map { YAMLWriter.scalar(.string($0)) }
                        files.append("{\(YAMLWriter.scalar(.string(file))): [\(list.joined(separator: ", "))]}")
                    }
                }
            }
            if !keys.isEmpty || !files.isEmpty { out.append("    params: [" + (keys + files).joined(separator: ", ") + "]") }
        }
        return out
    }

    /// Adds `.mlci/` to .gitignore unless it is there; returns whether the file changed.
    static func ignoreLocalFolder(root: String) throws -> Bool {
        let path = root + "/.gitignore"
        var text = FileSystem.exists(path) ? String(decoding: try FileSystem.read(path, display: ".gitignore"), as: UTF8.self) : ""
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
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
