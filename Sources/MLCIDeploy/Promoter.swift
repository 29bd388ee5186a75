#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MLCIGit
import MLCILineage
import MLCISupport
import MLCITrust

/// Where promoted manifests go: a folder on a GitOps branch (committed through git, without a
/// checkout), or a folder on disk (for a GitOps repository checked out elsewhere).
public enum PromotionTarget: Sendable, Equatable {
    case branch(name: String, folder: String)
    case directory(String)

    /// `--branch` / `--dir` if given, else the environment's `branch`/`dir`, else the branch
    /// `gitops` with the folder `NAME/ENV`.
    public static func resolve(branch: String?, directory: String?, environment: DeploySpec.Environment, spec: DeploySpec) -> PromotionTarget {
        if let directory { return .directory(directory) }
        return .branch(name: branch ?? environment.branch ?? "gitops", folder: environment.dir ?? "\(spec.name)/\(environment.name)")
    }
}

/// What a promotion or rollback did.
public struct PromotionOutcome: Sendable {
    /// The recorded promotion, or `nil` when the environment already had exactly these manifests.
    public var record: PromotionRecord?
    public var environment: String
    public var commit: ObjectID
    public var manifestDigest: String
    public var target: PromotionTarget
}

/// Promotes approved commits to environments and rolls them back, recording each in the
/// commit's note. Not thread-safe (one workspace); safe across processes: GitOps commits and
/// notes are both written with compare-and-swap under mlci's advisory locks.
public struct Promoter {
    public let workspace: Workspace
    /// Which verdicts and earlier promotions are believed.
    public let trust: TrustPolicy
    /// Signs each promotion record written (never stored or printed).
    public let signingKey: SSHSigningKey?

    public init(workspace: Workspace, trust: TrustPolicy, signingKey: SSHSigningKey? = nil) {
        self.workspace = workspace
        self.trust = trust
        self.signingKey = signingKey
    }

    /// Commits the manifests of `release` for `environment` to `target`.
    ///
    /// - Parameter allowOffTarget: promote even if the commit is not on the target branch;
    ///   recorded as `override: not-on-target`.
    /// - Throws: ``Refusal`` when the commit is not on the target branch (and not allowed).
    public func promote(_ release: Release, environment: String, branch: String? = nil, directory: String? = nil,
                        allowOffTarget: Bool = false) throws -> PromotionOutcome {
        let env = try release.spec.environment(environment)
        let repository = workspace.repository
        let targetBranch = release.config.target
        var override: String? = nil
        if let tip = repository.branchTip(targetBranch) {
            if try !repository.isAncestor(release.commit.id, of: tip) {
                guard allowOffTarget else {
                    throw Refusal("\(release.commit.id.short(12)) is not on \(targetBranch); only what was merged is promoted",
                                  hint: "merge it first, or pass --allow-off-target (recorded in the note and the GitOps commit)")
                }
                override = "not-on-target"
            }
        } else if !allowOffTarget {
            throw Refusal("the target branch \(targetBranch) does not exist here, so mlci cannot tell whether \(release.commit.id.short(12)) is on it",
                          hint: "fetch it (git fetch origin \(targetBranch)), or pass --allow-off-target")
        } else {
            override = "not-on-target"
        }
        let files = try DeployBundle.render(release).gitOpsFiles(environment: env.name)
        let resolved = PromotionTarget.resolve(branch: branch, directory: directory, environment: env, spec: release.spec)
        return try apply(.files(files), digest: DeployBundle.digest(of: files), commit: release.commit.id, release: release, environment: env,
                         target: resolved, action: .promote, override: override, replaced: nil)
    }

