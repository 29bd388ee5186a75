import MLCIReport
import MLCISupport

extension Publisher {
    /// Finds the comment that carries the marker (following pages) and updates it, or creates one.
    func comment(_ markdown: String, on change: String) throws(PostError) -> Outcome {
        guard !change.isEmpty, change.allSatisfy(\.isASCII), change.allSatisfy(\.isNumber) else {
            throw PostError(message: "the pull/merge request number '\(change)' is not a number")
        }
        var body = markdown.hasPrefix(Self.marker) ? markdown : Self.marker + "\n" + markdown
        if target.provider == .github, body.count > Self.githubCommentLimit {
            body = String(body.prefix(Self.githubCommentLimit)) + "\n\n… (truncated; the full report is in the job's artifacts)\n"
        }
        let base = try collectionPath(change)
        let noun = target.provider == .github ? "pull request #\(change)" : "merge request !\(change)"
        var page = 1
        while page <= 50 {
            let query = target.provider == .github ? "per_page=100&page=\(page)" : "per_page=100&page=\(page)&sort=asc&order_by=created_at"
            let response = try client.send("GET", try url(base, query: query), headers: headers())
            guard response.status == 200 else { throw explain(response, doing: "reading the comments of \(noun)") }
            guard let items = (try? JSONParser().parse(response.body))?.arrayValue else {
                throw PostError(message: "reading the comments of \(noun): the server did not answer a JSON list")
            }
            if let existing = items.first(where: { $0["body"]?.stringValue?.hasPrefix(Self.marker) == true }),
               let id = existing["id"], case .int(let number) = id {
                let method = target.provider == .github ? "PATCH" : "PUT"
                let path = target.provider == .github ? "/repos/\(target.repository)/issues/comments/\(number)" : base + "/\(number)"
                let update = try client.send(method, try url(path), headers: headers(), body: ["body": .string(body)])
                guard update.status == 200 else { throw explain(update, doing: "updating the mlci comment on \(noun)") }
                return Outcome(description: "updated the mlci comment on \(noun)")
            }
            if items.count < 100 { break }
            page += 1
        }
        let created = try client.send("POST", try url(base), headers: headers(), body: ["body": .string(body)])
        guard created.status == 201 else { throw explain(created, doing: "commenting on \(noun)") }
        return Outcome(description: "commented on \(noun)")
    }

    /// Sets the `mlci` commit status: success when approved, failure when rejected, error without a verdict.
    func status(verdict: String?, sha: String) throws(PostError) -> Outcome {
        guard (7...64).contains(sha.count), sha.allSatisfy(\.isHexDigit) else {
            throw PostError(message: "the commit '\(sha)' is not a hexadecimal sha")
        }
        let description = verdict.map { "mlci: \($0)" } ?? "mlci: no verdict"
        var body: [String: JSONValue]
        let path: String
        switch target.provider {
        case .github:
            let state = verdict == "approved" ? "success" : verdict == "rejected" ? "failure" : "error"
            body = ["state": .string(state), "context": "mlci", "description": .string(description)]
            path = "/repos/\(try githubRepository())/statuses/\(sha)"
        case .gitlab:
            let state = verdict == "approved" ? "success" : "failed"
            body = ["state": .string(state), "name": "mlci", "description": .string(description)]
            path = "/projects/\(Self.segment(target.repository))/statuses/\(sha)"
        }
        if let run = target.runURL, run.hasPrefix("https://") || run.hasPrefix("http://") { body["target_url"] = .string(run) }
        let response = try client.send("POST", try url(path), headers: headers(), body: .object(body.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        guard response.status == 201 || response.status == 200 else {
            throw explain(response, doing: "setting the commit status on \(sha.prefix(12))")
        }
        return Outcome(description: "set the mlci status on \(sha.prefix(12)) to \(body["state"]?.stringValue ?? "")")
    }

    /// The comments collection of the pull/merge request.
    func collectionPath(_ change: String) throws(PostError) -> String {
        switch target.provider {
        case .github: "/repos/\(try githubRepository())/issues/\(change)/comments"
        case .gitlab: "/projects/\(Self.segment(target.repository))/merge_requests/\(change)/notes"
        }
    }

    func githubRepository() throws(PostError) -> String {
        let parts = target.repository.split(separator: "/", omittingEmptySubsequences: false)
        let valid = parts.count == 2 && parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
        guard valid else { throw PostError(message: "GITHUB_REPOSITORY '\(target.repository)' is not owner/name") }
        return target.repository
    }
}
