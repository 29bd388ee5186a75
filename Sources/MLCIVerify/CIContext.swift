import MLCISupport

/// Where mlci runs in CI, read from the CI system's own variables. Tokens are never read
/// here.
public struct CIContext: Sendable, Equatable {
    public enum Provider: String, Sendable { case github, gitlab }

    public var provider: Provider
    /// `pull_request`, `push`, `merge_request_event`, …
    public var event: String?
    /// The branch a pull/merge request targets (the baseline), if this is one.
    public var targetBranch: String?
    /// The head commit of the change CI built: the PR/MR head (from GitHub's event payload or
    /// GitLab's CI_MERGE_REQUEST_SOURCE_BRANCH_SHA), else the commit built.
    public var headSHA: String?
    /// The pull request or merge request number.
    public var changeNumber: String?
    /// A link to this run.
    public var runURL: String?

    /// Detects GitHub Actions or GitLab CI from `environment`; `nil` outside CI.
    ///
    /// - Parameter readFile: reads GitHub's event payload (`GITHUB_EVENT_PATH`).
    public static func detect(_ environment: [String: String], readFile: (String) -> [UInt8]? = { try? FileSystem.read($0, limit: 8 << 20) }) -> CIContext? {
        if environment["GITHUB_ACTIONS"] == "true" {
            var context = CIContext(provider: .github, event: environment["GITHUB_EVENT_NAME"],
                                    targetBranch: environment["GITHUB_BASE_REF"].flatMap { $0.isEmpty ? nil : $0 },
                                    headSHA: environment["GITHUB_SHA"], changeNumber: nil, runURL: nil)
            if let server = environment["GITHUB_SERVER_URL"], let repository = environment["GITHUB_REPOSITORY"],
               let run = environment["GITHUB_RUN_ID"] {
                context.runURL = "\(server)/\(repository)/actions/runs/\(run)"
            }
            if let path = environment["GITHUB_EVENT_PATH"], let bytes = readFile(path),
               let event = try? JSONParser().parse(bytes), let pull = event["pull_request"] {
                if let sha = pull["head"]?["sha"]?.stringValue { context.headSHA = sha }
                if let number = pull["number"], case .int(let n) = number { context.changeNumber = String(n) }
                if context.targetBranch == nil { context.targetBranch = pull["base"]?["ref"]?.stringValue }
            }
            return context
        }
        if environment["GITLAB_CI"] == "true" {
            return CIContext(provider: .gitlab, event: environment["CI_PIPELINE_SOURCE"],
                             targetBranch: environment["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"].flatMap { $0.isEmpty ? nil : $0 },
                             // Merged-results pipelines build a synthetic merge (CI_COMMIT_SHA); the
                             // change's own head is CI_MERGE_REQUEST_SOURCE_BRANCH_SHA.
                             headSHA: environment["CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["CI_COMMIT_SHA"],
                             changeNumber: environment["CI_MERGE_REQUEST_IID"],
                             runURL: environment["CI_JOB_URL"] ?? environment["CI_PIPELINE_URL"])
        }
        return nil
    }

    public var json: JSONValue {
        ["provider": .string(provider.rawValue), "event": .optional(event), "target_branch": .optional(targetBranch),
         "head_sha": .optional(headSHA), "change": .optional(changeNumber), "run_url": .optional(runURL)]
    }
}
