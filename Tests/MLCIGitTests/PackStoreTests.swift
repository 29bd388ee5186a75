import Foundation
@testable import MLCIGit
import MLCITestSupport
import Testing

/// mlci's own pack reader (history walks read commits and trees through it) against
/// `git cat-file --batch`, on packs git writes with offset deltas, with reference deltas and
/// in several packs, over fresh random histories.
@Suite struct PackStoreTests {
    /// A random history: files in nested folders edited, added, renamed and deleted over
    /// `commits` commits, so that git's packs hold long delta chains of trees and blobs.
    func randomHistory(commits: Int) throws -> GitSandbox {
        let sandbox = try GitSandbox()
        var random = SystemRandomNumberGenerator()
        var files: [String: [String]] = [:]
        let folders = ["", "data/", "data/raw/", "src/", "src/model/", "docs/"]
        for number in 0..<commits {
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let path = files.keys.randomElement(using: &random).flatMap { Bool.random(using: &random) ? $0 : nil }
                    ?? folders.randomElement(using: &random)! + "f\(Int.random(in: 0..<40, using: &random)).txt"
                var lines = files[path] ?? (0..<Int.random(in: 5...200, using: &random)).map { "line \($0) \(UInt64.random(in: 0...UInt64.max, using: &random))" }
                let edits = Int.random(in: 1...5, using: &random)
                for _ in 0..<edits where !lines.isEmpty {
                    lines[Int.random(in: 0..<lines.count, using: &random)] = "edit \(number) \(UInt32.random(in: 0...UInt32.max, using: &random))"
                }
                if Int.random(in: 0..<10, using: &random) == 0, files.count > 3, let gone = files.keys.randomElement(using: &random) {
                    try sandbox.remove(gone)
                    files[gone] = nil
                    continue
                }
                files[path] = lines
                try sandbox.write(path, lines.joined(separator: "\n") + "\n")
            }
            if number % 17 == 5 {  // a binary blob now and then
                try sandbox.write("models/m\(number % 3).bin", bytes: (0..<Int.random(in: 0...70_000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            }
            try sandbox.commit("commit \(number)")
        }
        return sandbox
    }

    /// Every object git lists: its id, type and content as `git cat-file --batch` prints them.
    func gitObjects(_ sandbox: GitSandbox) throws -> [(id: String, type: String, bytes: [UInt8])] {
        let ids = try sandbox.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname)").split(separator: "\n").map(String.init)
        var out: [(String, String, [UInt8])] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let result = try ProcessRunner.run("git", ["cat-file", "--batch"], in: sandbox.root, environment: sandbox.environment(),
                                               input: Array((chunk.joined(separator: "\n") + "\n").utf8))
            let bytes = result.stdoutBytes
            var at = 0
            while at < bytes.count {
                let lineEnd = bytes[at...].firstIndex(of: 0x0A)!
                let fields = String(decoding: bytes[at..<lineEnd], as: UTF8.self).split(separator: " ")
                let size = Int(fields[2])!
                out.append((String(fields[0]), String(fields[1]), Array(bytes[lineEnd + 1..<lineEnd + 1 + size])))
                at = lineEnd + 1 + size + 1
            }
        }
        return out
    }

