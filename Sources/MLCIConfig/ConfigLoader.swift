import MLCISupport
import MLCIYAML

/// Loads and validates `mlci.yaml`, reporting every problem at once, each with its line and
/// column.
///
/// Stateless; safe from any thread.
public enum ConfigLoader {
    /// The largest mlci.yaml read (a config is a few KB; anything this big is a mistake).
    public static let sizeLimit = 4 << 20

    /// Loads the file at `path`; `display` names it in messages (`mlci.yaml`).
    public static func load(path: String, display: String = "mlci.yaml") throws(InputError) -> Config {
        let bytes = try FileSystem.read(path, limit: sizeLimit, display: display)
        return try parse(try TextDecoding.utf8(bytes, file: display), file: display)
    }

    /// Parses and validates configuration text.
    public static func parse(_ text: String, file: String = "mlci.yaml") throws(InputError) -> Config {
        guard let root = try YAMLDocument.parse(text, file: file) else {
            throw InputError("\(file) is empty; it needs at least 'version: 1'", at: SourceLocation(file: file, line: 1, column: 1),
                             hint: "run 'mlci init' to write a commented configuration")
        }
        guard case .mapping(let mapping) = root else {
            throw InputError("expected a mapping of settings at the top of \(file)", at: YAMLDocument.location(of: root, file: file),
                             hint: "start the file with 'version: 1'")
        }
        if let versionNode = mapping["version"], case .scalar(let scalar) = versionNode, scalar.style == .plain,
           let version = versionNode.int, version != 1 {
            throw InputError("unsupported configuration version \(version); this mlci reads version 1",
                             at: YAMLDocument.location(of: versionNode, file: file),
                             hint: "set 'version: 1', or upgrade mlci")
        }
        var validator = SchemaValidator(file: file)
        validator.validate(root, against: ConfigSchema.root, at: [])
        var builder = Builder(file: file)
        let config = builder.build(mapping)
        let diagnostics = (validator.diagnostics + builder.diagnostics + SemanticChecks.check(config))
        if !diagnostics.isEmpty {
            throw InputError(deduplicated(diagnostics))
        }
        return config
    }

