import MLCIConfig
import MLCILineage
import MLCISupport
import MLCIYAML

extension DVCFileParser {
    /// One stage (`EntryDefinition.resolve_stage`): `wdir` first, then the stage's `vars` on a
    /// copy of the context, then every field resolved in file order.
    func stage(name: String, nameNode: Node, body: Node.Mapping, context: inout DVCContext) throws(InputError) -> DVCStageDefinition {
        let place = "stages.\(name)"
        var wdir: String? = nil
        if let wdirNode = body["wdir"] {
            let value = try resolve(wdirNode, context: context, field: .scalar, where: "\(place).wdir")
            wdir = PythonText.string(value)
        }
        let workingDirectory = try repositoryPath(wdir ?? ".", base: directory, node: body["wdir"] ?? nameNode, what: "wdir")
        let stageVars = try varsList(body["vars"], at: "\(place).vars")
        for (index, (item, node)) in stageVars.enumerated() {
            do {
                try context.load(item: item, index: index, root: root, directory: workingDirectory, stage: name)
            } catch {
                throw self.error("failed to parse stage '\(name)' in '\(file)': \(error.message)", node)
            }
        }

        var definition = DVCStageDefinition(file: file, name: name, commands: [], workingDirectory: workingDirectory, wdir: wdir,
                                            location: location(nameNode))
        for (keyNode, valueNode) in body {
            guard let key = keyNode.string else { continue }
            let here = "\(place).\(key)"
            switch key {
            case "cmd":
                let value = try resolve(valueNode, context: context, field: .command, where: here)
                switch value {
                case .string(let text):
                    definition.cmd = .text(text)
                case .array(let items):
                    var commands: [String] = []
                    for (index, item) in items.enumerated() {
                        guard case .string(let text) = item else {
                            throw error("each command of '\(here)' must be text, got \(DVCContext.typeName(item))", Self.item(valueNode, index),
                                        hint: "quote the command (a ': ' in it makes YAML read a mapping)")
                        }
                        commands.append(text)
                    }
                    definition.cmd = .list(commands)
                default:
                    throw error("'\(here)' must be text or a list of commands", valueNode)
                }
                definition.commands = definition.cmd.commands
                if definition.commands.isEmpty { throw error("'\(here)' is empty", valueNode) }
            case "deps":
                let value = try resolve(valueNode, context: context, field: .scalar, where: here)
                for (index, item) in (value.arrayValue ?? []).enumerated() {
                    let node = Self.item(valueNode, index)
                    definition.deps.append(try path(item, workingDirectory: workingDirectory, node: node, what: "dep"))
                }
            case "outs", "metrics", "plots":
                let kind: DVCOutput.Kind = key == "outs" ? .out : key == "metrics" ? .metric : .plot
                let value = try resolve(valueNode, context: context, field: .scalar, where: here)
                for (index, item) in (value.arrayValue ?? []).enumerated() {
                    let node = Self.item(valueNode, index)
                    definition.outs += try outputs(item, kind: kind, workingDirectory: workingDirectory, node: node)
                }
            case "params":
                let value = try resolve(valueNode, context: context, field: .scalar, where: here)
                definition.params = try params(value, workingDirectory: workingDirectory, node: valueNode)
            case "frozen": definition.frozen = (try YAML12.value(valueNode, file: file)) == .bool(true)
            case "always_changed": definition.alwaysChanged = (try YAML12.value(valueNode, file: file)) == .bool(true)
            case "desc":
                definition.description = PythonText.string(try resolve(valueNode, context: context, field: .scalar, where: here))
            case "meta":
                _ = try resolve(valueNode, context: context, field: .scalar, where: here)
            default: break  // wdir, vars: done above
            }
        }
        return definition
    }

    static func item(_ node: Node, _ index: Int) -> Node {
        if case .sequence(let items) = node, items.indices.contains(index) { return items[index] }
        return node
    }

    /// `base/relative` normalised and kept inside the repository.
    func repositoryPath(_ relative: String, base: String, node: Node, what: String) throws(InputError) -> String {
        if relative.hasPrefix("/") || relative.contains("://") || relative.hasPrefix("~") {
            throw error("the \(what) '\(relative)' is outside the repository; mlci runs stages on paths inside it", node,
                        hint: "use a path relative to the stage's folder, or run this stage with dvc")
        }
        switch RepositoryPath.normalize(base.isEmpty ? relative : base + "/" + relative) {
        case .success(let clean): return clean == "." ? "" : clean
        case .failure(let problem):
            throw error("the \(what) '\(relative)': \(problem)", node, hint: "paths must stay inside the repository")
        }
    }

    func path(_ value: JSONValue, workingDirectory: String, node: Node, what: String) throws(InputError) -> DVCPath {
        guard case .string(let spelled) = value, !spelled.isEmpty else {
            throw error("a \(what) path must be text, got \(DVCContext.typeName(value))", node)
        }
        let full = try repositoryPath(spelled, base: workingDirectory, node: node, what: what)
        if full.isEmpty { throw error("the \(what) '\(spelled)' is the whole repository", node) }
        return DVCPath(spelled: spelled, repositoryPath: full)
    }

