import MLCISupport

/// Whether a verdict note or promotion record may be believed: its signature checked against
/// the repository's allowed signers (mlci.yaml `trust`), or its lack of one accepted by an
/// explicit `--allow-unsigned`. A value type: `Sendable`.
public struct TrustPolicy: Sendable {
    /// What a check found.
    public enum Status: Sendable, Equatable {
        /// Signed by a key the allowed signers file lists for these principals.
        case signed(principals: String, fingerprint: String)
        /// Not signed, accepted because unsigned records were allowed.
        case unsigned
    }

    /// `nil` when mlci.yaml names no allowed signers file.
    public var signers: AllowedSigners?
    /// mlci.yaml `trust.require_signatures`.
    public var required: Bool
    /// `--allow-unsigned`.
    public var allowUnsigned: Bool

    public init(signers: AllowedSigners?, required: Bool, allowUnsigned: Bool) {
        self.signers = signers
        self.required = required
        self.allowUnsigned = allowUnsigned
    }

    /// Checks `record` (a verdict note, or one promotion entry) attached to `commit`.
    ///
    /// - Throws: ``TrustFailure`` saying why it is not believed.
    public func check(_ record: JSONValue, commit: String, namespace: String, what: String) throws(TrustFailure) -> Status {
        guard let armored = record["signature"]?.stringValue else {
            if allowUnsigned && !required { return .unsigned }
            if required {
                throw TrustFailure("\(what) is not signed, and mlci.yaml requires signatures (trust.require_signatures)",
                                   hint: "verify the commit again with a signing key (MLCI_SIGNING_KEY or --signing-key) listed in \(signers?.file ?? "trust.allowed_signers")")
            }
            throw TrustFailure("\(what) is not signed, so mlci cannot tell who wrote it (anyone who can push refs/notes/mlci can)",
                               hint: "sign verdicts (MLCI_SIGNING_KEY, and trust.allowed_signers in mlci.yaml), or pass --allow-unsigned to accept unsigned records (recorded)")
        }
        if let noted = record["commit"]?.stringValue, noted != commit {
            throw TrustFailure("\(what) was written for commit \(noted.prefix(12)) and copied onto \(commit.prefix(12))",
                               hint: "verify this commit itself; a verdict belongs to one commit")
        }
        let key = try SSHSignature.verify(armored, message: SignedNote.payload(record, commit: commit), namespace: namespace)
        guard let signers else {
            if allowUnsigned && !required { return .unsigned }
            throw TrustFailure("\(what) is signed by \(key.fingerprint), but mlci.yaml names no allowed signers (trust.allowed_signers), so the signer cannot be checked",
                               hint: "add trust: { allowed_signers: FILE } to mlci.yaml with one line per signer: 'principal \(key.openSSH.prefix(24))…'")
        }
        let time = record["time"]?.stringValue.flatMap(SignedNote.epochSeconds) ?? record["at"]?.stringValue.flatMap(SignedNote.epochSeconds)
        guard let time else { throw TrustFailure("\(what) has no signing time, so the signer's validity cannot be checked") }
        guard let principals = signers.principals(for: key, namespace: namespace, at: time) else {
            throw TrustFailure("\(what) is signed by an unknown signer: \(signers.explainRefusal(for: key, namespace: namespace, at: time))",
                               hint: "only keys listed in \(signers.file) may sign; verify again with one of them")
        }
        return .signed(principals: principals, fingerprint: key.fingerprint)
    }
}
