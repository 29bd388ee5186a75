import MLCILineage
import MLCISupport
import MLCITrust

extension TrustPolicy {
    /// The policy of the working tree's mlci.yaml (`trust`): its allowed signers file, whether
    /// signatures are required, and `--allow-unsigned`. Read from the checkout, not from the
    /// commit being shipped, so a change cannot name its own signers.
    public static func load(workspace: Workspace, allowUnsigned: Bool) throws -> TrustPolicy {
        let trust = workspace.config.trust
        var signers: AllowedSigners? = nil
        if let file = trust.allowedSigners {
            signers = try AllowedSigners.load(path: try workspace.hasher.absolutePath(file), display: file)
        } else if trust.requireSignatures {
            throw InputError("mlci.yaml requires signatures (trust.require_signatures) but names no allowed signers file",
                             at: trust.location, hint: "add trust.allowed_signers: FILE (ssh-keygen ALLOWED SIGNERS format)")
        }
        return TrustPolicy(signers: signers, required: trust.requireSignatures, allowUnsigned: allowUnsigned)
    }

    /// Checks `record`, turning a failure into a ``Refusal`` (exit 1).
    func require(_ record: JSONValue, commit: String, namespace: String, what: String) throws(Refusal) -> Status {
        do {
            return try check(record, commit: commit, namespace: namespace, what: what)
        } catch {
            throw Refusal(error.message, hint: error.hint)
        }
    }
}

extension TrustPolicy.Status {
    /// `signed by PRINCIPALS (SHA256:…)` or `unsigned (--allow-unsigned)`.
    public var summary: String {
        switch self {
        case .signed(let principals, let fingerprint): "signed by \(principals) (\(fingerprint))"
        case .unsigned: "unsigned (accepted with --allow-unsigned)"
        }
    }

    public var json: JSONValue {
        switch self {
        case .signed(let principals, let fingerprint): ["signed": true, "signer": .string(principals), "key": .string(fingerprint)]
        case .unsigned: ["signed": false, "override": "allow-unsigned"]
        }
    }
}
