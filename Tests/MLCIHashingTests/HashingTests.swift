import Foundation
import MLCIHashing
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct FileHashingTests {
    func coreutils(_ tool: String, _ path: String) throws -> String {
        let result = try ProcessRunner.run(tool, [path])
        #expect(result.status == 0)
        return String(result.stdout.prefix(while: { $0 != " " }))
    }

    @Test(arguments: [0, 1, 1 << 20, (1 << 20) + 17, 3 * (1 << 20) + 5])
    func fileDigestsEqualSha256sumAndMd5sum(size: Int) throws {
        let sandbox = try GitSandbox(initialize: false)
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try sandbox.write("blob.bin", bytes: bytes)
        let path = sandbox.root + "/blob.bin"
        let digests = try FileHasher().hash(file: path, algorithms: [.sha256, .md5])
        #expect(digests.sha256 == (try coreutils("sha256sum", path)))
        #expect(digests.md5 == (try coreutils("md5sum", path)))
        #expect(digests.size == Int64(size))
        #expect(FileHasher.hash(bytes: bytes, algorithms: [.sha256]).sha256 == digests.sha256)
    }

    @Test func dos2unixMd5ConvertsCRLFOnlyInTextChunks() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("crlf.txt", "a,b\r\n1,2\r\n")
        try sandbox.write("lf.txt", "a,b\n1,2\n")
        try sandbox.write("binary.bin", bytes: [0, 13, 10, 1, 2, 3])
        let hasher = FileHasher()
        let crlf = try hasher.hash(file: sandbox.root + "/crlf.txt", algorithms: [.md5, .md5Dos2Unix])
        let lf = try hasher.hash(file: sandbox.root + "/lf.txt", algorithms: [.md5])
        #expect(crlf.md5Dos2Unix == lf.md5)
        #expect(crlf.md5 != lf.md5)
        let binary = try hasher.hash(file: sandbox.root + "/binary.bin", algorithms: [.md5, .md5Dos2Unix])
        #expect(binary.md5Dos2Unix == binary.md5)
    }

    @Test func unreadableAndMissingFilesAreNamedInTheError() throws {
        let sandbox = try GitSandbox(initialize: false)
        let error = #expect(throws: InputError.self) {
            try FileHasher().hash(file: sandbox.root + "/nope.csv", algorithms: [.sha256], display: "data/nope.csv")
        }
        #expect(error?.description == "error: data/nope.csv: no such file or directory")
    }
}

@Suite struct DirectoryHashingTests {
    /// The tree from DVC's own documentation of the `.dir` recipe, with its verified hash.
    func dvcSample() throws -> GitSandbox {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("images/a.txt", "cat")
        try sandbox.write("images/sub/b.txt", "dog\n")
        try sandbox.write("images/z.bin", bytes: [0, 1, 2] + Array("binary".utf8))
        return sandbox
    }

    @Test func directoryHashEqualsDVCsDirHash() throws {
        let sandbox = try dvcSample()
        let hasher = ContentHasher(root: sandbox.root, cachePath: nil)
        let digests = try #require(try hasher.hash("images", algorithms: [.md5, .sha256]))
        #expect(digests.dvcHash() == "57729badc25d62bf9e396d60aaac7167.dir")
        #expect(digests.size == 16)
        #expect(digests.fileCount == 3)
    }

    @Test func directorySha256EqualsTheCoreutilsRecipe() throws {
        let sandbox = try dvcSample()
        let hasher = ContentHasher(root: sandbox.root, cachePath: nil)
        let digests = try #require(try hasher.hash("images", algorithms: [.sha256]))
        let recipe = try ProcessRunner.run(
            "sh", ["-c", "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum"],
            in: sandbox.root + "/images")
        #expect(digests.sha256 == String(recipe.stdout.prefix(64)) + ".dir")
    }

    @Test func filesAreOrderedByCodePointNotByNormalisedString() throws {
        let sandbox = try GitSandbox(initialize: false)
        let names = ["B.txt", "Zed/ü 1.txt", "a-b.txt", "a.txt", "a/b.txt", "é.txt", "😀.txt"]
        for name in names.reversed() { try sandbox.write("d/" + name, name) }
        let hasher = ContentHasher(root: sandbox.root, cachePath: nil)
        guard case .directory(let digests)? = try hasher.hash("d", algorithms: [.md5]) else {
            Issue.record("not a directory"); return
        }
        #expect(digests.files.map(\.path) == names)
        #expect(digests.dvcListing()?.contains("\\ud83d\\ude00.txt") == true)
    }

