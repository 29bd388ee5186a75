import Crypto
import MLCIConfig
import MLCIGit
import MLCIHashing
import MLCILineage
import MLCISupport
import MLCITrust

/// One approved commit, ready to ship: its configuration, its deploy settings and the facts
/// the artifacts carry (commit, time, model and data digests, source).
///
/// Everything is read from the commit through git, never from the working tree, so a
/// release renders the same bytes wherever and whenever it is made. Not thread-safe (holds the
/// workspace's repository handle).
public struct Release {
    public let commit: CommitInfo
    public let config: Config
    public let spec: DeploySpec
    public let templates: TemplateSet
    /// `sha256:<hex>` (or `md5:<hex>` for a DVC-tracked model).
    public let modelDigest: String
    public let modelIsDirectory: Bool
    /// SHA-256 of the data's `hash  path` lines, as `sha256:<hex>`.
    public let dataDigest: String
    /// The repository's web address (from `remote.origin.url`, credentials removed), if any.
    public let source: String?
    /// The image digest to pin (`sha256:<hex>`), if known.
    public let imageDigest: String?
    /// Code paths copied into the image, with whether each is a directory.
    public let code: [(path: String, isDirectory: Bool)]
    /// The commit's note on refs/notes/mlci.
    public let note: JSONValue?
    /// Who signed the verdict, or that it was accepted unsigned.
    public let trust: TrustPolicy.Status

    /// Loads `commit` for shipping.
    ///
    /// - Throws: ``Refusal`` when the commit is not approved for exactly its tree (checked
    ///   first, before anything else is read); ``InputError`` for a missing or invalid deploy
    ///   section, templates or model record.
    ///   The verdict's signature is checked against `trust` before its content is believed.
    public init(workspace: Workspace, commit id: ObjectID, imageDigest: String? = nil, trust policy: TrustPolicy) throws {
        let repository = workspace.repository
        let record = try workspace.lineage(at: id)
        guard let commit = record.commit else { throw InputError("could not read commit \(id.short(12))") }
        if let note = record.note {
            trust = try policy.require(note, commit: id.hex, namespace: SignedNote.verdictNamespace, what: "the verdict on \(id.short(12))")
        } else {
            trust = .unsigned
        }
        try Approval.require(commit, note: record.note)
        self.commit = commit
        note = record.note

        let config = try Self.config(at: id, workspace: workspace)
        self.config = config
        let spec = try DeploySpec(config: config)
        self.spec = spec
        templates = try TemplateSet.load(folder: spec.templates, commit: id, repository: repository, location: spec.location)

        guard let model = record.models.first(where: { $0.path == spec.model }), let hash = model.hash else {
            throw InputError("deploy.model \(spec.model) has no recorded hash at \(id.short(12)): it is not in git, mlci.lock or a DVC file",
                             at: spec.location, hint: "commit the model, or record it with mlci lock (or dvc add) and verify again")
        }
        modelDigest = (model.algorithm == "sha256" ? "sha256:" : model.algorithm + ":") + hash
        modelIsDirectory = model.isDirectory
        if let approved = record.note?["models"]?[spec.model]?.stringValue, approved != hash {
            throw Refusal("the model \(spec.model) at \(id.short(12)) (\(hash.prefix(12))) is not the one approved (\(approved.prefix(12)))",
                          hint: "verify the commit again")
        }
        let lines = record.data.sorted { $0.path < $1.path }.map { "\($0.hash ?? "missing")  \($0.path)\n" }.joined()
        dataDigest = "sha256:" + Hex.string(SHA256.hash(data: Array(lines.utf8)))
        source = repository.configString("remote.origin.url").flatMap(SourceURL.web)
        if let imageDigest, !(imageDigest.hasPrefix("sha256:") && imageDigest.count == 71
                              && imageDigest.dropFirst(7).allSatisfy { $0.isHexDigit && !$0.isUppercase }) {
            throw InputError("--image-digest \(imageDigest) is not a sha256 digest",
                             hint: "give the digest the registry reports after the push: sha256:<64 lowercase hex>")
        }
        self.imageDigest = imageDigest

        var code: [(String, Bool)] = []
        let hasSource = try repository.treeID(at: id, path: "src") != nil
        let paths = spec.code ?? (hasSource ? ["src"] : [])
        for path in paths {
            let clean = path.hasSuffix("/") ? String(path.dropLast()) : path
            guard let entry = try repository.entry(at: id, path: clean) else {
                throw InputError("deploy.code: '\(clean)' is not in \(id.short(12))", at: spec.location,
                                 hint: "list code that is committed, or remove it from deploy.code")
            }
            code.append((clean, entry.kind == .directory))
        }
        self.code = code
        if let requirements = spec.requirements, try repository.entry(at: id, path: requirements) == nil {
            throw InputError("deploy.requirements: '\(requirements)' is not in \(id.short(12))", at: spec.location,
                             hint: "commit the requirements file the image installs")
        }
    }