    /// Promotes the commit that ran in `environment` before the current one, restoring its
    /// manifests exactly: from the GitOps commit that carried them, or re-rendered when they
    /// went to a folder on disk.
    public func rollback(environment: String, branch: String?, directory: String?) throws -> PromotionOutcome {
        let registry = try ModelRegistry(repository: workspace.repository, trust: trust)
        let history = registry.history(of: environment)
        guard let current = history.first else {
            throw Refusal("nothing was promoted to \(environment) yet, so there is nothing to roll back to")
        }
        guard let previous = history.dropFirst().first(where: { $0.commit != current.commit }) else {
            throw Refusal("\(environment) has only ever run \(current.commit.short(12)); there is no earlier model to roll back to")
        }
        let release = try Release(workspace: workspace, commit: previous.commit, trust: trust)
        let env = try release.spec.environment(environment)
        let target = PromotionTarget.resolve(branch: branch, directory: directory, environment: env, spec: release.spec)
        if case .branch(let name, let folder) = target, let carried = previous.gitOpsCommit, previous.branch == name, previous.folder == folder,
           workspace.repository.hasCommit(carried), let tree = try workspace.repository.treeID(at: carried, path: folder) {
            return try apply(.tree(tree), digest: previous.manifestDigest, commit: previous.commit, release: release, environment: env,
                             target: target, action: .rollback, override: previous.override, replaced: current.commit)
        }
        let files = try DeployBundle.render(release).gitOpsFiles(environment: env.name)
        return try apply(.files(files), digest: DeployBundle.digest(of: files), commit: previous.commit, release: release, environment: env,
                         target: target, action: .rollback, override: previous.override, replaced: current.commit)
    }

    private func apply(_ content: FolderContent, digest: String, commit: ObjectID, release: Release, environment env: DeploySpec.Environment,
                       target: PromotionTarget, action: PromotionRecord.Action, override: String?, replaced: ObjectID?) throws -> PromotionOutcome {
        let repository = workspace.repository
        var by = try repository.identity()
        var override = override
        if release.trust == .unsigned {
            // Shipping an unsigned verdict is a choice (--allow-unsigned): it is written down.
            if !(override ?? "").split(separator: ",").contains("unsigned-verdict") {
                override = (override.map { $0 + "," } ?? "") + "unsigned-verdict"
            }
        }
        let environment = ProcessEnvironment.current
        if let actor = environment["GITHUB_ACTOR"] ?? environment["GITLAB_USER_LOGIN"],
           !actor.isEmpty, actor.count < 100, actor.allSatisfy({ !$0.isNewline }) {
            by += " (CI actor \(actor))"
        }
        var record = PromotionRecord(commit: commit, environment: env.name, action: action, at: PromotionRecord.now(), by: by,
                                     manifestDigest: digest, image: release.imageReference, modelDigest: release.modelDigest,
                                     branch: nil, folder: "", gitOpsCommit: nil, override: override, replaced: replaced)
        switch target {
        case .branch(let name, let folder):
            record.branch = name
            record.folder = folder
            let message = Self.message(record, release: release)
            let result = try repository.commitFolder(branch: name, folder: folder, content: content, message: message)
            guard let made = result.commit else {
                return PromotionOutcome(record: nil, environment: env.name, commit: commit, manifestDigest: digest, target: target)
            }
            record.gitOpsCommit = made
        case .directory(let path):
            record.folder = path
            guard case .files(var files) = content else { preconditionFailure("a folder on disk is written from files") }
            files[FolderSwap.markerName] = Array(JSONWriter().string([
                "schema": "mlci.promoted/1", "environment": .string(env.name), "commit": .string(commit.hex), "manifest_digest": .string(digest),
            ]).utf8) + [0x0a]
            try FolderSwap.requireOwnFolder(path, repositoryRoot: workspace.root)
            guard try FolderSwap.replace(path, with: files) else {
                return PromotionOutcome(record: nil, environment: env.name, commit: commit, manifestDigest: digest, target: target)
            }
        }
        var entry = record.json
        if let signingKey {
            entry = try SignedNote.sign(entry, commit: commit.hex, namespace: SignedNote.promotionNamespace, key: signingKey)
        }
        try repository.updateNote(for: commit, message: "mlci: \(action.rawValue) \(commit.short()) to \(env.name)") { current in
            var note: [(String, JSONValue)] = (current.flatMap { try? JSONParser().parse($0) }?.objectValue) ?? []
            var promotions = note.first(where: { $0.0 == "promotions" })?.1.arrayValue ?? []
            promotions.append(entry)
            note.removeAll { $0.0 == "promotions" }
            note.append(("promotions", .array(promotions)))
            return JSONWriter().string(.object(note))
        }
        return PromotionOutcome(record: record, environment: env.name, commit: commit, manifestDigest: digest, target: target)
    }