    @Test func manyFilesHashedInParallelEqualOneByOne() throws {
        let sandbox = try GitSandbox(initialize: false)
        for index in 0..<600 { try sandbox.write("many/d\(index % 7)/f\(index).bin", String(repeating: "\(index)", count: index)) }
        guard case .directory(let parallel)? = try ContentHasher(root: sandbox.root, cachePath: nil).hash("many", algorithms: [.sha256]) else {
            Issue.record("not a directory"); return
        }
        let hasher = FileHasher()
        for file in parallel.files {
            #expect(try hasher.hash(file: sandbox.root + "/many/" + file.path, algorithms: [.sha256]).sha256 == file.digests.sha256)
        }
        #expect(parallel.count == 600)
    }

    @Test func anUnchangedFileIsNeverReadTwice() throws {
        let sandbox = try GitSandbox(initialize: false)
        for index in 0..<50 { try sandbox.write("data/f\(index).csv", "row \(index)\n") }
        // Files must be older than the cache's validation time to be trusted (git's racy rule).
        let old = Date(timeIntervalSinceNow: -10)
        for index in 0..<50 {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: sandbox.root + "/data/f\(index).csv")
        }
        let cache = sandbox.base + "/cache/hashes"
        let first = ContentHasher(root: sandbox.root, cachePath: cache)
        let before = try first.hash("data", algorithms: [.sha256])?.sha256
        #expect(first.filesRead == 50)
        try first.save()

        let second = ContentHasher(root: sandbox.root, cachePath: cache)
        #expect(try second.hash("data", algorithms: [.sha256])?.sha256 == before)
        #expect(second.filesRead == 0)

        try sandbox.write("data/f7.csv", "changed\n")
        let third = ContentHasher(root: sandbox.root, cachePath: cache)
        #expect(try third.hash("data", algorithms: [.sha256])?.sha256 != before)
        #expect(third.filesRead == 1)
        // Asking for another algorithm reads the files again, once.
        #expect(try third.hash("data", algorithms: [.md5]) != nil)
        #expect(third.filesRead == 51)
    }

    @Test func aFileChangedWithinTheSameClockTickIsHashedAgain() throws {
        let sandbox = try GitSandbox(initialize: false)
        let path = sandbox.root + "/a.csv"
        // An mtime not older than the moment the cache was validated: the file may change
        // again without its stat changing, so the cached hash must not be trusted.
        let tick = Date(timeIntervalSinceNow: 100)
        try sandbox.write("a.csv", "one\n")
        try FileManager.default.setAttributes([.modificationDate: tick], ofItemAtPath: path)
        let cache = sandbox.base + "/cache/hashes"
        let first = ContentHasher(root: sandbox.root, cachePath: cache)
        _ = try first.hash("a.csv", algorithms: [.sha256])
        try first.save()
        // Same inode, same size, same mtime, other bytes.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data("two\n".utf8))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: tick], ofItemAtPath: path)
        let second = ContentHasher(root: sandbox.root, cachePath: cache)
        let digests = try second.hash("a.csv", algorithms: [.sha256])
        #expect(second.filesRead == 1)
        #expect(digests?.sha256 == FileHasher.hash(bytes: Array("two\n".utf8), algorithms: [.sha256]).sha256)
    }

    @Test func pathsLeavingTheRepositoryAreRefused() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("inside/a.txt", "a")
        try "secret".write(toFile: sandbox.base + "/outside.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/inside/link.txt", withDestinationPath: sandbox.base + "/outside.txt")
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/escape", withDestinationPath: sandbox.base)
        let hasher = ContentHasher(root: sandbox.root, cachePath: nil)
        let dotdot = #expect(throws: InputError.self) { try hasher.hash("../outside.txt", algorithms: [.sha256]) }
        #expect(dotdot?.description.contains("out of the repository") == true)
        let link = #expect(throws: InputError.self) { try hasher.hash("inside", algorithms: [.sha256]) }
        #expect(link?.description.contains("inside/link.txt") == true)
        #expect(throws: InputError.self) { try hasher.hash("escape/outside.txt", algorithms: [.sha256]) }
        #expect(throws: InputError.self) { try hasher.hash("/etc/passwd", algorithms: [.sha256]) }
    }

    @Test func aSymlinkThatStaysInsideIsFollowed() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("real/a.txt", "a")
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/alias.txt", withDestinationPath: "real/a.txt")
        let hasher = ContentHasher(root: sandbox.root, cachePath: nil)
        #expect(try hasher.hash("alias.txt", algorithms: [.sha256])?.sha256 == hasher.hash("real/a.txt", algorithms: [.sha256])?.sha256)
    }
}

