import CLibGit2

extension Repository {
    /// Where HEAD points: a branch with a commit, a detached commit, or an unborn branch.
    public func head() throws(GitError) -> Head {
        var ref: OpaquePointer?
        let result = git_repository_head(&ref, pointer)
        if result == GIT_EUNBORNBRANCH.rawValue || result == GIT_ENOTFOUND.rawValue {
            return .unborn(branch: unbornBranchName())
        }
        try check(result, "read HEAD")
        guard let ref else { throw GitError(kind: .other, operation: "read HEAD", message: "no reference") }
        let owned = OwnedReference(ref)
        var target: OpaquePointer?
        try check(git_reference_peel(&target, owned.raw, GIT_OBJECT_COMMIT), "peel HEAD to a commit")
        let commit = OwnedObject(target!)
        let id = ObjectID(git_object_id(commit.raw))
        if git_repository_head_detached(pointer) == 1 { return .detached(commit: id) }
        return .attached(branch: String(cString: git_reference_shorthand(owned.raw)), commit: id)
    }

    private func unbornBranchName() -> String {
        var ref: OpaquePointer?
        guard git_reference_lookup(&ref, pointer, "HEAD") == 0, let ref else { return "main" }
        let owned = OwnedReference(ref)
        guard let target = git_reference_symbolic_target(owned.raw) else { return "main" }
        let name = String(cString: target)
        return name.hasPrefix("refs/heads/") ? String(name.dropFirst("refs/heads/".count)) : name
    }

    /// Resolves a revision to a commit: a branch, remote branch, tag, `HEAD~n`, `A^2`, or a
    /// full or short sha. Tags are peeled to the commit they name.
    ///
    /// - Throws: `.notFound` for an unknown revision (with a hint to fetch deeper in a shallow
    ///   clone), `.ambiguous` for a short sha matching several objects.
    public func resolve(_ revision: String) throws(GitError) -> ObjectID {
        let operation = "resolve revision '\(revision)'"
        if revision.isEmpty {
            throw GitError(kind: .notFound, operation: operation, message: "the revision is empty")
        }
        var object: OpaquePointer?
        let result = git_revparse_single(&object, pointer, revision)
        if result < 0 {
            var error = GitError.last(code: result, operation: operation)
            if result == GIT_ENOTFOUND.rawValue || result == GIT_EINVALIDSPEC.rawValue {
                if isHeadUnborn && (revision == "HEAD" || revision.hasPrefix("HEAD")) {
                    throw GitError(kind: .unbornBranch, operation: operation,
                                   message: "the repository has no commits yet; commit something first")
                }
                var message = "no branch, tag or commit is called '\(revision)'"
                if isShallow {
                    message += "; this is a shallow clone, so the commit may be cut off: fetch more history (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)"
                    error = GitError(kind: .shallowHistory, operation: operation, message: message)
                } else {
                    error = GitError(kind: .notFound, operation: operation, message: message)
                }
            }
            throw error
        }
        let owned = OwnedObject(object!)
        var peeled: OpaquePointer?
        let peelResult = git_object_peel(&peeled, owned.raw, GIT_OBJECT_COMMIT)
        if peelResult < 0 {
            throw GitError(kind: .notFound, operation: operation, message: "'\(revision)' does not name a commit")
        }
        let commit = OwnedObject(peeled!)
        return ObjectID(git_object_id(commit.raw))
    }

    /// Whether the commit object is present (a shallow clone lacks the ones beyond its depth).
    public func hasCommit(_ id: ObjectID) -> Bool {
        var oid = id.raw
        var raw: OpaquePointer?
        guard git_commit_lookup(&raw, pointer, &oid) == 0, let raw else { return false }
        git_commit_free(raw)
        return true
    }

    /// The commit's metadata.
    public func commit(_ id: ObjectID) throws(GitError) -> CommitInfo {
        let commit = try lookupCommit(id)
        return commitInfo(commit.raw)
    }

