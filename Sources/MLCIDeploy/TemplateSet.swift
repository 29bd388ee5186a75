import MLCIConfig
import MLCIGit
import MLCISupport

/// The deploy templates one emit uses: mlci's built-in ones, each replaced by the file of the
/// same name in the `deploy.templates` folder of the commit when there is one.
///
/// Overrides are read from the commit being shipped (through git, not the working tree), so
/// the same commit always renders the same bytes. A value type: `Sendable`.
public struct TemplateSet: Sendable {
    /// Template text by name (`Dockerfile`, `k8s/deployment.yaml`).
    public private(set) var texts: [String: String]
    /// Where each overridden template came from, for messages.
    public private(set) var origins: [String: String] = [:]

    /// The built-in templates only.
    public static var builtin: TemplateSet { TemplateSet(texts: BuiltinTemplates.all) }

    /// The built-in templates with the overrides in `folder` of `commit`.
    ///
    /// - Throws: ``InputError`` for a missing folder, a file that is not UTF-8, or a file
    ///   that names no built-in template (a typo would otherwise be ignored silently).
    public static func load(folder: String?, commit: ObjectID, repository: Repository, location: SourceLocation) throws -> TemplateSet {
        var set = TemplateSet.builtin
        guard let folder else { return set }
        let clean = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        guard try repository.treeID(at: commit, path: clean) != nil else {
            throw InputError("deploy.templates: '\(clean)' is not a folder in \(commit.short(12))", at: location,
                             hint: "commit a copy of mlci's templates/deploy there, or remove deploy.templates")
        }
        for entry in try repository.files(at: commit, under: clean) where entry.path.hasSuffix(".mustache") {
            let name = String(entry.path.dropFirst(clean.count + 1).dropLast(".mustache".count))
            guard BuiltinTemplates.all[name] != nil else {
                let hint = Suggestion.closest(to: name, in: BuiltinTemplates.all.keys.sorted()).map { "did you mean '\($0).mustache'?" }
                throw InputError("\(entry.path): there is no built-in template '\(name)' for it to replace", at: location,
                                 hint: hint ?? "name it like a file in mlci's templates/deploy")
            }
            let bytes = try repository.withBlob(entry.id) { Array($0) }
            guard bytes.count <= 1 << 20 else { throw InputError("\(entry.path) is larger than 1 MiB; that is not a template") }
            set.texts[name] = try TextDecoding.utf8(bytes, file: entry.path)
            set.origins[name] = entry.path
        }
        return set
    }

    /// Parses every template into a library whose `{{value}}` quotes (see ``QuotedText``).
    ///
    /// - Throws: ``InputError`` at `file:line:col` for a template that does not parse.
    func library() throws(InputError) -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            do {
                try library.register(text, named: name)
            } catch {
                let file = origins[name] ?? "templates/deploy/\(name).mustache"
                throw InputError("this template does not parse: \(error.problem.rawValue)",
                                 at: SourceLocation(file: file, line: error.line, column: error.column),
                                 hint: "check that every {{#section}} has its {{/section}} and every tag is closed")
            }
        }
        return library
    }
}
