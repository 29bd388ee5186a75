#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MLCIHTTP
import MLCISupport

/// One DVC remote from `.dvc/config`: a local folder, an HTTP(S) server (read-only) or an
/// S3-compatible bucket, with DVC 3's object layout below its URL (`files/md5/ab/cdef…`, legacy
/// DVC 2 objects at `ab/cdef…`).
///
/// Network calls are retried with exponential back-off on transport errors, 429 and 5xx.
/// Messages name the remote and its URL, never a credential. A value type; every call is
/// independent, so one remote may serve many threads at once.
public struct DVCRemote: Sendable {
    public enum Kind: Sendable {
        case local(root: String)
        case http(base: String, headers: [HTTPHeader])
        case s3(S3Settings)
    }

    /// The remote's name in `.dvc/config`.
    public var name: String
    /// The `url` as configured (no credentials are ever part of it in messages).
    public var url: String
    public var kind: Kind
    /// How many times a request is tried in all.
    public var attempts = 4
    /// The first back-off delay in seconds (doubled after each failure).
    public var backoff = 0.25
    var client = CurlClient()

    public init(name: String, url: String, kind: Kind) {
        self.name = name
        self.url = url
        self.kind = kind
    }

    /// The remote `name` (the default remote when nil) of `config`.
    public static func named(_ name: String?, in config: DVCConfig,
                             environment: [String: String] = ProcessEnvironment.current) throws(InputError) -> DVCRemote {
        guard let chosen = name?.lowercased() ?? config.defaultRemote else {
            throw InputError("no DVC remote is configured as the default",
                             hint: "run 'dvc remote add -d NAME URL', or pass --remote NAME")
        }
        guard let section = config.remotes[chosen] else {
            let known = config.remotes.keys.sorted()
            throw InputError("there is no DVC remote named '\(chosen)'" + (known.isEmpty ? "" : " (configured: \(known.joined(separator: ", ")))"),
                             at: config.core["remote"]?.location, hint: "check .dvc/config, or run 'dvc remote list'")
        }
        let options = section.mapValues(\.text)
        guard let url = options["url"], !url.isEmpty else {
            throw InputError("the DVC remote '\(chosen)' has no url", at: section.values.first?.location,
                             hint: "run 'dvc remote modify \(chosen) url URL'")
        }
        let lower = url.lowercased()
        if lower.hasPrefix("s3://") {
            return DVCRemote(name: chosen, url: url,
                             kind: .s3(try S3Settings.resolve(name: chosen, url: url, options: options, environment: environment)))
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            var headers: [HTTPHeader] = []
            let auth = options["auth"]?.lowercased()
            if auth == "basic" || (auth == nil && options["user"] != nil) {
                let credentials = "\(options["user"] ?? ""):\(options["password"] ?? "")"
                headers.append(HTTPHeader("Authorization", "Basic " + Base64.encode(Array(credentials.utf8))))
            } else if auth == "custom", let header = options["custom_auth_header"] {
                headers.append(HTTPHeader(header, options["password"] ?? ""))
            } else if let auth, auth != "basic" {
                throw InputError("the HTTP remote '\(chosen)' uses auth '\(auth)', which mlci does not support",
                                 hint: "use basic or custom auth, or none")
            }
            var base = url
            while base.hasSuffix("/") { base.removeLast() }
            return DVCRemote(name: chosen, url: url, kind: .http(base: base, headers: headers))
        }
        if DVCConfig.isURL(url) {
            throw InputError("the DVC remote '\(chosen)' is \(url.prefix { $0 != ":" }); mlci reads local, http(s) and s3 remotes",
                             hint: "pull with 'dvc pull' for this remote")
        }
        return DVCRemote(name: chosen, url: url, kind: .local(root: url))
    }

    /// Where `md5` (`<32 hex>` or `<32 hex>.dir`) lives below the remote: `files/md5/ab/cd…`, or
    /// `ab/cd…` for a legacy DVC 2 object.
    public static func objectKey(_ md5: String, legacy: Bool) -> String {
        let tail = "\(md5.prefix(2))/\(md5.dropFirst(2))"
        return legacy ? tail : "files/md5/" + tail
    }

    /// How the remote is named in messages: its name and URL.
    public var display: String { "remote '\(name)' (\(CurlClient.describe(url)))" }