    func lookupCommit(_ id: ObjectID) throws(GitError) -> OwnedCommit {
        var oid = id.raw
        var raw: OpaquePointer?
        let result = git_commit_lookup(&raw, pointer, &oid)
        if result == GIT_ENOTFOUND.rawValue, isShallow {
            throw GitError(kind: .shallowHistory, operation: "read commit \(id.short())",
                           message: "the commit is not in this shallow clone; fetch more history (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")
        }
        try check(result, "read commit \(id.short())")
        return OwnedCommit(raw!)
    }

    func commitInfo(_ raw: OpaquePointer) -> CommitInfo {
        let author = git_commit_author(raw)!.pointee
        let committer = git_commit_committer(raw)!.pointee
        var parents: [ObjectID] = []
        let count = git_commit_parentcount(raw)
        parents.reserveCapacity(Int(count))
        for index in 0..<count {
            if let parent = git_commit_parent_id(raw, index) { parents.append(ObjectID(parent)) }
        }
        let message = git_commit_message(raw).map { String(cString: $0) } ?? ""
        let summary = git_commit_summary(raw).map { String(cString: $0) } ?? ""
        return CommitInfo(
            id: ObjectID(git_commit_id(raw)),
            tree: ObjectID(git_commit_tree_id(raw)),
            parents: parents,
            authorName: String(cString: author.name),
            authorEmail: String(cString: author.email),
            authorTime: author.when.time,
            authorOffsetMinutes: author.when.offset,
            committerName: String(cString: committer.name),
            committerEmail: String(cString: committer.email),
            commitTime: committer.when.time,
            commitOffsetMinutes: committer.when.offset,
            summary: summary,
            message: message)
    }

    /// The best common ancestor of two commits, or `nil` when their histories are unrelated.
    ///
    /// - Throws: `.shallowHistory` when no common ancestor is found in a shallow clone, since
    ///   the real one may lie beyond the cut-off.
    public func mergeBase(_ a: ObjectID, _ b: ObjectID) throws(GitError) -> ObjectID? {
        var out = git_oid()
        var left = a.raw
        var right = b.raw
        let result = git_merge_base(&out, pointer, &left, &right)
        if result < 0 && isShallow {
            // Not found, or a parent the walk needed is missing: either way the clone is too shallow.
            throw GitError(kind: .shallowHistory, operation: "find the merge-base of \(a.short()) and \(b.short())",
                           message: "this is a shallow clone and the common ancestor is not in it; fetch the whole history (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")
        }
        if result == GIT_ENOTFOUND.rawValue {
            if isShallow {
                throw GitError(kind: .shallowHistory, operation: "find the merge-base of \(a.short()) and \(b.short())",
                               message: "this is a shallow clone and the common ancestor is not in it; fetch the whole history (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")
            }
            return nil
        }
        try check(result, "find the merge-base of \(a.short()) and \(b.short())")
        return ObjectID(out)
    }

    /// The commit a local or remote branch points to, or `nil` when no such branch exists.
    public func branchTip(_ name: String) -> ObjectID? {
        for candidate in ["refs/heads/\(name)", "refs/remotes/\(name)", "refs/remotes/origin/\(name)", name] {
            var out = git_oid()
            if git_reference_name_to_id(&out, pointer, candidate) == 0 { return ObjectID(out) }
        }
        return nil
    }
}

extension Repository {
    /// The reference a symbolic reference names (`refs/remotes/origin/HEAD` →
    /// `refs/remotes/origin/main`), or `nil` when it does not exist or is not symbolic.
    public func symbolicTarget(of name: String) -> String? {
        var ref: OpaquePointer?
        guard git_reference_lookup(&ref, pointer, name) == 0, let ref else { return nil }
        let owned = OwnedReference(ref)
        guard let target = git_reference_symbolic_target(owned.raw) else { return nil }
        return String(cString: target)
    }
}
