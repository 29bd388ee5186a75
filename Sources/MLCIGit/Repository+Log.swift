import CLibGit2
import MLCISupport

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
    /// See ``history(from:hiding:paths:watching:limit:)``.
    public func log(
        from tips: [ObjectID], hiding hidden: [ObjectID] = [], paths: [String] = [], limit: Int? = nil
    ) throws(GitError) -> [CommitInfo] {
        try history(from: tips, hiding: hidden, paths: paths, limit: limit).map(\.commit)
    }

    /// The commits of a range, newest first (by commit time, children before parents), each
    /// with which `watching` paths it changed against its first parent.
    ///
    /// A commit "changes" a path when the path's tree entry (a file or a whole directory)
    /// differs from its first parent's — or, for a merge, from every parent's, so that a merge
    /// which only carries a branch's change over is not listed twice. A root commit, or one
    /// whose parents a shallow clone cut off, changes every path it has.
    ///
    /// Commits and trees are read once each, straight from the object database.
    ///
    /// - Parameters:
    ///   - tips: where the range ends (e.g. HEAD).
    ///   - hidden: commits whose ancestors are left out (the `A` of `A..B`).
    ///   - paths: repository-relative paths; only commits changing one are listed. Empty: all.
    ///   - watching: paths whose changes are reported per listed commit.
    ///   - limit: at most this many commits.
    public func history(
        from tips: [ObjectID], hiding hidden: [ObjectID] = [], paths: [String] = [], watching: [String] = [],
        limit: Int? = nil
    ) throws(GitError) -> [LogItem] {
        let reader = try ObjectReader(repository: self)
        let filter = paths.map { $0.trimmingSlash() }.filter { !$0.isEmpty && $0 != "." }
        let components: [ArraySlice<[UInt8]>] = (filter + watching.map { $0.trimmingSlash() }).map { path in
            path.split(separator: "/").map { Array($0.utf8) }[...]
        }
        if limit == nil && !components.isEmpty {
            return try pipelinedHistory(from: tips, hiding: hidden, reader: reader, components: components,
                                        filterCount: filter.count, watchingCount: watching.count)
        }
        var memo: [ObjectID: [ObjectID?]] = [:]
        func entries(_ id: ObjectID) -> [ObjectID?]? {
            if let cached = memo[id] { return cached }
            guard let commit = reader.commit(id) else { return nil }
            let found = reader.entries(in: commit.tree, paths: components)
            memo[id] = found
            return found
        }
        var out: [LogItem] = []
        let visit = { (id: ObjectID) throws(GitError) -> Bool in
            if let limit, out.count >= limit { return false }
            guard let commit = reader.commit(id) else { return true }
            let own = components.isEmpty ? [] : (entries(id) ?? [])
            let first = commit.firstParent.flatMap { entries($0) }
            let others = commit.otherParents.isEmpty ? [] : commit.otherParents.map { entries($0) }
            memo[id] = nil  // every child of this commit came before it
            guard let changed = Self.logChanges(own: own, first: first, others: others,
                                                filterCount: filter.count, watchingCount: watching.count) else { return true }
            let owned = try self.lookupCommit(id)
            out.append(LogItem(commit: self.commitInfo(owned.raw), changedWatched: changed))
            return true
        }
        if hidden.isEmpty {
            try timeOrderedWalk(from: tips, reader: reader, visit)
        } else {
            try walk(from: tips, hiding: hidden, order: .topological, visit)
        }
        return out
    }

    /// Whether a commit is listed (it changed one of the first `filterCount` paths against
    /// every parent present) and, if so, which watched paths changed against its first parent.
    /// `own` and the parents' arrays hold the entries at the filter paths, then the watched ones.
    private static func logChanges(
        own: [ObjectID?], first: [ObjectID?]?, others: [[ObjectID?]?], filterCount: Int, watchingCount: Int
    ) -> [Int]? {
        if filterCount > 0 {
            let mine = own[0..<filterCount]
            let listed: Bool
            if others.isEmpty {
                listed = first.map { $0[0..<filterCount] != mine } ?? mine.contains { $0 != nil }
            } else {
                let present = ([first] + others).compactMap { $0 }
                listed = present.isEmpty ? mine.contains { $0 != nil } : present.allSatisfy { $0[0..<filterCount] != mine }
            }
            guard listed else { return nil }
        }
        var changed: [Int] = []
        for index in 0..<watchingCount {
            let slot = filterCount + index
            if own[slot] != first?[slot] { changed.append(index) }
        }
        return changed
    }

    /// ``history(from:hiding:paths:watching:limit:)`` without a limit, on two threads: this one
    /// walks the commits while a second reads each walked commit's trees (the other half of
    /// the object reads, each thread with its own ``ObjectReader``), then the commits are
    /// judged in walk order.
    private func pipelinedHistory(
        from tips: [ObjectID], hiding hidden: [ObjectID], reader: ObjectReader, components: [ArraySlice<[UInt8]>],
        filterCount: Int, watchingCount: Int
    ) throws(GitError) -> [LogItem] {
        let treeReader = try ObjectReader(repository: self)
        let pipeline = LogPipeline()
        var order: [(id: ObjectID, commit: ObjectReader.RawCommit)] = []
        var walkError: GitError?
        let walker = UnsafeTransfer { [self] in
            do throws(GitError) {
                var pending: [ObjectID] = []
                let record = { (id: ObjectID) throws(GitError) -> Bool in
                    guard let commit = reader.commit(id) else { return true }
                    order.append((id, commit))
                    pending.append(commit.tree)
                    if pending.count == 64 {
                        pipeline.publish(pending)
                        pending.removeAll(keepingCapacity: true)
                    }
                    return true
                }
                if hidden.isEmpty {
                    try timeOrderedWalk(from: tips, reader: reader, record)
                } else {
                    try walk(from: tips, hiding: hidden, order: .topological, record)
                }
                pipeline.publish(pending)
            } catch {
                walkError = error
            }
            pipeline.finish()
        }
        var found: [[ObjectID?]] = []
        let treeWork = UnsafeTransfer {
            while let batch = pipeline.take() {
                for tree in batch { found.append(treeReader.entries(in: tree, paths: components)) }
            }
        }
        // The walk is handed out first, so the tree reader never waits on a walk that has not
        // started; with one thread, the walk runs to its end and the reader drains after it.
        let jobs = [walker, treeWork]
        Parallel.forEach(count: 2, workers: 2) { index, _ in jobs[index].body() }
        if let walkError { throw walkError }

        var position: [ObjectID: Int] = [:]
        position.reserveCapacity(order.count)
        for (index, item) in order.enumerated() { position[item.id] = index }
        func entries(_ id: ObjectID) -> [ObjectID?]? {
            if let index = position[id] { return found[index] }
            // A parent outside the walk (hidden, or cut off by a shallow clone).
            guard let commit = reader.commit(id) else { return nil }
            return reader.entries(in: commit.tree, paths: components)
        }
        var out: [LogItem] = []
        for (index, item) in order.enumerated() {
            let first = item.commit.firstParent.flatMap { entries($0) }
            let others = item.commit.otherParents.isEmpty ? [] : item.commit.otherParents.map { entries($0) }
            guard let changed = Self.logChanges(own: found[index], first: first, others: others,
                                                filterCount: filterCount, watchingCount: watchingCount) else { continue }
            let owned = try lookupCommit(item.id)
            out.append(LogItem(commit: commitInfo(owned.raw), changedWatched: changed))
        }
        return out
    }

    /// Newest commit first, parents after all their children when times allow; missing
    /// parents (a shallow clone's cut-off) end the walk there.
    private func timeOrderedWalk(
        from tips: [ObjectID], reader: ObjectReader, _ body: (ObjectID) throws(GitError) -> Bool
    ) throws(GitError) {
        var heap = CommitHeap()
        var seen: Set<ObjectID> = []
        for tip in tips where seen.insert(tip).inserted {
            guard let commit = reader.commit(tip) else {
                throw GitError(kind: .notFound, operation: "walk from \(tip.short())", message: "the commit is missing")
            }
            heap.push(time: commit.time, id: tip)
        }
        func push(_ parent: ObjectID) {
            guard seen.insert(parent).inserted, let parentCommit = reader.commit(parent) else { return }
            heap.push(time: parentCommit.time, id: parent)
        }
        while let id = heap.pop() {
            if try !body(id) { return }
            guard let commit = reader.commit(id) else { continue }
            if let parent = commit.firstParent { push(parent) }
            for parent in commit.otherParents { push(parent) }
        }
    }
}

/// One commit of ``Repository/history(from:hiding:paths:watching:limit:)``.
public struct LogItem: Sendable {
    public let commit: CommitInfo
    /// Indexes into `watching` of the paths this commit changed against its first parent.
    public let changedWatched: [Int]
}

/// A max-heap of commits by time; equal times come out in the order they went in.
struct CommitHeap {
    private var items: [(time: Int64, sequence: Int, id: ObjectID)] = []
    private var sequence = 0

    private func before(_ a: Int, _ b: Int) -> Bool {
        items[a].time != items[b].time ? items[a].time > items[b].time : items[a].sequence < items[b].sequence
    }

    mutating func push(time: Int64, id: ObjectID) {
        items.append((time, sequence, id))
        sequence += 1
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard before(child, parent) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> ObjectID? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast().id
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var best = parent
            if left < items.count, before(left, best) { best = left }
            if right < items.count, before(right, best) { best = right }
            if best == parent { break }
            items.swapAt(parent, best)
            parent = best
        }
        return top
    }
}
