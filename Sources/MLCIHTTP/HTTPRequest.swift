/// One HTTP request as mlci's clients (API posting, DVC remotes) describe it.
///
/// A value type: build it, hand it to `CurlClient.perform`; it holds no open resources except a
/// file descriptor the caller owns when the body is `.file`.
public struct HTTPRequest: Sendable {
    /// What is sent after the headers.
    public enum Body: Sendable, Equatable {
        /// No body (GET, HEAD, DELETE).
        case none
        /// These bytes (JSON for the APIs, small objects).
        case bytes([UInt8])
        /// `length` bytes read from `descriptor`, from its current offset, streamed. The caller
        /// owns the descriptor: it is neither closed nor rewound.
        case file(descriptor: Int32, length: Int64)
    }

    /// `GET`, `HEAD`, `POST`, `PUT`, `PATCH`, `DELETE`… (upper-case token).
    public var method: String
    /// An absolute `http://` or `https://` address; other schemes are refused.
    public var url: String
    /// Sent in this order. Values are never logged or put into error messages.
    public var headers: [HTTPHeader]
    public var body: Body
    /// The whole exchange may take at most this many seconds (0: no limit).
    public var timeout: Double
    /// Connecting may take at most this many seconds.
    public var connectTimeout: Double
    /// A transfer slower than `lowSpeedLimit` bytes/s for `lowSpeedTime` seconds is aborted
    /// (0: never) — the guard for long downloads where `timeout` must stay 0.
    public var lowSpeedLimit: Int
    public var lowSpeedTime: Int
    /// Follows up to 10 redirects to http(s) addresses when true.
    public var followRedirects: Bool

    public init(method: String, url: String, headers: [HTTPHeader] = [], body: Body = .none,
                timeout: Double = 30, connectTimeout: Double = 10, lowSpeedLimit: Int = 0, lowSpeedTime: Int = 0,
                followRedirects: Bool = false) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
        self.timeout = timeout; self.connectTimeout = connectTimeout
        self.lowSpeedLimit = lowSpeedLimit; self.lowSpeedTime = lowSpeedTime
        self.followRedirects = followRedirects
    }
}

/// One header line: a name and a value, kept as given.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }
}
