import Foundation

/// The built `mlci` executable, run the way users run it.
public enum MLCIBinary {
    /// `$MLCI_BINARY`, or `mlci` beside the test bundle in the build folder.
    public static var path: String {
        if let override = ProcessInfo.processInfo.environment["MLCI_BINARY"] { return override }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // The test runner is either the .xctest bundle itself or a binary inside it.
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("mlci").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot + "/.build/debug/mlci"
    }

    /// The package's root folder (for files the tests compare with, such as schemas/).
    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Runs `mlci` with `arguments` in `sandbox`'s repository (or `directory`).
    public static func run(_ arguments: [String], in sandbox: GitSandbox, directory: String? = nil,
                           environment extra: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.run(path, arguments, in: directory ?? sandbox.root, environment: sandbox.environment(extra))
    }
}
