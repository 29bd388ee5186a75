import ArgumentParser
import MLCIDeploy
import MLCILineage
import MLCISupport
import MLCITrust
import MLCIVerify

/// `--signing-key`: the key verdicts and promotion records are signed with.
struct SigningOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Sign with this OpenSSH Ed25519 private key file (unencrypted). Default: the key text in MLCI_SIGNING_KEY, if set.",
        valueName: "file"))
    var signingKey: String?

    /// The key, or `nil` when none is given. Its text is never printed.
    func key() throws -> SSHSigningKey? {
        if let signingKey {
            let bytes = try FileSystem.read(signingKey, limit: 64 << 10, display: signingKey)
            return try SSHSigningKey(openSSH: String(decoding: bytes, as: UTF8.self), source: "--signing-key \(signingKey)")
        }
        guard let text = ProcessEnvironment.current["MLCI_SIGNING_KEY"], !text.allSatisfy(\.isWhitespace) else {
            return nil
        }
        return try SSHSigningKey(openSSH: text, source: "MLCI_SIGNING_KEY")
    }
}

/// `--allow-unsigned`: ship what no allowed signer signed, on purpose and on the record.
struct UnsignedOptions: ParsableArguments {
    @Flag(name: .long, help: "Accept verdicts and promotions that are not signed (for repositories that do not sign yet); recorded as an override. Never accepts a signature that does not verify, and not when mlci.yaml sets trust.require_signatures.")
    var allowUnsigned = false

    func policy(_ workspace: Workspace) throws -> TrustPolicy {
        try TrustPolicy.load(workspace: workspace, allowUnsigned: allowUnsigned)
    }
}
