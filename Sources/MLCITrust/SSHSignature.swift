import Crypto
import MLCISupport

/// Why a signature or its signer was not accepted. Commands that ship refuse with it (exit 1).
public struct TrustFailure: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}

/// OpenSSH signatures (PROTOCOL.sshsig): the blob, its armor, signing and verifying, with
/// Ed25519 keys. Byte-compatible with `ssh-keygen -Y sign` / `-Y verify`. Stateless.
public enum SSHSignature {
    static let magic = Array("SSHSIG".utf8)
    static let begin = "-----BEGIN SSH SIGNATURE-----"
    static let end = "-----END SSH SIGNATURE-----"

    /// What the Ed25519 signature covers: `SSHSIG ‖ string namespace ‖ string "" ‖
    /// string hash ‖ string H(message)`, with the raw digest.
    static func signedData(namespace: String, hashAlgorithm: String, message: [UInt8]) -> [UInt8]? {
        let digest: [UInt8]
        switch hashAlgorithm {
        case "sha512": digest = Array(SHA512.hash(data: message))
        case "sha256": digest = Array(SHA256.hash(data: message))
        default: return nil
        }
        return magic + SSHWire.string(namespace) + SSHWire.string([]) + SSHWire.string(hashAlgorithm) + SSHWire.string(digest)
    }

    /// Signs `message` in `namespace` with SHA-512, as `ssh-keygen -Y sign` does; returns the
    /// armored signature (70-column base64, as ssh-keygen writes it).
    public static func sign(_ message: [UInt8], namespace: String, key: SSHSigningKey) throws -> String {
        let data = signedData(namespace: namespace, hashAlgorithm: "sha512", message: message)!
        let signature = try key.sign(data)
        let blob = magic + SSHWire.u32(1) + SSHWire.string(key.publicKey.blob) + SSHWire.string(namespace) + SSHWire.string([])
            + SSHWire.string("sha512") + SSHWire.string(SSHWire.string("ssh-ed25519") + SSHWire.string(signature))
        let text = Base64.encode(blob)
        var lines = [begin]
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 70, limitedBy: text.endIndex) ?? text.endIndex
            lines.append(String(text[index..<next]))
            index = next
        }
        lines.append(end)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Checks the structure and the Ed25519 signature of an armored signature over `message`
    /// for the expected `namespace` (like `ssh-keygen -Y check-novalidate`), and returns the
    /// key that made it. Who that key belongs to is ``AllowedSigners``' question.
    public static func verify(_ armored: String, message: [UInt8], namespace: String) throws(TrustFailure) -> SSHPublicKey {
        var text = armored
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard text.hasPrefix(begin + "\n") || text.hasPrefix(begin + "\r\n"), text.hasSuffix("\n" + end) else {
            throw TrustFailure("the signature is not an SSH signature (-----BEGIN SSH SIGNATURE-----)")
        }
        let body = text.utf8.dropFirst(begin.utf8.count).dropLast(end.utf8.count)
        guard let blob = Base64.decode(body) else { throw TrustFailure("the signature is not valid base64") }
        var reader = SSHReader(blob, what: "the signature")
        do {
            guard try reader.raw(6) == magic else { throw TrustFailure("the signature does not start with SSHSIG") }
            guard try reader.u32() == 1 else { throw TrustFailure("the signature has an unsupported SSHSIG version") }
            guard let key = SSHPublicKey(blob: try reader.string()) else { throw TrustFailure("the signature's public key is malformed") }
            let signedNamespace = try reader.text()
            _ = try reader.string()  // reserved
            let hash = try reader.text()
            let signatureBlob = try reader.string()
            guard reader.isAtEnd else { throw TrustFailure("the signature has trailing data") }
            guard signedNamespace == namespace else {
                throw TrustFailure("the signature is for namespace '\(signedNamespace)', not '\(namespace)'")
            }
            guard let raw = key.ed25519, let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                throw TrustFailure("the signature was made with a \(key.type) key; mlci checks Ed25519 signatures only")
            }
            var inner = SSHReader(signatureBlob, what: "the signature")
            guard try inner.text() == "ssh-ed25519" else { throw TrustFailure("the signature is not an ssh-ed25519 signature") }
            let signature = try inner.string()
            guard inner.isAtEnd, signature.count == 64 else { throw TrustFailure("the Ed25519 signature is malformed") }
            guard let data = signedData(namespace: namespace, hashAlgorithm: hash, message: message) else {
                throw TrustFailure("the signature uses the hash '\(hash)'; only sha512 and sha256 are defined")
            }
            guard publicKey.isValidSignature(signature, for: data) else {
                throw TrustFailure("the signature does not match the signed content (edited after signing, or signed for another commit)")
            }
            return key
        } catch let error as TrustFailure {
            throw error
        } catch {
            throw TrustFailure("the signature is malformed: \(error)")
        }
    }
}
