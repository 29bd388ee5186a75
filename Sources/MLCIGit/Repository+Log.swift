import CLibGit2

/// The order of a history walk.
public enum WalkOrder: Sendable {
    /// libgit2's own order (fastest).
    case none
    /// Newest commit time first.
    case time
    /// Parents never before their children, ties by time (what `git log` shows).
    case topological
}

extension Repository {
    /// Walks the commits reachable from `tips` and not from `hidden`, calling `body` with each
    /// id; `body` returns `false` to stop early.
    public func walk(
        from tips: [ObjectID], hiding hidden: [ObjectID] = [], order: WalkOrder = .topological,
        firstParentOnly: Bool = false, _ body: (ObjectID) throws(GitError) -> Bool
    ) throws(GitError) {
        if isShallow {
            // libgit2 1.5's revwalk fails on the parents a shallow clone cut off; walk by hand.
            return try shallowWalk(from: tips, hiding: hidden, firstParentOnly: firstParentOnly, body)
        }
        var raw: OpaquePointer?
        try check(git_revwalk_new(&raw, pointer), "start a history walk")
        let walk = OwnedRevwalk(raw!)
        let mode: UInt32 = switch order {
        case .none: GIT_SORT_NONE.rawValue
        case .time: GIT_SORT_TIME.rawValue
        case .topological: GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue
        }
        // git_revwalk_sorting replaces the mode: set it once, with every flag.
        try check(git_revwalk_sorting(walk.raw, mode), "sort the history walk")
        if firstParentOnly { try check(git_revwalk_simplify_first_parent(walk.raw), "simplify the walk") }
        for tip in tips {
            var oid = tip.raw
            try check(git_revwalk_push(walk.raw, &oid), "walk from \(tip.short())")
        }
        for hide in hidden {
            var oid = hide.raw
            let result = git_revwalk_hide(walk.raw, &oid)
            // A hidden commit beyond a shallow clone's cut-off hides nothing; that is fine.
            if result < 0 && !(result == GIT_ENOTFOUND.rawValue && isShallow) {
                try check(result, "hide \(hide.short()) from the walk")
            }
        }
        var next = git_oid()
        while true {
            let result = git_revwalk_next(&next, walk.raw)
            if result == GIT_ITEROVER.rawValue { return }
            try check(result, "walk the history")
            if try !body(ObjectID(next)) { return }
        }
    }

    /// A newest-first walk that treats missing parents (cut off by a shallow clone) as roots.
    /// Children come before their parents whenever commit times allow (as `git log` without
    /// `--topo-order`).
    private func shallowWalk(
        from tips: [ObjectID], hiding hidden: [ObjectID], firstParentOnly: Bool,
        _ body: (ObjectID) throws(GitError) -> Bool
    ) throws(GitError) {
        func parents(_ id: ObjectID) -> (time: Int64, parents: [ObjectID])? {
            var oid = id.raw
            var raw: OpaquePointer?
            guard git_commit_lookup(&raw, pointer, &oid) == 0, let raw else { return nil }
            let commit = OwnedCommit(raw)
            var out: [ObjectID] = []
            let count = firstParentOnly ? min(1, git_commit_parentcount(commit.raw)) : git_commit_parentcount(commit.raw)
            for index in 0..<count { if let p = git_commit_parent_id(commit.raw, index) { out.append(ObjectID(p)) } }
            return (git_commit_time(commit.raw), out)
        }
        var excluded: Set<ObjectID> = []
        var stack = hidden
        while let next = stack.popLast() {
            guard excluded.insert(next).inserted, let info = parents(next) else { continue }
            stack += info.parents
        }
        var queue: [(time: Int64, id: ObjectID)] = []
        var seen: Set<ObjectID> = excluded
        for tip in tips where seen.insert(tip).inserted {
            guard let info = parents(tip) else { continue }
            queue.append((info.time, tip))
        }
        while !queue.isEmpty {
            let index = queue.indices.max { queue[$0].time < queue[$1].time }!
            let (_, id) = queue.remove(at: index)
            if try !body(id) { return }
            guard let info = parents(id) else { continue }
            for parent in info.parents where seen.insert(parent).inserted {
                if let parentInfo = parents(parent) { queue.append((parentInfo.time, parent)) }
            }
        }
    }

