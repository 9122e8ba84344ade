import Foundation
import Testing

@testable import APIMToken

@Suite struct ManagedIdentityCredentialTests {
    static let scope = "https://management.azure.com/.default"

    static func imdsToken(_ token: String = "imds-token") -> HTTPResponse {
        // IMDS sends every number as a string.
        .json(
            200,
            [
                "access_token": token, "expires_in": "86399", "expires_on": "1790086399", "ext_expires_in": "86399",
                "not_before": "1790000000", "resource": "https://management.azure.com", "token_type": "Bearer",
            ])
    }

    @Test func requestShapeForEachIdentityKind() async throws {
        let cases: [(ManagedIdentityCredential.Identity, [String: String])] = [
            (.systemAssigned, [:]),
            (.clientID("mi-client"), ["client_id": "mi-client"]),
            (
                .resourceID("/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"),
                ["mi_res_id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"]
            ),
        ]
        for (identity, extra) in cases {
            let clock = ManualClock()
            let transport = FakeTransport { _, _ in Self.imdsToken() }
            let credential = ManagedIdentityCredential(options: .init(identity: identity), transport: transport, clock: clock)
            let token = try await credential.getToken(scope: Self.scope)
            #expect(token.token.value == "imds-token")
            #expect(token.expiresOn == clock.now().addingTimeInterval(86399))
            let request = try #require(transport.requests.first)
            #expect(request.method == .get)
            #expect(request.headers["Metadata"] == "true")
            #expect(request.url.host == "169.254.169.254")
            #expect(request.url.scheme == "http")
            #expect(request.url.path == "/metadata/identity/oauth2/token")
            #expect(request.queryItems == ["api-version": "2018-02-01", "resource": "https://management.azure.com"].merging(extra) { $1 })
        }
    }

    @Test func clientIDFlagSelectsByResourceIDWhenItIsOne() {
        #expect(ManagedIdentityCredential.Identity.from(clientIDOrResourceID: nil) == .systemAssigned)
        #expect(ManagedIdentityCredential.Identity.from(clientIDOrResourceID: "abc") == .clientID("abc"))
        #expect(ManagedIdentityCredential.Identity.from(clientIDOrResourceID: "/subscriptions/x/y") == .resourceID("/subscriptions/x/y"))
    }

    @Test func podIdentityHostOverride() async throws {
        let endpoint = try ManagedIdentityCredential.Options.endpoint(
            from: Environment(["AZURE_POD_IDENTITY_AUTHORITY_HOST": "127.0.0.1:2579/"]))
        #expect(endpoint.absoluteString == "http://127.0.0.1:2579")
        let transport = FakeTransport { _, _ in Self.imdsToken() }
        _ = try await ManagedIdentityCredential(options: .init(endpoint: endpoint), transport: transport, clock: ManualClock())
            .getToken(scope: Self.scope)
        #expect(transport.requests.first?.url.absoluteString.hasPrefix("http://127.0.0.1:2579/metadata/identity/oauth2/token?") == true)
        #expect(try ManagedIdentityCredential.Options.endpoint(from: Environment()) == ManagedIdentityCredential.defaultEndpoint)
    }

    @Test func retriesFollowTheIMDSPolicy() async throws {
        // 404, 429 and 5xx: five tries in all with exponential backoff from 2 s.
        for status in [404, 429, 500, 503] {
            let clock = ManualClock()
            let transport = FakeTransport { _, _ in HTTPResponse(status: status) }
            let credential = ManagedIdentityCredential(
                transport: transport, clock: clock, retry: .imds(jitter: { 1 }))
            await #expect(throws: AuthenticationFailedError.self) { try await credential.getToken(scope: Self.scope) }
            #expect(transport.requests.count == 5, "status \(status)")
            #expect(clock.sleeps == [.seconds(2), .seconds(4), .seconds(8), .seconds(16)], "status \(status)")
        }
    }

