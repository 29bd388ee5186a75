import Foundation
import MLCISupport
import MLCITestSupport
import Testing

@Suite("mlci promote, rollback and models")
struct PromoteTests {
    /// Everything git says about the working tree, the index and HEAD.
    func checkoutState(_ sandbox: GitSandbox) throws -> [String] {
        [try sandbox.git("rev-parse", "HEAD"), try sandbox.git("symbolic-ref", "HEAD"), try sandbox.git("status", "--porcelain", "--ignored"),
         try sha256sum(sandbox.root + "/.git/index"), try sandbox.git("ls-files", "-s")]
    }

    /// The files of `folder` on `branch`: path → content.
    func tree(_ sandbox: GitSandbox, _ branch: String, _ folder: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for path in try sandbox.git("ls-tree", "-r", "--name-only", branch, "--", folder).split(separator: "\n") {
            out[String(path.dropFirst(folder.count + 1))] = try sandbox.git(["cat-file", "blob", "\(branch):\(path)"]) + "\n"
        }
        return out
    }

    @Test("promote commits exactly the environment's manifests to the GitOps branch and touches no checkout")
    func promoteCommitsTheExpectedTree() throws {
        let sandbox = try approvedProject()
        let head = try sandbox.git("rev-parse", "HEAD")
        let before = try checkoutState(sandbox)
        let result = try mlci("promote", "--env", "staging", in: sandbox)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try checkoutState(sandbox) == before, "the working tree, index and HEAD are untouched")

        // The tree is exactly base/ and overlays/staging/ of what emit writes, under churn-model/staging.
        #expect(try mlci("emit", "--out", sandbox.base + "/out", in: sandbox).status == 0)
        var expected: [String: String] = [:]
        for (path, bytes) in try filesBelow(sandbox.base + "/out/k8s") where path.hasPrefix("base/") || path.hasPrefix("overlays/staging/") {
            expected[path] = String(decoding: bytes, as: UTF8.self)
        }
        #expect(try sandbox.git("ls-tree", "-r", "--name-only", "gitops").split(separator: "\n").allSatisfy { $0.hasPrefix("churn-model/staging/") })
        #expect(try tree(sandbox, "gitops", "churn-model/staging") == expected)
        #expect(try sandbox.git("rev-list", "--count", "gitops") == "1")

        let message = try sandbox.git("log", "-1", "--format=%B", "gitops")
        #expect(message.hasPrefix("mlci: promote churn-model \(head.prefix(12)) to staging"))
        #expect(message.contains("Mlci-Commit: \(head)"))
        #expect(message.contains("Model models/model.bin sha256:\(try sha256sum(sandbox.root + "/models/model.bin"))"))

        // The note records who, when, where and the manifest digest.
        let note = try JSONParser().parse(try sandbox.git("notes", "--ref=mlci", "show", head))
        let promotion = try #require(note["promotions"]?.arrayValue?.first)
        #expect(note["verdict"]?.stringValue == "approved")
        #expect(promotion["env"]?.stringValue == "staging")
        #expect(promotion["by"]?.stringValue?.contains("<") == true)
        #expect(promotion["at"]?.stringValue?.hasSuffix("Z") == true)
        #expect(promotion["manifest_digest"]?.stringValue?.hasPrefix("sha256:") == true)
        #expect(promotion["gitops_commit"]?.stringValue == (try sandbox.git("rev-parse", "gitops")))

        // Nothing changed: nothing is committed and nothing recorded.
        let again = try mlci("promote", "--env", "staging", in: sandbox)
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to commit"))
        #expect(try sandbox.git("rev-list", "--count", "gitops") == "1")
        let noteAgain = try JSONParser().parse(try sandbox.git("notes", "--ref=mlci", "show", head))
        #expect(noteAgain["promotions"]?.arrayValue?.count == 1)

