import Foundation
import MLCIDVC
import MLCISupport
import MLCITestSupport
import Testing

/// mlci's SigV4 against botocore's S3SigV4Auth on random requests: same Authorization header.
@Suite struct AWSSignerTests {
    static func randomText(_ alphabet: [String], count: Int) -> String {
        (0..<count).map { _ in alphabet.randomElement()! }.joined()
    }

    @Test func signaturesEqualBotocoresOnRandomKeysQueriesAndTokens() throws {
        guard let tools = ProcessInfo.processInfo.environment["MLCI_REMOTE_TOOLS"] else {
            Issue.record("MLCI_REMOTE_TOOLS is not set (make deps; make test exports it)")
            return
        }
        let characters = ["a", "Z", "0", "-", "_", ".", "~", " ", "+", "=", "$", "(", ")", "!", "*", "'", "é", "名", "%", "/", "&", "?", "#"]
        var cases: [JSONValue] = []
        for index in 0..<40 {
            let path = "/bucket/" + (index % 5 == 0 ? "" : "files/md5/") + Self.randomText(characters, count: Int.random(in: 1...24))
            let query: [JSONValue] = (0..<(index % 3)).map { _ in
                .array([.string(Self.randomText(characters, count: Int.random(in: 1...6))), .string(Self.randomText(characters, count: Int.random(in: 0...8)))])
            }
            var members: [(String, JSONValue)] = [
                ("method", .string(index % 2 == 0 ? "GET" : "HEAD")),
                ("endpoint", .string(index % 4 == 0 ? "https://s3.eu-west-1.amazonaws.com" : "http://127.0.0.1:\(Int.random(in: 1024...65535))")),
                ("path", .string(path)), ("query", .array(query)),
                ("key", .string("AKIA" + Self.randomText(["A", "B", "7"], count: 16))),
                ("secret", .string(Self.randomText(["a", "B", "/", "+", "9"], count: 40))),
                ("region", .string(index % 4 == 0 ? "eu-west-1" : "us-east-1")),
            ]
            if index % 3 == 0 { members.append(("token", .string(Self.randomText(["x", "Y", "/", "="], count: 60)))) }
            cases.append(.object(members))
        }
        let result = try ProcessRunner.run(tools + "/python", [MLCIBinary.packageRoot + "/Tests/Fixtures/botocore_sign.py"],
                                           input: Array(JSONWriter(style: .compact).string(.array(cases)).utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let answers = try JSONParser().parse(result.stdout).arrayValue ?? []
        #expect(answers.count == cases.count)
        for (input, answer) in zip(cases, answers) {
            let endpoint = input["endpoint"]!.stringValue!
            var host = String(endpoint.split(separator: "/")[1])
            if host.hasSuffix(":443") || host.hasSuffix(":80") { host = String(host.prefix { $0 != ":" }) }
            let credentials = AWSCredentials(accessKeyID: input["key"]!.stringValue!, secretAccessKey: input["secret"]!.stringValue!,
                                             sessionToken: input["token"]?.stringValue, source: "test")
            let signer = AWSSigner(credentials: credentials, region: input["region"]!.stringValue!)
            let query = (input["query"]?.arrayValue ?? []).map { ($0.arrayValue![0].stringValue!, $0.arrayValue![1].stringValue!) }
            let headers = signer.headers(method: input["method"]!.stringValue!, host: host, path: input["path"]!.stringValue!,
                                         query: query, date: answer["date"]!.stringValue!)
            let ours = headers.first { $0.0 == "Authorization" }?.1
            #expect(ours == answer["authorization"]?.stringValue, "\(input)")
            #expect(!String(describing: credentials).contains(credentials.secretAccessKey))
        }
    }
}