    @Test func goneIsRetriedForSeventySeconds() async throws {
        let clock = ManualClock()
        let transport = FakeTransport { _, _ in HTTPResponse(status: 410) }
        let credential = ManagedIdentityCredential(
            transport: transport, clock: clock, retry: .imds(jitter: { 1 }))
        await #expect(throws: AuthenticationFailedError.self) { try await credential.getToken(scope: Self.scope) }
        let waited = clock.sleeps.reduce(Duration.zero, +)
        #expect(waited >= .seconds(70))
        #expect(clock.sleeps == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(25), .seconds(25)])
        #expect(transport.requests.count == 7)
    }

    @Test func goneThenSuccess() async throws {
        let clock = ManualClock()
        let transport = FakeTransport(script: [
            .success(HTTPResponse(status: 410)), .success(HTTPResponse(status: 410)), .success(Self.imdsToken("late")),
        ])
        let credential = ManagedIdentityCredential(transport: transport, clock: clock, retry: .imds(jitter: { 1 }))
        #expect(try await credential.getToken(scope: Self.scope).token.value == "late")
        #expect(transport.requests.count == 3)
    }

    @Test func badRequestAndForbiddenAreNotRetried() async throws {
        for status in [400, 403] {
            let clock = ManualClock()
            let transport = FakeTransport { _, _ in
                .json(status, ["error": "invalid_request", "error_description": "Identity not found"])
            }
            let credential = ManagedIdentityCredential(
                options: .init(identity: .clientID("missing")), transport: transport, clock: clock)
            let error = try await #require(throws: AuthenticationFailedError.self) { try await credential.getToken(scope: Self.scope) }
            #expect(transport.requests.count == 1)
            #expect(clock.sleeps.isEmpty)
            if status == 400 { #expect(error.message.contains("not assigned")) }
        }
    }

    @Test func probeFromAutoMakesTheCredentialUnavailableWhenNothingAnswers() async throws {
        let transport = FakeTransport { _, _ in throw TransportError(kind: .timeout, host: "169.254.169.254", message: "timed out") }
        let clock = ManualClock()
        let credential = ManagedIdentityCredential(
            options: .init(probeTimeout: .milliseconds(300), chained: true), transport: transport, clock: clock)
        let error = try await #require(throws: CredentialUnavailableError.self) { try await credential.getToken(scope: Self.scope) }
        #expect(error.message.contains("300 ms"))
        #expect(transport.requests.count == 1, "the probe is not retried")
        #expect(transport.requests.first?.timeout == .milliseconds(300))
        #expect(transport.requests.first?.headers["Metadata"] == nil)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func probeThenTokenWhenIMDSAnswers() async throws {
        let transport = FakeTransport { request, _ in
            request.headers["Metadata"] == "true" ? Self.imdsToken() : .json(400, ["error": "bad_request"])
        }
        let credential = ManagedIdentityCredential(
            options: .init(probeTimeout: .seconds(1), chained: true), transport: transport, clock: ManualClock())
        #expect(try await credential.getToken(scope: Self.scope).token.value == "imds-token")
        #expect(try await credential.getToken(scope: Self.scope).token.value == "imds-token")
        #expect(transport.requests.map { $0.headers["Metadata"] } == [nil, "true", "true"], "one probe only")
    }

    @Test func inAChainANonIMDSAnswerIsUnavailable() async throws {
        let transport = FakeTransport { _, _ in HTTPResponse(status: 200, body: Data("<html>proxy</html>".utf8)) }
        let credential = ManagedIdentityCredential(options: .init(chained: true), transport: transport, clock: ManualClock())
        await #expect(throws: CredentialUnavailableError.self) { try await credential.getToken(scope: Self.scope) }
        let alone = ManagedIdentityCredential(transport: transport, clock: ManualClock())
        await #expect(throws: AuthenticationFailedError.self) { try await alone.getToken(scope: Self.scope) }
    }
}