        // A second environment lands beside the first.
        #expect(try mlci("promote", "--env", "production", in: sandbox).status == 0)
        #expect(try tree(sandbox, "gitops", "churn-model/staging") == expected)
        #expect(try tree(sandbox, "gitops", "churn-model/production").keys.sorted().last == "overlays/production/kustomization.yaml")
        #expect(try checkoutState(sandbox) == before)
    }

    @Test("two promotes at the same moment both land", arguments: 0..<3)
    func concurrentPromotesBothLand(round: Int) throws {
        let sandbox = try approvedProject()
        let environment = sandbox.environment()
        let binary = MLCIBinary.path
        let root = sandbox.root
        nonisolated(unsafe) var results: [ProcessResult?] = [nil, nil]
        let group = DispatchGroup()
        for (index, env) in ["staging", "production"].enumerated() {
            group.enter()
            Thread.detachNewThread {
                results[index] = try? ProcessRunner.run(binary, ["promote", "--env", env], in: root, environment: environment)
                group.leave()
            }
        }
        group.wait()
        for result in results { #expect(result?.status == 0, "\(result?.stderr ?? "did not run")") }
        #expect(try sandbox.git("rev-list", "--count", "gitops") == "2", "neither commit is lost")
        let paths = try sandbox.git("ls-tree", "-d", "--name-only", "gitops:churn-model")
        #expect(paths.split(separator: "\n") == ["production", "staging"])
        let note = try JSONParser().parse(try sandbox.git("notes", "--ref=mlci", "show", "HEAD"))
        #expect(Set(note["promotions"]?.arrayValue?.compactMap { $0["env"]?.stringValue } ?? []) == ["staging", "production"])
    }

    @Test("rollback restores the previous manifests exactly and models shows the audit trail")
    func rollbackRestoresThePreviousManifests() throws {
        let sandbox = try approvedProject()
        let first = try sandbox.git("rev-parse", "HEAD")
        #expect(try mlci("promote", "--env", "production", in: sandbox).status == 0)
        let firstTree = try sandbox.git("rev-parse", "gitops:churn-model/production")
        let second = try shipNewModel(sandbox, "weights v2")
        #expect(try mlci("promote", "--env", "production", in: sandbox).status == 0)
        #expect(try sandbox.git("rev-parse", "gitops:churn-model/production") != firstTree)

        let rollback = try mlci("rollback", "--env", "production", in: sandbox)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(try sandbox.git("rev-parse", "gitops:churn-model/production") == firstTree, "byte for byte the first manifests")
        #expect(try sandbox.git("log", "-1", "--format=%B", "gitops").contains("Mlci-Replaces: \(second)"))

        let models = try json(try mlci("models", "--json", in: sandbox))
        let production = models["environments"]?["production"]
        #expect(production?["current"]?["commit"]?.stringValue == first)
        #expect(production?["current"]?["stage"]?.stringValue == "Production")
        #expect(production?["current"]?["action"]?.stringValue == "rollback")
        let history = production?["history"]?.arrayValue ?? []
        #expect(history.compactMap { $0["commit"]?.stringValue } == [first, second, first])
        #expect(history.compactMap { $0["stage"]?.stringValue } == ["Production", "Archived", "Archived"])
        #expect(history.compactMap { $0["action"]?.stringValue } == ["rollback", "promote", "promote"])

        let text = try mlci("models", in: sandbox)
        #expect(text.status == 0)
        #expect(text.stdout.contains("production   Production  \(first.prefix(12))"), "\(text.stdout)")
        #expect(text.stdout.contains("history of production (newest first):"))
    }

    @Test("promote refuses a commit that is not approved or not on the target branch; the override is recorded")
    func promoteRefusesWhatShouldNotShip() throws {
        let sandbox = try approvedProject()
        try sandbox.git("checkout", "-q", "-b", "experiment")
        let experiment = try shipNewModel(sandbox, "experimental weights")
        var result = try mlci("promote", "--env", "staging", in: sandbox)
        #expect(result.status == 1)
        #expect(result.stderr.contains("is not on main"), "\(result.stderr)")
        #expect(try sandbox.git(["branch", "--list", "gitops"]).isEmpty, "nothing was committed")

        result = try mlci("promote", "--env", "staging", "--allow-off-target", in: sandbox)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("override recorded: not-on-target"))
        #expect(try sandbox.git("log", "-1", "--format=%B", "gitops").contains("Mlci-Override: not-on-target"))
        let note = try JSONParser().parse(try sandbox.git("notes", "--ref=mlci", "show", experiment))
        #expect(note["promotions"]?.arrayValue?.first?["override"]?.stringValue == "not-on-target")

        try sandbox.write("src/serve.py", "print('unverified')\n")
        try sandbox.commit("unverified")
        result = try mlci("promote", "--env", "staging", "--allow-off-target", in: sandbox)
        #expect(result.status == 1)
        #expect(result.stderr.contains("has no verdict"))

        result = try mlci("promote", "--env", "stagin", experiment, in: sandbox)
        #expect(result.status == 2)
        #expect(result.stderr.contains("did you mean 'staging'?"), "\(result.stderr)")
    }

    @Test("promote --dir replaces a folder on disk with the environment's manifests, once")
    func promoteToAFolder() throws {
        let sandbox = try approvedProject()
        let folder = sandbox.base + "/gitops-checkout/apps/churn"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "theirs".write(toFile: folder + "/old.yaml", atomically: true, encoding: .utf8)
        var result = try mlci("promote", "--env", "production", "--dir", folder, in: sandbox)
        #expect(result.status == 2, "a folder with files mlci did not write is left alone")
        #expect(result.stderr.contains("has files mlci did not write (old.yaml)"), "\(result.stderr)")
        #expect(try String(contentsOfFile: folder + "/old.yaml", encoding: .utf8) == "theirs")
        for own in [sandbox.root, sandbox.base, "/"] {
            result = try mlci("promote", "--env", "production", "--dir", own, in: sandbox)
            #expect(result.status == 2)
            #expect(result.stderr.contains("holds the repository"), "\(own): \(result.stderr)")
        }
        try FileManager.default.removeItem(atPath: folder + "/old.yaml")

        result = try mlci("promote", "--env", "production", "--dir", folder, in: sandbox)
        #expect(result.status == 0, "\(result.stderr)")
        let files = try filesBelow(folder)
        #expect(files.keys.sorted() == [".mlci-promoted.json", "base/deployment.yaml", "base/hpa.yaml", "base/kustomization.yaml", "base/networkpolicy.yaml",
                                        "base/pdb.yaml", "base/service.yaml", "base/serviceaccount.yaml", "overlays/production/kustomization.yaml"])
        if let build = try DeployTools.run("kubectl", ["kustomize", folder + "/overlays/production"]) {
            #expect(build.status == 0, "\(build.stderr)")
        }
        result = try mlci("promote", "--env", "production", "--dir", folder, in: sandbox)
        #expect(result.stdout.contains("nothing to commit"))
        // A new model replaces the folder as a whole.
        try shipNewModel(sandbox, "weights v2")
        result = try mlci("promote", "--env", "production", "--dir", folder, in: sandbox)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try filesBelow(folder).keys.sorted() == files.keys.sorted())
        #expect(try filesBelow(folder) != files)
        let listing = try FileManager.default.contentsOfDirectory(atPath: sandbox.base + "/gitops-checkout/apps")
        #expect(listing == ["churn"], "no staging or backup folder is left behind: \(listing)")
    }
}
