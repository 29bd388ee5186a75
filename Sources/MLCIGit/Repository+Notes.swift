import CLibGit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Repository {
    /// The default notes reference for mlci's ledger.
    public static let notesReference = "refs/notes/mlci"

    /// The note attached to `commit` on `reference`, or `nil` if there is none.
    public func note(for commit: ObjectID, reference: String = Repository.notesReference) throws(GitError) -> String? {
        var raw: OpaquePointer?
        var oid = commit.raw
        let result = git_note_read(&raw, pointer, reference, &oid)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read the note of \(commit.short()) on \(reference)")
        let note = OwnedNote(raw!)
        return git_note_message(note.raw).map { String(cString: $0) }
    }

    /// All notes on `reference`, keyed by the annotated commit.
    public func notes(reference: String = Repository.notesReference) throws(GitError) -> [ObjectID: String] {
        var tip = git_oid()
        let result = git_reference_name_to_id(&tip, pointer, reference)
        if result == GIT_ENOTFOUND.rawValue { return [:] }
        try check(result, "read \(reference)")
        var out: [ObjectID: String] = [:]
        for entry in try files(at: ObjectID(tip)) {
            // Notes trees may fan out (ab/cdef…); the annotated id is the path without slashes.
            let hex = entry.path.replacingSlashes()
            guard let target = ObjectID(hex: hex) else { continue }
            try withBlob(entry.id) { bytes in out[target] = String(decoding: bytes, as: UTF8.self) }
        }
        return out
    }

    /// Reads, transforms and writes the note of `commit` as one atomic update of `reference`.
    ///
    /// The notes reference is moved with a compare-and-swap: if another writer (another
    /// process, or another `Repository` in this one) moved it in between, the update is
    /// retried on top of the new tip with the note as that writer left it, so no writer's
    /// note is ever lost. `transform` may therefore run more than once; it receives the
    /// current note (or `nil`) and returns the new text, or `nil` to leave the note as it is.
    ///
    /// - Returns: whether a new notes commit was written.
    @discardableResult
    public func updateNote(
        for commit: ObjectID, reference: String = Repository.notesReference, message: String = "mlci: record note",
        _ transform: (String?) throws -> String?
    ) throws -> Bool {
        let signature = try defaultSignature()
        // mlci's writers (processes, worktrees, threads) take turns on an advisory lock in the
        // common git directory, so read-modify-write never interleaves; the compare-and-swap
        // below still guards against other writers (git notes) that do not take it.
        let lock = AdvisoryLock(path: commonDirectory + "/mlci-notes.lock")
        defer { lock.release() }
        var attempt = 0
        while true {
            attempt += 1
            var tip = git_oid()
            let lookup = git_reference_name_to_id(&tip, pointer, reference)
            let hasTip = lookup == 0
            if !hasTip && lookup != GIT_ENOTFOUND.rawValue { try check(lookup, "read \(reference)") }
            var parent: OwnedCommit? = nil
            var current: String? = nil
            if hasTip {
                let parentCommit = try lookupCommit(ObjectID(tip))
                var noteRaw: OpaquePointer?
                var target = commit.raw
                let read = git_note_commit_read(&noteRaw, pointer, parentCommit.raw, &target)
                if read == 0, let noteRaw {
                    let note = OwnedNote(noteRaw)
                    current = git_note_message(note.raw).map { String(cString: $0) }
                } else if read != GIT_ENOTFOUND.rawValue {
                    try check(read, "read the note of \(commit.short())")
                }
                parent = consume parentCommit
            }
            guard let text = try transform(current), text != current else { return false }
            var newCommit = git_oid()
            var newBlob = git_oid()
            var target = commit.raw
            try check(
                git_note_commit_create(&newCommit, &newBlob, pointer, parent?.raw, signature.raw, signature.raw,
                                       &target, text, 1),
                "write the note of \(commit.short())")
            var refRaw: OpaquePointer?
            let update: Int32
            if hasTip {
                update = git_reference_create_matching(&refRaw, pointer, reference, &newCommit, 1, &tip, message)
            } else {
                update = git_reference_create(&refRaw, pointer, reference, &newCommit, 0, message)
            }
            if update == 0 {
                git_reference_free(refRaw)
                return true
            }
            let error = GitError.last(code: update, operation: "update \(reference)")
            guard error.kind == .concurrentUpdate || update == GIT_ELOCKED.rawValue, attempt < 200 else { throw error }
            // Another writer holds or moved the reference: back off a little, with jitter.
            usleep(UInt32(min(attempt, 20)) * 500 + UInt32.random(in: 0...2_000))
        }
    }

    /// `name <email>` of the identity mlci writes commits as.
    public func identity() throws(GitError) -> String {
        let signature = try defaultSignature()
        return "\(String(cString: signature.raw.pointee.name)) <\(String(cString: signature.raw.pointee.email))>"
    }

    /// The identity for commits mlci writes: the repository's `user.name`/`user.email`, or
    /// `mlci <mlci@localhost>` when they are unset (typical on CI runners).
    ///
    /// - Throws: ``GitError`` when `user.name` or `user.email` holds a control character, `<`
    ///   or `>`, or is longer than 256 bytes: such an identity would corrupt the commit header
    ///   (`git fsck` fails), so nothing is written with it.
    func defaultSignature() throws(GitError) -> OwnedSignature {
        // libgit2 hands values over as C strings, cut at a NUL: look at the files themselves.
        for file in configFiles() where Self.fileHoldsNUL(file) {
            throw GitError(kind: .other, operation: "read the identity to write commits as",
                           message: "the git config file \(file) holds a NUL byte, so user.name and user.email cannot be trusted; fix the file")
        }
        for key in ["user.name", "user.email"] {
            if let value = configString(key), let why = Self.identityProblem(value) {
                throw GitError(kind: .other, operation: "write a commit as \(key) '\(Self.visible(value))'",
                               message: "\(key) \(why); fix it with git config \(key) NEW-VALUE (no newlines, control characters, < or >)")
            }
        }
        var raw: UnsafeMutablePointer<git_signature>?
        if git_signature_default(&raw, pointer) == 0, let raw { return OwnedSignature(raw) }
        try check(git_signature_now(&raw, "mlci", "mlci@localhost"), "make a commit signature")
        return OwnedSignature(raw!)
    }

    /// The config files git reads identities from: the repository's, the global ones.
    func configFiles() -> [String] {
        var files = [commonDirectory + "/config"]
        if let global = getenv("GIT_CONFIG_GLOBAL") {
            files.append(String(cString: global))
        } else if let home = getenv("HOME") {
            files.append(String(cString: home) + "/.gitconfig")
            files.append(getenv("XDG_CONFIG_HOME").map { String(cString: $0) + "/git/config" } ?? String(cString: home) + "/.config/git/config")
        }
        return files
    }

    static func fileHoldsNUL(_ path: String) -> Bool {
        guard let file = fopen(path, "rb") else { return false }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { return false }
            if buffer[..<count].contains(0) { return true }
        }
    }

    /// Why `value` cannot be a name or email in a commit header, or `nil` when it can.
    public static func identityProblem(_ value: String) -> String? {
        if value.utf8.count > 256 { return "is longer than 256 bytes" }
        for scalar in value.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value) {
                return "holds the control character U+\(String(scalar.value, radix: 16, uppercase: true))"
            }
            if scalar == "<" || scalar == ">" { return "holds '\(scalar)', which delimits the email in a commit" }
        }
        return nil
    }

    static func visible(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars.prefix(60) {
            if scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return value.unicodeScalars.count > 60 ? out + "…" : out
    }

    /// Checks the identity mlci would write commits and notes as, before any work is done.
    public func requireValidIdentity() throws(GitError) { _ = try defaultSignature() }
}

extension String {
    func replacingSlashes() -> String { String(self.filter { $0 != "/" }) }
}
