/// What the server answered: the final status, its headers and (for `.memory`) the body.
///
/// A value type, safe to share between threads.
public struct HTTPResponse: Sendable {
    /// The status code of the last response (after redirects, without `100 Continue`).
    public var status: Int
    /// The last response's headers in arrival order, names lower-cased, values trimmed.
    public var headers: [HTTPHeader]
    /// The body when it was collected in memory; empty when it was written to a descriptor.
    public var body: [UInt8]
    /// How many body bytes arrived (also when written to a descriptor).
    public var bodyLength: Int64

    public init(status: Int, headers: [HTTPHeader], body: [UInt8], bodyLength: Int64? = nil) {
        self.status = status; self.headers = headers; self.body = body
        self.bodyLength = bodyLength ?? Int64(body.count)
    }

    /// The first value of the header `name` (any case), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }
}

/// Where the response body goes.
public enum HTTPResponseSink: Sendable {
    /// Collected into `HTTPResponse.body`; a body longer than `limit` bytes fails the request.
    case memory(limit: Int = 64 << 20)
    /// Written to `descriptor` as it arrives (the caller owns and closes it). Non-2xx bodies
    /// still go to memory (up to 64 KiB) so that the caller can explain the error.
    case file(descriptor: Int32)
}
