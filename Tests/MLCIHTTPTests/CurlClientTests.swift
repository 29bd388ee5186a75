import Foundation
import MLCIHTTP
import MLCISupport
import MLCITestSupport
import Testing

/// Python's http.server (Tests/Fixtures/http_echo_server.py) reports what it received.
final class EchoServer {
    let process = Process()
    let port: Int
    let sandbox: GitSandbox

    init() throws {
        sandbox = try GitSandbox(initialize: false)
        let portFile = sandbox.base + "/port"
        let python = ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "/usr/bin/python3"
        process.executableURL = URL(fileURLWithPath: python.contains("/") ? python : "/usr/bin/python3")
        process.arguments = [MLCIBinary.packageRoot + "/Tests/Fixtures/http_echo_server.py", portFile]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var port = 0
        for _ in 0..<200 where port == 0 {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) } ?? 0
            if port == 0 { Thread.sleep(forTimeInterval: 0.05) }
        }
        self.port = port
        if port == 0 { throw InputError("the echo server did not start") }
    }

    deinit { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// A file of `count` random bytes in the sandbox.
    func randomFile(_ count: Int) throws -> (path: String, bytes: [UInt8]) {
        let bytes = try Array(FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom")).read(upToCount: count) ?? Data())
        let path = sandbox.base + "/random-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }
}

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

@Suite struct CurlClientTests {
    let client = CurlClient()

    @Test func aPostedBodyAndItsHeadersArriveAsSent() throws {
        let server = try EchoServer()
        let body = Array("{\"body\":\"héllo\"}".utf8)
        let response = try client.perform(HTTPRequest(method: "POST", url: server.url("/echo?page=2"),
                                                      headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("X-Token", "abc")],
                                                      body: .bytes(body)))
        #expect(response.status == 200)
        #expect(response.header("x-echo") == "yes")
        let seen = try JSONParser().parse(response.body)
        #expect(seen["method"]?.stringValue == "POST")
        #expect(seen["query"]?["page"]?.stringValue == "2")
        #expect(seen["headers"]?["x-token"]?.stringValue == "abc")
        #expect(seen["headers"]?["content-type"]?.stringValue == "application/json")
        #expect(seen["body_hex"]?.stringValue == hex(body))
    }

    @Test(arguments: ["PUT", "PATCH", "DELETE", "GET"])
    func everyMethodReachesTheServerByItsName(method: String) throws {
        let server = try EchoServer()
        let body: HTTPRequest.Body = method == "GET" || method == "DELETE" ? .none : .bytes([1, 2, 3])
        let response = try client.perform(HTTPRequest(method: method, url: server.url("/echo"), body: body))
        let seen = try JSONParser().parse(response.body)
        #expect(seen["method"]?.stringValue == method)
        #expect(seen["length"] == .int(body == .none ? 0 : 3))
    }

    @Test func aFileBodyIsStreamedFromTheDescriptorWhole() throws {
        let server = try EchoServer()
        let (path, bytes) = try server.randomFile(1 << 20 + 17)
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        let saved = path + ".received"
        let response = try client.perform(HTTPRequest(method: "PUT", url: server.url("/echo?save=\(saved)"),
                                                      body: .file(descriptor: descriptor, length: Int64(bytes.count))))
        let seen = try JSONParser().parse(response.body)
        #expect(seen["length"] == .int(Int64(bytes.count)))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: saved))) == bytes)
        #expect(seen["headers"]?["expect"] == nil)
    }

    @Test func aDownloadStreamedToADescriptorEqualsTheServedFile() throws {
        let server = try EchoServer()
        let (path, bytes) = try server.randomFile(2 << 20 + 3)
        let target = path + ".down"
        let descriptor = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let response = try client.perform(HTTPRequest(method: "GET", url: server.url("/redirect?path=\(path)"), followRedirects: true),
                                          sink: .file(descriptor: descriptor))
        close(descriptor)
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(response.bodyLength == Int64(bytes.count))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: target))) == bytes)
    }

    @Test func anErrorStatusIsAResponseAndItsBodyStaysOutOfTheFile() throws {
        let server = try EchoServer()
        let (path, _) = try server.randomFile(100)
        let target = path + ".down"
        let descriptor = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let response = try client.perform(HTTPRequest(method: "GET", url: server.url("/file?path=\(path)&status=404")),
                                          sink: .file(descriptor: descriptor))
        close(descriptor)
        #expect(response.status == 404)
        #expect(response.body.count == 100)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)).isEmpty)
    }

    @Test func redirectsAreNotFollowedUnlessAsked() throws {
        let server = try EchoServer()
        let response = try client.perform(HTTPRequest(method: "GET", url: server.url("/redirect?path=/dev/null")))
        #expect(response.status == 302)
        #expect(response.header("Location") == "/file?path=/dev/null")
    }

    @Test func aMemoryBodyOverItsLimitFails() throws {
        let server = try EchoServer()
        let (path, _) = try server.randomFile(4096)
        #expect(throws: HTTPError.self) {
            try client.perform(HTTPRequest(method: "GET", url: server.url("/file?path=\(path)")), sink: .memory(limit: 1000))
        }
    }

    @Test func aTimeoutIsATransportErrorNamingNoQuery() throws {
        let server = try EchoServer()
        do {
            _ = try client.perform(HTTPRequest(method: "GET", url: server.url("/slow?X-Amz-Signature=secret"), timeout: 0.5))
            Issue.record("a 5 s answer beat a 0.5 s timeout")
        } catch {
            #expect(error.kind == .transport)
            #expect(!error.message.contains("secret"))
            #expect(error.message.contains("/slow"))
        }
    }

    @Test func aRefusedConnectionIsATransportError() throws {
        // A port that was just listening and is now closed.
        let port: Int = try { let server = try EchoServer(); return server.port }()
        do {
            _ = try client.perform(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"))
            Issue.record("a closed port answered")
        } catch {
            #expect(error.kind == .transport)
        }
    }

    @Test(arguments: [
        HTTPRequest(method: "GET", url: "file:///etc/passwd"),
        HTTPRequest(method: "get", url: "http://127.0.0.1/"),
        HTTPRequest(method: "GET", url: "http://127.0.0.1/a b"),
        HTTPRequest(method: "GET", url: "http://127.0.0.1/", headers: [HTTPHeader("X-Evil", "a\r\nInjected: 1")]),
        HTTPRequest(method: "GET", url: "http://127.0.0.1/", headers: [HTTPHeader("Bad:Name", "1")]),
    ])
    func unusableRequestsAreRefusedBeforeAnythingIsSent(request: HTTPRequest) {
        do {
            _ = try client.perform(request)
            Issue.record("\(request.url) was sent")
        } catch {
            #expect(error.kind == .invalidRequest)
        }
    }

    @Test func messagesDropUserInfoQueryAndFragment() {
        #expect(CurlClient.describe("https://user:pw@example.com:8443/a/b?token=x#f") == "https://example.com:8443/a/b")
        #expect(CurlClient.describe("http://example.com") == "http://example.com")
    }
}