    func outputs(_ value: JSONValue, kind: DVCOutput.Kind, workingDirectory: String, node: Node) throws(InputError) -> [DVCOutput] {
        switch value {
        case .string:
            return [DVCOutput(path: try path(value, workingDirectory: workingDirectory, node: node, what: "out"), kind: kind)]
        case .object(let entries):
            var out: [DVCOutput] = []
            for (spelled, props) in entries {
                var output = DVCOutput(path: try path(.string(spelled), workingDirectory: workingDirectory, node: node, what: "out"), kind: kind)
                let sets = props.arrayValue ?? [props]
                for set in sets {
                    guard case .object(let fields) = set else { continue }
                    for (field, fieldValue) in fields {
                        switch field {
                        case "cache": output.cache = fieldValue != .bool(false)
                        case "persist": output.persist = fieldValue == .bool(true)
                        case "push": output.push = fieldValue != .bool(false)
                        case "remote": output.remote = fieldValue.stringValue
                        case "desc": output.description = fieldValue.stringValue
                        case "checkpoint":
                            if fieldValue == .bool(true) {
                                throw error("'checkpoint' outs were removed in DVC 3 and are not supported", node)
                            }
                        default: break  // type, labels, meta, plot properties: annotations only
                        }
                    }
                }
                out.append(output)
            }
            return out
        default:
            throw error("an out must be a path or a mapping {path: {cache, persist, …}}", node)
        }
    }

    /// `_merge_params`: bare keys go to `params.yaml`; `{file: null | []}` tracks the whole
    /// file (and drops keys listed for it elsewhere); files in order of first mention.
    func params(_ value: JSONValue, workingDirectory: String, node: Node) throws(InputError) -> [DVCParamsDependency] {
        let items = value.arrayValue ?? []
        var whole: Set<String> = []
        for item in items {
            guard case .object(let files) = item else { continue }
            for (file, keys) in files where keys == .null || keys == .array([]) { whole.insert(file) }
        }
        var order: [String] = []
        var keysByFile: [String: [String]] = [:]
        func add(_ file: String, _ keys: [String]) {
            if keysByFile[file] == nil { order.append(file); keysByFile[file] = [] }
            for key in keys where !keysByFile[file]!.contains(key) { keysByFile[file]!.append(key) }
        }
        for (index, item) in items.enumerated() {
            let itemNode = Self.item(node, index)
            switch item {
            case .string(let key):
                if !whole.contains("params.yaml") { add("params.yaml", [key]) }
            case .object(let files):
                for (file, keys) in files {
                    if whole.contains(file) { add(file, []); continue }
                    guard case .array(let list) = keys else {
                        throw error("expected a list of params for the params file '\(file)'", itemNode)
                    }
                    var names: [String] = []
                    for key in list {
                        guard case .string(let name) = key else { throw error("a param key must be text, got \(DVCContext.typeName(key))", itemNode) }
                        names.append(name)
                    }
                    add(file, names)
                }
            default:
                throw error("Only list of str/dict is supported. Got: '\(DVCContext.typeName(item))'.", itemNode)
            }
        }
        var out: [DVCParamsDependency] = []
        for file in order {
            let location = try path(.string(file), workingDirectory: workingDirectory, node: node, what: "params file")
            out.append(DVCParamsDependency(file: location, keys: whole.contains(file) ? [] : keysByFile[file] ?? []))
        }
        return out
    }

    /// The top-level `params`, `metrics`, `plots` and `artifacts`, templated with the global context.
    func topLevel(_ top: Node.Mapping) throws(InputError) -> DVCTopLevel {
        var result = DVCTopLevel()
        func strings(_ key: String) throws(InputError) -> [(String, Node)] {
            guard let node = top[key] else { return [] }
            let items = try requireList(node, key)
            var out: [(String, Node)] = []
            for (index, itemNode) in items.enumerated() {
                let value = try resolve(itemNode, context: context, field: .anything, where: "\(key)")
                guard case .string(let text) = value else {
                    throw error("expected str, in \(key) -> \(index)", itemNode)
                }
                out.append((text, itemNode))
            }
            return out
        }
        for (text, node) in try strings("params") {
            result.params.append(try path(.string(text), workingDirectory: directory, node: node, what: "params file"))
        }
        for (text, node) in try strings("metrics") {
            result.metrics.append(try path(.string(text), workingDirectory: directory, node: node, what: "metrics file"))
        }
        if let plotsNode = top["plots"] {
            for itemNode in try requireList(plotsNode, "plots") {
                let value = try resolve(itemNode, context: context, field: .anything, where: "plots")
                var entries: [(String, JSONValue)] = []
                switch value {
                case .string(let id): entries = [(id, .null)]
                case .object(let members): entries = members
                default: throw error("expected str or dict, in plots", itemNode)
                }
                for (id, properties) in entries {
                    let file = try? path(.string(id), workingDirectory: directory, node: itemNode, what: "plot")
                    result.plots.append(.init(id: id, path: file, properties: properties))
                }
            }
        }
        if let artifactsNode = top["artifacts"] {
            let value = try resolve(artifactsNode, context: context, field: .anything, where: "artifacts")
            guard case .object(let artifacts) = value else { throw error("expected a dictionary, in artifacts", artifactsNode) }
            for (name, spec) in artifacts {
                guard case .string(let spelled)? = spec["path"] else {
                    throw error("required key not provided, in artifacts -> \(name) -> path", artifactsNode)
                }
                result.artifacts.append(.init(
                    name: name, path: try path(.string(spelled), workingDirectory: directory, node: artifactsNode, what: "artifact"),
                    type: spec["type"]?.stringValue, description: spec["desc"]?.stringValue,
                    labels: spec["labels"]?.arrayValue?.compactMap(\.stringValue) ?? []))
            }
        }
        return result
    }
}
