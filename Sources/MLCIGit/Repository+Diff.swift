import CLibGit2

extension Repository {
    /// The paths that differ between two commits' trees, renames detected.
    ///
    /// - Parameters:
    ///   - old: the older commit; `nil` for the empty tree (everything in `new` is added).
    ///   - new: the newer commit.
    ///   - paths: pathspecs limiting the diff (e.g. `data/`, `*.py`); empty for all.
    public func changes(from old: ObjectID?, to new: ObjectID, paths: [String] = []) throws(GitError) -> [FileChange] {
        let operation = "compare \(old?.short() ?? "the empty tree") with \(new.short())"
        let newTree = try tree(of: new)
        return try withTree(of: old) { (oldTree: OpaquePointer?) throws(GitError) in
            try diff(operation: operation, paths: paths) { diff, options in
                git_diff_tree_to_tree(&diff, pointer, oldTree, newTree.raw, &options)
            }
        }
    }

    /// The paths that differ between a commit (or the empty tree) and the working tree,
    /// including staged changes and untracked files, renames detected. Ignored files are
    /// left out, as `git status` does.
    public func changesInWorkingTree(from old: ObjectID?, paths: [String] = []) throws(GitError) -> [FileChange] {
        _ = try requireWorkingDirectory(for: "compare with the working tree")
        return try withTree(of: old) { (oldTree: OpaquePointer?) throws(GitError) in
            try diff(operation: "compare \(old?.short() ?? "the empty tree") with the working tree",
                     paths: paths, workingTree: true) { diff, options in
                git_diff_tree_to_workdir_with_index(&diff, pointer, oldTree, &options)
            }
        }
    }

    /// Calls `body` with the tree of `commit` (or `nil` for no commit), freed afterwards.
    func withTree<T>(of commit: ObjectID?, _ body: (OpaquePointer?) throws(GitError) -> T) throws(GitError) -> T {
        guard let commit else { return try body(nil) }
        let owned = try tree(of: commit)
        return try body(owned.raw)
    }

    func tree(of commit: ObjectID) throws(GitError) -> OwnedTree {
        let owned = try lookupCommit(commit)
        var raw: OpaquePointer?
        try check(git_commit_tree(&raw, owned.raw), "read the tree of \(commit.short())")
        return OwnedTree(raw!)
    }

    private func diff(
        operation: String, paths: [String], workingTree: Bool = false,
        _ make: (inout OpaquePointer?, inout git_diff_options) -> Int32
    ) throws(GitError) -> [FileChange] {
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), operation)
        if workingTree {
            options.flags |= GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
        }
        options.flags |= GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        let result: Result<OpaquePointer, GitError> = withStrArray(paths) { array in
            options.pathspec = array
            var raw: OpaquePointer?
            let code = make(&raw, &options)
            if code < 0 { return .failure(GitError.last(code: code, operation: operation)) }
            return .success(raw!)
        }
        let diff = OwnedDiff(try result.get())
        var find = git_diff_find_options()
        try check(git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)), operation)
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue | (workingTree ? GIT_DIFF_FIND_FOR_UNTRACKED.rawValue : 0)
        try check(git_diff_find_similar(diff.raw, &find), operation)
        var out: [FileChange] = []
        let count = git_diff_num_deltas(diff.raw)
        out.reserveCapacity(count)
        for index in 0..<count {
            guard let delta = git_diff_get_delta(diff.raw, index)?.pointee else { continue }  // borrowed
            let oldPath = delta.old_file.path.map { String(cString: $0) } ?? ""
            let newPath = delta.new_file.path.map { String(cString: $0) } ?? oldPath
            let status: FileChange.Status
            switch delta.status {
            case GIT_DELTA_ADDED, GIT_DELTA_UNTRACKED: status = .added
            case GIT_DELTA_DELETED: status = .deleted
            case GIT_DELTA_RENAMED: status = .renamed
            case GIT_DELTA_TYPECHANGE: status = .typeChanged
            case GIT_DELTA_MODIFIED, GIT_DELTA_COPIED: status = .modified
            default: continue  // unmodified, ignored, unreadable, conflicted
            }
            out.append(FileChange(status: status, oldPath: oldPath, newPath: newPath))
        }
        return out
    }

    /// Whether the working tree or index differs from HEAD; untracked files count when
    /// `includingUntracked` is set. Ignored files never count.
    public func isDirty(includingUntracked: Bool = true) throws(GitError) -> Bool {
        _ = try requireWorkingDirectory(for: "check the working tree")
        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "read the status")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = includingUntracked
            ? GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue : 0
        var raw: OpaquePointer?
        try check(git_status_list_new(&raw, pointer, &options), "read the status")
        let list = OwnedStatusList(raw!)
        return git_status_list_entrycount(list.raw) > 0
    }

    /// Whether git ignores `path` (relative to the working tree) by its ignore rules.
    public func isIgnored(_ path: String) -> Bool {
        var ignored: Int32 = 0
        guard git_ignore_path_is_ignored(&ignored, pointer, path) == 0 else { return false }
        return ignored == 1
    }
}
