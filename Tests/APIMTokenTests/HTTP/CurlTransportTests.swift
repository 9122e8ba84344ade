import Foundation
import Testing

@testable import APIMToken

/// `CurlTransport` against a real loopback TLS server that requires client certificates.
@Suite(.serialized) final class CurlTransportTests {
    let pki: TestPKI
    let server: EchoServer

    init() throws {
        pki = try TestPKI()
        server = try EchoServer(pki: pki)
    }

    deinit {
        server.stop()
        pki.remove()
    }

    private func transport(
        _ tls: TLSMaterial, proxy: ProxySetting = .none, environment: Environment = Environment(),
        warnings: WarningSink = WarningSink()
    ) throws -> CurlTransport {
        try CurlTransport(
            .init(tls: tls, proxy: proxy, connectTimeout: .seconds(5), requestTimeout: .seconds(10), environment: environment),
            warn: { warnings.append($0) })
    }

    private func echo(_ response: HTTPResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
    }

    private var goodTLS: TLSMaterial {
        get throws {
            TLSMaterial(
                certificateAuthority: .data(try pki.data(pki.caCert)),
                clientCertificate: .data(try pki.data(pki.clientCert)),
                clientKey: .data(try pki.data(pki.clientKey)))
        }
    }

    @Test func theRightClientCertificateFromMemorySucceeds() async throws {
        let response = try await transport(goodTLS).send(HTTPRequest(method: .get, url: server.url("/api")))
        #expect(response.status == 200)
        #expect(response.headers["x-echo"] == "yes")
        #expect(response.headers["CONTENT-TYPE"] == "application/json")
        let doc = try echo(response)
        #expect(doc["clientCN"] as? String == "admin")
        #expect(doc["path"] as? String == "/api")
    }

    @Test func certificatesFromFilesWorkToo() async throws {
        let tls = TLSMaterial(
            certificateAuthority: .file(pki.caCert.path),
            clientCertificate: .file(pki.clientCert.path),
            clientKey: .file(pki.clientKey.path))
        let response = try await transport(tls).send(HTTPRequest(method: .get, url: server.url("/x")))
        #expect(try echo(response)["clientCN"] as? String == "admin")
    }

    @Test func anExtraCABundleIsTrustedBesideTheSystemStore() async throws {
        // SSL_CERT_FILE for Azure endpoints: the extra bundle plus the system store, no explicit CA.
        let tls = TLSMaterial(
            extraCAFile: pki.caCert.path, clientCertificate: .file(pki.clientCert.path), clientKey: .file(pki.clientKey.path))
        let response = try await transport(tls).send(HTTPRequest(method: .get, url: server.url("/x")))
        #expect(try echo(response)["clientCN"] as? String == "admin")
        let missing = TLSMaterial(extraCAFile: "/nonexistent/ca.pem")
        #expect(throws: ConfigurationError.self) { _ = try CurlTransport(CurlTransport.Configuration(tls: missing)) }
    }

