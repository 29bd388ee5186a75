import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MLCISupport

/// One HTTP exchange as mlci's posting needs it: JSON in, status, headers and JSON out.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
}

/// A small synchronous HTTP client over URLSession, with retries on 429 and 5xx.
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

    public init() {}

    /// Sends the request, retrying 429 and 5xx answers and transport errors.
    public func send(_ method: String, _ url: URL, headers: [String: String], body: JSONValue? = nil) throws(PostError) -> HTTPResponse {
        var wait = backoff
        var lastProblem = ""
        for attempt in 1...max(1, attempts) {
            do {
                let response = try once(method, url, headers: headers, body: body)
                guard response.status == 429 || response.status >= 500, attempt < attempts else { return response }
                lastProblem = "HTTP \(response.status)"
                let asked = response.headers["retry-after"].flatMap(Double.init)
                Thread.sleep(forTimeInterval: min(maximumWait, asked ?? wait))
            } catch {
                lastProblem = error.message
                guard attempt < attempts else { break }
                Thread.sleep(forTimeInterval: min(maximumWait, wait))
            }
            wait *= 2
        }
        throw PostError(message: "\(method) \(url.path) failed after \(attempts) attempts (\(lastProblem))")
    }

    private func once(_ method: String, _ url: URL, headers: [String: String], body: JSONValue?) throws(PostError) -> HTTPResponse {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(JSONWriter(style: .compact).string(body).utf8)
        }
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(data: data, response: response as? HTTPURLResponse, error: error)
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, response, error) = box.get()
        if let error { throw PostError(message: "\(method) \(url.host ?? "") \(url.path): \(error.localizedDescription)") }
        guard let response else { throw PostError(message: "\(method) \(url.path): no HTTP response") }
        var headers: [String: String] = [:]
        for (name, value) in response.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return HTTPResponse(status: response.statusCode, headers: headers, body: Array(data ?? Data()))
    }
}

/// Hands URLSession's callback results to the waiting thread.
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var response: HTTPURLResponse?
    private var error: (any Error)?

    func set(data: Data?, response: HTTPURLResponse?, error: (any Error)?) {
        lock.lock(); defer { lock.unlock() }
        self.data = data; self.response = response; self.error = error
    }

    func get() -> (Data?, HTTPURLResponse?, (any Error)?) {
        lock.lock(); defer { lock.unlock() }
        return (data, response, error)
    }
}

/// Why a comment or status could not be posted, in words that say what to change.
public struct PostError: Error, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
}
