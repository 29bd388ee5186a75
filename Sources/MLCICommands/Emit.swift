import ArgumentParser
import MLCIDeploy
import MLCIGit
import MLCILineage
import MLCISupport

extension MLCICommand {
    struct Emit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "emit",  // named here: no reflection at start-up
            abstract: "Write the Dockerfile and Kubernetes manifests of an approved commit.",
            discussion: """
            Only a commit whose note on refs/notes/mlci says approved for exactly its tree ships: \
            anything else exits 1 and writes nothing. Everything is read from the commit through git \
            (its mlci.yaml, its lineage, its deploy.templates), so the same commit always gives the \
            same bytes.

            Writes Dockerfile, .dockerignore, the kustomize base k8s/base/ and one overlay per \
            environment k8s/overlays/ENV/, and, when configured, k8s/kserve/inferenceservice.yaml and \
            k8s/jobs/train.yaml. .mlci-emit.json lists the files with their SHA-256; files an earlier \
            emit wrote into the folder and this one does not are removed.
            """)

        @OptionGroup var ship: ShipOptions

        @Option(name: .long, help: ArgumentHelp("The folder to write (default: .mlci/deploy).", valueName: "dir"))
        var out: String?

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try repository.workspace()
            let release = try ship.release(in: workspace)
            let bundle = try DeployBundle.render(release)
            let directory = out.map { $0.hasPrefix("/") ? $0 : FileSystem.currentDirectory + "/" + $0 } ?? workspace.root + "/.mlci/deploy"
            let written = try BundleWriter.write(bundle, release: release, to: directory)
            if output.json {
                return output.emit([
                    "commit": .string(release.commit.id.hex), "out": .string(directory), "image": .string(release.imageReference),
                    "model_digest": .string(release.modelDigest), "data_digest": .string(release.dataDigest),
                    "files": .array(written.map(JSONValue.string)), "trust": release.trust.json,
                ])
            }
            Terminal.out("emitted \(release.spec.name) at \(release.commit.id.short(12)) (approved, \(printable(release.trust.summary))) into \(printable(directory)):")
            for path in written { Terminal.out("  \(printable(path))") }
            Terminal.out("image \(release.imageReference)")
        }
    }
}

/// The revision and image digest emit and promote take.
struct ShipOptions: ParsableArguments {
    @Argument(help: "The revision to ship. Default: HEAD (which must then have no uncommitted changes).")
    var revision: String?

    @Option(name: .long, help: ArgumentHelp("Pin the image by this digest (sha256:…) once it is built.", valueName: "digest"))
    var imageDigest: String?

    @OptionGroup var unsigned: UnsignedOptions

    /// The approved commit meant, ready to ship, its verdict's signature checked.
    func release(in workspace: Workspace) throws -> Release {
        let trust = try unsigned.policy(workspace)
        return try Release(workspace: workspace, commit: try Shipping.commit(revision, in: workspace), imageDigest: imageDigest, trust: trust)
    }
}

/// What emit, promote and rollback share: which commit is meant.
enum Shipping {
    /// `revision`, or HEAD when it is `nil`; HEAD then must have no uncommitted changes to
    /// tracked files, since what ships is the commit, not the working tree.
    static func commit(_ revision: String?, in workspace: Workspace) throws -> ObjectID {
        if let revision { return try workspace.resolve(revision) }
        if try workspace.repository.isDirty(includingUntracked: false) {
            throw Refusal("the working tree has uncommitted changes; what ships is a commit, and HEAD is not what you have",
                          hint: "commit and verify the change, or name the revision to ship (mlci emit HEAD)")
        }
        return try workspace.resolve("HEAD")
    }
}
