import CLibGit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What ``Repository/syncNotes(remote:reference:resolve:)`` did.
public struct NotesSync: Sendable, Equatable {
    /// The notes commit both sides have afterwards, or `nil` when neither has notes.
    public let tip: ObjectID?
    /// Whether anything was pushed.
    public let pushed: Bool
    /// Fetch–merge–push rounds it took.
    public let rounds: Int
}

/// State the C callbacks of one fetch or push share (through libgit2's payload pointer).
private final class TransferState {
    var credentialAttempts = 0
    var rejection: String?
}

extension Repository {
    /// Fetches `reference` (refs/notes/mlci) from `remote`, merges it with the local one
    /// (notes of different commits are united; two versions of one commit's note go through
    /// `resolve(ours, theirs)`), moves the local reference, and pushes the result — again
    /// until the remote holds a notes commit that contains ours, so concurrent writers never
    /// lose a verdict.
    ///
    /// `remote` is a configured remote's name, a URL or a local path (file://, local paths,
    /// and libgit2's https/ssh transports). Credentials come from the environment only
    /// (`MLCI_GIT_TOKEN`, with `MLCI_GIT_USERNAME` or the URL's user, for https; the SSH agent
    /// for ssh) and are never printed. Not thread-safe (one repository handle).
    public func syncNotes(remote: String, reference: String = Repository.notesReference,
                          resolve: (_ ours: String, _ theirs: String) -> String) throws(GitError) -> NotesSync {
        let tracking = "refs/mlci/sync/notes"
        for round in 1...30 {
            let theirs = try fetch(remote: remote, source: reference, destination: tracking)
            let ours = try referenceTarget(reference)
            var merged: ObjectID?
            let lock = AdvisoryLock(path: commonDirectory + "/mlci-notes.lock")
            do {
                defer { lock.release() }
                merged = try mergeNotes(ours: ours, theirs: theirs, reference: reference, resolve: resolve)
            }
            guard let merged else { return NotesSync(tip: nil, pushed: false, rounds: round) }
            if merged == theirs { return NotesSync(tip: merged, pushed: round > 1, rounds: round) }
            let rejection = try push(remote: remote, refspec: "\(reference):\(reference)")
            if rejection == nil, let after = try fetch(remote: remote, source: reference, destination: tracking) {
                let contains = after == merged ? true : try isAncestor(merged, of: after)
                if contains { return NotesSync(tip: after, pushed: true, rounds: round) }
            }
            // Another writer moved the remote notes in between: merge theirs again.
            usleep(UInt32(min(round, 10)) * 20_000 + UInt32.random(in: 0...50_000))
        }
        throw GitError(kind: .concurrentUpdate, operation: "push \(reference) to \(Self.displayRemote(remote))",
                       message: "the remote kept moving; try again")
    }

