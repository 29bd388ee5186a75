import ArgumentParser
import MLCIGit
import MLCILineage
import MLCIDeploy
import MLCISupport
import MLCITrust

extension MLCICommand {
    struct Lineage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lineage",  // named here: no reflection at start-up
            abstract: "Show which data, params, model and metrics a commit is.",
            discussion: """
            Reads the commit through git, without a checkout: data hashes from the files git holds \
            (SHA-256, or a Git LFS pointer's oid), from mlci.lock for data outside git, and from DVC's \
            .dvc files and dvc.lock (md5, as DVC writes it). Shows the verdict and promotions recorded \
            in the commit's note on refs/notes/mlci.
            """)

        @Argument(help: "The revision (branch, tag, sha, HEAD~2). Default: HEAD.")
        var revision: String = "HEAD"

        @Flag(help: "Print the exact bytes the verdict's signature covers (for ssh-keygen -Y verify -n mlci-verdict@v1), nothing else.")
        var payload = false

        @Flag(help: "Print the verdict's SSH signature (armored), nothing else.")
        var signature = false

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try repository.workspace()
            let commit = try workspace.resolve(revision)
            let record = try workspace.lineage(at: commit)
            if payload || signature {
                guard let note = record.note else { throw InputError("\(commit.short(12)) has no verdict note on refs/notes/mlci") }
                if payload { return Terminal.raw(SignedNote.payload(note, commit: commit.hex)) }
                guard let armored = note["signature"]?.stringValue else { throw InputError("the verdict on \(commit.short(12)) is not signed") }
                return Terminal.out(armored)
            }
            let trust = record.note.map { note in Self.signer(of: note, commit: commit.hex, workspace: workspace) }
            if output.json {
                var members = record.json.objectValue ?? []
                members.append(("signature", trust ?? .null))
                return output.emit(.object(members))
            }
            Terminal.out(Render.lineage(record, style: output.style))
            if let trust {
                let text: String
                if trust["signed"] == .bool(true) {
                    text = "signed by \(trust["signer"]?.stringValue ?? "?") (\(trust["key"]?.stringValue ?? "?"))"
                } else if let error = trust["error"]?.stringValue {
                    text = output.style.red("signature not accepted: ") + error
                } else {
                    text = "unsigned"
                }
                Terminal.out("\n" + output.style.bold("verdict") + "  " + printable(text))
            }
            for warning in record.warnings { Terminal.err("warning: \(printable(warning))") }
        }

        /// Who signed the verdict, as the repository's allowed signers say; never throws.
        static func signer(of note: JSONValue, commit: String, workspace: Workspace) -> JSONValue {
            do {
                let policy = try TrustPolicy.load(workspace: workspace, allowUnsigned: true)
                return try policy.check(note, commit: commit, namespace: SignedNote.verdictNamespace, what: "the verdict").json
            } catch let error as TrustFailure {
                return ["signed": .bool(note["signature"] != nil), "error": .string(error.message)]
            } catch {
                return ["signed": .bool(note["signature"] != nil), "error": .string("\(error)")]
            }
        }
    }
}
