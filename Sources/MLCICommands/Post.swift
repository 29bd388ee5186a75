import ArgumentParser
import MLCIPublish
import MLCIReport
import MLCISupport
import MLCIVerify

/// `--comment` and `--strict-post` of `mlci ci`.
struct PostOptions: ParsableArguments {
    @Flag(help: "Post the summary as one sticky PR/MR comment (updated on every run) and set the mlci commit status. Token from MLCI_GITHUB_TOKEN or GITHUB_TOKEN (GitHub), MLCI_GITLAB_TOKEN or GITLAB_TOKEN (GitLab).")
    var comment = false

    @Flag(help: "Exit 2 when posting fails; by default a posting failure warns and the verdict's exit code stands.")
    var strictPost = false
}

/// Posts a report's summary and status to the CI's forge. Tokens come only from the
/// environment and only reach request headers.
enum Posting {
    /// Posts `report`; throws a ``PostError`` with advice when it cannot.
    static func post(_ report: JSONValue) throws(PostError) {
        let environment = ProcessEnvironment.current
        let context = CIContext.detect(environment)
        guard let context, let target = Publisher.Target.detect(environment, pullRequest: context.changeNumber,
                                                                 headSHA: context.headSHA, runURL: context.runURL) else {
            throw PostError(message: "no GitHub Actions or GitLab CI environment (GITHUB_REPOSITORY or CI_API_V4_URL and CI_PROJECT_ID) to post to")
        }
        let names = Publisher.tokenVariables(target.provider)
        guard let token = names.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else {
            throw PostError(message: "no token: set \(names.joined(separator: " or ")) in the job's environment")
        }
        let publisher = Publisher(target: target, token: token)
        for outcome in try publisher.publish(markdown: MarkdownRenderer.render(report), verdict: report["verdict"]?.stringValue) {
            Terminal.err("mlci: \(outcome.description)")
        }
    }

    /// Posts after a verdict: warns on failure, or exits 2 when `strict`.
    static func postAfterVerdict(_ report: JSONValue, strict: Bool) throws {
        do {
            try post(report)
        } catch {
            Terminal.err("\(strict ? "error" : "warning"): could not post the report: \(printable(error.message))")
            if ProcessEnvironment.current["GITHUB_ACTIONS"] == "true" {
                Terminal.out("::warning title=mlci::\(Escaping.workflowCommand("could not post the report: " + error.message))")
            }
            if strict { throw ExitCode(2) }
        }
    }
}