    /// The commits of a range, newest first, optionally only those that changed one of `paths`.
    ///
    /// A commit "changes" a path when the path's tree entry (a file or a whole directory)
    /// differs from its first parent's — or, for a merge, from every parent's, so that a merge
    /// which only carries a branch's change over is not listed twice. A root commit changes
    /// every path it has.
    ///
    /// - Parameters:
    ///   - tips: where the range ends (e.g. HEAD).
    ///   - hidden: commits whose ancestors are left out (the `A` of `A..B`).
    ///   - paths: repository-relative paths; empty means every commit.
    ///   - limit: at most this many commits.
    public func log(
        from tips: [ObjectID], hiding hidden: [ObjectID] = [], paths: [String] = [], limit: Int? = nil
    ) throws(GitError) -> [CommitInfo] {
        var result: [CommitInfo] = []
        let normalized = paths.map { $0.trimmingSlash() }.filter { !$0.isEmpty && $0 != "." }
        var memo: [ObjectID: [ObjectID?]] = [:]
        try walk(from: tips, hiding: hidden, order: .topological) { (id: ObjectID) throws(GitError) -> Bool in
            if let limit, result.count >= limit { return false }
            let commit = try lookupCommit(id)
            if normalized.isEmpty {
                result.append(commitInfo(commit.raw))
                return true
            }
            let own = try entryIDs(of: commit.raw, paths: normalized, memo: &memo, id: id)
            let parentCount = git_commit_parentcount(commit.raw)
            var changed = true
            if parentCount > 0 {
                changed = true
                for index in 0..<parentCount {
                    guard let parentOID = git_commit_parent_id(commit.raw, index) else { continue }
                    let parentID = ObjectID(parentOID)
                    let theirs: [ObjectID?]
                    if let cached = memo[parentID] {
                        theirs = cached
                    } else {
                        var parentRaw: OpaquePointer?
                        var oid = parentID.raw
                        // A parent beyond a shallow clone's cut-off: treat the commit as a root.
                        guard git_commit_lookup(&parentRaw, pointer, &oid) == 0, let parentRaw else { continue }
                        let parent = OwnedCommit(parentRaw)
                        theirs = try entryIDs(of: parent.raw, paths: normalized, memo: &memo, id: parentID)
                    }
                    if theirs == own { changed = false; break }
                }
            } else {
                changed = own.contains { $0 != nil }
            }
            memo[id] = nil  // each commit is visited once; its children have already asked.
            if changed { result.append(commitInfo(commit.raw)) }
            return true
        }
        return result
    }

    /// The tree-entry ids of `paths` in a commit's tree (`nil` where a path is absent), memoised
    /// so that each commit's tree is read once per walk.
    private func entryIDs(
        of commit: OpaquePointer, paths: [String], memo: inout [ObjectID: [ObjectID?]], id: ObjectID
    ) throws(GitError) -> [ObjectID?] {
        if let cached = memo[id] { return cached }
        var treeRaw: OpaquePointer?
        try check(git_commit_tree(&treeRaw, commit), "read the tree of \(id.short())")
        let tree = OwnedTree(treeRaw!)
        var ids: [ObjectID?] = []
        ids.reserveCapacity(paths.count)
        for path in paths {
            var entryRaw: OpaquePointer?
            if git_tree_entry_bypath(&entryRaw, tree.raw, path) == 0, let entryRaw {
                let entry = OwnedTreeEntry(entryRaw)
                ids.append(ObjectID(git_tree_entry_id(entry.raw)))
            } else {
                ids.append(nil)
            }
        }
        memo[id] = ids
        return ids
    }
}
