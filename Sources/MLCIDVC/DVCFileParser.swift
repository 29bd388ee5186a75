import MLCIConfig
import MLCILineage
import MLCISupport
import MLCIYAML

/// Parses one dvc.yaml: DVC's raw schema (`dvc/schema.py::MULTI_STAGE_SCHEMA`) first, then
/// templating and expansion (`dvc/parsing/__init__.py`). Every problem is located.
///
/// Not shared: one per file being parsed.
struct DVCFileParser {
    let root: String
    /// Repository-relative path of the dvc.yaml.
    let file: String
    /// Its folder, repository-relative (`""` for the root).
    let directory: String
    var context = DVCContext()

    typealias Failure = DVCInterpolation.Failure

    static let topKeys: Set<String> = ["stages", "vars", "params", "metrics", "plots", "artifacts", "datasets"]
    static let stageKeys: Set<String> = ["cmd", "wdir", "deps", "params", "outs", "metrics", "plots", "frozen",
                                         "always_changed", "meta", "desc", "vars", "matrix"]
    static let outKeys: Set<String> = ["cache", "persist", "checkpoint", "remote", "push", "desc", "type", "labels", "meta"]
    static let plotKeys: Set<String> = outKeys.union(["template", "x", "y", "x_label", "y_label", "title", "header"])

    static func parse(root: String, path: String) throws(InputError) -> DVCPipelineFile {
        let slash = path.lastIndex(of: "/")
        var parser = DVCFileParser(root: root, file: path, directory: slash.map { String(path[..<$0]) } ?? "")
        return try parser.parse()
    }

    func location(_ node: Node?) -> SourceLocation { YAMLDocument.location(of: node, file: file) }

    func error(_ message: String, _ node: Node?, hint: String? = nil) -> InputError {
        InputError(message, at: location(node), hint: hint)
    }

    mutating func parse() throws(InputError) -> DVCPipelineFile {
        let bytes = try FileSystem.read(root + "/" + file, limit: 16 << 20, display: file)
        let text = try TextDecoding.utf8(bytes, file: file)
        guard let document = try YAML12.parse(text, file: file) else {
            return DVCPipelineFile(path: file, stages: [], topLevel: DVCTopLevel())
        }
        guard case .mapping(let top) = document else {
            throw error("a dvc.yaml must be a mapping with 'stages'", document)
        }
        for (keyNode, _) in top {
            let key = try YAML12.keyString(keyNode, file: file)
            guard Self.topKeys.contains(key) else {
                throw error("extra keys not allowed: '\(key)' is not a dvc.yaml key (\(Self.topKeys.sorted().joined(separator: ", ")))", keyNode)
            }
            if key == "datasets" {
                throw error("'datasets' in dvc.yaml is not supported by mlci", keyNode, hint: "run this pipeline with dvc")
            }
        }
        // The raw schema, before any interpolation, as DVC validates it.
        let stagesNode = top["stages"]
        var stageEntries: [(String, Node, Node)] = []
        if let stagesNode {
            guard case .mapping(let stages) = stagesNode else { throw error("expected a dictionary, in stages", stagesNode) }
            for (nameNode, body) in stages {
                let name = try YAML12.keyString(nameNode, file: file)
                try validateStage(name: name, body, nameNode: nameNode)
                stageEntries.append((name, nameNode, body))
            }
        }
        let varsNode = top["vars"]
        let globalVars = try varsList(varsNode, at: "vars")

        // The templating context: params.yaml beside dvc.yaml, then `vars`.
        let defaultParams = directory.isEmpty ? "params.yaml" : directory + "/params.yaml"
        if FileSystem.exists(root + "/" + defaultParams) {
            do {
                try context.mergeFile("params.yaml", root: root, directory: directory)
            } catch {
                throw InputError("failed to load \(defaultParams) for ${} in '\(file)': \(error.message)", at: SourceLocation(file: defaultParams))
            }
        }
        for (index, (item, node)) in globalVars.enumerated() {
            do {
                try context.load(item: item, index: index, root: root, directory: directory, stage: nil)
            } catch {
                throw self.error("failed to parse 'vars' in '\(file)': \(error.message)", node)
            }
        }

        var stages: [DVCStageDefinition] = []
        var names: Set<String> = []
        for (name, nameNode, body) in stageEntries {
            guard case .mapping(let mapping) = body else { continue }
            let expanded: [DVCStageDefinition]
            if let foreach = mapping["foreach"] {
                expanded = try expandForeach(name: name, nameNode: nameNode, foreach: foreach, body: mapping["do"]!)
            } else if let matrix = mapping["matrix"] {
                expanded = try expandMatrix(name: name, nameNode: nameNode, matrix: matrix, body: mapping)
            } else {
                var local = context
                expanded = [try stage(name: name, nameNode: nameNode, body: mapping, context: &local)]
            }
            for stage in expanded {
                guard names.insert(stage.name).inserted else {
                    throw error("the stage '\(stage.name)' is defined twice in \(file)", nameNode, hint: "rename one of them")
                }
                stages.append(stage)
            }
        }
        let topLevel = try self.topLevel(top)
        return DVCPipelineFile(path: file, stages: stages, topLevel: topLevel)
    }

