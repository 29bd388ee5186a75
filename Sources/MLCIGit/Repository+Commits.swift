import CLibGit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a folder of a branch should hold after a commit.
public enum FolderContent: Sendable, Equatable {
    /// These files (paths relative to the folder, `/`-separated) and nothing else.
    case files([String: [UInt8]])
    /// Exactly this existing tree object.
    case tree(ObjectID)
}

/// The outcome of ``Repository/commitFolder(branch:folder:content:message:)``.
public struct FolderCommit: Sendable, Equatable {
    /// The new commit, or `nil` when the folder already held exactly that content.
    public let commit: ObjectID?
    /// The branch tip after the call.
    public let tip: ObjectID
    /// The folder's tree after the call.
    public let folderTree: ObjectID
}

extension Repository {
    /// Commits `content` as the whole of `folder` on `branch`, leaving everything else on the
    /// branch as it was, without a checkout: the working tree, the index and HEAD are never
    /// touched. The branch is created (as a root commit) when it does not exist.
    ///
    /// The branch moves with a compare-and-swap under an advisory lock shared by mlci's
    /// writers; when another writer moved it in between, the folder is re-applied on top of
    /// the new tip, so concurrent commits to different folders (or the same one) all land.
    /// Nothing is committed when the folder already holds exactly `content`.
    public func commitFolder(branch: String, folder: String, content: FolderContent, message: String) throws -> FolderCommit {
        let reference = branch.hasPrefix("refs/") ? branch : "refs/heads/" + branch
        guard git_reference_is_valid_name(reference) == 1 else {
            throw GitError(kind: .other, operation: "commit to '\(branch)'", message: "'\(branch)' is not a valid branch name")
        }
        let components = folder.trimmingSlash().split(separator: "/").map(String.init)
        guard !components.isEmpty, !components.contains(where: { $0 == "." || $0 == ".." || $0 == ".git" }) else {
            throw GitError(kind: .other, operation: "commit to '\(branch)'", message: "'\(folder)' is not a folder inside the repository")
        }
        let signature = try defaultSignature()
        let lock = AdvisoryLock(path: commonDirectory + "/mlci-refs.lock")
        defer { lock.release() }

        // The folder's own tree does not depend on the tip: write it once.
        let folderTree: ObjectID
        switch content {
        case .tree(let id): folderTree = id
        case .files(let files): folderTree = try writeTree(files: files)
        }
        var attempt = 0
        while true {
            attempt += 1
            var tipRaw = git_oid()
            let lookup = git_reference_name_to_id(&tipRaw, pointer, reference)
            if lookup != 0 && lookup != GIT_ENOTFOUND.rawValue { try check(lookup, "read \(reference)") }
            let tip: ObjectID? = lookup == 0 ? ObjectID(tipRaw) : nil
            let baseRoot = try tip.map { (id) throws(GitError) in try self.commit(id).tree }
            let newRoot = try replace(components[...], in: baseRoot, with: folderTree)
            if let tip, newRoot == baseRoot { return FolderCommit(commit: nil, tip: tip, folderTree: folderTree) }

            var treeOID = newRoot.raw
            var treeRaw: OpaquePointer?
            try check(git_tree_lookup(&treeRaw, pointer, &treeOID), "read the new tree")
            let tree = OwnedTree(treeRaw!)
            var newCommit = git_oid()
            if let tip {
                let parent = try lookupCommit(tip)
                var parents: [OpaquePointer?] = [parent.raw]
                try check(git_commit_create(&newCommit, pointer, nil, signature.raw, signature.raw, nil, message, tree.raw, 1, &parents),
                          "write the commit on \(branch)")
            } else {
                try check(git_commit_create(&newCommit, pointer, nil, signature.raw, signature.raw, nil, message, tree.raw, 0, nil),
                          "write the commit on \(branch)")
            }
            var refRaw: OpaquePointer?
            let update: Int32
            if var expected = tip?.raw {
                update = git_reference_create_matching(&refRaw, pointer, reference, &newCommit, 1, &expected, "mlci: \(message.firstLine)")
            } else {
                update = git_reference_create(&refRaw, pointer, reference, &newCommit, 0, "mlci: \(message.firstLine)")
            }
            if update == 0 {
                git_reference_free(refRaw)
                return FolderCommit(commit: ObjectID(newCommit), tip: ObjectID(newCommit), folderTree: folderTree)
            }
            let error = GitError.last(code: update, operation: "update \(reference)")
            guard error.kind == .concurrentUpdate, attempt < 200 else { throw error }
            usleep(UInt32(min(attempt, 20)) * 500 + UInt32.random(in: 0...2_000))
        }
    }