@Suite struct LFSPointerTests {
    let oid = String(repeating: "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393", count: 1)

    @Test func readsAPointerAndItsExtensions() throws {
        let text = "version https://git-lfs.github.com/spec/v1\next-0-foo sha256:\(oid)\noid sha256:\(oid)\nsize 12345\n"
        #expect(try LFSPointer.parse(Array(text.utf8)) == LFSPointer(oid: oid, size: 12345))
    }

    @Test func ordinaryContentIsNotAPointer() throws {
        #expect(try LFSPointer.parse(Array("a,b\n1,2\n".utf8)) == nil)
        #expect(try LFSPointer.parse(Array(repeating: 0x41, count: 2000)) == nil)
    }

    @Test(arguments: [
        ("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n", "64 lowercase hex"),
        ("version https://git-lfs.github.com/spec/v1\nsize 1\noid sha256:\(String(repeating: "a", count: 64))\n", "not in order"),
        ("version https://git-lfs.github.com/spec/v1\noid sha256:\(String(repeating: "a", count: 64))\n", "no size"),
        ("version https://git-lfs.github.com/spec/v1\noid sha256:\(String(repeating: "a", count: 64))\nsize -4\n", "whole number"),
        ("version https://example.com/v9\noid sha256:x\n", "unknown LFS pointer version"),
        ("version https://git-lfs.github.com/spec/v1\noid sha256:\(String(repeating: "a", count: 64))\nsize 1", "newline"),
    ])
    func malformedPointersSayWhatIsWrong(text: String, expected: String) throws {
        let error = #expect(throws: LFSPointer.Malformed.self) { try LFSPointer.parse(Array(text.utf8)) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }
}

@Suite struct TreeWalkerTests {
    @Test func walkingABigRandomTreeListsWhatFindLists() throws {
        let sandbox = try GitSandbox(initialize: false)
        var generator = SystemRandomNumberGenerator()
        // A flat folder big enough to be stat'ed in parallel, random nesting, links inside the
        // tree, and the folders the walk skips.
        for index in 0..<1_500 { try sandbox.write("tree/flat/f\(index).bin", bytes: [UInt8](repeating: 1, count: index % 97)) }
        var folders = ["tree"]
        for index in 0..<400 {
            let parent = folders.randomElement(using: &generator)!
            let folder = parent + "/d\(index)"
            if Int.random(in: 0..<3, using: &generator) == 0 { folders.append(folder) }
            try sandbox.write(folder + "/x\(index).csv", String(repeating: "z", count: Int.random(in: 0...300, using: &generator)))
        }
        try sandbox.write("tree/.git/HEAD", "ref\n")
        try sandbox.write("tree/sub/.dvc/config", "x\n")
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/tree/linked", withDestinationPath: "flat")
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/tree/one.bin", withDestinationPath: "flat/f7.bin")

        let walked = try TreeWalker.files(in: sandbox.root + "/tree", display: "tree", containment: sandbox.root)
        let mine = walked.map { "\($0.relativePathString) \($0.stat.size)" }
        // find decides: every regular file (links followed), .git and .dvc pruned, in byte order.
        let found = try ProcessRunner.run("find", ["-L", ".", "(", "-name", ".git", "-o", "-name", ".dvc", ")", "-prune", "-o",
                                                   "-type", "f", "-printf", "%P %s\\n"], in: sandbox.root + "/tree",
                                          environment: ["LC_ALL": "C", "PATH": "/usr/bin:/bin"])
        let expected = found.stdout.split(separator: "\n").map(String.init).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(walked.count > 3_000)
        #expect(mine == expected)
    }

