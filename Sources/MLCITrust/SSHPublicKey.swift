import Crypto
import MLCISupport

/// An SSH public key as its wire blob (`string type ‖ key data`), compared byte for byte.
/// Only `ssh-ed25519` keys can check signatures here; other types are held so that an
/// allowed_signers file naming them still parses. A value type: `Sendable`.
public struct SSHPublicKey: Sendable, Equatable, Hashable {
    /// `ssh-ed25519`, `ssh-rsa`, …
    public let type: String
    /// The wire blob.
    public let blob: [UInt8]

    /// An Ed25519 key from its 32 raw bytes.
    public init(ed25519 raw: [UInt8]) {
        type = "ssh-ed25519"
        blob = SSHWire.string("ssh-ed25519") + SSHWire.string(raw)
    }

    /// A key from its wire blob; `nil` when the blob does not start with a type name.
    public init?(blob: [UInt8]) {
        var reader = SSHReader(blob, what: "the public key")
        guard let name = try? reader.text(), !name.isEmpty else { return nil }
        if name == "ssh-ed25519" {
            guard let raw = try? reader.string(), raw.count == 32, reader.isAtEnd else { return nil }
        }
        type = name
        self.blob = blob
    }

    /// The 32 bytes of an Ed25519 key, or `nil` for another type.
    var ed25519: [UInt8]? {
        guard type == "ssh-ed25519" else { return nil }
        var reader = SSHReader(blob, what: "the public key")
        _ = try? reader.string()
        return try? reader.string()
    }

    /// `SHA256:…` as ssh-keygen prints it (base64 without padding).
    public var fingerprint: String { "SHA256:" + Base64.encode(Array(SHA256.hash(data: blob)), padded: false) }

    /// `ssh-ed25519 AAAA…`, the allowed_signers / authorized_keys form.
    public var openSSH: String { "\(type) \(Base64.encode(blob))" }
}