    // MARK: raw schema

    func typeName(_ node: Node) throws(InputError) -> String {
        switch node {
        case .mapping: return "dict"
        case .sequence: return "list"
        case .scalar: return DVCContext.typeName(try YAML12.value(node, file: file))
        }
    }

    func requireString(_ node: Node, _ path: String) throws(InputError) {
        let type = try typeName(node)
        if type != "str" { throw error("expected str, in \(path) (found \(type))", node) }
    }

    func requireBool(_ node: Node, _ path: String) throws(InputError) {
        let type = try typeName(node)
        if type != "bool" { throw error("expected bool, in \(path) (found \(type))", node, hint: "write true or false; ${} cannot be used here") }
    }

    func requireList(_ node: Node, _ path: String) throws(InputError) -> [Node] {
        guard case .sequence(let items) = node else { throw error("expected a list, in \(path)", node) }
        return Array(items)
    }

    func validateStage(name: String, _ body: Node, nameNode: Node) throws(InputError) {
        let path = "stages -> \(name)"
        if name.contains("@") {
            throw error("the stage name '\(name)' holds '@', which DVC reserves for foreach/matrix stages (Stage '\(name)' not found)", nameNode,
                        hint: "rename the stage without '@'")
        }
        guard case .mapping(let mapping) = body else { throw error("expected a dictionary, in \(path)", body) }
        if mapping["foreach"] != nil || mapping["do"] != nil {
            for (keyNode, _) in mapping {
                let key = try YAML12.keyString(keyNode, file: file)
                if key != "foreach" && key != "do" { throw error("extra keys not allowed, in \(path) -> \(key) (a foreach stage has only 'foreach' and 'do')", keyNode) }
            }
            guard let foreach = mapping["foreach"] else { throw error("required key not provided, in \(path) -> foreach", nameNode) }
            guard let body = mapping["do"] else { throw error("required key not provided, in \(path) -> do", nameNode) }
            if case .scalar = foreach, try typeName(foreach) != "str" { throw error("expected list, dict or str, in \(path) -> foreach", foreach) }
            guard case .mapping(let inner) = body else { throw error("expected a dictionary, in \(path) -> do", body) }
            if inner["foreach"] != nil || inner["do"] != nil || inner["matrix"] != nil {
                throw error("extra keys not allowed, in \(path) -> do (foreach and matrix cannot be nested)", body)
            }
            try validateDefinition(inner, path: "\(path) -> do", at: body)
            return
        }
        try validateDefinition(mapping, path: path, at: nameNode)
    }