    @Test func symbolicLinksLoopingBackAreRefusedAtOnce() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("tree/sub/a.csv", "1\n")
        // Two links back up: a breadth-first walk without loop detection doubles at every level.
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/tree/sub/x", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: sandbox.root + "/tree/sub/y", withDestinationPath: "..")
        #expect {
            _ = try TreeWalker.files(in: sandbox.root + "/tree", display: "tree", containment: sandbox.root)
        } throws: { error in
            "\(error)".contains("loops back to a folder above it")
        }
        // find agrees that it is a loop.
        let found = try ProcessRunner.run("find", ["-L", ".", "-type", "f"], in: sandbox.root + "/tree")
        #expect(found.stderr.contains("loop"))
    }
}

/// Names that are prefixes of one another and bytes just below and above `/` (`-`, `.`, `0`):
/// where sorting each folder's names differs from sorting whole paths unless a folder's name
/// counts as ending in `/`.
@Suite struct TreeOrderTests {
    static let alphabet = ["a", "-", ".", "0", "é", " ", "A"]

    func randomName(_ generator: inout some RandomNumberGenerator) -> String {
        let name = (0..<Int.random(in: 1...3, using: &generator)).map { _ in Self.alphabet.randomElement(using: &generator)! }.joined()
        // Not `.` or `..`; not `-`, which sha256sum (the oracle) reads as standard input.
        return name == "." || name == ".." || name == "-" ? "a" + name : name
    }

    @Test func pathsWhoseNamesArePrefixesOfEachOtherComeInTheOrderFindAndSortGive() throws {
        let sandbox = try GitSandbox(initialize: false)
        var generator = SystemRandomNumberGenerator()
        var folders = ["tree"]
        var written: Set<String> = []
        for _ in 0..<600 {
            let parent = folders.randomElement(using: &generator)!
            let path = parent + "/" + randomName(&generator)
            // A path is a file or a folder, never both.
            if written.contains(path) || folders.contains(path) || written.contains(where: { path.hasPrefix($0 + "/") }) { continue }
            if Bool.random(using: &generator), !written.contains(where: { $0.hasPrefix(path + "/") }) {
                try sandbox.write(path, bytes: [UInt8](repeating: 7, count: Int.random(in: 0...40, using: &generator)))
                written.insert(path)
            } else {
                folders.append(path)
            }
        }
        let walked = try TreeWalker.files(in: sandbox.root + "/tree", display: "tree", containment: sandbox.root)
        let found = try ProcessRunner.run("sh", ["-c", "find . -type f -printf '%P\\n' | LC_ALL=C sort"], in: sandbox.root + "/tree",
                                          environment: ["PATH": "/usr/bin:/bin"])
        #expect(walked.count > 100)
        #expect(walked.map(\.relativePathString) == found.stdout.split(separator: "\n").map(String.init))
        // And the directory hash is coreutils' recipe over the same order.
        let digests = try #require(try ContentHasher(root: sandbox.root, cachePath: nil).hash("tree", algorithms: [.sha256]))
        let recipe = try ProcessRunner.run(
            "sh", ["-c", "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum -- | sha256sum"],
            in: sandbox.root + "/tree", environment: ["PATH": "/usr/bin:/bin"])
        #expect(digests.sha256 == String(recipe.stdout.prefix(64)) + ".dir")
    }
}

