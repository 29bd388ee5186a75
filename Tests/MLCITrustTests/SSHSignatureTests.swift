import Foundation
import MLCISupport
import MLCITestSupport
import MLCITrust
import Testing

/// ssh-keygen decides: keys it makes, signatures it makes and checks, allowed_signers lines it
/// accepts or refuses.
@Suite struct SSHSignatureTests {
    /// A fresh key pair made by ssh-keygen in a temporary folder.
    final class KeyPair {
        let directory: String
        let privatePath: String
        let publicLine: String

        init(passphrase: String = "", type: String = "ed25519") throws {
            directory = NSTemporaryDirectory() + "mlci-ssh-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            privatePath = directory + "/key"
            let made = try ProcessRunner.run("ssh-keygen", ["-q", "-t", type, "-N", passphrase, "-C", "test@mlci", "-f", privatePath])
            guard made.status == 0 else { throw SandboxError("ssh-keygen -t \(type) failed: \(made.stderr)") }
            publicLine = try String(contentsOfFile: privatePath + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        var key: SSHSigningKey {
            get throws { try SSHSigningKey(openSSH: String(contentsOfFile: privatePath, encoding: .utf8), source: "test key") }
        }

        /// `ssh-keygen -Y verify` of `signature` over `message`: its exit status and output.
        func verify(_ signature: String, message: [UInt8], principal: String, namespace: String, signers: String,
                    extra: [String] = []) throws -> ProcessResult {
            let signersPath = directory + "/allowed_signers"
            let signaturePath = directory + "/message.sig"
            try signers.write(toFile: signersPath, atomically: true, encoding: .utf8)
            try signature.write(toFile: signaturePath, atomically: true, encoding: .utf8)
            return try ProcessRunner.run("ssh-keygen", ["-Y", "verify", "-f", signersPath, "-I", principal, "-n", namespace, "-s", signaturePath] + extra,
                                         input: message)
        }

        /// `ssh-keygen -Y sign` of `message`.
        func sign(_ message: [UInt8], namespace: String) throws -> String {
            let result = try ProcessRunner.run("ssh-keygen", ["-q", "-Y", "sign", "-f", privatePath, "-n", namespace], input: message)
            guard result.status == 0 else { throw SandboxError("ssh-keygen -Y sign failed: \(result.stderr)") }
            return result.stdout
        }
    }

    static func randomMessage() -> [UInt8] { (0..<Int.random(in: 0...3000)).map { _ in UInt8.random(in: 0...255) } }

    @Test func mlciSignaturesAreTheBytesSshKeygenWritesAndItVerifiesThem() throws {
        for _ in 0..<3 {
            let pair = try KeyPair()
            let message = Self.randomMessage()
            let ours = try SSHSignature.sign(message, namespace: SignedNote.verdictNamespace, key: try pair.key)
            // Ed25519 is deterministic: the same key, namespace and message give ssh-keygen's bytes.
            #expect(ours == (try pair.sign(message, namespace: SignedNote.verdictNamespace)))
            let checked = try pair.verify(ours, message: message, principal: "ci@example.com", namespace: SignedNote.verdictNamespace,
                                          signers: "ci@example.com \(pair.publicLine)\n")
            #expect(checked.status == 0, "\(checked.stderr)")
            #expect(checked.stdout.contains("Good \"\(SignedNote.verdictNamespace)\" signature for ci@example.com"))
        }
    }

    @Test func signaturesSshKeygenMakesAreAcceptedAndTamperingIsNot() throws {
        let pair = try KeyPair()
        var message = Self.randomMessage() + [1]
        let theirs = try pair.sign(message, namespace: "mlci-verdict@v1")
        let key = try SSHSignature.verify(theirs, message: message, namespace: "mlci-verdict@v1")
        #expect(key == (try pair.key).publicKey)
        #expect(key.fingerprint == (try ProcessRunner.run("ssh-keygen", ["-l", "-f", pair.privatePath + ".pub"]).stdout.split(separator: " ")[1]).description)
        #expect(throws: TrustFailure.self) { try SSHSignature.verify(theirs, message: message, namespace: "file") }
        message[message.count - 1] ^= 1
        #expect(throws: TrustFailure.self) { try SSHSignature.verify(theirs, message: message, namespace: "mlci-verdict@v1") }
    }

    @Test func encryptedAndNonEd25519KeysAreRefusedWithAReason() throws {
        let encrypted = try KeyPair(passphrase: "secret passphrase")
        let error = #expect(throws: InputError.self) { try encrypted.key }
        #expect(error?.description.contains("encrypted") == true)
        let ecdsa = try KeyPair(type: "ecdsa")
        let other = #expect(throws: InputError.self) { try ecdsa.key }
        #expect(other?.description.contains("Ed25519") == true)
        let good = try KeyPair()
        let text = try String(contentsOfFile: good.privatePath, encoding: .utf8)
        let leaked = #expect(throws: InputError.self) { try SSHSigningKey(openSSH: String(text.dropLast(40)), source: "MLCI_SIGNING_KEY") }
        #expect(leaked?.description.contains(String(text.dropFirst(40).prefix(30))) == false)
    }

    /// Random allowed_signers files (patterns, negation, namespaces, validity windows, unknown
    /// options, other keys); for each, ssh-keygen -Y verify and mlci must agree on every principal.
    @Test func allowedSignersAreReadAsSshKeygenReadsThem() throws {
        let signer = try KeyPair()
        let stranger = try KeyPair()
        let message = Self.randomMessage()
        let namespace = "mlci-verdict@v1"
        let signature = try SSHSignature.sign(message, namespace: namespace, key: try signer.key)
        let principals = ["ci@example.com", "alice@example.com", "bob@corp.example", "Carol@Example.com"]
        let patterns = ["ci@example.com", "*@example.com", "!alice@example.com,*@example.com", "?ob@corp.example", "carol@example.com",
                        "*", "alice@example.com,bob@corp.example"]
        let options = ["", "namespaces=\"mlci-verdict@v1\"", "namespaces=\"file,git\"", "namespaces=\"mlci-*\"", "NAMESPACES=\"mlci-verdict@v1\"",
                       "valid-after=\"20200101Z\"", "valid-before=\"20200101Z\"", "valid-after=\"20200101Z\",valid-before=\"20990101Z\"",
                       "valid-after=\"20260115093000Z\"", "no-touch-required", "namespaces=\"a\",namespaces=\"b\"",
                       "valid-after=\"20300101Z\",valid-before=\"20200101Z\"", "cert-authority"]
        let verifyTime = "20260301Z"
        let time = AllowedSigners.parseTimeForTests(verifyTime)!
        for _ in 0..<12 {
            var lines: [String] = []
            for _ in 0..<Int.random(in: 1...4) {
                let pair = Bool.random() ? signer : stranger
                let option = options.randomElement()!
                lines.append([patterns.randomElement()!, option, pair.publicLine].filter { !$0.isEmpty }.joined(separator: " "))
            }
            let text = lines.joined(separator: "\n") + "\n"
            let file = AllowedSigners(text: text, file: "allowed_signers")
            let key = try SSHSignature.verify(signature, message: message, namespace: namespace)
            for principal in principals {
                let peer = try signer.verify(signature, message: message, principal: principal, namespace: namespace, signers: text,
                                             extra: ["-O", "verify-time=\(verifyTime)"])
                let ours = file.accepts(principal: principal, key: key, namespace: namespace, at: time)
                #expect(ours == (peer.status == 0), "\(principal) with\n\(text)ssh-keygen: \(peer.stdout)\(peer.stderr)")
            }
        }
    }
}