    private static func deduplicated(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen: Set<String> = []
        let unique = diagnostics.filter { seen.insert($0.description).inserted }
        return unique.sorted { ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0) }
    }

    /// Builds the typed configuration leniently: parts of the wrong shape are skipped (the
    /// schema validator reports them), so that semantic checks still see the rest.
    struct Builder {
        let file: String
        var diagnostics: [Diagnostic] = []

        func at(_ node: Node?) -> SourceLocation { YAMLDocument.location(of: node, file: file) }

        func string(_ node: Node?) -> String? {
            guard let node, case .scalar(let scalar) = node, !scalar.string.isEmpty else { return nil }
            return scalar.string
        }

        func strings(_ node: Node?) -> [String] {
            guard let node else { return [] }
            switch node {
            case .scalar: return string(node).map { [clean($0)] } ?? []
            case .sequence(let sequence): return sequence.compactMap { string($0).map(clean) }
            default: return []
            }
        }

        /// A path in normal form (`./data/` → `data`), as the lock and lineage record it.
        func clean(_ path: String) -> String {
            if case .success(let normal) = RepositoryPath.normalize(path) { return normal }
            return path
        }

        func number(_ node: Node?) -> Double? {
            guard let node, case .scalar(let scalar) = node, scalar.style == .plain else { return nil }
            return node.float
        }

        func bool(_ node: Node?) -> Bool? {
            guard let node, case .scalar = node else { return nil }
            return node.bool
        }

        mutating func build(_ root: Node.Mapping) -> Config {
            var config = Config.minimal(file: file)
            if let target = string(root["target"]) { config.target = target }
            if case .sequence(let entries)? = root["data"] {
                for entry in entries {
                    switch entry {
                    case .scalar:
                        if let path = string(entry) { config.data.append(DataEntry(source: .path(clean(path)), location: at(entry))) }
                    case .mapping(let m):
                        if let path = string(m["path"]) {
                            config.data.append(DataEntry(source: .path(clean(path)), location: at(entry)))
                        } else if let dvc = string(m["dvc"]) {
                            config.data.append(DataEntry(source: .dvc(clean(dvc)), location: at(entry)))
                        }
                    default: continue
                    }
                }
            }
            config.paramsFiles = strings(root["params"])
            config.metricsFiles = strings(root["metrics"])
            var models = strings(root["models"])
            if case .mapping(let stages)? = root["stages"] {
                for (keyNode, value) in stages {
                    guard let name = string(keyNode), case .mapping(let m) = value else { continue }
                    config.stages.append(stage(name, m, value))
                }
            }
            if case .mapping(let gate)? = root["gate"] {
                config.gate = buildGate(gate)
            }
            if let deploy = root["deploy"] {
                config.deploy = Located(YAMLDocument.value(deploy), at: at(deploy))
                if case .mapping(let d) = deploy, let model = string(d["model"]) { models.append(clean(model)) }
            }
            if case .mapping(let model)? = root["gate"]?.mapping?["model"] { models += strings(model["scan"]) }
            var seen: Set<String> = []
            config.models = models.filter { seen.insert($0).inserted }
            if case .mapping(let reports)? = root["reports"] {
                if let dir = string(reports["dir"]) { config.reports.directory = clean(dir) }
                if reports["formats"] != nil { config.reports.formats = strings(reports["formats"]) }
                if let comment = bool(reports["comment"]) { config.reports.comment = comment }
                config.reports.historyMetric = string(reports["history_metric"])
            }
            if case .mapping(let trust)? = root["trust"] {
                config.trust.allowedSigners = string(trust["allowed_signers"]).map(clean)
                config.trust.requireSignatures = bool(trust["require_signatures"]) ?? false
                config.trust.location = at(root["trust"])
            }
            return config
        }

        func stage(_ name: String, _ m: Node.Mapping, _ node: Node) -> Stage {
            var params: [ParamsReference] = []
            if case .sequence(let items)? = m["params"] {
                var defaultKeys: [String] = []
                for item in items {
                    if let key = string(item), case .scalar = item { defaultKeys.append(key) }
                    if case .mapping(let files) = item {
                        for (fileNode, keysNode) in files {
                            if let path = string(fileNode) { params.append(ParamsReference(file: clean(path), keys: strings(keysNode))) }
                        }
                    }
                }
                if !defaultKeys.isEmpty { params.insert(ParamsReference(file: "", keys: defaultKeys), at: 0) }
            }
            var timeout: Double? = nil
            if let t = m["timeout"] {
                if let n = number(t), case .scalar(let s) = t, s.style == .plain { timeout = n }
                else if let text = string(t) { timeout = Duration.parseSeconds(text) }
            }
            var environment: [(String, String)] = []
            if case .mapping(let env)? = m["env"] {
                for (k, v) in env { if let key = string(k) { environment.append((key, v.string ?? "")) } }
            }
            return Stage(
                name: name, commands: strings(m["cmd"]).isEmpty ? [] : rawStrings(m["cmd"]),
                deps: strings(m["deps"]), params: params, outs: strings(m["outs"]), metrics: strings(m["metrics"]),
                timeout: timeout, environment: environment, alwaysChanged: bool(m["always_changed"]) ?? false,
                location: at(node))
        }

        /// Commands are kept exactly as written.
        func rawStrings(_ node: Node?) -> [String] {
            guard let node else { return [] }
            switch node {
            case .scalar: return string(node).map { [$0] } ?? []
            case .sequence(let s): return s.compactMap(string)
            default: return []
            }
        }

        func buildGate(_ gate: Node.Mapping) -> Gate {
            var out = Gate()
            if case .mapping(let metrics)? = gate["metrics"] {
                for (keyNode, value) in metrics {
                    guard let name = string(keyNode), case .mapping(let m) = value else { continue }
                    out.metrics.append(MetricGate(
                        name: name, minimum: number(m["min"]), maximum: number(m["max"]), maxDrop: number(m["max_drop"]),
                        maxRise: number(m["max_rise"]), maxDropPercent: number(m["max_drop_pct"]),
                        maxRisePercent: number(m["max_rise_pct"]), file: string(m["file"]).map(clean),
                        severity: string(m["severity"]) == "warning" ? .warning : .error, location: at(keyNode)))
                }
            }
            func located(_ key: String) -> Located<JSONValue>? {
                gate[key].map { Located(YAMLDocument.value($0), at: at($0)) }
            }
            out.data = located("data")
            out.drift = located("drift")
            out.fairness = located("fairness")
            out.model = located("model")
            if case .mapping(let p)? = gate["provenance"] {
                out.provenance.cleanTree = bool(p["clean_tree"]) ?? false
                out.provenance.dataTracked = bool(p["data_tracked"]) ?? true
                out.provenance.outsUnmodified = bool(p["outs_unmodified"]) ?? true
                out.provenance.dataPushed = bool(p["data_pushed"]) ?? false
                out.provenance.location = at(gate["provenance"])
            }
            out.allowEmpty = bool(gate["allow_empty"]) ?? false
            return out
        }
    }
}

extension Node {
    var mapping: Node.Mapping? { if case .mapping(let m) = self { m } else { nil } }
}
