import CLibGit2

/// Reads commits and trees straight from the pack files (``PackStore``), else through
/// libgit2's object database, and parses only what history walks need (tree, parents, commit
/// time; one entry of a tree), without libgit2's full object parsing. Each commit is read
/// once per walk.
///
/// Owned by one walk on one thread; borrows the repository's handle.
final class ObjectReader {
    /// What a walk needs of a commit.
    struct RawCommit {
        let tree: ObjectID
        /// The first parent, if any; further parents (merges only) in `otherParents`, so that
        /// the common single-parent commit allocates nothing.
        let firstParent: ObjectID?
        let otherParents: [ObjectID]
        let time: Int64

        var parents: [ObjectID] { firstParent.map { [$0] + otherParents } ?? [] }
    }

    private let odb: OpaquePointer
    /// The pack files read directly; what they do not hold is read through libgit2.
    private let packs: PackStore?
    private var commits: [ObjectID: RawCommit] = [:]

    init(repository: Repository) throws(GitError) {
        var raw: OpaquePointer?
        try check(git_repository_odb(&raw, repository.pointer), "open the object database")
        odb = raw!
        packs = PackStore(objectsDirectory: repository.commonDirectory + "/objects")
    }

    deinit { git_odb_free(odb) }

    /// The commit `id`, or `nil` when the object is missing (beyond a shallow clone's cut-off).
    func commit(_ id: ObjectID) -> RawCommit? {
        if let cached = commits[id] { return cached }
        guard let parsed = withObject(id, { bytes in Self.parseCommit(bytes) }) ?? nil else { return nil }
        commits[id] = parsed
        return parsed
    }

    /// The ids of the entries at several paths (split into components) below tree `tree`,
    /// `nil` where absent. Each tree on the way is read once for all the paths through it.
    func entries(in tree: ObjectID, paths: [ArraySlice<[UInt8]>]) -> [ObjectID?] {
        var out = [ObjectID?](repeating: nil, count: paths.count)
        var deeper: [[UInt8]: [Int]] = [:]
        let found: Void? = withObject(tree) { bytes in
            for (index, path) in paths.enumerated() {
                guard let first = path.first else { out[index] = tree; continue }
                guard let (id, isTree) = Self.findEntry(bytes, name: first) else { continue }
                if path.count == 1 {
                    out[index] = id
                } else if isTree {
                    out[index] = id  // provisional: the subtree, resolved below
                    deeper[first, default: []].append(index)
                }
            }
        }
        guard found != nil else { return out }
        for (_, indexes) in deeper {
            guard let subtree = out[indexes[0]] else { continue }
            let resolved = entries(in: subtree, paths: indexes.map { paths[$0].dropFirst() })
            for (slot, index) in indexes.enumerated() { out[index] = resolved[slot] }
        }
        return out
    }

    private func withObject<T>(_ id: ObjectID, _ body: (UnsafeRawBufferPointer) -> T) -> T? {
        if let found = packs?.read(id) { return found.bytes.withUnsafeBytes(body) }
        var oid = id.raw
        var object: OpaquePointer?
        guard git_odb_read(&object, odb, &oid) == 0, let object else { return nil }
        defer { git_odb_object_free(object) }
        return body(UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object)))
    }

    /// Parses `tree <hex>`, `parent <hex>`… and the committer's time from a commit's header.
    static func parseCommit(_ bytes: UnsafeRawBufferPointer) -> RawCommit? {
        var tree: ObjectID?
        var firstParent: ObjectID?
        var otherParents: [ObjectID] = []
        var time: Int64 = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            if end == start { break }  // the blank line before the message
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if line.starts(with: Self.treePrefix), line.count == 45 {
                tree = hexID(UnsafeRawBufferPointer(rebasing: line[5...]))
            } else if line.starts(with: Self.parentPrefix), line.count == 47, let parent = hexID(UnsafeRawBufferPointer(rebasing: line[7...])) {
                if firstParent == nil { firstParent = parent } else { otherParents.append(parent) }
            } else if line.starts(with: Self.committerPrefix) {
                // "committer Name <email> 1700000000 +0000": the second-to-last field.
                var fieldEnd = line.count
                while fieldEnd > 0, line[fieldEnd - 1] != 0x20 { fieldEnd -= 1 }
                var fieldStart = fieldEnd - 1
                while fieldStart > 0, line[fieldStart - 1] != 0x20 { fieldStart -= 1 }
                var value: Int64 = 0
                for index in fieldStart..<max(fieldStart, fieldEnd - 1) where (0x30...0x39).contains(line[index]) {
                    value = value * 10 + Int64(line[index] - 0x30)
                }
                time = value
            }
            start = end + 1
        }
        guard let tree else { return nil }
        return RawCommit(tree: tree, firstParent: firstParent, otherParents: otherParents, time: time)
    }

    /// Finds `name` in a raw tree (`<mode> <name>\0<20-byte id>` entries).
    static func findEntry(_ bytes: UnsafeRawBufferPointer, name: [UInt8]) -> (ObjectID, Bool)? {
        var index = 0
        while index < bytes.count {
            let modeStart = index
            while index < bytes.count, bytes[index] != 0x20 { index += 1 }
            let isTree = index - modeStart == 5 && bytes[modeStart] == 0x34  // "40000"
            index += 1
            let nameStart = index
            while index < bytes.count, bytes[index] != 0 { index += 1 }
            let nameEnd = index
            index += 1
            guard index + 20 <= bytes.count else { return nil }
            if nameEnd - nameStart == name.count,
               name.withUnsafeBytes({ UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]).elementsEqual($0) }) {
                var oid = git_oid()
                withUnsafeMutableBytes(of: &oid.id) { target in
                    target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[index..<index + 20]))
                }
                return (ObjectID(oid), isTree)
            }
            index += 20
        }
        return nil
    }

    static func hexID(_ hex: UnsafeRawBufferPointer) -> ObjectID? {
        guard hex.count == 40 else { return nil }
        var oid = git_oid()
        let ok = hex.withMemoryRebound(to: CChar.self) { chars in git_oid_fromstrn(&oid, chars.baseAddress, 40) == 0 }
        return ok ? ObjectID(oid) : nil
    }

    static let treePrefix: [UInt8] = Array("tree ".utf8)
    static let parentPrefix: [UInt8] = Array("parent ".utf8)
    static let committerPrefix: [UInt8] = Array("committer ".utf8)
}
