import MLCIReport
import MLCISupport

/// Posts a verdict where reviewers see it: one sticky comment on the pull/merge request
/// (found again by its hidden marker and updated, never duplicated) and a commit status on
/// the head commit.
///
/// Value type, no shared state; the token lives only in the request headers it builds.
public struct Publisher: Sendable {
    public enum Provider: String, Sendable { case github, gitlab }

    /// Where to post, from the CI system's own variables.
    public struct Target: Sendable, Equatable {
        public var provider: Provider
        /// `GITHUB_API_URL` or `CI_API_V4_URL`, so Enterprise and self-managed servers work.
        public var apiURL: String
        /// `owner/name` on GitHub, the numeric project id (or path) on GitLab.
        public var repository: String
        /// The pull request number or merge request iid; `nil` outside one (no comment then).
        public var change: String?
        /// The commit the status is set on.
        public var sha: String?
        /// A link to the run, shown on the status.
        public var runURL: String?

        public init(provider: Provider, apiURL: String, repository: String, change: String?, sha: String?, runURL: String?) {
            self.provider = provider; self.apiURL = apiURL; self.repository = repository
            self.change = change; self.sha = sha; self.runURL = runURL
        }

        /// Reads the target from GitHub Actions' or GitLab CI's variables; `nil` outside them.
        public static func detect(_ environment: [String: String], pullRequest: String?, headSHA: String?, runURL: String?) -> Target? {
            if environment["GITHUB_ACTIONS"] == "true", let repository = environment["GITHUB_REPOSITORY"], !repository.isEmpty {
                return Target(provider: .github, apiURL: environment["GITHUB_API_URL"] ?? "https://api.github.com",
                              repository: repository, change: pullRequest, sha: headSHA ?? environment["GITHUB_SHA"], runURL: runURL)
            }
            if environment["GITLAB_CI"] == "true", let api = environment["CI_API_V4_URL"], let project = environment["CI_PROJECT_ID"] {
                return Target(provider: .gitlab, apiURL: api, repository: project, change: pullRequest,
                              sha: headSHA ?? environment["CI_COMMIT_SHA"], runURL: runURL)
            }
            return nil
        }
    }

    /// What one posting step did, for the log.
    public struct Outcome: Sendable, Equatable {
        public var description: String
    }

    /// The marker that makes the comment sticky: the one the Markdown summary starts with.
    public static let marker = MarkdownRenderer.marker
    /// GitHub refuses comments longer than 65 536 characters.
    static let githubCommentLimit = 65_000

    public var target: Target
    public var client: HTTPClient
    private let token: String

    /// - Parameter token: used only in request headers; never printed, never stored.
    public init(target: Target, token: String, client: HTTPClient = HTTPClient()) {
        self.target = target
        self.token = token
        self.client = client
    }

    /// The token variables mlci reads, in order, for `provider`.
    public static func tokenVariables(_ provider: Provider) -> [String] {
        provider == .github ? ["MLCI_GITHUB_TOKEN", "GITHUB_TOKEN"] : ["MLCI_GITLAB_TOKEN", "GITLAB_TOKEN"]
    }

    /// Creates or updates the sticky comment, then sets the commit status. Stops at the first
    /// failure, with a message that names the permission to grant.
    public func publish(markdown: String, verdict: String?) throws(PostError) -> [Outcome] {
        var outcomes: [Outcome] = []
        if let change = target.change {
            outcomes.append(try comment(markdown, on: change))
        } else {
            outcomes.append(Outcome(description: "not a pull or merge request: no comment posted"))
        }
        if let sha = target.sha {
            outcomes.append(try status(verdict: verdict, sha: sha))
        }
        return outcomes
    }

    /// The text of a failed request: what the server said and what to do about it.
    func explain(_ response: HTTPResponse, doing: String) -> PostError {
        let said = (try? JSONParser().parse(response.body))?["message"]?.stringValue
            ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        let detail = said.isEmpty ? "" : " (server: \(redact(said).trimmingSpaces()))"
        let advice: String
        switch (target.provider, response.status) {
        case (_, 401):
            advice = "the token was refused: it is missing, expired or revoked"
        case (.github, 403):
            advice = "the token lacks permission: give the job `permissions: pull-requests: write` (comments) and `statuses: write` (statuses); tokens of pull requests from forks are read-only"
        case (.gitlab, 403):
            advice = "the token lacks permission: use a project or personal access token with the `api` scope and at least the Reporter role (Developer for statuses) in MLCI_GITLAB_TOKEN; CI_JOB_TOKEN cannot post notes"
        case (.github, 404):
            advice = "not found: check GITHUB_REPOSITORY and the pull request number; GitHub also answers 404 when the token cannot see the repository"
        case (.gitlab, 404):
            advice = "not found: check CI_PROJECT_ID and the merge request iid, and that the token's user can see the project"
        case (_, 422):
            advice = "the server rejected the content"
        default:
            advice = "unexpected HTTP \(response.status)"
        }
        return PostError(message: "\(doing): HTTP \(response.status): \(advice)\(detail)")
    }

    func redact(_ text: String) -> String {
        guard !token.isEmpty else { return text }
        return text.split(separator: token, omittingEmptySubsequences: false).joined(separator: "***")
    }

    func headers() -> [String: String] {
        var headers = ["User-Agent": "mlci/\(Version.current)", "Accept": "application/json"]
        switch target.provider {
        case .github:
            headers["Authorization"] = "Bearer \(token)"
            headers["Accept"] = "application/vnd.github+json"
            headers["X-GitHub-Api-Version"] = "2022-11-28"
        case .gitlab:
            headers["PRIVATE-TOKEN"] = token
        }
        return headers
    }

    func url(_ path: String, query: String = "") throws(PostError) -> String {
        let base = target.apiURL.hasSuffix("/") ? String(target.apiURL.dropLast()) : target.apiURL
        let url = base + path + (query.isEmpty ? "" : "?" + query)
        guard base.hasPrefix("https://") || base.hasPrefix("http://"), url.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw PostError(message: "the API address '\(base)' is not an http(s) URL; check GITHUB_API_URL or CI_API_V4_URL")
        }
        return url
    }

    /// A path segment with everything but unreserved characters percent-encoded.
    static func segment(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(byte)
            default:
                encoded += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 15)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
