/// One thing the scanner found in a model file. Every finding makes the file unsafe: mlci
/// fails closed, and only a per-file waiver in mlci.yaml lets such a file through.
public struct ModelFinding: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A pickle imports a global on the denylist (code execution on load).
        case unsafeGlobal = "unsafe-global"
        /// A pickle imports a global that is not on the exact allowlist.
        case unknownGlobal = "unknown-global"
        /// A pickle calls something mlci cannot name (a computed callable, an extension code).
        case dynamicImport = "dynamic-import"
        /// A Keras config holds a Lambda layer or a custom object.
        case unsafeLayer = "unsafe-layer"
        /// The file or a member does not parse as its format says, or cannot be read completely.
        case malformed
        /// The file is beyond the size or time budget.
        case oversized
    }

    public enum Severity: String, Sendable { case error, warning }

    public var kind: Kind
    /// Always `error` from the scanner; a waiver turns it into a `warning` in the gate.
    public var severity: Severity
    /// The file, or `file:member` inside a container.
    public var source: String
    /// Byte offset inside `source` (the member's own bytes for members).
    public var offset: Int?
    /// The imported callable, `module.name`, when there is one.
    public var callable: String?
    public var message: String

    public init(kind: Kind, severity: Severity = .error, source: String, offset: Int?, callable: String?, message: String) {
        self.kind = kind
        self.severity = severity
        self.source = source
        self.offset = offset
        self.callable = callable
        self.message = message
    }
}

/// One global a scanned pickle imports, with the policy's verdict.
public struct ScannedImport: Sendable, Equatable {
    public var source: String
    public var module: String
    public var name: String
    public var offset: Int
    public var verdict: GlobalPolicy.Verdict

    public var qualifiedName: String { "\(module).\(name)" }
}

/// What scanning one model file found.
public struct ModelScanResult: Sendable {
    public var path: String
    /// `pickle`, `joblib`, `pytorch-zip`, `pytorch-legacy`, `numpy`, `numpy-zip`, `keras`, `zip`,
    /// `safetensors`, `onnx`, `keras-h5` (a Keras legacy model), `keras-h5-weights`, `hdf5` (any other or unreadable HDF5 file), `gzip`/`bzip2`/`xz`/… wrapped formats, `unknown`.
    public var format: String
    public var size: Int
    /// The pickles, members and headers that were examined.
    public var scanned: [String]
    /// Every global every pickle in the file imports, in order.
    public var imports: [ScannedImport] = []
    public var findings: [ModelFinding]

    public init(path: String, format: String, size: Int, scanned: [String], findings: [ModelFinding]) {
        self.path = path
        self.format = format
        self.size = size
        self.scanned = scanned
        self.findings = findings
    }

    /// Whether the file was read completely and nothing in it can run code: no finding at all.
    public var isSafe: Bool { findings.isEmpty }
}
