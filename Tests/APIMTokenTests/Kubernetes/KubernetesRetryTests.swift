import Foundation
import Testing

@testable import APIMToken

/// Retries as client-go does them, on a scripted transport with a manual clock.
@Suite struct KubernetesRetryTests {
    let url = URL(string: "https://127.0.0.1:6443/api/v1/namespaces/apim/secrets/demo-token")!

    func transport(_ script: [Result<HTTPResponse, TransportError>], clock: ManualClock) -> (FakeTransport, MiddlewareTransport) {
        let fake = FakeTransport(script: script)
        return (fake, MiddlewareTransport(base: fake, middlewares: [RetryMiddleware(.kubernetes(), clock: clock)]))
    }

    static let reset = TransportError(kind: .connectionLost, host: "127.0.0.1", message: "connection reset")

    @Test func tooManyRequestsWithRetryAfterIsRetriedAfterThatDelay() async throws {
        let clock = ManualClock()
        let (fake, client) = transport([.success(HTTPResponse(status: 429, headers: ["Retry-After": "3"])), .success(HTTPResponse(status: 200))], clock: clock)
        let response = try await client.send(HTTPRequest(method: .patch, url: url))
        #expect(response.status == 200)
        #expect(fake.requests.count == 2)
        #expect(clock.sleeps == [.seconds(3)])
    }

    @Test(arguments: [500, 503, 504])
    func serverErrorsWithRetryAfterAreRetried(status: Int) async throws {
        let clock = ManualClock()
        let (fake, client) = transport(
            [.success(HTTPResponse(status: status, headers: ["Retry-After": "1"])), .success(HTTPResponse(status: 200))], clock: clock)
        #expect(try await client.send(HTTPRequest(method: .get, url: url)).status == 200)
        #expect(fake.requests.count == 2)
    }

    @Test func aServerErrorWithoutRetryAfterIsReturnedAsItIs() async throws {
        let clock = ManualClock()
        let (fake, client) = transport([.success(HTTPResponse(status: 500)), .success(HTTPResponse(status: 200))], clock: clock)
        #expect(try await client.send(HTTPRequest(method: .get, url: url)).status == 500)
        #expect(fake.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func retriesStopAfterFiveAttemptsAndEachWaitIsCapped() async throws {
        let clock = ManualClock()
        let (fake, client) = transport([.success(HTTPResponse(status: 429, headers: ["Retry-After": "3600"]))], clock: clock)
        #expect(try await client.send(HTTPRequest(method: .get, url: url)).status == 429)
        #expect(fake.requests.count == 5)
        #expect(clock.sleeps == Array(repeating: .seconds(10), count: 4))
    }

    @Test func aGetIsRetriedAfterAConnectionReset() async throws {
        let clock = ManualClock()
        let (fake, client) = transport([.failure(Self.reset), .success(HTTPResponse(status: 200))], clock: clock)
        #expect(try await client.send(HTTPRequest(method: .get, url: url)).status == 200)
        #expect(fake.requests.count == 2)
        #expect(clock.sleeps == [.seconds(1)])
    }

    @Test(arguments: [HTTPMethod.post, .patch, .put, .delete])
    func aWriteIsNeverRetriedAfterATransportError(method: HTTPMethod) async throws {
        let clock = ManualClock()
        let (fake, client) = transport([.failure(Self.reset), .success(HTTPResponse(status: 200))], clock: clock)
        await #expect(throws: TransportError.self) { try await client.send(HTTPRequest(method: method, url: url)) }
        #expect(fake.requests.count == 1)
    }

    @Test func aRefusedConnectionIsNotRetried() async throws {
        let clock = ManualClock()
        let refused = TransportError(kind: .connect, host: "127.0.0.1", message: "refused")
        let (fake, client) = transport([.failure(refused), .success(HTTPResponse(status: 200))], clock: clock)
        await #expect(throws: TransportError.self) { try await client.send(HTTPRequest(method: .get, url: url)) }
        #expect(fake.requests.count == 1)
    }
}
