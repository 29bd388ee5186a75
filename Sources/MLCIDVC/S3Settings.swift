import MLCISupport

/// Where an S3 remote lives and how to sign for it, resolved as dvc-s3 and botocore do:
/// the remote's own options first, then the environment, then the AWS shared files.
///
/// - Credentials: the remote's `access_key_id`/`secret_access_key`/`session_token`; else (when the
///   remote names no `profile`) `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`;
///   else the profile (`profile`, `AWS_DEFAULT_PROFILE`, `AWS_PROFILE`, `default`) in the
///   credentials file (`credentialpath`, `AWS_SHARED_CREDENTIALS_FILE`, `~/.aws/credentials`), then
///   in the config file (`configpath`, `AWS_CONFIG_FILE`, `~/.aws/config`, section `[profile x]`).
/// - Region: `region`, `AWS_DEFAULT_REGION`, the profile's `region`, `us-east-1`.
/// - Endpoint: `endpointurl`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's
///   `endpoint_url`, else `https://s3.<region>.amazonaws.com`. Requests are path-style.
///
/// A value type holding secrets; never print ``credentials``. Safe to share between threads.
public struct S3Settings: Sendable {
    public var bucket: String
    /// The key prefix under the bucket, without leading or trailing `/` (may be empty).
    public var prefix: String
    /// `scheme://host[:port]` without a trailing slash.
    public var endpoint: String
    public var region: String
    /// Nil for anonymous access (`allow_anonymous_login` with no credentials found).
    public var credentials: AWSCredentials?

    /// Resolves the settings of the remote `name` whose `url` is `s3://bucket/prefix`.
    public static func resolve(name: String, url: String, options: [String: String],
                               environment: [String: String]) throws(InputError) -> S3Settings {
        let rest = url.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        guard !bucket.isEmpty else {
            throw InputError("the url '\(url)' of remote '\(name)' names no bucket", hint: "write it as s3://bucket/prefix")
        }
        let prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
        let home = environment["HOME"] ?? ""
        func expand(_ path: String) -> String { path.hasPrefix("~/") ? home + path.dropFirst(1) : path }
        let credentialsFile = expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? options["credentialpath"] ?? "~/.aws/credentials")
        let configFile = expand(environment["AWS_CONFIG_FILE"] ?? options["configpath"] ?? "~/.aws/config")
        let explicitProfile = options["profile"]
        let profile = explicitProfile ?? environment["AWS_DEFAULT_PROFILE"] ?? environment["AWS_PROFILE"] ?? "default"
        let credentialSections = try readINI(credentialsFile)
        let configSections = try readINI(configFile)
        let profileConfig = configSections[profile == "default" ? "default" : "profile \(profile)"] ?? [:]

        var credentials: AWSCredentials?
        if let key = options["access_key_id"], let secret = options["secret_access_key"] {
            credentials = AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: options["session_token"],
                                         source: "the options of remote '\(name)'")
        } else if explicitProfile == nil, let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"],
                  !key.isEmpty, !secret.isEmpty {
            credentials = AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                         sessionToken: environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"],
                                         source: "the environment")
        } else {
            for (sections, file, section) in [(credentialSections, credentialsFile, profile), (configSections, configFile,
                                              profile == "default" ? "default" : "profile \(profile)")] {
                if let keys = sections[section], let key = keys["aws_access_key_id"], let secret = keys["aws_secret_access_key"] {
                    credentials = AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: keys["aws_session_token"],
                                                 source: "\(file) [\(section)]")
                    break
                }
            }
        }
        if credentials == nil, options["allow_anonymous_login"]?.lowercased() != "true" {
            throw InputError("no AWS credentials for remote '\(name)' (\(url))",
                             hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials")
        }
        let region = options["region"] ?? environment["AWS_DEFAULT_REGION"] ?? profileConfig["region"] ?? "us-east-1"
        var endpoint = options["endpointurl"] ?? environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"]
            ?? profileConfig["endpoint_url"] ?? "https://s3.\(region).amazonaws.com"
        if options["use_ssl"]?.lowercased() == "false", endpoint.hasPrefix("https://") { endpoint = "http://" + endpoint.dropFirst(8) }
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw InputError("the endpoint '\(endpoint)' of remote '\(name)' is not an http(s) URL",
                             hint: "set endpointurl to http://host:port or https://host")
        }
        return S3Settings(bucket: bucket, prefix: prefix, endpoint: endpoint, region: region, credentials: credentials)
    }

    /// `host[:port]` as sent in the Host header (the default port left out).
    public var hostHeader: String {
        let afterScheme = endpoint.drop { $0 != "/" }.dropFirst(2)
        let authority = String(afterScheme.prefix { $0 != "/" })
        if endpoint.hasPrefix("http://"), authority.hasSuffix(":80") { return String(authority.dropLast(3)) }
        if endpoint.hasPrefix("https://"), authority.hasSuffix(":443") { return String(authority.dropLast(4)) }
        return authority
    }

    /// The path of an object key below the remote (`files/md5/ab/cd…`): `/bucket/prefix/key`.
    public func path(for key: String) -> String {
        prefix.isEmpty ? "/\(bucket)/\(key)" : "/\(bucket)/\(prefix)/\(key)"
    }

    /// An AWS INI file's sections (missing file: none). Indented lines (nested `s3 =` blocks)
    /// are skipped.
    static func readINI(_ path: String) throws(InputError) -> [String: [String: String]] {
        guard FileSystem.exists(path) else { return [:] }
        let text = String(decoding: try FileSystem.read(path, limit: 1 << 20), as: UTF8.self)
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(separator: "\n") {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.first == " " || line.first == "\t" { continue }
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("["), trimmed.hasSuffix("]") {
                current = String(trimmed.dropFirst().dropLast().trimmingSpaces())
                continue
            }
            guard let current, let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = String(trimmed[..<equals].trimmingSpaces()).lowercased()
            sections[current, default: [:]][key] = String(trimmed[trimmed.index(after: equals)...].trimmingSpaces())
        }
        return sections
    }
}