/// The hash cache answers exactly the files whose size, mtime and inode are unchanged, across
/// sibling folders whose names share prefixes, through saves and reloads.
@Suite struct HashCacheTests {
    func setOld(_ path: String, seconds: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -seconds)], ofItemAtPath: path)
    }

    func sha256sums(_ sandbox: GitSandbox, _ folder: String) throws -> String {
        let recipe = try ProcessRunner.run(
            "sh", ["-c", "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -r -d '\\n' sha256sum -- | sha256sum"],
            in: sandbox.root + "/" + folder, environment: ["PATH": "/usr/bin:/bin"])
        return String(recipe.stdout.prefix(64)) + ".dir"
    }

    @Test func onlyChangedAndNewFilesAreReadAgainAndEveryDigestIsSha256sums() throws {
        let sandbox = try GitSandbox(initialize: false)
        var generator = SystemRandomNumberGenerator()
        let folders = ["d", "d-x", "d.x", "d0", "dé"]
        var files: [String] = []
        for index in 0..<400 {
            let folder = folders.randomElement(using: &generator)!
            let sub = Bool.random(using: &generator) ? "" : ["/s", "/s-", "/s.t"].randomElement(using: &generator)!
            let path = "\(folder)\(sub)/f\(index)"
            try sandbox.write(path, "\(index) \(UInt64.random(in: 0...UInt64.max, using: &generator))\n")
            try setOld(sandbox.root + "/" + path, seconds: 100)
            files.append(path)
        }
        let cache = sandbox.base + "/cache/hashes"
        let first = ContentHasher(root: sandbox.root, cachePath: cache)
        for folder in folders { _ = try first.hash(folder, algorithms: [.sha256]) }
        // One folder also learns md5s: they are kept beside the SHA-256s.
        _ = try first.hash("d.x", algorithms: [.md5])
        #expect(first.filesRead == 400 + files.filter { $0.hasPrefix("d.x/") }.count)
        try first.save()

        // Unchanged: nothing is read, in any folder, for either algorithm already known.
        let second = ContentHasher(root: sandbox.root, cachePath: cache)
        for folder in folders { #expect(try second.hash(folder, algorithms: [.sha256])?.sha256 == sha256sums(sandbox, folder)) }
        _ = try second.hash("d.x", algorithms: [.md5])
        #expect(second.filesRead == 0)

        // Change some (new bytes and size), touch some (same bytes, new mtime), delete some, add some.
        var expectedReads = 0
        for path in files.shuffled(using: &generator).prefix(60) {
            switch Int.random(in: 0..<3, using: &generator) {
            case 0:
                try sandbox.write(path, "changed \(path)\n")
                try setOld(sandbox.root + "/" + path, seconds: 50)
                expectedReads += 1
            case 1:
                try setOld(sandbox.root + "/" + path, seconds: 30)
                expectedReads += 1
            default:
                try sandbox.remove(path)
            }
        }
        for index in 0..<25 {
            let path = "\(folders.randomElement(using: &generator)!)/new\(index)"
            try sandbox.write(path, "new \(index)\n")
            try setOld(sandbox.root + "/" + path, seconds: 20)
            expectedReads += 1
        }
        let third = ContentHasher(root: sandbox.root, cachePath: cache)
        for folder in folders { #expect(try third.hash(folder, algorithms: [.sha256])?.sha256 == sha256sums(sandbox, folder)) }
        #expect(third.filesRead == expectedReads)
        try third.save()

        // What the third learnt was merged into the file: a fourth reads nothing.
        let fourth = ContentHasher(root: sandbox.root, cachePath: cache)
        for folder in folders { #expect(try fourth.hash(folder, algorithms: [.sha256])?.sha256 == sha256sums(sandbox, folder)) }
        #expect(fourth.filesRead == 0)
    }

    @Test func aCacheWhoseRecordsAreOutOfOrderStillAnswersAndATornOneIsEmpty() throws {
        let sandbox = try GitSandbox(initialize: false)
        for index in 0..<30 {
            try sandbox.write("data/f\(index)", "\(index)\n")
            try setOld(sandbox.root + "/data/f\(index)", seconds: 100)
        }
        let cache = sandbox.base + "/cache/hashes"
        let first = ContentHasher(root: sandbox.root, cachePath: cache)
        _ = try first.hash("data", algorithms: [.sha256])
        try first.save()

        // Records reversed (an older mlci wrote them in String order): the cache sorts its index.
        let bytes = try FileSystem.read(cache)
        var records: [[UInt8]] = []
        var offset = 16
        while offset < bytes.count {
            let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
            let size = 2 + length + 97
            records.append(Array(bytes[offset..<offset + size]))
            offset += size
        }
        #expect(records.count == 30)
        try FileSystem.writeAtomically(cache, Array(bytes[0..<16]) + records.reversed().flatMap { $0 })
        let second = ContentHasher(root: sandbox.root, cachePath: cache)
        #expect(try second.hash("data", algorithms: [.sha256])?.sha256 == sha256sums(sandbox, "data"))
        #expect(second.filesRead == 0)

        // A cut in the middle of a record: the whole file is ignored, every file read again.
        try FileSystem.writeAtomically(cache, Array(bytes.dropLast(10)))
        let third = ContentHasher(root: sandbox.root, cachePath: cache)
        #expect(try third.hash("data", algorithms: [.sha256])?.sha256 == sha256sums(sandbox, "data"))
        #expect(third.filesRead == 30)
    }
}
