import Crypto
import MLCIHashing

/// AWS Signature Version 4 for S3 requests with an empty body (GET, HEAD), as botocore's
/// `S3SigV4Auth` computes it: path segments encoded once (S3 does not normalise the path), the
/// query sorted and fully encoded, `host`, `x-amz-content-sha256`, `x-amz-date` (and
/// `x-amz-security-token`) signed.
///
/// A value type holding the secret key: never print it or put it in an error. Safe to share
/// between threads.
public struct AWSSigner: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service = "s3"

    /// SHA-256 of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public init(credentials: AWSCredentials, region: String) {
        self.credentials = credentials
        self.region = region
    }

    /// The headers to send with the request, `Authorization` included.
    ///
    /// - Parameters:
    ///   - host: `host[:port]` exactly as sent (the port omitted for http:80 and https:443).
    ///   - path: the request path, not yet encoded (`/bucket/files/md5/ab/cd…`).
    ///   - query: name/value pairs, not yet encoded.
    ///   - date: `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    public func headers(method: String, host: String, path: String, query: [(String, String)] = [],
                        extraHeaders: [(String, String)] = [], date: String,
                        payloadHash: String = AWSSigner.emptyPayloadHash) -> [(String, String)] {
        var signed: [(String, String)] = [("host", host), ("x-amz-content-sha256", payloadHash), ("x-amz-date", date)]
        if let token = credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        for (name, value) in extraHeaders { signed.append((name.lowercased(), value)) }
        signed.sort { $0.0 < $1.0 }
        let canonical = canonicalRequest(method: method, path: path, query: query, headers: signed, payloadHash: payloadHash)
        let day = String(date.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(date)\n\(scope)\n\(Hex.string(SHA256.hash(data: Array(canonical.utf8))))"
        let signature = Hex.string(hmac(signingKey(day: day), stringToSign))
        let signedNames = signed.map(\.0).joined(separator: ";")
        var out = signed.filter { $0.0 != "host" }
        out.append(("Authorization",
                    "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"))
        return out
    }

    /// The six lines joined by `\n` (the headers block ends in its own `\n`).
    func canonicalRequest(method: String, path: String, query: [(String, String)], headers: [(String, String)],
                          payloadHash: String) -> String {
        let uri = path.isEmpty ? "/" : Self.encode(path, keepSlash: true)
        var pairs: [(String, String)] = []
        for (name, value) in query { pairs.append((Self.encode(name, keepSlash: false), Self.encode(value, keepSlash: false))) }
        pairs.sort { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        var encodedQuery = ""
        for (index, pair) in pairs.enumerated() { encodedQuery += (index > 0 ? "&" : "") + pair.0 + "=" + pair.1 }
        let headerBlock = headers.map { "\($0.0):\(Self.collapseSpaces($0.1))\n" }.joined()
        return [method.uppercased(), uri, encodedQuery, headerBlock, headers.map(\.0).joined(separator: ";"), payloadHash]
            .joined(separator: "\n")
    }

    func signingKey(day: String) -> SymmetricKey {
        let kDate = hmac(SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8)), day)
        let kRegion = hmac(SymmetricKey(data: kDate), region)
        let kService = hmac(SymmetricKey(data: kRegion), service)
        return SymmetricKey(data: hmac(SymmetricKey(data: kService), "aws4_request"))
    }

    func hmac(_ key: SymmetricKey, _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key))
    }

    /// Every byte but `A-Z a-z 0-9 - _ . ~` (and `/` when `keepSlash`) as `%XX`, upper-case hex.
    public static func encode(_ text: String, keepSlash: Bool) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x5F, 0x2E, 0x7E: out.append(byte)
            case 0x2F where keepSlash: out.append(byte)
            default: out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func collapseSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}

/// An AWS access key, its secret and an optional session token.
///
/// Holds secrets: `description` names only the key id's source, never the values.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Where they came from (`environment`, `~/.aws/credentials [dev]`), for messages.
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    public var description: String { "AWS credentials from \(source)" }
}