    /// The configuration as `commit` has it, with messages naming `mlci.yaml` when it is the
    /// working tree's file too, `<sha>:mlci.yaml` otherwise.
    static func config(at commit: ObjectID, workspace: Workspace) throws -> Config {
        guard let bytes = try workspace.repository.blob(at: commit, path: "mlci.yaml") else {
            throw InputError("\(commit.short(12)) has no mlci.yaml", hint: "only a commit with a deploy section in mlci.yaml ships")
        }
        guard bytes.count <= ConfigLoader.sizeLimit else { throw InputError("\(commit.short(12)):mlci.yaml is larger than \(ConfigLoader.sizeLimit >> 20) MiB") }
        let onDisk = try? FileSystem.read(workspace.root + "/mlci.yaml", limit: ConfigLoader.sizeLimit)
        let name = onDisk == bytes ? "mlci.yaml" : "\(commit.short()):mlci.yaml"
        return try ConfigLoader.parse(try TextDecoding.utf8(bytes, file: name), file: name)
    }

    /// The image reference the manifests run: the commit tag, pinned by digest when known.
    public var imageReference: String {
        "\(spec.image):\(commit.id.hex)" + (imageDigest.map { "@" + $0 } ?? "")
    }

    /// The commit time as RFC 3339 in UTC (the image's `created`, so rebuilding changes nothing).
    public var created: String { Dates.iso8601(commit.commitTime, offsetMinutes: 0) }
}

/// Turns a git remote into a web address fit for a label, or `nil`.
enum SourceURL {
    /// `git@host:owner/repo.git` and `ssh://git@host/owner/repo.git` become
    /// `https://host/owner/repo`; credentials in `https://user:token@host/…` are dropped; anything
    /// with characters outside a plain URL's is refused.
    static func web(_ remote: String) -> String? {
        var text = remote.trimmed(of: " \t\n")
        if let scheme = text.firstRange(of: "://") {
            let kind = text[..<scheme.lowerBound]
            guard ["https", "http", "ssh", "git"].contains(kind) else { return nil }
            text = String(text[scheme.upperBound...])
        } else if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/") {
            text = String(text[..<colon]) + "/" + String(text[text.index(after: colon)...])
        } else {
            return nil  // a local path
        }
        if let at = text.firstIndex(of: "@"), let slash = text.firstIndex(of: "/"), at < slash {
            text = String(text[text.index(after: at)...])  // never keep user:token@
        }
        if text.hasSuffix(".git") { text.removeLast(4) }
        if text.hasSuffix("/") { text.removeLast() }
        let allowed = text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._~/:".unicodeScalars.contains($0))
        }
        guard allowed, let host = text.split(separator: "/").first, host.contains("."), text.count <= 512 else { return nil }
        // ssh://host:22/path keeps no port: the web address is on the default one.
        let hostOnly = host.split(separator: ":").first.map(String.init) ?? String(host)
        return "https://" + hostOnly + text.dropFirst(host.count)
    }
}

extension String {
    func trimmed(of set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
