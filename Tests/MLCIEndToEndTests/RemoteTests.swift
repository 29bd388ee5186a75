import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// A server process the tests start on a free loopback port and stop when done.
final class LoopbackServer {
    let process = Process()
    let port: Int

    init(_ executable: String, _ arguments: (Int) -> [String], environment: [String: String] = [:]) throws {
        port = try Self.freePort()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(port)
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when it accepts a connection (moto takes a couple of seconds to import).
        for _ in 0..<300 {
            if Self.accepts(port) { return }
            usleep(100_000)
        }
        process.terminate()
        throw SandboxError("\(executable) did not listen on \(port)")
    }

    deinit {
        // moto_server ignores SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SandboxError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}


/// A DVC project whose data real DVC pushed to three remotes: an S3-compatible server (moto in
/// server mode with signature checking on and an IAM key), a local folder, and that folder
/// served read-only over HTTP by Python's http.server. Two commits: v1 and v2 of a table, and a
/// directory of random binary files (names with spaces and non-ASCII).
final class RemoteProject {
    let sandbox: GitSandbox
    let moto: LoopbackServer
    let web: LoopbackServer
    let key: String
    let secret: String
    let store: String
    let tools: String

    var environment: [String: String] {
        sandbox.environment(["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
                             "DVC_SITE_CACHE_DIR": sandbox.base + "/site-cache", "DVC_GLOBAL_CONFIG_DIR": sandbox.base + "/dvc-global",
                             "DVC_SYSTEM_CONFIG_DIR": sandbox.base + "/dvc-system"])
    }

    init() throws {
        guard let tools = ProcessInfo.processInfo.environment["MLCI_REMOTE_TOOLS"] else {
            throw SandboxError("MLCI_REMOTE_TOOLS is not set (run make deps; make test exports it)")
        }
        self.tools = tools
        sandbox = try GitSandbox()
        let store = sandbox.base + "/local-store"
        self.store = store
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        moto = try LoopbackServer(tools + "/moto_server", { ["-H", "127.0.0.1", "-p", "\($0)"] },
                                  environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
        web = try LoopbackServer(tools + "/python", { ["-m", "http.server", "--bind", "127.0.0.1", "--directory", store, "\($0)"] })
        let setup = try ProcessRunner.run(tools + "/python", [MLCIBinary.packageRoot + "/Tests/Fixtures/moto_setup.py", "http://127.0.0.1:\(moto.port)"])
        guard setup.status == 0, let keys = try JSONParser().parse(setup.stdout).objectValue,
              let key = keys.first(where: { $0.0 == "key" })?.1.stringValue, let secret = keys.first(where: { $0.0 == "secret" })?.1.stringValue else {
            throw SandboxError("moto set-up failed: \(setup.stderr)")
        }
        self.key = key
        self.secret = secret

        try dvc("init", "-q")
        try sandbox.write(".dvc/config", """
        [core]
            remote = s3
        ['remote "s3"']
            url = s3://dvc-store/some prefix
            endpointurl = http://127.0.0.1:\(moto.port)
        ['remote "local"']
            url = ../../local-store
        ['remote "web"']
            url = http://127.0.0.1:\(web.port)

        """)
        try sandbox.write("mlci.yaml", "version: 1\ngate:\n  drift:\n    data: data/table.csv\n  provenance:\n    data_pushed: true\n")
        try sandbox.write("data/table.csv", Self.table(shift: 0))
        var generator = SystemRandomNumberGenerator()
        for name in ["a.bin", "with space.bin", "ünï/名前.bin", "deep/er/z.bin"] {
            try sandbox.write("data/images/" + name, bytes: (0..<Int.random(in: 1...40_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        try dvc("add", "-q", "data/table.csv", "data/images")
        try sandbox.commit("v1")
        try dvc("push", "-q", "-r", "s3")
        try dvc("push", "-q", "-r", "local")
        try sandbox.write("data/table.csv", Self.table(shift: 3))
        try dvc("add", "-q", "data/table.csv")
        try sandbox.commit("v2")
        try dvc("push", "-q", "-r", "s3")
        try dvc("push", "-q", "-r", "local")
    }

    /// 300 rows of a normal variable moved by `shift`, and a category.
    static func table(shift: Double) -> String {
        var text = "x,group\n"
        for _ in 0..<300 {
            let u = Double.random(in: 0.0001..<1), v = Double.random(in: 0..<1)
            let normal = (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
            text += "\(normal + shift),\(["a", "b", "c"].randomElement()!)\n"
        }
        return text
    }

    @discardableResult
    func dvc(_ arguments: String...) throws -> ProcessResult {
        let result = try ProcessRunner.run(tools + "/dvc", arguments, in: sandbox.root, environment: environment)
        guard result.status == 0 else { throw SandboxError("dvc \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result
    }

    func mlci(_ arguments: String..., environment extra: [String: String] = [:]) throws -> ProcessResult {
        var env = environment
        for (name, value) in extra { env[name] = value }
        return try ProcessRunner.run(MLCIBinary.path, arguments, in: sandbox.root, environment: env)
    }

    /// Uses `remote` as the default through `.dvc/config.local`, as `dvc remote default --local` does.
    func useRemote(_ remote: String) throws {
        try sandbox.write(".dvc/config.local", "[core]\n    remote = \(remote)\n")
    }

    /// Empties the DVC cache (and, with `workspace`, the pulled data).
    func forget(workspace: Bool) throws {
        let paths = [".dvc/cache"] + (workspace ? ["data/table.csv", "data/images"] : [])
        for path in paths { try? FileManager.default.removeItem(atPath: sandbox.root + "/" + path) }
    }

    /// The md5 (DVC's object name) of an out as a .dvc file at `revision` records it.
    func recordedMD5(_ file: String, at revision: String) throws -> String {
        let text = try sandbox.git("show", "\(revision):\(file)")
        guard let line = text.split(separator: "\n").first(where: { $0.contains("md5:") }) else { throw SandboxError("no md5 in \(file)") }
        return String(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces))
    }

    /// The bytes of object `key` on `remote`, and a way to delete or replace it there.
    func object(_ key: String, on remote: String) throws -> [UInt8] {
        if remote == "s3" {
            let file = sandbox.base + "/object.tmp"
            try s3("get", key, file)
            return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        return Array(try Data(contentsOf: URL(fileURLWithPath: store + "/" + key)))
    }

    func delete(_ key: String, on remote: String) throws {
        if remote == "s3" { try s3("delete", key) } else { try FileManager.default.removeItem(atPath: store + "/" + key) }
    }

    func put(_ bytes: [UInt8], _ key: String, on remote: String) throws {
        let file = remote == "s3" ? sandbox.base + "/object.tmp" : store + "/" + key
        try? FileManager.default.removeItem(atPath: file)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        if remote == "s3" { try s3("put", key, file) }
    }

    func s3(_ operation: String, _ key: String, _ file: String? = nil) throws {
        let result = try ProcessRunner.run(tools + "/python", [MLCIBinary.packageRoot + "/Tests/Fixtures/s3_object.py",
                                                               "http://127.0.0.1:\(moto.port)", operation, "some prefix/" + key] + (file.map { [$0] } ?? []),
                                           environment: environment)
        guard result.status == 0 else { throw SandboxError("s3 \(operation) \(key): \(result.stderr)") }
    }
}

/// `mlci pull`, `provenance.data_pushed` and the drift reference against remotes real DVC filled.
@Suite(.serialized) struct RemoteTests {
    static func checks(_ result: ProcessResult, _ id: String) throws -> [JSONValue] {
        let verdict = try JSONParser().parse(result.stdout)
        return verdict["checks"]?.arrayValue?.filter { $0["check"]?.stringValue == id } ?? []
    }

    @Test func pullDriftReferenceAndDataPushedWorkAgainstS3HttpAndLocalRemotes() throws {
        let project = try RemoteProject()
        let images = try project.recordedMD5("data/images.dvc", at: "HEAD")
        let oldTable = try project.recordedMD5("data/table.csv.dvc", at: "HEAD~1")
        for remote in ["s3", "web", "local"] {
            try project.useRemote(remote)
            try project.forget(workspace: true)
            let pull = try project.mlci("pull", "--json")
            #expect(pull.status == 0, "\(remote): \(pull.stderr)")
            let status = try project.dvc("status", "--json")
            #expect(status.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "{}", "\(remote): dvc status after mlci pull: \(status.stdout)")

            // The baseline's table is neither in the workspace nor in the cache: it comes from the remote.
            try project.forget(workspace: false)
            let verify = try project.mlci("verify", "--base", "HEAD~1", "--json", "--no-record")
            #expect(verify.status != 2, "\(remote): \(verify.stderr)")
            #expect(try Self.checks(verify, "drift.column").count == 2, "\(remote): \(verify.stdout)")
            #expect(try Self.checks(verify, "drift.reference").isEmpty, "\(remote)")
            #expect(FileManager.default.fileExists(atPath: project.sandbox.root + "/.dvc/cache/files/md5/\(oldTable.prefix(2))/\(oldTable.dropFirst(2))"))
            let pushed = try Self.checks(verify, "provenance.data_pushed")
            #expect(pushed.map { $0["outcome"]?.stringValue } == ["passed", "passed"], "\(remote): \(pushed)")

            // One member of the directory goes missing on the remote: data_pushed fails, naming it.
            let listing = try JSONParser().parse(try project.object("files/md5/\(images.prefix(2))/\(images.dropFirst(2))", on: remote))
            let member = listing.arrayValue![1]["md5"]!.stringValue!
            let memberKey = "files/md5/\(member.prefix(2))/\(member.dropFirst(2))"
            // Only what drift and data_pushed needed was fetched: the listing, no image data.
            #expect(!FileManager.default.fileExists(atPath: project.sandbox.root + "/.dvc/cache/" + memberKey), "\(remote)")
            let saved = try project.object(memberKey, on: remote)
            try project.delete(memberKey, on: remote)
            let missing = try project.mlci("verify", "--base", "HEAD~1", "--json", "--no-record")
            #expect(missing.status == 1, "\(remote): \(missing.stderr)")
            let failed = try Self.checks(missing, "provenance.data_pushed").filter { $0["outcome"]?.stringValue == "failed" }
            #expect(failed.count == 1 && failed.first?["subject"]?.stringValue == "data/images", "\(remote): \(failed)")
            #expect(failed.first?["message"]?.stringValue?.contains(memberKey) == true)
            #expect(failed.first?["message"]?.stringValue?.contains("dvc push") == true)
            try project.put(saved, memberKey, on: remote)
            for result in [pull, verify, missing] {
                #expect(!(result.stdout + result.stderr).contains(project.secret))
            }
        }

        // An object whose bytes do not match its md5: exit 2 naming it; nothing lands in the cache
        // or the workspace, and no temporary file is left behind.
        let table = try project.recordedMD5("data/table.csv.dvc", at: "HEAD")
        let tableKey = "files/md5/\(table.prefix(2))/\(table.dropFirst(2))"
        for remote in ["s3", "local"] {
            try project.useRemote(remote)
            try project.forget(workspace: true)
            let good = try project.object(tableKey, on: remote)
            var bad = good
            bad[bad.count / 2] ^= 0x20
            try project.put(bad, tableKey, on: remote)
            let pull = try project.mlci("pull")
            #expect(pull.status == 2, "\(remote): \(pull.stdout)")
            #expect(pull.stderr.contains(tableKey) && pull.stderr.contains("md5"), "\(remote): \(pull.stderr)")
            #expect(!FileManager.default.fileExists(atPath: project.sandbox.root + "/.dvc/cache/" + tableKey))
            let leftovers = (FileManager.default.subpaths(atPath: project.sandbox.root + "/.dvc/cache") ?? []).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty, "\(leftovers)")
            #expect(!FileManager.default.fileExists(atPath: project.sandbox.root + "/data/table.csv"))
            #expect(!FileManager.default.fileExists(atPath: project.sandbox.root + "/data/images"))
            try project.put(good, tableKey, on: remote)
        }

        // A wrong secret: the server refuses (exit 2), and no secret is printed or stored.
        try project.useRemote("s3")
        try project.forget(workspace: true)
        let wrong = (0..<40).map { _ in "abcdefXYZ0123456789".randomElement()! }.map(String.init).joined()
        let refused = try project.mlci("pull", environment: ["AWS_SECRET_ACCESS_KEY": wrong])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("remote 's3'") && refused.stderr.contains("403"), "\(refused.stderr)")
        let pulled = try project.mlci("pull")
        #expect(pulled.status == 0, "\(pulled.stderr)")
        for result in [refused, pulled] {
            #expect(!(result.stdout + result.stderr).contains(wrong) && !(result.stdout + result.stderr).contains(project.secret))
        }
        for folder in [".mlci", ".dvc"] {
            let grep = try ProcessRunner.run("grep", ["-rlaF", "-e", wrong, "-e", project.secret, project.sandbox.root + "/" + folder])
            #expect(grep.stdout.isEmpty, "a secret was written to \(grep.stdout)")
        }
    }
}
