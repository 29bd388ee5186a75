import CLibGit2

extension Repository {
    /// The bytes of the file at `path` in `commit`'s tree, read from the object database
    /// without a checkout; `nil` when the path does not exist or is a directory.
    public func blob(at commit: ObjectID, path: String) throws(GitError) -> [UInt8]? {
        try withBlob(at: commit, path: path) { Array($0) }
    }

    /// Calls `body` with the bytes of the file at `path` in `commit`'s tree, without copying
    /// them; returns `nil` when the path does not exist or is not a file. The buffer is valid
    /// only during the call.
    public func withBlob<T>(
        at commit: ObjectID, path: String, _ body: (UnsafeRawBufferPointer) throws -> T
    ) throws(GitError) -> T? {
        guard let entry = try entry(at: commit, path: path), entry.kind != .directory, entry.kind != .submodule else {
            return nil
        }
        return try withBlob(entry.id, body)
    }

    /// Calls `body` with the bytes of the blob `id`.
    public func withBlob<T>(_ id: ObjectID, _ body: (UnsafeRawBufferPointer) throws -> T) throws(GitError) -> T {
        var oid = id.raw
        var raw: OpaquePointer?
        try check(git_blob_lookup(&raw, pointer, &oid), "read blob \(id.short())")
        let blob = OwnedBlob(raw!)
        let size = Int(git_blob_rawsize(blob.raw))
        let buffer = UnsafeRawBufferPointer(start: git_blob_rawcontent(blob.raw), count: size)
        do {
            return try body(buffer)
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError(kind: .other, operation: "process blob \(id.short())", message: "\(error)")
        }
    }

    /// The size in bytes of blob `id`, read from its header only.
    public func blobSize(_ id: ObjectID) throws(GitError) -> Int {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "open the object database")
        defer { git_odb_free(odb) }
        var size = 0
        var type = GIT_OBJECT_ANY
        var oid = id.raw
        try check(git_odb_read_header(&size, &type, odb, &oid), "read the header of \(id.short())")
        return size
    }

    /// The tree entry at `path` in `commit`'s tree, or `nil` when there is none.
    public func entry(at commit: ObjectID, path: String) throws(GitError) -> TreeEntryInfo? {
        let clean = path.trimmingSlash()
        let owned = try lookupCommit(commit)
        var treeRaw: OpaquePointer?
        try check(git_commit_tree(&treeRaw, owned.raw), "read the tree of \(commit.short())")
        let tree = OwnedTree(treeRaw!)
        if clean.isEmpty || clean == "." {
            return TreeEntryInfo(path: "", id: ObjectID(git_tree_id(tree.raw)), kind: .directory)
        }
        var entryRaw: OpaquePointer?
        let result = git_tree_entry_bypath(&entryRaw, tree.raw, clean)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "find '\(clean)' in \(commit.short())")
        let entry = OwnedTreeEntry(entryRaw!)
        return TreeEntryInfo(path: clean, id: ObjectID(git_tree_entry_id(entry.raw)), kind: Self.kind(of: entry.raw))
    }

    /// Every file below `path` (the whole tree for `""`) in `commit`, recursively, in tree
    /// order; files only, directories are descended into, submodules skipped.
    public func files(at commit: ObjectID, under path: String = "") throws(GitError) -> [TreeEntryInfo] {
        let clean = path.trimmingSlash()
        guard let root = try entry(at: commit, path: clean) else { return [] }
        if root.kind != .directory { return root.kind == .submodule ? [] : [root] }
        var out: [TreeEntryInfo] = []
        try collect(tree: root.id, prefix: clean.isEmpty || clean == "." ? "" : clean + "/", into: &out)
        return out
    }

    private func collect(tree id: ObjectID, prefix: String, into out: inout [TreeEntryInfo]) throws(GitError) {
        var oid = id.raw
        var raw: OpaquePointer?
        try check(git_tree_lookup(&raw, pointer, &oid), "read tree \(id.short())")
        let tree = OwnedTree(raw!)
        let count = git_tree_entrycount(tree.raw)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree.raw, index) else { continue }  // borrowed
            let name = String(cString: git_tree_entry_name(entry))
            let entryID = ObjectID(git_tree_entry_id(entry))
            let kind = Self.kind(of: entry)
            switch kind {
            case .directory: try collect(tree: entryID, prefix: prefix + name + "/", into: &out)
            case .submodule: continue
            default: out.append(TreeEntryInfo(path: prefix + name, id: entryID, kind: kind))
            }
        }
    }

    static func kind(of entry: OpaquePointer) -> TreeEntryInfo.Kind {
        switch git_tree_entry_filemode(entry) {
        case GIT_FILEMODE_TREE: .directory
        case GIT_FILEMODE_BLOB_EXECUTABLE: .executable
        case GIT_FILEMODE_LINK: .symlink
        case GIT_FILEMODE_COMMIT: .submodule
        default: .file
        }
    }
}

extension Repository {
    /// The tree-entry ids of several paths in one commit's tree (`nil` where absent), reading
    /// the tree once.
    public func entryIDs(at commit: ObjectID, paths: [String]) throws(GitError) -> [ObjectID?] {
        if paths.isEmpty { return [] }
        let tree = try tree(of: commit)
        return paths.map { path in
            var raw: OpaquePointer?
            guard git_tree_entry_bypath(&raw, tree.raw, path.trimmingSlash()) == 0, let raw else { return nil }
            let entry = OwnedTreeEntry(raw)
            return ObjectID(git_tree_entry_id(entry.raw))
        }
    }
}