    /// The ids of the objects in the repository's packs (`git show-index` reads each index).
    func packedIDs(_ sandbox: GitSandbox) throws -> Set<String> {
        let pack = sandbox.root + "/.git/objects/pack"
        var ids: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: pack) where name.hasSuffix(".idx") {
            let result = try ProcessRunner.run("git", ["show-index"], in: sandbox.root, environment: sandbox.environment(),
                                               input: Array(try Data(contentsOf: URL(fileURLWithPath: pack + "/" + name))))
            for line in result.stdout.split(separator: "\n") { ids.insert(String(line.split(separator: " ")[1])) }
        }
        return ids
    }

    func expectPackStoreAgreesWithGit(_ sandbox: GitSandbox, _ label: String) throws {
        let objects = try gitObjects(sandbox)
        let packed = try packedIDs(sandbox)
        let store = try #require(PackStore(objectsDirectory: sandbox.root + "/.git/objects"), "\(label): no pack read")
        var read = 0
        for object in objects {
            let found = store.read(ObjectID(hex: object.id)!)
            if packed.contains(object.id) {
                guard let found else { Issue.record("\(label): \(object.type) \(object.id) is packed but not read"); continue }
                #expect("\(found.kind)" == object.type, "\(label): \(object.id)")
                #expect(found.bytes == object.bytes, "\(label): \(object.type) \(object.id) differs from git cat-file")
                read += 1
            } else {
                #expect(found == nil, "\(label): loose \(object.id) read from a pack")
            }
        }
        #expect(read == packed.count && read > 300, "\(label): \(read) of \(packed.count) packed objects read")
    }

    @Test func everyPackedObjectReadsAsGitCatFilePrintsIt() throws {
        let sandbox = try randomHistory(commits: 120)
        // Offset deltas, long chains (git gc --aggressive: depth 50, window 250).
        try sandbox.git("gc", "--aggressive", "--quiet")
        try expectPackStoreAgreesWithGit(sandbox, "gc --aggressive")
        // Reference deltas in one pack rewritten from scratch.
        try sandbox.git("-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "--depth=20", "--quiet")
        try expectPackStoreAgreesWithGit(sandbox, "repack.useDeltaBaseOffset=false")
        // More commits: some loose objects, then a second pack beside the first.
        for number in 0..<5 {
            try sandbox.write("late/\(number).txt", "late \(number)\n")
            try sandbox.commit("late \(number)")
        }
        try expectPackStoreAgreesWithGit(sandbox, "with loose objects")
        try sandbox.git("repack", "-d", "--quiet")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.root + "/.git/objects/pack").filter { $0.hasSuffix(".idx") }.count == 2)
        try expectPackStoreAgreesWithGit(sandbox, "two packs")
        // The walk reads through it: a path-limited log still agrees with git log.
        let repository = try Repository.open(at: sandbox.root)
        for path in ["data", "src/model", "models", "late"] {
            let ours = try repository.log(from: [repository.resolve("HEAD")], paths: [path]).map(\.id.hex)
            let theirs = try sandbox.git("log", "--format=%H", "--", path).split(separator: "\n").map(String.init)
            #expect(ours == theirs, "git log -- \(path)")
            let range = try repository.log(from: [repository.resolve("HEAD")], hiding: [repository.resolve("HEAD~60")], paths: [path]).map(\.id.hex)
            #expect(range == (try sandbox.git("log", "--format=%H", "HEAD~60..HEAD", "--", path).split(separator: "\n").map(String.init)),
                    "git log HEAD~60..HEAD -- \(path)")
        }
    }

    /// A pack with one byte flipped, forty times: no object reads as anything but its true content
    /// (zlib's Adler-32 and the declared sizes catch the damage; the caller then asks libgit2).
    @Test func aDamagedPackNeverYieldsWrongBytes() throws {
        let sandbox = try randomHistory(commits: 40)
        try sandbox.git("gc", "--aggressive", "--quiet")
        let objects = try gitObjects(sandbox)
        let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: sandbox.root + "/.git/objects/pack").first { $0.hasSuffix(".pack") })
        let path = sandbox.root + "/.git/objects/pack/" + pack
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var refused = 0
        for _ in 0..<40 {
            var damaged = original
            let at = Int.random(in: 12..<(original.count - 20))
            damaged[at] ^= UInt8(1 << Int.random(in: 0..<8))
            try FileManager.default.removeItem(atPath: path)  // git writes packs read-only
            try damaged.write(to: URL(fileURLWithPath: path))
            guard let store = PackStore(objectsDirectory: sandbox.root + "/.git/objects") else { refused += 1; continue }
            for object in objects {
                guard let found = store.read(ObjectID(hex: object.id)!) else { refused += 1; continue }
                // (A flipped type bit can rename a whole object's kind, as it would for git and
                // libgit2, which do not hash what they read either; the bytes stay the object's.)
                #expect(found.bytes == object.bytes, "byte \(at) flipped: \(object.type) \(object.id) read as other bytes")
            }
        }
        #expect(refused > 0)
    }

    /// A hand-made pack whose one entry claims 2 GiB: refused before any buffer is made
    /// (libgit2 then decides), while the same entry with its true size reads.
    @Test func anEntryClaimingAHugeSizeIsLeftToLibgit2() throws {
        let sandbox = try GitSandbox()
        let content = Array("hello\n".utf8)
        let file = sandbox.root + "/hello.txt"
        try Data(content).write(to: URL(fileURLWithPath: file))
        let hex = try sandbox.git("hash-object", "hello.txt")
        let objectID = try #require(ObjectID(hex: hex))
        // zlib stream of "hello\n" (zlib.compress(b"hello\n")).
        let stream: [UInt8] = [0x78, 0x9C, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0xE7, 0x02, 0x00, 0x08, 0x4B, 0x02, 0x1F]
        func pack(header: [UInt8]) -> [UInt8] {
            Array("PACK".utf8) + [0, 0, 0, 2, 0, 0, 0, 1] + header + stream + [UInt8](repeating: 0, count: 20)
        }
        func index() -> [UInt8] {
            var out: [UInt8] = [0xFF, 0x74, 0x4F, 0x63, 0, 0, 0, 2]
            let first = Int(objectID.hex.prefix(2), radix: 16)!
            for slot in 0..<256 { out += [0, 0, 0, slot >= first ? 1 : 0] }
            out += stride(from: 0, to: 40, by: 2).map { UInt8(objectID.hex.dropFirst($0).prefix(2), radix: 16)! }
            out += [0, 0, 0, 0]  // crc
            out += [0, 0, 0, 12]  // offset
            return out + [UInt8](repeating: 0, count: 40)
        }
        let directory = sandbox.base + "/objects"
        try FileManager.default.createDirectory(atPath: directory + "/pack", withIntermediateDirectories: true)
        try Data(index()).write(to: URL(fileURLWithPath: directory + "/pack/pack-x.idx"))
        // blob (type 3), size 6: one header byte.
        try Data(pack(header: [0x36])).write(to: URL(fileURLWithPath: directory + "/pack/pack-x.pack"))
        let honest = try #require(PackStore(objectsDirectory: directory))
        #expect(honest.read(objectID)?.bytes == content)
        // The same entry claiming 2 GiB (2^31, a five-byte size): more than 14 bytes of deflate
        // can hold, so no buffer of that size is asked for.
        try Data(pack(header: [0xB0, 0x80, 0x80, 0x80, 0x40])).write(to: URL(fileURLWithPath: directory + "/pack/pack-x.pack"))
        let lying = try #require(PackStore(objectsDirectory: directory))
        #expect(lying.read(objectID) == nil)
    }
}
