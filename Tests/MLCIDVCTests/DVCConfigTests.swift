import Foundation
import MLCIDVC
import MLCISupport
import MLCITestSupport
import Testing

/// The venv's tools (`make deps`), or whatever is on PATH.
enum Tools {
    static var python: String { ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3" }
    static var dvc: String {
        if let python = ProcessInfo.processInfo.environment["MLCI_PYTHON"] {
            let candidate = (python as NSString).deletingLastPathComponent + "/dvc"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "dvc"
    }
}

/// `.dvc/config` and `config.local` read as DVC's own `Config` loader reads them.
@Suite struct DVCConfigTests {
    func dvc(_ sandbox: GitSandbox, _ arguments: String...) throws {
        let result = try ProcessRunner.run(Tools.dvc, arguments, in: sandbox.root, environment: environment(sandbox))
        #expect(result.status == 0, "dvc \(arguments.joined(separator: " ")): \(result.stderr)")
    }

    func environment(_ sandbox: GitSandbox) -> [String: String] {
        sandbox.environment(["DVC_GLOBAL_CONFIG_DIR": sandbox.base + "/global", "DVC_SYSTEM_CONFIG_DIR": sandbox.base + "/system"])
    }

    /// DVC's merged config (`Config(validate=False)`: the strings as read, paths resolved).
    func dvcView(_ sandbox: GitSandbox) throws -> JSONValue {
        let script = """
        import json
        from dvc.config import Config
        c = Config(dvc_dir='.dvc', local_dvc_dir='.dvc', validate=False)
        print(json.dumps({k: c[k] for k in ('core', 'cache', 'remote')}))
        """
        let result = try ProcessRunner.run(Tools.python, ["-c", script], in: sandbox.root, environment: environment(sandbox))
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONParser().parse(result.stdout)
    }

    func mlciView(_ sandbox: GitSandbox) throws -> JSONValue {
        let config = try DVCConfig.load(dvcDirectory: sandbox.root + "/.dvc", environment: environment(sandbox))
        func object(_ keys: [String: DVCConfig.Value]) -> JSONValue {
            .object(keys.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value.text)) })
        }
        return .object([
            ("core", object(config.core)), ("cache", object(config.cache)),
            ("remote", .object(config.remotes.sorted { $0.key < $1.key }.map { ($0.key, object($0.value)) })),
        ])
    }

    /// The value with every object's members sorted, written compactly.
    func canonical(_ value: JSONValue) -> String {
        func sorted(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let members): .object(members.sorted { $0.0 < $1.0 }.map { ($0.0, sorted($0.1)) })
            case .array(let items): .array(items.map(sorted))
            default: value
            }
        }
        return JSONWriter(style: .compact).string(sorted(value))
    }

    @Test func theConfigDvcCommandsWriteReadsAsDvcReadsIt() throws {
        let sandbox = try GitSandbox()
        try dvc(sandbox, "init", "-q")
        try dvc(sandbox, "remote", "add", "-d", "MyStore", "s3://bucket/some prefix/x")
        try dvc(sandbox, "remote", "modify", "MyStore", "endpointurl", "http://127.0.0.1:9000")
        try dvc(sandbox, "remote", "modify", "MyStore", "region", "us-east-1")
        try dvc(sandbox, "remote", "add", "near", "../storage")
        try dvc(sandbox, "remote", "add", "web", "https://example.com/dvc#store")
        try dvc(sandbox, "remote", "modify", "--local", "mystore", "access_key_id", "AKIAEXAMPLE")
        try dvc(sandbox, "remote", "modify", "--local", "mystore", "credentialpath", "creds/aws")
        try dvc(sandbox, "config", "cache.type", "hardlink,symlink")
        try dvc(sandbox, "config", "cache.dir", "../cache")
        try dvc(sandbox, "config", "--local", "core.remote", "near")
        let ours = try mlciView(sandbox)
        #expect(canonical(ours) == canonical(try dvcView(sandbox)))
        let config = try DVCConfig.load(dvcDirectory: sandbox.root + "/.dvc", environment: environment(sandbox))
        #expect(config.defaultRemote == "near")
        #expect(try config.cacheLinkTypes() == [.hardlink, .symlink])
    }

    @Test func handWrittenConfigobjSyntaxReadsAsDvcReadsIt() throws {
        let sandbox = try GitSandbox()
        try dvc(sandbox, "init", "-q")
        try sandbox.write(".dvc/config", """
        # a comment
        [core]
          remote = "Store"   # quoted, with a comment
        [ cache ]
        \tType = copy
        [remote "store"]
        url = '/abs/path with space'
        [remote "other"]
        URL = ~/dvc-remote
        profile = dev # inline

        """)
        try sandbox.write(".dvc/config.local", "['remote \"store\"']\nurl = rel/dir\n")
        #expect(canonical(try mlciView(sandbox)) == canonical(try dvcView(sandbox)))
    }

    @Test func anUnknownCacheTypeIsRefusedWithItsLine() throws {
        let config = try DVCConfig.parse("[cache]\n  type = reflink, teleport\n", file: "/r/.dvc/config")
        #expect(throws: InputError.self) { try config.cacheLinkTypes() }
        do {
            _ = try config.cacheLinkTypes()
        } catch {
            #expect(error.diagnostics.first?.location?.line == 2)
            #expect(error.description.contains("teleport"))
        }
    }

    @Test func aDuplicateSectionIsRefusedAsConfigobjRefusesIt() throws {
        #expect(throws: InputError.self) { try DVCConfig.parse("[core]\nremote = a\n[core]\nremote = b\n", file: "/r/.dvc/config") }
    }
}
