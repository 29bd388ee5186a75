import MLCISupport

/// Checks that need the whole configuration: the stage graph, bounds that contradict each
/// other, paths claimed twice.
enum SemanticChecks {
    static func check(_ config: Config) -> [Diagnostic] {
        var out: [Diagnostic] = []
        out += stageGraph(config)
        for gate in config.gate.metrics {
            if let min = gate.minimum, let max = gate.maximum, min > max {
                out.append(.error("gate for '\(gate.name)': min \(min) is greater than max \(max), so no value can pass",
                                  at: gate.location))
            }
        }
        if let deploy = config.deploy?.value, let replicas = deploy["replicas"],
           let min = replicas["min"]?.doubleValue, let max = replicas["max"]?.doubleValue, min > max {
            out.append(.error("deploy.replicas: min \(Int(min)) is greater than max \(Int(max))", at: config.deploy?.location))
        }
        var dataSeen: [String: SourceLocation] = [:]
        for entry in config.data {
            if let first = dataSeen[entry.path] {
                out.append(.error("'\(entry.path)' is listed twice under data (first at line \(first.line ?? 0))", at: entry.location))
            }
            dataSeen[entry.path] = entry.location
        }
        return out
    }

    /// Whether `a` and `b` name the same path or one contains the other.
    static func overlaps(_ a: String, _ b: String) -> Bool {
        a == b || a == "." || b == "." || b.hasPrefix(a + "/") || a.hasPrefix(b + "/")
    }

    /// Stages run in the order written; a stage may only depend on outs of stages above it.
    static func stageGraph(_ config: Config) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var producer: [String: Stage] = [:]
        for stage in config.stages {
            if stage.commands.isEmpty { continue }  // the schema reports the missing cmd
            for path in stage.outs + stage.metrics {
                if let other = producer[path] {
                    out.append(.error("stage '\(stage.name)' declares '\(path)' as an out, but stage '\(other.name)' already produces it",
                                      at: stage.location, hint: "each out has exactly one stage that writes it"))
                }
                producer[path] = stage
            }
        }
        let index = Dictionary(uniqueKeysWithValues: config.stages.enumerated().map { ($1.name, $0) })
        // Edges: stage → the stages whose outs it depends on.
        var edges: [String: [String]] = [:]
        for stage in config.stages {
            for dep in stage.deps {
                for (path, other) in producer where other.name != stage.name && overlaps(dep, path) {
                    edges[stage.name, default: []].append(other.name)
                }
                if (stage.outs + stage.metrics).contains(where: { overlaps(dep, $0) }) {
                    out.append(.error("stage '\(stage.name)' depends on '\(dep)', which it writes itself",
                                      at: stage.location, hint: "a stage cannot read its own output as an input"))
                }
            }
        }
        // Cycles, reported once with the path around them.
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var reported = false
        func visit(_ name: String, _ trail: [String]) {
            if reported { return }
            if state[name] == 2 { return }
            if state[name] == 1 {
                let cycle = trail.drop(while: { $0 != name }) + [name]
                let location = config.stages.first { $0.name == name }?.location
                out.append(.error("the stages form a cycle: \(cycle.joined(separator: " → "))", at: location,
                                  hint: "a stage cannot depend, directly or not, on its own outs"))
                reported = true
                return
            }
            state[name] = 1
            for next in edges[name, default: []] { visit(next, trail + [name]) }
            state[name] = 2
        }
        for stage in config.stages { visit(stage.name, []) }
        if !reported {
            for stage in config.stages {
                for upstream in Set(edges[stage.name, default: []]) where index[upstream]! > index[stage.name]! {
                    out.append(.error("stage '\(stage.name)' depends on the outs of '\(upstream)', which is listed after it",
                                      at: stage.location, hint: "stages run in the order written: move '\(upstream)' above '\(stage.name)'"))
                }
            }
        }
        return out
    }
}
