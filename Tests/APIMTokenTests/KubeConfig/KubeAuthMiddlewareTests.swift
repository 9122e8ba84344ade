import Foundation
import Testing

@testable import APIMToken

/// `KubeAuthMiddleware` on a fake transport.
@Suite struct KubeAuthMiddlewareTests {
    typealias Support = KubeConfigTestSupport

    /// Records each request's `Authorization` header and answers 401 to the tokens in `rejected`.
    final class FakeServer: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [String?] = []
        let rejected: Set<String>

        init(rejected: Set<String> = []) { self.rejected = rejected }

        var authorizations: [String?] { lock.withLock { seen } }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let authorization = request.headers["Authorization"]
            lock.withLock { seen.append(authorization) }
            if let authorization, rejected.contains(authorization) { return HTTPResponse(status: 401) }
            return HTTPResponse(status: 200)
        }
    }

    static func connection(_ credential: KubeCredential) -> ClusterConnection {
        ClusterConnection(server: URL(string: "https://127.0.0.1:6443")!, origin: .context(name: "c", cluster: "c", user: "u"), credential: credential)
    }

    static func transport(_ credential: KubeCredential, _ server: FakeServer, clock: any WallClock = ManualClock()) -> MiddlewareTransport {
        let middleware = KubeAuthMiddleware(
            connection: connection(credential), runner: POSIXProcessRunner(), clock: clock,
            environment: Environment(["PATH": "/usr/bin:/bin"]), execTimeout: .seconds(20))
        return MiddlewareTransport(base: server, middlewares: [middleware])
    }

    static let request = HTTPRequest(method: .get, url: URL(string: "https://127.0.0.1:6443/api/v1/namespaces/default/secrets")!)

    @Test func staticTokenAndBasicAuth() async throws {
        let server = FakeServer()
        _ = try await Self.transport(.bearerToken(Redacted("canary-static")), server).send(Self.request)
        _ = try await Self.transport(.basic(username: "admin", password: Redacted("pw")), server).send(Self.request)
        _ = try await Self.transport(.none, server).send(Self.request)
        #expect(server.authorizations == ["Bearer canary-static", "Basic " + Data("admin:pw".utf8).base64EncodedString(), nil])
    }

    @Test func aTokenFileIsReadAgainForEveryRequest() async throws {
        let directory = try Support.temporaryDirectory("token")
        let path = "\(directory)/token"
        try Support.write("first-token\n", to: path)
        let server = FakeServer()
        let transport = Self.transport(.tokenFile(path), server)
        _ = try await transport.send(Self.request)
        try Support.write("rotated-token", to: path)
        _ = try await transport.send(Self.request)
        #expect(server.authorizations == ["Bearer first-token", "Bearer rotated-token"])

        try Support.write("  \n", to: path)
        await #expect { _ = try await transport.send(Self.request) } throws: { error in
            "\(error)" == "read empty token from file \"\(path)\""
        }
        try FileManager.default.removeItem(atPath: path)
        await #expect { _ = try await transport.send(Self.request) } throws: { error in
            "\(error)" == "failed to read token file \"\(path)\": open \(path): no such file or directory"
        }
        #expect(server.authorizations.count == 2)
    }

    @Test func anExistingAuthorizationHeaderIsKept() async throws {
        let server = FakeServer()
        var request = Self.request
        request.headers["Authorization"] = "Bearer explicit"
        _ = try await Self.transport(.bearerToken(Redacted("canary-static")), server).send(request)
        #expect(server.authorizations == ["Bearer explicit"])
    }

    @Test func execTokenIsRenewedOnceAfterA401AndTheRequestRetried() async throws {
        let directory = try Support.temporaryDirectory("exec")
        let plugin = try ExecCredentialTests.recordingPlugin(in: directory)
        let server = FakeServer(rejected: ["Bearer canary-exec-token-1"])
        let config = ExecConfig(apiVersion: ExecCredentialTests.v1, command: plugin, interactiveMode: "Never")
        let transport = Self.transport(.exec(config), server)

        let response = try await transport.send(Self.request)
        #expect(response.status == 200)
        #expect(server.authorizations == ["Bearer canary-exec-token-1", "Bearer canary-exec-token-2"])

        // The renewed credential is cached: the next request runs no plugin.
        _ = try await transport.send(Self.request)
        #expect(server.authorizations.last == "Bearer canary-exec-token-2")
        #expect((try? String(contentsOfFile: "\(directory)/count", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }

    @Test func aSecond401IsReturnedNotRetriedForever() async throws {
        let directory = try Support.temporaryDirectory("exec")
        let plugin = try ExecCredentialTests.recordingPlugin(in: directory)
        let server = FakeServer(rejected: ["Bearer canary-exec-token-1", "Bearer canary-exec-token-2"])
        let config = ExecConfig(apiVersion: ExecCredentialTests.v1, command: plugin, interactiveMode: "Never")
        let response = try await Self.transport(.exec(config), server).send(Self.request)
        #expect(response.status == 401)
        #expect(server.authorizations.count == 2)
    }
}
