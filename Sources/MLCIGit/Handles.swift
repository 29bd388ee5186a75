import CLibGit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Unique owners of libgit2 handles. Every opaque libgit2 type imports as the same
// `OpaquePointer`, so each kind gets its own owner type: the compiler then stops a tree
// from being freed as a commit. Each frees its handle exactly once, even on throw.
// None of these leave this module.

struct OwnedCommit: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_commit_free(raw) }
}

struct OwnedTree: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_tree_free(raw) }
}

struct OwnedTreeEntry: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_tree_entry_free(raw) }
}

struct OwnedBlob: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_blob_free(raw) }
}

struct OwnedObject: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_object_free(raw) }
}

struct OwnedDiff: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_diff_free(raw) }
}

struct OwnedRevwalk: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_revwalk_free(raw) }
}

struct OwnedReference: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_reference_free(raw) }
}

struct OwnedNote: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_note_free(raw) }
}

struct OwnedSignature: ~Copyable {
    let raw: UnsafeMutablePointer<git_signature>
    init(_ raw: UnsafeMutablePointer<git_signature>) { self.raw = raw }
    deinit { git_signature_free(raw) }
}

struct OwnedStatusList: ~Copyable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { git_status_list_free(raw) }
}

/// Runs `body` with a `git_strarray` whose strings live exactly as long as the call.
func withStrArray<T>(_ strings: [String], _ body: (inout git_strarray) throws -> T) rethrows -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for p in pointers { free(p) } }
    return try pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return try body(&array)
    }
}