    /// The commit `reference` points at, or `nil`.
    func referenceTarget(_ reference: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, pointer, reference)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read \(reference)")
        return ObjectID(oid)
    }

    /// Merges two notes histories and moves `reference` from `ours` to the result
    /// (compare-and-swap). Returns the result.
    private func mergeNotes(ours: ObjectID?, theirs: ObjectID?, reference: String,
                            resolve: (String, String) -> String) throws(GitError) -> ObjectID? {
        guard let theirs else { return ours }
        guard let ours else {
            try moveReference(reference, to: theirs, from: nil)
            return theirs
        }
        if ours == theirs { return ours }
        if try isAncestor(theirs, of: ours) { return ours }
        if try isAncestor(ours, of: theirs) {
            try moveReference(reference, to: theirs, from: ours)
            return theirs
        }
        let signature = try defaultSignature()
        let mine = try notes(atCommit: ours)
        let other = try notes(atCommit: theirs)
        var tip = theirs
        for target in mine.keys.sorted(by: { $0.hex < $1.hex }) {
            let text = mine[target]!
            let wanted = other[target].map { resolve(text, $0) } ?? text
            if wanted == other[target] { continue }
            let parent = try lookupCommit(tip)
            var newCommit = git_oid()
            var newBlob = git_oid()
            var annotated = target.raw
            try check(git_note_commit_create(&newCommit, &newBlob, pointer, parent.raw, signature.raw, signature.raw, &annotated, wanted, 1),
                      "merge the note of \(target.short())")
            tip = ObjectID(newCommit)
        }
        // A merge commit keeps both histories: its tree is the united notes.
        let united = try commit(tip).tree
        var treeOID = united.raw
        var treeRaw: OpaquePointer?
        try check(git_tree_lookup(&treeRaw, pointer, &treeOID), "read the merged notes tree")
        let tree = OwnedTree(treeRaw!)
        let left = try lookupCommit(ours)
        let right = try lookupCommit(tip)
        var parents: [OpaquePointer?] = [left.raw, right.raw]
        var mergeCommit = git_oid()
        try check(git_commit_create(&mergeCommit, pointer, nil, signature.raw, signature.raw, nil, "mlci: merge notes", tree.raw, 2, &parents),
                  "write the notes merge")
        let merged = ObjectID(mergeCommit)
        try moveReference(reference, to: merged, from: ours)
        return merged
    }

    private func moveReference(_ reference: String, to new: ObjectID, from old: ObjectID?) throws(GitError) {
        var target = new.raw
        var refRaw: OpaquePointer?
        let result: Int32
        if var expected = old?.raw {
            result = git_reference_create_matching(&refRaw, pointer, reference, &target, 1, &expected, "mlci: sync notes")
        } else {
            result = git_reference_create(&refRaw, pointer, reference, &target, 0, "mlci: sync notes")
        }
        try check(result, "update \(reference)")
        git_reference_free(refRaw)
    }

    /// The notes of a notes commit, keyed by annotated object.
    func notes(atCommit tip: ObjectID) throws(GitError) -> [ObjectID: String] {
        var out: [ObjectID: String] = [:]
        for entry in try files(at: tip) {
            guard let target = ObjectID(hex: entry.path.replacingSlashes()) else { continue }
            try withBlob(entry.id) { bytes in out[target] = String(decoding: bytes, as: UTF8.self) }
        }
        return out
    }

    /// Fetches `source` from `remote` into `destination` (forced); returns what it points at,
    /// or `nil` when the remote has no such reference.
    func fetch(remote: String, source: String, destination: String) throws(GitError) -> ObjectID? {
        git_reference_remove(pointer, destination)
        let handle = try openRemote(remote)
        defer { git_remote_free(handle) }
        let state = TransferState()
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        options.callbacks.credentials = credentialsCallback
        options.callbacks.payload = Unmanaged.passUnretained(state).toOpaque()
        let result = Self.withStringArray(["+\(source):\(destination)"]) { array in git_remote_fetch(handle, &array, &options, "mlci: fetch notes") }
        withExtendedLifetime(state) {}
        try check(result, "fetch \(source) from \(Self.displayRemote(remote))")
        return try referenceTarget(destination)
    }

    /// Pushes `refspec` (not forced); returns the remote's or libgit2's reason when the
    /// update was refused (not a fast-forward), `nil` when it landed.
    func push(remote: String, refspec: String) throws(GitError) -> String? {
        let handle = try openRemote(remote)
        defer { git_remote_free(handle) }
        let state = TransferState()
        var options = git_push_options()
        git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION))
        options.callbacks.credentials = credentialsCallback
        options.callbacks.push_update_reference = { _, status, payload in
            if let status, let payload {
                Unmanaged<TransferState>.fromOpaque(payload).takeUnretainedValue().rejection = String(cString: status)
            }
            return 0
        }
        options.callbacks.payload = Unmanaged.passUnretained(state).toOpaque()
        let result = Self.withStringArray([refspec]) { array in git_remote_push(handle, &array, &options) }
        withExtendedLifetime(state) {}
        if result == GIT_ENONFASTFORWARD.rawValue || result == GIT_EMODIFIED.rawValue { return "not a fast-forward" }
        try check(result, "push \(refspec) to \(Self.displayRemote(remote))")
        return state.rejection
    }

    private func openRemote(_ remote: String) throws(GitError) -> OpaquePointer {
        var raw: OpaquePointer?
        if git_remote_lookup(&raw, pointer, remote) == 0, let raw { return raw }
        guard remote.contains("/") || remote.contains(":") else {
            throw GitError(kind: .notFound, operation: "open the remote '\(remote)'", message: "no such remote; give its name, URL or path")
        }
        try check(git_remote_create_anonymous(&raw, pointer, remote), "open the remote \(Self.displayRemote(remote))")
        return raw!
    }

    /// A remote for messages: a URL without its user and password.
    static func displayRemote(_ remote: String) -> String {
        guard let scheme = remote.firstRange(of: "://"), let at = remote[scheme.upperBound...].firstIndex(of: "@") else { return remote }
        return String(remote[..<scheme.upperBound]) + String(remote[remote.index(after: at)...])
    }

    static func withStringArray<T>(_ strings: [String], _ body: (inout git_strarray) -> T) -> T {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return body(&array)
        }
    }
}

/// libgit2's credential callback: one attempt, from the environment only.
private let credentialsCallback: git_credential_acquire_cb = { out, _, usernameFromURL, allowed, payload in
    guard let payload else { return -1 }
    let state = Unmanaged<TransferState>.fromOpaque(payload).takeUnretainedValue()
    state.credentialAttempts += 1
    guard state.credentialAttempts == 1 else { return -1 }  // refused once: do not loop
    if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = getenv("MLCI_GIT_TOKEN") {
        let user = getenv("MLCI_GIT_USERNAME").map { String(cString: $0) } ?? usernameFromURL.map { String(cString: $0) } ?? "x-access-token"
        return git_credential_userpass_plaintext_new(out, user, token)
    }
    if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
        if let usernameFromURL { return git_credential_ssh_key_from_agent(out, usernameFromURL) }
        return git_credential_ssh_key_from_agent(out, "git")
    }
    return GIT_PASSTHROUGH.rawValue
}