    func validateDefinition(_ mapping: Node.Mapping, path: String, at node: Node) throws(InputError) {
        guard mapping["cmd"] != nil else { throw error("required key not provided, in \(path) -> cmd", node) }
        for (keyNode, value) in mapping {
            let key = try YAML12.keyString(keyNode, file: file)
            let here = "\(path) -> \(key)"
            guard Self.stageKeys.contains(key) else {
                throw error("extra keys not allowed, in \(here)", keyNode,
                            hint: "a stage takes \(Self.stageKeys.sorted().joined(separator: ", "))")
            }
            switch key {
            case "cmd":
                if case .sequence = value { continue }
                try requireString(value, here)
            case "wdir", "desc": try requireString(value, here)
            case "frozen", "always_changed": try requireBool(value, here)
            case "deps":
                for item in try requireList(value, here) { try requireString(item, here) }
            case "params":
                for item in try requireList(value, here) {
                    if case .mapping(let files) = item {
                        for (_, keys) in files {
                            if case .scalar = keys, try typeName(keys) == "NoneType" { continue }
                            for k in try requireList(keys, here) { try requireString(k, here) }
                        }
                    } else {
                        try requireString(item, here)
                    }
                }
            case "vars":
                for item in try requireList(value, here) {
                    if case .mapping = item { continue }
                    try requireString(item, here)
                }
            case "outs", "metrics", "plots":
                for item in try requireList(value, here) {
                    guard case .mapping(let entries) = item else { try requireString(item, here); continue }
                    for (pathNode, props) in entries {
                        try requireString(pathNode, here)
                        let allowed = key == "plots" ? Self.plotKeys : Self.outKeys
                        var propertySets: [Node] = [props]
                        if key == "plots", case .sequence(let many) = props { propertySets = Array(many) }
                        for set in propertySets {
                            if key == "plots", case .scalar = set, try typeName(set) == "NoneType" { continue }
                            guard case .mapping(let fields) = set else { throw error("expected a dictionary, in \(here)", set) }
                            for (fieldNode, fieldValue) in fields {
                                let field = try YAML12.keyString(fieldNode, file: file)
                                guard allowed.contains(field) else {
                                    throw error("extra keys not allowed, in \(here) -> \(field)", fieldNode,
                                                hint: "an entry takes \(allowed.sorted().joined(separator: ", "))")
                                }
                                switch field {
                                case "cache", "persist", "push", "checkpoint", "header": try requireBool(fieldValue, "\(here) -> \(field)")
                                case "remote", "desc", "type", "template", "x", "y", "x_label", "y_label", "title":
                                    try requireString(fieldValue, "\(here) -> \(field)")
                                case "labels":
                                    for label in try requireList(fieldValue, "\(here) -> labels") { try requireString(label, "\(here) -> labels") }
                                default: break
                                }
                            }
                        }
                    }
                }
            case "matrix":
                guard case .mapping(let dimensions) = value else { throw error("expected a dictionary, in \(here)", value) }
                for (_, dimension) in dimensions {
                    if case .sequence = dimension { continue }
                    try requireString(dimension, here)
                }
            default: break  // meta: anything
            }
        }
    }

    /// A `vars` list: each item with its node.
    func varsList(_ node: Node?, at path: String) throws(InputError) -> [(JSONValue, Node)] {
        guard let node else { return [] }
        var out: [(JSONValue, Node)] = []
        for item in try requireList(node, path) {
            let value = try YAML12.value(item, file: file)
            if Self.containsInterpolation(value) {
                throw error("failed to parse '\(path)' in '\(file)': interpolating is not allowed", item)
            }
            switch value {
            case .string, .object: out.append((value, item))
            default: throw error("expected str or dict, in \(path)", item)
            }
        }
        return out
    }

