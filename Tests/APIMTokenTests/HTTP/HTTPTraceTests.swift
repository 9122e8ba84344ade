import Foundation
import Testing

@testable import APIMToken

@Suite struct HTTPTraceTests {
    @Test(arguments: [0, 1, 2, 3, 4])
    func eachLevelAddsDetail(verbosity: Int) async throws {
        let lines = CanaryTests.Lines()
        let trace = VerboseTrace(verbosity: verbosity, sink: lines.append)
        let transport = MiddlewareTransport(
            base: FakeTransport { _, _ in .json(200, ["value": "v"], headers: ["x-ms-request-id": "rid"]) },
            middlewares: [HTTPTrace(trace)])
        let url = try #require(URL(string: "https://arm.test/x?api-version=1&sig=abc%2Bdef&$skiptoken=t1"))
        _ = try await transport.send(
            HTTPRequest(
                method: .post, url: url, headers: ["Authorization": "Bearer abc", "Accept": "application/json"],
                body: Data(#"{"keyType":"primary"}"#.utf8)))
        let all = lines.all
        switch verbosity {
        case 0: #expect(all.isEmpty)
        case 1, 2:
            #expect(
                all == ["POST https://arm.test/x?api-version=1&sig=<redacted>&$skiptoken=<redacted> → 200 in \(Self.elapsed(all[0])) ms (x-ms-request-id rid)"])
        case 3:
            #expect(all.contains("> Authorization: <redacted>"))
            #expect(all.contains("> Accept: application/json"))
            #expect(all.contains("< x-ms-request-id: rid"))
            #expect(!all.contains { $0.contains("bytes") })
        default:
            #expect(all.contains("> 21 bytes, JSON fields: keyType"))
            #expect(all.contains("< 13 bytes, JSON fields: value"))
        }
        #expect(!all.contains { $0.contains("Bearer abc") || $0.contains("abc%2Bdef") || $0.contains("t1") || $0.contains("primary") })
    }

    static func elapsed(_ line: String) -> String {
        line.components(separatedBy: " in ").last?.components(separatedBy: " ms").first ?? ""
    }

    @Test func transportFailuresAndSubprocessesShowFromLevelTwo() async throws {
        for verbosity in [1, 2] {
            let lines = CanaryTests.Lines()
            let trace = VerboseTrace(verbosity: verbosity, sink: lines.append)
            let transport = MiddlewareTransport(
                base: FakeTransport { _, _ in throw TransportError(kind: .timeout, host: "h", message: "timed out") },
                middlewares: [HTTPTrace(trace)])
            _ = try? await transport.send(HTTPRequest(method: .get, url: URL(string: "https://h/p")!))
            let runner = ProcessTrace(base: POSIXProcessRunner(), trace: trace)
            _ = try await runner.run(
                ProcessRequest(
                    executable: "/bin/sh", arguments: ["-c", "echo hidden-output"], environment: [:],
                    timeout: .seconds(5)))
            if verbosity == 1 {
                #expect(lines.all.isEmpty)
            } else {
                #expect(lines.all.count == 2)
                #expect(lines.all[0].hasPrefix("GET https://h/p failed after "))
                #expect(lines.all[1].hasPrefix("ran /bin/sh -c echo hidden-output → exit 0 in "))
                #expect(lines.all[1].hasSuffix("(stdout 14 bytes, stderr 0 bytes)"))
            }
        }
    }

    @Test func sensitiveHeaderNames() {
        for name in ["Authorization", "proxy-authorization", "Cookie", "Ocp-Apim-Subscription-Key", "x-client-secret", "X-Token"] {
            #expect(VerboseTrace.isSensitive(name: name), "\(name)")
        }
        for name in ["Accept", "Content-Type", "x-ms-request-id", "Retry-After", "User-Agent"] {
            #expect(!VerboseTrace.isSensitive(name: name), "\(name)")
        }
    }

    @Test func sslCertFileAddsTrustForAzureEndpoints() {
        #expect(AzureEndpointPolicy.tlsMaterial(environment: Environment(["SSL_CERT_FILE": "/etc/extra.pem"])).extraCAFile == "/etc/extra.pem")
        let plain = AzureEndpointPolicy.tlsMaterial(environment: Environment())
        #expect(plain == TLSMaterial())
    }
}
