/// One thing the scanner found in a model file.
public struct ModelFinding: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A pickle imports a callable on the denylist (code execution on load).
        case unsafeGlobal = "unsafe-global"
        /// A pickle imports a callable on neither list.
        case unknownGlobal = "unknown-global"
        /// A pickle computes what it imports (STACK_GLOBAL operands not literal, EXT codes).
        case dynamicImport = "dynamic-import"
        /// The file or member does not parse as its format claims.
        case malformed
        /// The file is larger than the budget.
        case oversized
    }

    public enum Severity: String, Sendable { case error, warning }

    public var kind: Kind
    public var severity: Severity
    /// The file, or `file:member` inside a zip container.
    public var source: String
    /// Byte offset inside `source` (the member's own bytes for zip members).
    public var offset: Int?
    /// The imported callable, `module.name`, when there is one.
    public var callable: String?
    public var message: String
}

/// What scanning one model file found.
public struct ModelScanResult: Sendable {
    public var path: String
    /// `pickle`, `pytorch-zip`, `pytorch-legacy`, `joblib`, `numpy`, `numpy-zip`, `safetensors`, `onnx`, `keras`, `unknown`.
    public var format: String
    public var size: Int
    /// The pickles, members and headers that were examined.
    public var scanned: [String]
    public var findings: [ModelFinding]

    /// Whether nothing unsafe was found (unknown globals and parse problems are warnings).
    public var isSafe: Bool { !findings.contains { $0.severity == .error } }
}