    static func containsInterpolation(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s): return DVCInterpolation.mightInterpolate(s) && !DVCInterpolation.matches(Array(s.utf8)).isEmpty
        case .array(let items): return items.contains(where: containsInterpolation)
        case .object(let members): return members.contains { containsInterpolation(.string($0.0)) || containsInterpolation($0.1) }
        default: return false
        }
    }

    // MARK: resolution

    /// The value of `node` with every `${}` resolved (keys too), failing with
    /// `failed to parse '<where>' in '<file>'` at the string that failed.
    func resolve(_ node: Node, context: DVCContext, field: DVCInterpolation.Field, where place: String) throws(InputError) -> JSONValue {
        switch node {
        case .scalar:
            let value = try YAML12.value(node, file: file)
            guard case .string(let text) = value else { return value }
            do {
                return try DVCInterpolation.resolve(text, context: context.data, field: field)
            } catch {
                var at = location(node)
                // Point at the `${` itself on a one-line scalar.
                if let offset = error.offset, case .scalar(let scalar) = node, !text.contains("\n"), let column = at.column {
                    let quote = scalar.style == .singleQuoted || scalar.style == .doubleQuoted ? 1 : 0
                    if scalar.style == .plain || quote == 1 { at = SourceLocation(file: file, line: at.line, column: column + offset + quote) }
                }
                throw InputError("failed to parse '\(place)' in '\(file)': \(error.message)", at: at)
            }
        case .mapping(let mapping):
            var members: [(String, JSONValue)] = []
            for (keyNode, valueNode) in mapping {
                let key = try resolve(keyNode, context: context, field: .scalar, where: place)
                let name: String
                if case .string(let s) = key { name = s } else { name = PythonText.string(key) }
                let value = try resolve(valueNode, context: context, field: field, where: place)
                if let index = members.firstIndex(where: { $0.0 == name }) { members[index].1 = value } else { members.append((name, value)) }
            }
            return .object(members)
        case .sequence(let items):
            var out: [JSONValue] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try resolve(item, context: context, field: field, where: place)) }
            return .array(out)
        }
    }

    /// `foreach`: one stage per element, named `<name>@<key>`.
    mutating func expandForeach(name: String, nameNode: Node, foreach: Node, body: Node) throws(InputError) -> [DVCStageDefinition] {
        let iterable = try resolve(foreach, context: context, field: .anything, where: "stages.\(name).foreach")
        var ordered = OrderedPairs()
        var withKey = false
        switch iterable {
        case .object(let members):
            withKey = true
            for (key, value) in members { ordered.put(key, value) }
        case .array(let items):
            let composite = items.contains { if case .array = $0 { true } else if case .object = $0 { true } else { false } }
            for (index, value) in items.enumerated() { ordered.put(composite ? String(index) : PythonText.string(value), value) }
        default:
            throw error("failed to resolve 'stages.\(name).foreach' in '\(file)': expected list/dictionary, got \(DVCContext.typeName(iterable))", foreach)
        }
        guard case .mapping(let template) = body else { return [] }
        var out: [DVCStageDefinition] = []
        for (key, value) in ordered.pairs {
            var local = context
            local.setTemporarily(withKey ? [("item", value), ("key", .string(key))] : [("item", value)])
            out.append(try stage(name: "\(name)@\(key)", nameNode: nameNode, body: template, context: &local))
        }
        return out
    }

    /// `matrix`: the cartesian product, later keys varying fastest, named by `-`-joined fragments.
    mutating func expandMatrix(name: String, nameNode: Node, matrix: Node, body: Node.Mapping) throws(InputError) -> [DVCStageDefinition] {
        let resolved = try resolve(matrix, context: context, field: .anything, where: "stages.\(name).matrix")
        guard case .object(let dimensions) = resolved else { return [] }
        var axes: [(String, [JSONValue])] = []
        for (key, value) in dimensions {
            guard case .array(let items) = value else {
                throw error("failed to resolve 'stages.\(name).matrix' in '\(file)': expected list for '\(key)', got \(DVCContext.typeName(value))", matrix)
            }
            axes.append((key, items))
        }
        var combinations: [[(String, Int, JSONValue)]] = [[]]
        for (key, items) in axes {
            var next: [[(String, Int, JSONValue)]] = []
            for combination in combinations {
                for (index, item) in items.enumerated() { next.append(combination + [(key, index, item)]) }
            }
            combinations = next
        }
        var ordered = OrderedPairs()
        for combination in combinations {
            var fragments: [String] = []
            var item: [(String, JSONValue)] = []
            for (key, index, value) in combination {
                item.append((key, value))
                switch value {
                case .array, .object: fragments.append("\(key)\(index)")
                default: fragments.append(PythonText.string(value))
                }
            }
            ordered.put(fragments.joined(separator: "-"), .object(item))
        }
        var template = body
        template["matrix"] = nil
        var out: [DVCStageDefinition] = []
        for (key, value) in ordered.pairs {
            var local = context
            local.setTemporarily([("key", .string(key)), ("item", value)])
            out.append(try stage(name: "\(name)@\(key)", nameNode: nameNode, body: template, context: &local))
        }
        return out
    }

    /// Generated keys in order; a later duplicate replaces the value and keeps the first
    /// position (a Python dict built in order).
    struct OrderedPairs {
        var pairs: [(String, JSONValue)] = []
        var positions: [String: Int] = [:]

        mutating func put(_ key: String, _ value: JSONValue) {
            if let index = positions[key] {
                pairs[index].1 = value
            } else {
                positions[key] = pairs.count
                pairs.append((key, value))
            }
        }
    }
}
