/// Why an HTTP exchange produced no response. The message names the host and the cause, never
/// a header value or a query string (they may hold credentials).
public struct HTTPError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// libcurl could not be loaded: install it (`apt-get install libcurl4`).
        case libraryMissing
        /// The request itself is unusable (scheme, method, characters).
        case invalidRequest
        /// Connecting, TLS, timeouts, a connection cut short.
        case transport
        /// The body could not be read from or written to the caller's descriptor, or was too long.
        case localIO
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
}
