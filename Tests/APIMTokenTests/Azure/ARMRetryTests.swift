import Foundation
import Testing

@testable import APIMToken

/// The retry and authentication middleware of `ARMClient`, as a table on a fake transport with a manual clock.
@Suite struct ARMRetryTests {
    static let gateway: APIMGatewayReference = {
        let service = try! APIMServiceReference(subscriptionID: "sub-1", resourceGroup: "rg-1", serviceName: "apim-1")
        return try! APIMGatewayReference(service: service, gatewayName: "gw-1")
    }()

    /// One row: the scripted answers, whether the call is a POST, and what should happen.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var post: Bool = false
        var answers: [Result<HTTPResponse, TransportError>]
        var expectedTries: Int
        var expectedSleeps: [Duration]
        var outcome: Outcome

        enum Outcome: Sendable, Equatable {
            case success
            case armError(Int)
            case throttled, transport
        }
        var testDescription: String { name }
    }

    static let ok = HTTPResponse.json(200, ["id": "/x", "name": "gw-1"])
    static let tokenOK = HTTPResponse.json(200, ["value": "gw-1&202612210300&c2ln"])
    static func status(_ code: Int, _ headers: HTTPHeaders = [:]) -> Result<HTTPResponse, TransportError> {
        .success(HTTPResponse(status: code, headers: headers, body: Data(#"{"error":{"code":"C\#(code)","message":"m"}}"#.utf8)))
    }
    static let reset = Result<HTTPResponse, TransportError>.failure(TransportError(kind: .connectionLost, host: "arm", message: "reset"))

    static let cases: [Case] = [
        Case(
            name: "retry-after-ms", answers: [status(429, ["retry-after-ms": "1500"]), .success(ok)],
            expectedTries: 2, expectedSleeps: [.milliseconds(1500)], outcome: .success),
        Case(
            name: "x-ms-retry-after-ms", answers: [status(429, ["x-ms-retry-after-ms": "250"]), .success(ok)],
            expectedTries: 2, expectedSleeps: [.milliseconds(250)], outcome: .success),
        Case(
            name: "Retry-After seconds", answers: [status(503, ["Retry-After": "7"]), .success(ok)],
            expectedTries: 2, expectedSleeps: [.seconds(7)], outcome: .success),
        Case(
            name: "Retry-After HTTP date", answers: [status(429, ["Retry-After": httpDate(secondsFromStart: 12)]), .success(ok)],
            expectedTries: 2, expectedSleeps: [.seconds(12)], outcome: .success),
        Case(
            name: "Retry-After of exactly 60 s is honoured", answers: [status(429, ["Retry-After": "60"]), .success(ok)],
            expectedTries: 2, expectedSleeps: [.seconds(60)], outcome: .success),
        Case(
            name: "Retry-After over 60 s stops", answers: [status(429, ["Retry-After": "61"]), .success(ok)],
            expectedTries: 1, expectedSleeps: [], outcome: .throttled),
        Case(
            name: "retry-after-ms over 60 s stops", answers: [status(503, ["retry-after-ms": "600000"])],
            expectedTries: 1, expectedSleeps: [], outcome: .throttled),
        Case(
            name: "408 is retried with backoff", answers: [status(408), .success(ok)],
            expectedTries: 2, expectedSleeps: [.milliseconds(800)], outcome: .success),
        Case(
            name: "5xx until exhaustion: 4 tries", answers: [status(500), status(502), status(503), status(504)],
            expectedTries: 4, expectedSleeps: [.milliseconds(800), .milliseconds(2400), .milliseconds(5600)], outcome: .armError(504)),
        Case(name: "400 is not retried", answers: [status(400)], expectedTries: 1, expectedSleeps: [], outcome: .armError(400)),
        Case(name: "403 is not retried", answers: [status(403)], expectedTries: 1, expectedSleeps: [], outcome: .armError(403)),
        Case(name: "404 is not retried", answers: [status(404)], expectedTries: 1, expectedSleeps: [], outcome: .armError(404)),
        Case(name: "409 is not retried", answers: [status(409)], expectedTries: 1, expectedSleeps: [], outcome: .armError(409)),
        Case(
            name: "transport error on POST is retried", post: true, answers: [reset, .success(tokenOK)],
            expectedTries: 2, expectedSleeps: [.milliseconds(800)], outcome: .success),
        Case(
            name: "429 on POST is retried", post: true, answers: [status(429, ["Retry-After": "2"]), .success(tokenOK)],
            expectedTries: 2, expectedSleeps: [.seconds(2)], outcome: .success),
        Case(
            name: "transport errors until exhaustion", post: true, answers: [reset, reset, reset, reset, .success(tokenOK)],
            expectedTries: 4, expectedSleeps: [.milliseconds(800), .milliseconds(2400), .milliseconds(5600)], outcome: .transport),
    ]

    static func httpDate(secondsFromStart: TimeInterval) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: ManualClock().now().addingTimeInterval(secondsFromStart))
    }

    static func client(_ transport: FakeTransport, clock: ManualClock, credential: (any TokenCredential)? = nil) throws -> ARMClient {
        let source =
            credential
            ?? ScriptedCredential { index in
                AccessToken(token: Redacted("bearer-\(index)"), expiresOn: clock.now().addingTimeInterval(3600))
            }
        return try ARMClient(
            transport: transport, tokenCache: TokenCache(credential: source, clock: clock), clock: clock, jitter: { 1 })
    }

    @Test(arguments: cases)
    func retryTable(_ row: Case) async throws {
        let clock = ManualClock()
        let transport = FakeTransport(script: row.answers)
        let client = try Self.client(transport, clock: clock)
        do {
            if row.post {
                _ = try await client.generateToken(Self.gateway, keyType: .primary, expiry: clock.now().addingTimeInterval(86400))
            } else {
                _ = try await client.getGateway(Self.gateway)
            }
            #expect(row.outcome == .success)
        } catch let error as ARMError {
            #expect(row.outcome == .armError(error.status))
        } catch let error as AzureThrottledError {
            #expect(row.outcome == .throttled)
            #expect(error.description.contains("retry after"))
            #expect(error.exitStatus == .azureAPI)
        } catch let error as ARMTransportError {
            #expect(row.outcome == .transport)
            #expect(error.exitStatus == .azureAPI)
        }
        #expect(transport.requests.count == row.expectedTries)
        #expect(clock.sleeps == row.expectedSleeps)
        if row.post {
            #expect(transport.requests.allSatisfy { $0.method == .post && $0.body == transport.requests[0].body })
        }
    }

    @Test func jitterStaysWithinTheSDKRange() {
        for _ in 0..<200 {
            let first = RetryPolicy.azureBackoff(retry: 1, options: .default, jitter: RetryPolicy.azureJitter()).seconds
            #expect(first >= 0.64 && first < 1.04 + 0.001)
        }
        #expect(RetryPolicy.azureBackoff(retry: 10, options: .default, jitter: 1) == .seconds(60), "capped at 60 s")
    }

    @Test func a401DropsTheCachedTokenAndRetriesOnce() async throws {
        let clock = ManualClock()
        let transport = FakeTransport { request, index in
            if index == 0 { #expect(request.headers["Authorization"] == "Bearer bearer-0") }
            if index == 1 { #expect(request.headers["Authorization"] == "Bearer bearer-1") }
            return index == 0 ? HTTPResponse(status: 401) : Self.ok
        }
        let client = try Self.client(transport, clock: clock)
        _ = try await client.getGateway(Self.gateway)
        #expect(transport.requests.count == 2)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func aSecond401IsReportedAsAnAuthenticationFailure() async throws {
        let clock = ManualClock()
        let transport = FakeTransport { _, _ in
            .json(401, ["error": ["code": "InvalidAuthenticationToken", "message": "The access token is invalid."]])
        }
        let client = try Self.client(transport, clock: clock)
        let error = try await #require(throws: ARMError.self) { try await client.getGateway(Self.gateway) }
        #expect(error.status == 401)
        #expect(error.exitStatus == .azureAuthentication)
        #expect(transport.requests.count == 2, "one retry after the refresh, no more")
    }

    @Test func aTokenFromAnotherTenantSaysWhichFlagToUse() async throws {
        let clock = ManualClock()
        let transport = FakeTransport { _, _ in
            .json(
                401,
                [
                    "error": [
                        "code": "InvalidAuthenticationTokenTenant",
                        "message": "The access token is from the wrong issuer.",
                    ]
                ])
        }
        let error = try await #require(throws: ARMError.self) { try await Self.client(transport, clock: clock).getGateway(Self.gateway) }
        #expect(error.exitStatus == .azureAuthentication)
        #expect(error.remedy?.contains("--tenant") == true)
    }

    @Test func bearerIsRefusedOverPlainHTTPToANonLoopbackHost() throws {
        var cloud = AzureCloud.azurePublic
        cloud.resourceManagerEndpoint = URL(string: "http://management.example.test")!
        let clock = ManualClock()
        let source = ScriptedCredential { _ in AccessToken(token: Redacted("t"), expiresOn: clock.now().addingTimeInterval(3600)) }
        #expect(throws: ConfigurationError.self) {
            try ARMClient(transport: FakeTransport { _, _ in Self.ok }, tokenCache: TokenCache(credential: source, clock: clock), cloud: cloud)
        }
        cloud.resourceManagerEndpoint = URL(string: "http://127.0.0.1:8443")!
        _ = try ARMClient(transport: FakeTransport { _, _ in Self.ok }, tokenCache: TokenCache(credential: source, clock: clock), cloud: cloud)
    }
}
