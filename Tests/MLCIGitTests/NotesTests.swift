import Foundation
import MLCIGit
import MLCITestSupport
import Testing

@Suite struct NotesTests {
    init() { _ = isolated }

    func history(_ count: Int) throws -> (GitSandbox, [String]) {
        let sandbox = try GitSandbox()
        var shas: [String] = []
        for index in 0..<count {
            try sandbox.write("file.txt", "\(index)\n")
            shas.append(try sandbox.commit("commit \(index)"))
        }
        return (sandbox, shas)
    }

    @Test func aNoteWrittenByMlciIsWhatGitNotesShows() throws {
        let (sandbox, shas) = try history(2)
        let repository = try Repository.open(at: sandbox.root)
        let target = ObjectID(hex: shas[0])!
        #expect(try repository.note(for: target) == nil)
        #expect(try repository.updateNote(for: target) { _ in "{\"verdict\": \"approved\"}\n" })
        #expect(try sandbox.git("notes", "--ref=mlci", "show", shas[0]) == "{\"verdict\": \"approved\"}")
        // Writing the same text again changes nothing.
        #expect(try repository.updateNote(for: target) { _ in "{\"verdict\": \"approved\"}\n" } == false)
    }

    @Test func aNoteWrittenByGitIsWhatMlciReads() throws {
        let (sandbox, shas) = try history(2)
        try sandbox.git("notes", "--ref=mlci", "add", "-m", "{\"verdict\": \"rejected\"}", shas[1])
        let repository = try Repository.open(at: sandbox.root)
        #expect(try repository.note(for: ObjectID(hex: shas[1])!)?.contains("rejected") == true)
        #expect(try repository.notes().keys.map(\.hex) == [shas[1]])
    }

    @Test func twoConcurrentWritersNeverLoseANote() async throws {
        let (sandbox, shas) = try history(40)
        let root = sandbox.root
        // Two writers, each with its own Repository (libgit2 handles are per thread), annotate
        // interleaved commits as fast as they can.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    let repository = try Repository.open(at: root)
                    for (index, sha) in shas.enumerated() where index % 2 == writer {
                        try repository.updateNote(for: ObjectID(hex: sha)!) { _ in "{\"writer\": \(writer)}" }
                    }
                }
            }
            try await group.waitForAll()
        }
        let listed = try sandbox.git("notes", "--ref=mlci", "list").split(separator: "\n")
        #expect(listed.count == shas.count)
    }

    @Test func concurrentUpdatesOfOneNoteAreMergedNotClobbered() async throws {
        let (sandbox, shas) = try history(1)
        let root = sandbox.root
        let target = shas[0]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    let repository = try Repository.open(at: root)
                    for step in 0..<15 {
                        try repository.updateNote(for: ObjectID(hex: target)!) { current in
                            (current ?? "") + "writer \(writer) step \(step)\n"
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let note = try sandbox.git("notes", "--ref=mlci", "show", target)
        #expect(note.split(separator: "\n").count == 30)
    }
}