    /// The GitOps commit message: a summary, the lineage, and `Mlci-*` trailers.
    static func message(_ record: PromotionRecord, release: Release) -> String {
        let verb = record.action == .promote ? "promote" : "roll back"
        var lines = [
            "mlci: \(verb) \(release.spec.name) \(record.commit.short(12)) to \(record.environment)", "",
            "Model \(release.spec.model) \(release.modelDigest)",
            "Data \(release.dataDigest)",
            "Image \(release.imageReference)", "",
            "Mlci-Environment: \(record.environment)",
            "Mlci-Commit: \(record.commit.hex)",
            "Mlci-Action: \(record.action.rawValue)",
            "Mlci-Manifest-Digest: \(record.manifestDigest)",
        ]
        if let replaced = record.replaced { lines.append("Mlci-Replaces: \(replaced.hex)") }
        if let override = record.override { lines.append("Mlci-Override: \(override)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Replaces a folder on disk with exactly a set of files, all at once: the new folder is
/// written beside it and renamed into place, so a reader sees the old set or the new one.
enum FolderSwap {
    /// The file that marks a folder as written by `mlci promote --dir` (what it holds, no time).
    static let markerName = ".mlci-promoted.json"

    /// Refuses a folder mlci must not replace: one holding the repository (or being it), or
    /// one with files that an earlier promote did not write.
    static func requireOwnFolder(_ path: String, repositoryRoot: String) throws {
        let clean = path.hasSuffix("/") ? String(path.dropLast()) : path
        let resolved = FileSystem.realPath(clean) ?? clean
        let root = FileSystem.realPath(repositoryRoot) ?? repositoryRoot
        if resolved == "/" || root == resolved || root.hasPrefix(resolved + "/") || clean.isEmpty {
            throw InputError("--dir \(path) holds the repository; promote replaces the folder as a whole",
                             hint: "give a folder of its own, e.g. ../gitops/apps/churn-model")
        }
        let entries = FileSystem.entries(of: clean) ?? []
        if !entries.isEmpty && !entries.contains(markerName) {
            throw InputError("--dir \(path) has files mlci did not write (\(entries.sorted().prefix(3).joined(separator: ", "))); promote replaces the folder as a whole",
                             hint: "give a folder of its own (it may not exist yet), or empty this one")
        }
    }

    /// - Returns: `false` when the folder already holds exactly `files`.
    static func replace(_ path: String, with files: [String: [UInt8]]) throws -> Bool {
        let clean = path.hasSuffix("/") ? String(path.dropLast()) : path
        if let existing = try? current(clean), existing == files { return false }
        let staging = clean + ".mlci-new-\(getpid())"
        let old = clean + ".mlci-old-\(getpid())"
        try? FileSystem.removeTree(staging)
        for (relative, bytes) in files {
            let file = staging + "/" + relative
            try FileSystem.makeDirectories(FileSystem.parent(of: file))
            try FileSystem.writeAtomically(file, bytes)
        }
        if FileSystem.exists(clean) {
            guard rename(clean, old) == 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "replace", name: clean)) }
        }
        guard rename(staging, clean) == 0 else {
            let code = errno
            _ = rename(old, clean)
            throw InputError(FileSystem.describeErrno(code, verb: "replace", name: clean))
        }
        try? FileSystem.removeTree(old)
        return true
    }

    static func current(_ path: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for relative in FileSystem.files(under: path) {
            out[relative] = try FileSystem.read(path + "/" + relative)
        }
        return out
    }
}
