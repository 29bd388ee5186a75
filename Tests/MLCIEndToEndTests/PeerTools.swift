import Foundation

/// Where the end-to-end tests find the peer tools `make deps` installs: the venv's `dvc`
/// (beside `MLCI_PYTHON`), else whatever `dvc` is on PATH.
enum PeerTools {
    static var dvc: String {
        if let python = ProcessInfo.processInfo.environment["MLCI_PYTHON"] {
            let candidate = (python as NSString).deletingLastPathComponent + "/dvc"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "dvc"
    }

    /// The interpreter with DVC, numpy and dvclive.
    static var python: String { ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3" }
}
