import Foundation
import Testing

@testable import APIMTokenSandbox

/// Injected faults are served exactly as many times as asked, on both Kubernetes and ARM.
@Suite struct FaultTests {
    @Test(arguments: [Fault.RetryAfter.seconds(3), .httpDate(secondsFromNow: 5), .retryAfterMilliseconds(1500), .msRetryAfterMilliseconds(700)])
    func throttlingIsServedExactlyNTimes(form: Fault.RetryAfter) async throws {
        let sandbox = try await TestSupport.start()
        let path = "/api/v1/namespaces/apim/secrets/demo-token"
        sandbox.inject(.throttle(server: .kubernetes, method: "GET", pathPattern: path, count: 2, retryAfter: form))
        var statuses: [Int] = []
        for _ in 0..<4 {
            let r = await TestSupport.curl(sandbox.apiServerURL + path, sandbox: sandbox, clientCertificate: true)
            statuses.append(r.status)
            if r.status == 429 {
                #expect(r.headers.lowercased().contains(form.header.0.lowercased() + ":"), "missing \(form.header.0) in \(r.headers)")
                #expect((try? JSON.parse(r.body))?["reason"]?.stringValue == "TooManyRequests")
            }
        }
        #expect(statuses == [429, 429, 200, 200])
        #expect(sandbox.pendingFaults.isEmpty)
        #expect(sandbox.requestLog.filter { $0.fault != nil }.count == 2)
        await sandbox.shutdown()
    }

    @Test func armFaultsLatencyAndReset() async throws {
        let sandbox = try await TestSupport.start()
        let token = try #require(await TestSupport.armToken(sandbox, clientID: sandbox.azure.clientID, secret: sandbox.azure.clientSecret))
        let url = TestSupport.gatewayURL(sandbox, "demo", "/listKeys")
        sandbox.inject(
            Fault(server: .arm, method: "POST", pathPattern: "*/listKeys", count: 1, action: .respond(status: 503, headers: ["Retry-After": "1"], body: nil)))
        let failed = await TestSupport.curl(url, sandbox: sandbox, method: "POST", bearer: token, body: "{}")
        #expect(failed.status == 503)
        #expect((try? JSON.parse(failed.body))?[path: ["error", "code"]]?.stringValue == "ServiceUnavailable")
        #expect(failed.headers.lowercased().contains("x-ms-request-id:"), "ARM errors, injected ones included, carry a request id")
        sandbox.inject(Fault(server: .arm, pathPattern: "*/listKeys", count: 1, action: .latency(seconds: 0.5)))
        let start = Date()
        let slow = await TestSupport.curl(url, sandbox: sandbox, method: "POST", bearer: token, body: "{}")
        #expect(slow.status == 200)
        #expect(Date().timeIntervalSince(start) >= 0.5)
        sandbox.inject(Fault(server: .arm, pathPattern: "*/listKeys", count: 1, action: .reset))
        let reset = await TestSupport.curl(url, sandbox: sandbox, method: "POST", bearer: token, body: "{}")
        #expect(reset.status == 0, "a reset connection has no HTTP status")
        let ok = await TestSupport.curl(url, sandbox: sandbox, method: "POST", bearer: token, body: "{}")
        #expect(ok.status == 200)
        #expect(ok.headers.lowercased().contains("x-ms-request-id:"))
        await sandbox.shutdown()
    }

    @Test func aLostResponseCommitsTheWriteAndAnswersTheFaultInstead() async throws {
        let sandbox = try await TestSupport.start()
        let url = sandbox.apiServerURL + "/api/v1/namespaces/apim/secrets/demo-token"
        let patch = #"{"metadata":{"annotations":{"seen":"yes"}}}"#
        for (status, expected) in [(Int?.some(503), 503), (nil, 0)] {
            sandbox.inject(.lostResponse(method: "PATCH", pathPattern: "*/secrets/demo-token", status: status))
            let lost = await TestSupport.curl(
                url, sandbox: sandbox, method: "PATCH", clientCertificate: true, body: patch, contentType: "application/merge-patch+json")
            #expect(lost.status == expected)
            let stored = sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")
            #expect(stored?[path: ["metadata", "annotations", "seen"]]?.stringValue == "yes", "the write was not applied")
            #expect(sandbox.requestLog.last?.fault?.contains("after applying (200)") == true, "\(String(describing: sandbox.requestLog.last))")
        }
        await sandbox.shutdown()
    }

    @Test func skipTargetsTheKthRequestAndAnOutageLastsItsSeconds() async throws {
        let sandbox = try await TestSupport.start()
        let url = sandbox.apiServerURL + "/api/v1/namespaces/apim/secrets/demo-token"
        sandbox.inject(
            Fault(server: .kubernetes, method: "GET", pathPattern: "*/secrets/*", count: 1, action: .respond(status: 500, headers: [:], body: nil), skip: 2))
        var statuses: [Int] = []
        for _ in 0..<4 { statuses.append(await TestSupport.curl(url, sandbox: sandbox, clientCertificate: true).status) }
        #expect(statuses == [200, 200, 500, 200])

        sandbox.inject(.outage(server: .kubernetes, seconds: 4))
        let start = Date()
        var during: [Int] = []
        // Requests started in the first 2 s all fall inside the outage, however slowly curl starts.
        while Date().timeIntervalSince(start) < 2 {
            during.append(await TestSupport.curl(url, sandbox: sandbox, clientCertificate: true).status)
        }
        #expect(!during.isEmpty && during.allSatisfy { $0 == 0 }, "every request during the outage is reset: \(during)")
        // It ends: the first answer after it comes at least 4 s after the first reset (times from the request log).
        var recovered = false
        let giveUp = Date().addingTimeInterval(30)
        while !recovered, Date() < giveUp {
            recovered = await TestSupport.curl(url, sandbox: sandbox, clientCertificate: true).status == 200
            if !recovered { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(recovered)
        #expect(sandbox.pendingFaults.isEmpty)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let firstReset = sandbox.requestLog.first { $0.fault == "reset" }.flatMap { formatter.date(from: $0.time) }
        let firstAnswer = sandbox.requestLog.last { $0.status == 200 }.flatMap { formatter.date(from: $0.time) }
        if let firstReset, let firstAnswer { #expect(firstAnswer.timeIntervalSince(firstReset) >= 3.9) } else { Issue.record("no reset or answer logged") }
        await sandbox.shutdown()
    }

    @Test func aHeldRequestIsAnsweredNeverAndReleasedWhenTheClientGoesAway() async throws {
        let sandbox = try await TestSupport.start()
        let url = sandbox.apiServerURL + "/api/v1/namespaces/apim/secrets/demo-token"
        sandbox.inject(Fault(server: .kubernetes, method: "GET", pathPattern: "*/secrets/*", count: 1, action: .hold))
        // curl gives up after 3 s without an answer; the held request then ends with its connection.
        let held = await TestSupport.curl(url, sandbox: sandbox, clientCertificate: true, timeout: 3)
        #expect(held.status == 0)
        #expect(sandbox.requestLog.contains { $0.fault == "hold" }, "\(sandbox.requestLog)")
        #expect(sandbox.pendingFaults.isEmpty)
        #expect(await TestSupport.curl(url, sandbox: sandbox, clientCertificate: true).status == 200)
        await sandbox.shutdown()
    }
}
