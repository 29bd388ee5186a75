import Crypto
import MLCISupport

/// An Ed25519 private key read from an unencrypted OpenSSH private key file
/// (`openssh-key-v1`, what `ssh-keygen -t ed25519 -N ''` writes).
///
/// Its description names only the public key's fingerprint: the key itself is never printed,
/// logged or stored by mlci. A value type: `Sendable`.
public struct SSHSigningKey: Sendable, CustomStringConvertible {
    /// The 32-byte RFC 8032 seed; private, never printed.
    private let seed: [UInt8]
    public let publicKey: SSHPublicKey

    public var description: String { "ED25519 key \(publicKey.fingerprint)" }

    /// Parses the armored key text. `source` names where it came from in messages
    /// (`MLCI_SIGNING_KEY`, a file name) — never the content.
    ///
    /// - Throws: ``InputError`` for anything but one unencrypted Ed25519 key.
    public init(openSSH text: String, source: String) throws(InputError) {
        let begin = "-----BEGIN OPENSSH PRIVATE KEY-----"
        let end = "-----END OPENSSH PRIVATE KEY-----"
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasPrefix(begin), trimmed.hasSuffix(end) else {
            throw InputError("\(source) does not hold an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----)",
                             hint: "make one with: ssh-keygen -t ed25519 -N '' -f mlci-signing-key (PEM and PKCS#8 keys are not read)")
        }
        let body = trimmed.utf8.dropFirst(begin.utf8.count).dropLast(end.utf8.count)
        guard let bytes = Base64.decode(body) else { throw InputError("\(source): the key is not valid base64") }
        var reader = SSHReader(bytes, what: "\(source): the private key")
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard try reader.raw(magic.count) == magic else { throw InputError("\(source) is not an openssh-key-v1 private key") }
        let cipher = try reader.text()
        let kdf = try reader.text()
        _ = try reader.string()
        guard cipher == "none", kdf == "none" else {
            throw InputError("\(source) holds an encrypted private key (\(cipher), \(kdf)); mlci cannot prompt for a passphrase",
                             hint: "give a key without a passphrase kept in a CI secret (ssh-keygen -t ed25519 -N '')")
        }
        guard try reader.u32() == 1 else { throw InputError("\(source) holds more than one key; give exactly one") }
        let publicBlob = try reader.string()
        let section = try reader.string()
        guard reader.isAtEnd else { throw InputError("\(source): the key has trailing data") }
        guard section.count % 8 == 0 else { throw InputError("\(source): the private section is not padded to 8 bytes") }
        var inner = SSHReader(section, what: "\(source): the private section")
        guard try inner.u32() == (try inner.u32()) else { throw InputError("\(source): the key's check integers differ (a corrupt or encrypted key)") }
        let type = try inner.text()
        guard type == "ssh-ed25519" else {
            throw InputError("\(source) is a \(type) key; mlci signs with Ed25519 keys", hint: "make one with: ssh-keygen -t ed25519 -N ''")
        }
        let raw = try inner.string()
        let secret = try inner.string()
        _ = try inner.string()  // comment
        let padding = try inner.raw(section.count - inner.offset)
        guard padding.enumerated().allSatisfy({ $0.element == UInt8($0.offset + 1) }) else {
            throw InputError("\(source): the key's padding is wrong (a corrupt key)")
        }
        guard raw.count == 32, secret.count == 64, Array(secret[32...]) == raw else {
            throw InputError("\(source): the Ed25519 key is malformed")
        }
        let publicKey = SSHPublicKey(ed25519: raw)
        guard publicKey.blob == publicBlob else { throw InputError("\(source): the public key does not match the private one") }
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: Array(secret[..<32]))
        } catch {
            throw InputError("\(source): the Ed25519 seed is not usable")
        }
        seed = Array(secret[..<32])
        guard Array(key.publicKey.rawRepresentation) == raw else {
            throw InputError("\(source): the stored public key does not belong to the private key")
        }
        self.publicKey = publicKey
    }

    /// Ed25519 over `bytes`.
    func sign(_ bytes: [UInt8]) throws -> [UInt8] {
        Array(try Curve25519.Signing.PrivateKey(rawRepresentation: seed).signature(for: bytes))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
