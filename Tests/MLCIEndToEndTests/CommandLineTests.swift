import Foundation
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct CommandLineTests {
    @Test func versionPrintsTheVersion() throws {
        let sandbox = try GitSandbox(initialize: false)
        let result = try mlci("--version", in: sandbox)
        #expect(result.status == 0)
        #expect(result.stdout == "mlci 0.1.0\n")
    }

    @Test func helpDocumentsTheExitCodes() throws {
        let sandbox = try GitSandbox(initialize: false)
        let result = try mlci("--help", in: sandbox)
        #expect(result.status == 0)
        for line in ["0  success", "1  rejected, or a difference", "2  no answer could be reached"] {
            #expect(result.stdout.contains(line))
        }
        for command in ["verify", "ci", "init", "hook", "lineage", "log", "diff", "status", "lock"] { #expect(result.stdout.contains("  \(command)")) }
    }

    /// mlci parses without swift-argument-parser's completion-script search (a start-up cost)
    /// by marking the root a pseudo-command while it parses; help and usage, made afterwards,
    /// still name the tool once, and asking for a completion script still gets one.
    @Test func helpAndUsageNameTheToolOnceAndCompletionScriptsAreStillGenerated() throws {
        let sandbox = try GitSandbox(initialize: false)
        let help = try mlci("--help", in: sandbox)
        #expect(help.stdout.contains("\nUSAGE: mlci <subcommand>\n"))
        #expect(help.stdout.contains("  See 'mlci help <subcommand>' for detailed help."))
        #expect(try mlci("help", "log", in: sandbox).stdout.contains("USAGE: mlci log [<range>]"))
        let unknown = try mlci("frobnicate", in: sandbox)
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "Error: Unexpected argument 'frobnicate'\nUsage: mlci <subcommand>\n  See 'mlci --help' for more information.\n")
        let badOption = try mlci("log", "--frobnicate", in: sandbox)
        #expect(badOption.stderr.contains("Usage: mlci log [<range>]"))
        #expect(!badOption.stderr.contains(" mlci mlci") && !badOption.stderr.contains("  mlci log"))
        let bash = try mlci("--generate-completion-script", "bash", in: sandbox)
        #expect(bash.status == 0)
        #expect(bash.stdout.hasPrefix("#!/bin/bash\n") && bash.stdout.contains("_mlci"))
        let zsh = try mlci("--generate-completion-script=zsh", in: sandbox)
        #expect(zsh.status == 0)
        #expect(zsh.stdout.hasPrefix("#compdef mlci\n"))
    }

    @Test func badUsageExitsTwo() throws {
        let sandbox = try GitSandbox(initialize: false)
        #expect(try mlci("frobnicate", in: sandbox).status == 2)
        let notANumber = try mlci("log", "-n", "many", in: sandbox)
        #expect(notANumber.status == 2)
        #expect(notANumber.stderr.contains("many"))
        #expect(try mlci("diff", in: sandbox).status == 2)
    }

    @Test func outsideARepositoryEveryCommandSaysSoAndExitsTwo() throws {
        let sandbox = try GitSandbox(initialize: false)
        for command in [["lineage"], ["log"], ["status"], ["diff", "HEAD"], ["lock"]] {
            let result = try MLCIBinary.run(command, in: sandbox)
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains("is not inside a git repository"), "\(command): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func aBareRepositoryIsRefusedClearly() throws {
        let sandbox = try GitSandbox(bare: true)
        let result = try mlci("lineage", in: sandbox)
        #expect(result.status == 2)
        #expect(result.stderr.contains("is a bare repository; mlci needs a working tree"))
    }

    @Test func anEmptyRepositoryHasNoLineageYet() throws {
        let sandbox = try GitSandbox()
        let lineage = try mlci("lineage", in: sandbox)
        #expect(lineage.status == 2)
        #expect(lineage.stderr.contains("no commits yet"))
        let log = try mlci("log", in: sandbox)
        #expect(log.status == 0)
        #expect(log.stderr.contains("no commits yet"))
        #expect(try json(mlci("log", "--json", in: sandbox)) == .array([]))
    }

    @Test func anUnknownRevisionIsNamed() throws {
        let sandbox = try project()
        let result = try mlci("lineage", "no-such-branch", in: sandbox)
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown revision 'no-such-branch'"))
        #expect(!result.stderr.contains("-3"))
    }
}

@Suite struct HashCommandTests {
    @Test func hashPrintsWhatSha256sumPrintsAndDVCsDirHash() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("images/a.txt", "cat")
        try sandbox.write("images/sub/b.txt", "dog\n")
        try sandbox.write("images/z.bin", bytes: [0, 1, 2] + Array("binary".utf8))
        let file = try mlci("hash", "images/a.txt", in: sandbox)
        #expect(file.status == 0)
        #expect(file.stdout == (try ProcessRunner.run("sha256sum", ["images/a.txt"], in: sandbox.root).stdout))
        let dvc = try mlci("hash", "--dvc", "images/", in: sandbox)
        #expect(dvc.stdout == "57729badc25d62bf9e396d60aaac7167.dir  images/\n")
        let missing = try mlci("hash", "nope.bin", in: sandbox)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.bin: no such file or directory"))
    }
}
