import Foundation

/// A throwaway git repository built at test time with the real `git` CLI.
///
/// Makes a unique directory under the system's temporary folder, runs `git init -b main`
/// with a fixed identity and no user or system configuration, and deletes everything on
/// deinit. Each test builds its own, so tests run in parallel. Not thread-safe.
public final class GitSandbox {
    /// The directory holding the repository (and, for some tests, its neighbours).
    public let base: String
    /// The repository's working tree.
    public let root: String
    private var tick = 0

    /// - Parameter initialize: run `git init`; `false` leaves an empty directory.
    public init(initialize: Bool = true, bare: Bool = false) throws {
        var template = Array((NSTemporaryDirectory() + "/mlci-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw SandboxError("mkdtemp failed") }
        base = FileManager.default.resolvingSymlinks(String(cString: made))
        root = base + "/repo"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        if initialize {
            try git(bare ? ["init", "-q", "--bare", "-b", "main"] : ["init", "-q", "-b", "main"])
            if !bare { try git(["config", "gc.auto", "0"]) }
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    /// Variables every process run in this sandbox gets (a signing key, say).
    public var variables: [String: String] = [:]

    /// The hermetic environment for git and mlci in this sandbox.
    public func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ProcessRunner.hermeticEnvironment(home: base, extra: variables.merging(extra) { $1 })
    }

    /// Runs git in the repository (or `directory`) and returns its stdout, trimmed.
    @discardableResult
    public func git(_ arguments: [String], in directory: String? = nil, date: Int? = nil) throws -> String {
        var extra: [String: String] = [:]
        if let date {
            extra["GIT_AUTHOR_DATE"] = "\(date) +0000"
            extra["GIT_COMMITTER_DATE"] = "\(date) +0000"
        }
        let result = try ProcessRunner.run("git", arguments, in: directory ?? root, environment: environment(extra))
        guard result.status == 0 else {
            throw SandboxError("git \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    public func git(_ arguments: String..., date: Int? = nil) throws -> String { try git(arguments, date: date) }

    /// Writes a file (creating folders), relative to the working tree.
    public func write(_ path: String, _ text: String) throws { try write(path, bytes: Array(text.utf8)) }

    public func write(_ path: String, bytes: [UInt8]) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
    }

    public func read(_ path: String) throws -> String {
        try String(contentsOfFile: root + "/" + path, encoding: .utf8)
    }

    public func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: root + "/" + path) }

    /// Stages everything and commits with increasing, fixed dates; returns the new sha.
    @discardableResult
    public func commit(_ message: String) throws -> String {
        tick += 1
        try git(["add", "-A"])
        try git(["commit", "-q", "--allow-empty", "-m", message], date: 1_700_000_000 + tick * 60)
        return try git("rev-parse", "HEAD")
    }
}

public struct SandboxError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension FileManager {
    func resolvingSymlinks(_ path: String) -> String {
        (try? destinationOfSymbolicLink(atPath: path)).map { $0.hasPrefix("/") ? $0 : path } ?? URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }
}