    /// The id of the tree at `path` in `commit`, or `nil` when the path is absent or a file.
    public func treeID(at commit: ObjectID, path: String) throws(GitError) -> ObjectID? {
        guard let entry = try entry(at: commit, path: path), entry.kind == .directory else { return nil }
        return entry.id
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws(GitError) -> Bool {
        if ancestor == commit { return true }
        var a = commit.raw
        var b = ancestor.raw
        let result = git_graph_descendant_of(pointer, &a, &b)
        try check(result, "check whether \(ancestor.short()) is an ancestor of \(commit.short())")
        return result == 1
    }

    /// Writes `files` (relative paths → bytes) as a tree of regular files and returns its id.
    public func writeTree(files: [String: [UInt8]]) throws(GitError) -> ObjectID {
        var blobs: [String: ObjectID] = [:]
        for (path, bytes) in files {
            var oid = git_oid()
            let result = bytes.withUnsafeBytes { git_blob_create_from_buffer(&oid, pointer, $0.baseAddress, $0.count) }
            try check(result, "write \(path)")
            blobs[path] = ObjectID(oid)
        }
        return try writeTree(blobs: blobs, prefix: "")
    }

    private func writeTree(blobs: [String: ObjectID], prefix: String) throws(GitError) -> ObjectID {
        var builderRaw: OpaquePointer?
        try check(git_treebuilder_new(&builderRaw, pointer, nil), "start a tree")
        defer { git_treebuilder_free(builderRaw) }
        var subfolders: [String: [String: ObjectID]] = [:]
        for (path, id) in blobs {
            let parts = path.split(separator: "/", maxSplits: 1).map(String.init)
            guard let name = parts.first, !name.isEmpty, name != ".", name != "..", name != ".git" else {
                throw GitError(kind: .other, operation: "write a tree", message: "'\(prefix)\(path)' is not a valid path")
            }
            if parts.count == 2 {
                subfolders[name, default: [:]][parts[1]] = id
            } else {
                var oid = id.raw
                try check(git_treebuilder_insert(nil, builderRaw, name, &oid, GIT_FILEMODE_BLOB), "add \(prefix)\(name)")
            }
        }
        for (name, children) in subfolders {
            var oid = try writeTree(blobs: children, prefix: prefix + name + "/").raw
            try check(git_treebuilder_insert(nil, builderRaw, name, &oid, GIT_FILEMODE_TREE), "add \(prefix)\(name)/")
        }
        var out = git_oid()
        try check(git_treebuilder_write(&out, builderRaw), "write a tree")
        return ObjectID(out)
    }

    /// `base` (or an empty tree) with the entry at `path` replaced by the tree `subtree`.
    private func replace(_ path: ArraySlice<String>, in base: ObjectID?, with subtree: ObjectID) throws(GitError) -> ObjectID {
        guard let name = path.first else { return subtree }
        var baseTree: OwnedTree? = nil
        if var oid = base?.raw {
            var raw: OpaquePointer?
            try check(git_tree_lookup(&raw, pointer, &oid), "read a tree")
            baseTree = OwnedTree(raw!)
        }
        var child: ObjectID? = nil
        if let tree = baseTree?.raw, let entry = git_tree_entry_byname(tree, name), git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE {
            child = ObjectID(git_tree_entry_id(entry))
        }
        let newChild = try replace(path.dropFirst(), in: child, with: subtree)
        var builderRaw: OpaquePointer?
        try check(git_treebuilder_new(&builderRaw, pointer, baseTree?.raw), "start a tree")
        defer { git_treebuilder_free(builderRaw) }
        var oid = newChild.raw
        try check(git_treebuilder_insert(nil, builderRaw, name, &oid, GIT_FILEMODE_TREE), "add \(name)/")
        var out = git_oid()
        try check(git_treebuilder_write(&out, builderRaw), "write a tree")
        return ObjectID(out)
    }
}

/// An exclusive `flock` on a file, released by ``release()``; a lock file that cannot be
/// opened is no lock at all (the compare-and-swap still protects the reference).
struct AdvisoryLock {
    private let descriptor: Int32

    init(path: String) {
        descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor >= 0 {
            while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        }
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension String {
    var firstLine: String { String(split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "") }
}