    /// Whether the object `key` exists (a HEAD request; no download).
    public func exists(_ key: String) throws(InputError) -> Bool {
        switch kind {
        case .local(let root):
            return FileSystem.exists(root + "/" + key)
        case .http, .s3:
            let response = try send("HEAD", key, sink: .memory())
            switch response.status {
            case 200..<300: return true
            case 404: return false
            default: throw statusError("HEAD", key, response)
            }
        }
    }

    /// Writes the object `key` to `descriptor` (from its start; a retry truncates it first).
    /// - Returns: false when the remote does not have it.
    public func download(_ key: String, to descriptor: Int32) throws(InputError) -> Bool {
        switch kind {
        case .local(let root):
            let source = root + "/" + key
            guard FileSystem.exists(source) else { return false }
            try Self.copy(from: source, to: descriptor, display: "\(key) in \(display)")
            return true
        case .http, .s3:
            let response = try send("GET", key, sink: .file(descriptor: descriptor))
            switch response.status {
            case 200..<300: return true
            case 404: return false
            default: throw statusError("GET", key, response)
            }
        }
    }

    /// One request with retries; the status is the caller's to judge, except 429/5xx retried.
    func send(_ method: String, _ key: String, sink: HTTPResponseSink) throws(InputError) -> HTTPResponse {
        var wait = backoff
        var problem = ""
        for attempt in 1...max(1, attempts) {
            if case .file(let descriptor) = sink {
                _ = ftruncate(descriptor, 0)
                _ = lseek(descriptor, 0, SEEK_SET)
            }
            do {
                let response = try client.perform(request(method, key), sink: sink)
                if response.status == 429 || response.status >= 500, attempt < attempts {
                    problem = "HTTP \(response.status)"
                } else {
                    return response
                }
            } catch {
                if error.kind == .libraryMissing || error.kind == .invalidRequest {
                    throw InputError("\(method) \(key) from \(display): \(error.message)")
                }
                problem = error.message
                if attempt == attempts { break }
            }
            usleep(useconds_t(min(wait, 10) * 1_000_000))
            wait *= 2
        }
        throw InputError("\(method) \(key) from \(display) failed after \(attempts) attempts: \(problem)",
                         hint: "check that the remote is reachable, then run again")
    }

    func request(_ method: String, _ key: String) -> HTTPRequest {
        switch kind {
        case .local:
            preconditionFailure("a local remote sends no HTTP request")
        case .http(let base, let headers):
            return HTTPRequest(method: method, url: base + "/" + AWSSigner.encode(key, keepSlash: true), headers: headers,
                               timeout: 0, connectTimeout: 20, lowSpeedLimit: 1, lowSpeedTime: 60, followRedirects: true)
        case .s3(let settings):
            let path = settings.path(for: key)
            var headers: [HTTPHeader] = []
            if let credentials = settings.credentials {
                let signer = AWSSigner(credentials: credentials, region: settings.region)
                for (name, value) in signer.headers(method: method, host: settings.hostHeader, path: path, date: Self.amzDate()) {
                    headers.append(HTTPHeader(name, value))
                }
            }
            return HTTPRequest(method: method, url: settings.endpoint + AWSSigner.encode(path, keepSlash: true), headers: headers,
                               timeout: 0, connectTimeout: 20, lowSpeedLimit: 1, lowSpeedTime: 60)
        }
    }

    func statusError(_ method: String, _ key: String, _ response: HTTPResponse) -> InputError {
        let hint: String
        switch response.status {
        case 401, 403: hint = "check the credentials for the remote (they are not shown here)"
        default: hint = "check the remote's URL and that the server is healthy"
        }
        return InputError("\(method) \(key) from \(display) answered HTTP \(response.status)", hint: hint)
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` now, in UTC.
    static func amzDate() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// Copies a local file's bytes into `descriptor`.
    static func copy(from source: String, to descriptor: Int32, display: String) throws(InputError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display)) }
        defer { close(input) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(FileSystem.describeErrno(errno, verb: "read", name: display))
            }
            if count == 0 { return }
            var written = 0
            while written < count {
                let n = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw InputError(FileSystem.describeErrno(errno, verb: "write", name: display))
                }
                written += n
            }
        }
    }
}

/// Standard base64 (RFC 4648) for HTTP basic auth.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index], b1 = index + 1 < bytes.count ? bytes[index + 1] : 0, b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 15) << 2 | b2 >> 6)] : 0x3D)
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 63)] : 0x3D)
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
