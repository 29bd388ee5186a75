import MLCISupport

extension DVCStageDefinition {
    /// The stage as `mlci dvc stages --json` prints it: paths as written and repository-relative.
    public var json: JSONValue {
        let command: JSONValue
        switch cmd {
        case .text(let text): command = .string(text)
        case .list(let items): command = .array(items.map(JSONValue.string))
        }
        return [
            "address": .string(address), "file": .string(file), "name": .string(name), "cmd": command,
            "commands": .array(commands.map(JSONValue.string)), "wdir": .optional(wdir),
            "working_directory": .string(workingDirectory),
            "deps": .array(deps.map { ["path": .string($0.spelled), "repository_path": .string($0.repositoryPath)] }),
            "outs": .array(outs.map { out in
                ["path": .string(out.path.spelled), "repository_path": .string(out.path.repositoryPath), "kind": .string(out.kind.rawValue),
                 "cache": .bool(out.cache), "persist": .bool(out.persist), "push": .bool(out.push), "remote": .optional(out.remote)]
            }),
            "params": .array(params.map { ["file": .string($0.file.spelled), "keys": .array($0.keys.map(JSONValue.string))] }),
            "frozen": .bool(frozen), "always_changed": .bool(alwaysChanged), "desc": .optional(description),
            "location": .string(location.description),
        ]
    }

    /// What `dvc stage list` prints after the name: the first line of `desc`, else the outs.
    public var summary: String {
        if let description, let line = description.split(whereSeparator: \.isNewline).first { return String(line) }
        let paths = outs.filter { $0.kind == .out }.map(\.path.spelled)
        let metrics = outs.filter { $0.kind == .metric }.map(\.path.spelled)
        let plots = outs.filter { $0.kind == .plot }.map(\.path.spelled)
        var parts: [String] = []
        if !paths.isEmpty { parts.append("Outputs " + paths.joined(separator: ", ")) }
        if !metrics.isEmpty { parts.append("Reports " + metrics.joined(separator: ", ")) }
        if !plots.isEmpty { parts.append("Plots " + plots.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