    @Test func noClientCertificateGivesAClearError() async throws {
        let tls = TLSMaterial(certificateAuthority: .data(try pki.data(pki.caCert)))
        let error = await #expect(throws: TransportError.self) {
            _ = try await self.transport(tls).send(HTTPRequest(method: .get, url: self.server.url("/api")))
        }
        // TLS 1.3 reports the refusal after the handshake: either as the server's alert (curl 55/56 with
        // "certificate required") or, when the reset wins the race, as a lost connection. Both must say why.
        #expect(error?.kind == .clientCertificate || error?.kind == .connectionLost)
        #expect(error?.description.contains("requires a client certificate") == true)
        #expect(error?.description.contains("none was configured") == true)
        #expect(error?.description.contains("127.0.0.1") == true)
    }

    @Test func aWrongCAGivesAClearError() async throws {
        var tls = try goodTLS
        tls.certificateAuthority = .data(try pki.data(pki.otherCACert))
        let error = await #expect(throws: TransportError.self) {
            _ = try await self.transport(tls).send(HTTPRequest(method: .get, url: self.server.url("/api")))
        }
        #expect(error?.kind == .serverCertificate)
        #expect(error?.description.contains("not trusted") == true)
    }

    @Test func aKeyThatDoesNotMatchTheCertificateIsAClientCertificateError() async throws {
        var tls = try goodTLS
        tls.clientKey = .data(try pki.data(pki.serverKey))
        let error = await #expect(throws: TransportError.self) {
            _ = try await self.transport(tls).send(HTTPRequest(method: .get, url: self.server.url("/api")))
        }
        #expect(error?.kind == .clientCertificate)
    }

    @Test func headersAndBodiesAreSentAndTheBearerTokenArrives() async throws {
        var headers: HTTPHeaders = ["Authorization": "Bearer canary-token", "Content-Type": "application/merge-patch+json"]
        headers.add("X-Empty", "")
        let body = Data(#"{"metadata":{"annotations":{"a":"b"}}}"#.utf8)
        let response = try await transport(goodTLS).send(HTTPRequest(method: .patch, url: server.url("/p?x=1"), headers: headers, body: body))
        let doc = try echo(response)
        let sent = doc["headers"] as? [String: String] ?? [:]
        #expect(doc["method"] as? String == "PATCH")
        #expect(doc["path"] as? String == "/p?x=1")
        #expect(doc["body"] as? String == String(decoding: body, as: UTF8.self))
        #expect(sent["Authorization"] == "Bearer canary-token")
        #expect(sent["X-Empty"] == "")
        #expect(sent["Expect"] == nil)
    }

    @Test(arguments: [HTTPMethod.post, .put, .delete])
    func everyWriteMethodIsSentAsItself(method: HTTPMethod) async throws {
        let response = try await transport(goodTLS).send(HTTPRequest(method: method, url: server.url("/w"), body: Data("{}".utf8)))
        #expect(try echo(response)["method"] as? String == method.rawValue)
    }

    @Test func tlsServerNameIsVerifiedInsteadOfTheURLHost() async throws {
        var tls = try goodTLS
        tls.serverName = "apiserver.test"
        let response = try await transport(tls).send(HTTPRequest(method: .get, url: server.url("/named")))
        let doc = try echo(response)
        #expect(doc["path"] as? String == "/named")
        #expect((doc["headers"] as? [String: String])?["Host"] == "127.0.0.1:\(server.tlsPort)")

        tls.serverName = "not-in-the-certificate.test"
        let error = await #expect(throws: TransportError.self) {
            _ = try await self.transport(tls).send(HTTPRequest(method: .get, url: self.server.url("/named")))
        }
        #expect(error?.kind == .serverCertificate)
    }

    @Test func insecureSkipVerifyWorksAndWarnsEveryTime() async throws {
        let warnings = WarningSink()
        let tls = TLSMaterial(clientCertificate: .file(pki.clientCert.path), clientKey: .file(pki.clientKey.path), insecureSkipVerify: true)
        let response = try await transport(tls, warnings: warnings).send(HTTPRequest(method: .get, url: server.url("/i")))
        #expect(response.status == 200)
        _ = try transport(tls, warnings: warnings)
        #expect(warnings.messages.count == 2)
        #expect(warnings.messages.allSatisfy { $0.contains("insecure-skip-tls-verify") })
    }

    @Test func insecureSkipVerifyWithACAIsRefusedLikeClientGo() throws {
        var tls = try goodTLS
        tls.insecureSkipVerify = true
        let error = #expect(throws: ConfigurationError.self) { _ = try self.transport(tls) }
        #expect(error?.description == "specifying a root certificates file with the insecure flag is not allowed")
        #expect(error?.exitStatus == .usage)
    }

    @Test func proxyURLTunnelsEveryRequest() async throws {
        let proxy = ProxySetting.url("http://127.0.0.1:\(server.proxyPort)")
        let response = try await transport(goodTLS, proxy: proxy).send(HTTPRequest(method: .get, url: server.url("/via-proxy")))
        #expect((try echo(response)["tunnels"] as? [String])?.contains("127.0.0.1:\(server.tlsPort)") == true)
    }

    @Test func httpsProxyFromTheEnvironmentIsUsedAndNoProxyIsHonoured() async throws {
        let environment = Environment(["HTTPS_PROXY": "http://127.0.0.1:\(server.proxyPort)"])
        let url = server.url("/env-proxy", host: "apiserver.test")
        let response = try await transport(goodTLS, proxy: .environment, environment: environment).send(HTTPRequest(method: .get, url: url))
        #expect((try echo(response)["tunnels"] as? [String])?.contains("apiserver.test:\(server.tlsPort)") == true)

        var bypass = environment
        bypass["NO_PROXY"] = ".test"
        // Without the proxy the made-up name does not resolve, which proves NO_PROXY was applied.
        let error = await #expect(throws: TransportError.self) {
            _ = try await self.transport(self.goodTLS, proxy: .environment, environment: bypass).send(HTTPRequest(method: .get, url: url))
        }
        #expect(error?.kind == .connect)
    }

    @Test func loopbackIsNeverProxiedFromTheEnvironment() async throws {
        let environment = Environment(["HTTPS_PROXY": "http://127.0.0.1:1"])
        let response = try await transport(goodTLS, proxy: .environment, environment: environment).send(HTTPRequest(method: .get, url: server.url("/direct")))
        #expect(response.status == 200)
    }

    @Test func theRequestTimeoutIsEnforced() async throws {
        let request = HTTPRequest(method: .get, url: server.url("/sleep"), timeout: .milliseconds(500))
        let error = await #expect(throws: TransportError.self) { _ = try await self.transport(self.goodTLS).send(request) }
        #expect(error?.kind == .timeout)
    }

    @Test func aRefusedConnectionIsAConnectError() async throws {
        let error = await #expect(throws: TransportError.self) {
            _ = try await self.transport(self.goodTLS).send(HTTPRequest(method: .get, url: URL(string: "https://127.0.0.1:1/")!))
        }
        #expect(error?.kind == .connect)
    }

    @Test func credentialsAreNeverSentOverPlainHTTPToARemoteHost() async throws {
        let request = HTTPRequest(method: .get, url: URL(string: "http://example.invalid/")!, headers: ["Authorization": "Bearer canary-token"])
        let error = await #expect(throws: TransportError.self) { _ = try await self.transport(TLSMaterial()).send(request) }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains("canary-token") == false)
    }

    @Test func manyConcurrentRequestsShareTheTransport() async throws {
        let transport = try transport(goodTLS)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for url in (0..<16).map({ server.url("/c\($0)") }) {
                group.addTask { try await transport.send(HTTPRequest(method: .get, url: url)).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 16))
    }
}

/// Collects warnings a transport emits.
final class WarningSink: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ message: String) { lock.withLock { stored.append(message) } }
    var messages: [String] { lock.withLock { stored } }
}
