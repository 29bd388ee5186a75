#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MLCIHTTP
import MLCISupport

public typealias HTTPResponse = MLCIHTTP.HTTPResponse

/// mlci's API client for posting: JSON in, status, headers and JSON out, with retries on 429
/// and 5xx, over `MLCIHTTP.CurlClient` (libcurl loaded on the first request only).
///
/// Value type; each `send` call is independent and may run on any thread. It never logs
/// requests, so the headers (which carry the token) are never printed.
public struct HTTPClient: Sendable {
    /// How many times a request is tried in all when the server answers 429 or 5xx.
    public var attempts = 4
    /// The first back-off delay in seconds; each retry doubles it, `Retry-After` overrides it.
    public var backoff = 1.0
    /// The longest single wait, whatever `Retry-After` asks for.
    public var maximumWait = 30.0
    public var timeout = 30.0
    public var transport = CurlClient()

    public init() {}

    /// Sends the request, retrying 429 and 5xx answers and transport errors.
    public func send(_ method: String, _ url: String, headers: [String: String], body: JSONValue? = nil) throws(PostError) -> HTTPResponse {
        var wait = backoff
        var lastProblem = ""
        for attempt in 1...max(1, attempts) {
            do {
                let response = try once(method, url, headers: headers, body: body)
                guard response.status == 429 || response.status >= 500, attempt < attempts else { return response }
                lastProblem = "HTTP \(response.status)"
                let asked = response.header("retry-after").flatMap(Double.init)
                Self.sleep(min(maximumWait, asked ?? wait))
            } catch {
                if error.kind == .libraryMissing || error.kind == .invalidRequest { throw PostError(message: error.message) }
                lastProblem = error.message
                guard attempt < attempts else { break }
                Self.sleep(min(maximumWait, wait))
            }
            wait *= 2
        }
        throw PostError(message: "\(method) \(CurlClient.describe(url)) failed after \(attempts) attempts (\(lastProblem))")
    }

    private func once(_ method: String, _ url: String, headers: [String: String], body: JSONValue?) throws(HTTPError) -> HTTPResponse {
        var lines = headers.sorted { $0.key < $1.key }.map { HTTPHeader($0.key, $0.value) }
        var payload = HTTPRequest.Body.none
        if let body {
            lines.append(HTTPHeader("Content-Type", "application/json"))
            payload = .bytes(Array(JSONWriter(style: .compact).string(body).utf8))
        }
        return try transport.perform(HTTPRequest(method: method, url: url, headers: lines, body: payload, timeout: timeout))
    }

    private static func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

/// Why a comment or status could not be posted, in words that say what to change.
public struct PostError: Error, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
}
