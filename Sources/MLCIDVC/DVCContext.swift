import MLCILineage
import MLCISupport

/// The values `${…}` reads in one dvc.yaml (`dvc/parsing/context.py`): the `params.yaml` beside
/// it, then the top-level `vars`, then a stage's own `vars`, merged with DVC's rules — mappings
/// merge recursively, any other collision is an error, a file is loaded whole once or by
/// distinct keys.
///
/// A value type; a stage with `vars` works on a copy.
struct DVCContext {
    /// The merged values (a JSON object, in load order).
    var data: JSONValue = .object([])
    /// Where each top-level or merged-in key came from: dotted key → `params.yaml`, `vars[0]`.
    var sources: [String: String] = [:]
    /// Files loaded, repository-relative: `nil` when whole, else the keys taken.
    var imports: [String: [String]?] = [:]
    /// `item` and `key` while a foreach/matrix stage resolves.
    var reserved: Set<String> = []

    typealias Failure = DVCInterpolation.Failure

    /// Loads `vars` items: a file (`path[:k1,k2]`, relative to `directory`) or an inline mapping.
    ///
    /// - Parameters:
    ///   - root: the repository's absolute root.
    ///   - directory: the repository-relative folder paths are relative to (`""` is the root).
    ///   - stage: the stage name for inline provenance (`s.vars[1]`), `nil` at the top.
    mutating func load(item: JSONValue, index: Int, root: String, directory: String, stage: String?) throws(Failure) {
        switch item {
        case .string(let text):
            try mergeFile(text, root: root, directory: directory)
        case .object:
            try merge(item, source: (stage.map { "\($0)." } ?? "") + "vars[\(index)]")
        default:
            throw Failure(message: "expected a file name or a mapping in 'vars', got \(PythonText.repr(item))")
        }
    }

    /// `merge_from`: a file, whole or by keys.
    mutating func mergeFile(_ item: String, root: String, directory: String) throws(Failure) {
        let colon = item.firstIndex(of: ":")
        let name = colon.map { String(item[..<$0]) } ?? item
        let keys = colon.map { item[item.index(after: $0)...].split(separator: ",").map(String.init).filter { !$0.isEmpty } } ?? []
        let selected: [String]? = keys.isEmpty ? nil : keys
        let path: String
        switch RepositoryPath.normalize(directory.isEmpty ? name : directory + "/" + name) {
        case .success(let clean): path = clean
        case .failure(let problem): throw Failure(message: "'\(name)': \(problem)")
        }
        if let entry = imports[path] {
            if selected == nil && entry == nil { return }
            if selected == nil, entry != nil { throw Failure(message: "cannot load '\(item)' as it's partially loaded already") }
            if selected != nil, entry == nil { throw Failure(message: "cannot partially load '\(item)' as it's already loaded.") }
            if let entry, let selected, !Set(entry).isDisjoint(with: selected) {
                throw Failure(message: "cannot load '\(item)' as it's partially loaded already")
            }
        }
        let absolute = root + "/" + path
        guard FileSystem.exists(absolute) else { throw Failure(message: "'\(path)' does not exist") }
        if FileSystem.isDirectory(absolute) { throw Failure(message: "'\(path)' is a directory") }
        let loaded: JSONValue
        do {
            loaded = try ParamsDocument.load(absolute, display: path)
        } catch {
            throw Failure(message: error.diagnostics.map(\.description).joined(separator: "; "))
        }
        guard case .object(let members) = loaded else {
            throw Failure(message: "expected a dictionary, got '\(Self.typeName(loaded))' in file '\(path)'")
        }
        var taken = loaded
        if let selected {
            var picked: [(String, JSONValue)] = []
            for key in selected {
                guard let value = members.last(where: { $0.0 == key })?.1 else {
                    throw Failure(message: "could not find '\(key)' in '\(path)'")
                }
                picked.append((key, value))
            }
            taken = .object(picked)
        }
        try merge(taken, source: path)
        if let existing = imports[path], let existingKeys = existing, let selected {
            imports[path] = existingKeys + selected
        } else if imports[path] == nil {
            imports[path] = .some(selected)
        }
    }

    /// `merge_update` without overwrite: reserved keys and collisions are errors.
    mutating func merge(_ other: JSONValue, source: String) throws(Failure) {
        guard case .object(let members) = other else { return }
        for (key, _) in members where reserved.contains(key) {
            throw Failure(message: "attempted to modify reserved key \(key)")
        }
        try Self.merge(into: &data, other, prefix: "", source: source, sources: &sources)
    }

    static func merge(into target: inout JSONValue, _ update: JSONValue, prefix: String, source: String,
                      sources: inout [String: String]) throws(Failure) {
        guard case .object(var into) = target, case .object(let members) = update else { return }
        for (key, value) in members {
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let index = into.firstIndex(where: { $0.0 == key }) {
                if case .object = into[index].1, case .object = value {
                    try merge(into: &into[index].1, value, prefix: path, source: source, sources: &sources)
                    continue
                }
                throw Failure(message: "cannot redefine '\(path)' from '\(source)' as it already exists in '\(origin(of: path, sources))'")
            }
            into.append((key, value))
            sources[path] = source
        }
        target = .object(into)
    }

    static func origin(of path: String, _ sources: [String: String]) -> String {
        var candidate = Substring(path)
        while true {
            if let found = sources[String(candidate)] { return found }
            guard let dot = candidate.lastIndex(of: ".") else { return "?" }
            candidate = candidate[..<dot]
        }
    }

    /// Sets `item`/`key` for one iteration (replacing any global `item`/`key`), reserved.
    mutating func setTemporarily(_ values: [(String, JSONValue)]) {
        guard case .object(var members) = data else { return }
        for (key, value) in values {
            if let index = members.firstIndex(where: { $0.0 == key }) { members[index].1 = value } else { members.append((key, value)) }
            reserved.insert(key)
        }
        data = .object(members)
    }

    /// Python's type name for messages: `str`, `int`, `list`, `dict`.
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }
}
