import CCurlLoader
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A synchronous HTTP client over libcurl, which it loads with `dlopen` on the first request:
/// mlci does not link libcurl, so commands that never talk HTTP never load it and the release
/// binary runs on machines without it (those get `HTTPError.Kind.libraryMissing` when posting).
///
/// A value type; every `perform` uses its own curl handle, so calls may run on any threads at
/// once. It never enables curl's verbose output: header values (tokens, signatures) are neither
/// printed nor put into errors. No retries here — callers decide what is worth repeating.
public struct CurlClient: Sendable {
    /// The libcurl to load instead of searching `libcurl.so.4` / `libcurl-gnutls.so.4`; when nil,
    /// the environment variable `MLCI_LIBCURL` is used if set.
    public var libraryPath: String?

    public init(libraryPath: String? = nil) { self.libraryPath = libraryPath }

    /// Loads libcurl now (once per process); throws `.libraryMissing` with what to install.
    public func load() throws(HTTPError) {
        let path = libraryPath ?? getenv("MLCI_LIBCURL").map { String(cString: $0) }
        var problem = [CChar](repeating: 0, count: 512)
        let status = problem.withUnsafeMutableBufferPointer { buffer in
            mlci_curl_load(path, buffer.baseAddress, buffer.count)
        }
        guard status == 0 else {
            let reason = problem.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw HTTPError(.libraryMissing, "libcurl could not be loaded (\(reason)); mlci needs it only to talk HTTP: "
                + "install it (Debian/Ubuntu: apt-get install libcurl4; Alpine: apk add libcurl) or set MLCI_LIBCURL to its path")
        }
    }

    /// Sends `request` and waits for the whole answer. Any status is a response (no throw for
    /// 4xx/5xx); throws when no response arrived or the body could not be stored.
    public func perform(_ request: HTTPRequest, sink: HTTPResponseSink = .memory()) throws(HTTPError) -> HTTPResponse {
        try Self.validate(request)
        try load()
        guard let handle = mlci_curl_easy_init() else { throw HTTPError(.transport, "curl_easy_init failed") }
        defer { mlci_curl_easy_cleanup(handle) }
        let transfer = CurlTransfer(body: request.body, sink: sink)
        var headerList: UnsafeMutableRawPointer?
        defer { mlci_curl_slist_free_all(headerList) }
        for header in request.headers { headerList = mlci_curl_slist_append(headerList, "\(header.name): \(header.value)") }
        if case .none = request.body {} else if !request.headers.contains(where: { $0.name.lowercased() == "expect" }) {
            headerList = mlci_curl_slist_append(headerList, "Expect:")
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(MLCI_CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(MLCI_CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        var code: Int32 = 0
        withExtendedLifetime(transfer) {
            _ = mlci_curl_setopt_pointer(handle, opt(MLCI_CURLOPT_ERRORBUFFER), errorBuffer)
            _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_NOSIGNAL), 1)
            _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_PROTOCOLS), Int(MLCI_CURLPROTO_HTTP | MLCI_CURLPROTO_HTTPS))
            _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_REDIR_PROTOCOLS), Int(MLCI_CURLPROTO_HTTP | MLCI_CURLPROTO_HTTPS))
            _ = mlci_curl_setopt_pointer(handle, opt(MLCI_CURLOPT_URL), request.url)
            _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_TIMEOUT_MS), Int(max(0, request.timeout) * 1000))
            _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_CONNECTTIMEOUT_MS), Int(max(0, request.connectTimeout) * 1000))
            _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_LOW_SPEED_LIMIT), request.lowSpeedLimit)
            _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_LOW_SPEED_TIME), request.lowSpeedTime)
            _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_FOLLOWLOCATION), request.followRedirects ? 1 : 0)
            _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_MAXREDIRS), 10)
            if let headerList { _ = mlci_curl_setopt_pointer(handle, opt(MLCI_CURLOPT_HTTPHEADER), headerList) }
            _ = mlci_curl_setopt_callback(handle, opt(MLCI_CURLOPT_HEADERFUNCTION), curlHeaderCallback)
            _ = mlci_curl_setopt_pointer(handle, opt(MLCI_CURLOPT_HEADERDATA), context)
            _ = mlci_curl_setopt_callback(handle, opt(MLCI_CURLOPT_WRITEFUNCTION), curlWriteCallback)
            _ = mlci_curl_setopt_pointer(handle, opt(MLCI_CURLOPT_WRITEDATA), context)
            switch request.body {
            case .none: break
            case .bytes(let bytes): upload(handle, length: Int64(bytes.count), context: context)
            case .file(_, let length): upload(handle, length: length, context: context)
            }
            switch request.method {
            case "GET": break
            case "HEAD": _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_NOBODY), 1)
            default: _ = mlci_curl_setopt_pointer(handle, opt(MLCI_CURLOPT_CUSTOMREQUEST), request.method)
            }
            code = mlci_curl_easy_perform(handle)
        }
        if let failure = transfer.failure { throw failure }
        guard code == 0 else {
            let detail = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: mlci_curl_easy_strerror(code))
            throw HTTPError(.transport, "\(request.method) \(Self.describe(request.url)): \(detail)")
        }
        return HTTPResponse(status: mlci_curl_response_code(handle), headers: transfer.headers,
                            body: transfer.body, bodyLength: transfer.received)
    }

    private func upload(_ handle: UnsafeMutableRawPointer, length: Int64, context: UnsafeMutableRawPointer) {
        _ = mlci_curl_setopt_long(handle, opt(MLCI_CURLOPT_UPLOAD), 1)
        _ = mlci_curl_setopt_offset(handle, opt(MLCI_CURLOPT_INFILESIZE_LARGE), length)
        _ = mlci_curl_setopt_callback(handle, opt(MLCI_CURLOPT_READFUNCTION), curlReadCallback)
        _ = mlci_curl_setopt_pointer(handle, opt(MLCI_CURLOPT_READDATA), context)
    }

    /// The scheme, host and path of `url`, without user info, query or fragment (for messages).
    public static func describe(_ url: String) -> String {
        var rest = Substring(url)
        var scheme = ""
        if let range = rest.firstRange(of: "://") { scheme = String(rest[..<range.upperBound]); rest = rest[range.upperBound...] }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<slash]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return scheme + authority + rest[slash...]
    }

    static func validate(_ request: HTTPRequest) throws(HTTPError) {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy({ (65...90).contains($0) }) else {
            throw HTTPError(.invalidRequest, "'\(request.method)' is not an HTTP method")
        }
        let lower = request.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"),
              request.url.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw HTTPError(.invalidRequest, "'\(describe(request.url))' is not an http(s) address without spaces or control characters")
        }
        for header in request.headers {
            let nameOK = !header.name.isEmpty && header.name.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }
            let valueOK = header.value.utf8.allSatisfy { $0 != 0 && $0 != 10 && $0 != 13 }
            guard nameOK, valueOK else { throw HTTPError(.invalidRequest, "the header '\(header.name)' has characters HTTP does not allow") }
        }
        if case .file(let descriptor, let length) = request.body, descriptor < 0 || length < 0 {
            throw HTTPError(.invalidRequest, "the request body's descriptor or length is negative")
        }
    }
}

private func opt<T: BinaryInteger>(_ option: T) -> Int32 { Int32(option) }
