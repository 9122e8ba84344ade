import Foundation
import Testing

@testable import APIMToken

/// Request building, list paging and error decoding of `KubernetesClient` on a fake transport.
@Suite struct KubernetesClientTests {
    let server = URL(string: "https://127.0.0.1:6443")!

    static var secretJSON: [String: Any] {
        [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": [
                "name": "demo-token", "namespace": "apim", "resourceVersion": "42",
                "creationTimestamp": "2026-11-01T03:00:00Z",
                "managedFields": [["manager": "kubectl-apimtoken", "operation": "Update", "time": "2026-11-20T03:00:00.123456Z"]],
            ],
            "type": "Opaque",
            "data": ["value": Data("GatewayKey demo&202612210300&c2ln".utf8).base64EncodedString()],
        ]
    }

    @Test func getBuildsTheObjectPathAndDecodesDatesAndData() async throws {
        let fake = FakeTransport { _, _ in .json(200, Self.secretJSON) }
        let client = KubernetesClient(server: server, transport: fake)
        let secret = try await client.get(Secret.self, name: "demo-token", namespace: "apim")
        #expect(fake.requests.first?.url.absoluteString == "https://127.0.0.1:6443/api/v1/namespaces/apim/secrets/demo-token")
        #expect(fake.requests.first?.headers["Accept"] == "application/json")
        #expect(secret.metadata.resourceVersion == "42")
        #expect(secret.metadata.creationTimestamp == RFC3339.parse("2026-11-01T03:00:00Z"))
        let written = try #require(secret.metadata.managedFields?.first?.time)
        #expect(abs(written.timeIntervalSince1970 - (RFC3339.parse("2026-11-20T03:00:00Z")!.timeIntervalSince1970 + 0.123456)) < 0.001)
        #expect(secret.string("value")?.value == "GatewayKey demo&202612210300&c2ln")
    }

    @Test func aSecretNeverPrintsItsValues() async throws {
        let fake = FakeTransport { _, _ in .json(200, Self.secretJSON) }
        let secret = try await KubernetesClient(server: server, transport: fake).get(Secret.self, name: "demo-token", namespace: "apim")
        for text in [String(describing: secret), String(reflecting: secret), "\(secret)", String(describing: secret.string("value"))] {
            #expect(!text.contains("GatewayKey"))
            #expect(!text.contains("c2ln"))
        }
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("GatewayKey") && !dumped.contains("R2F0ZXdheUtleS"))
    }

    @Test func listFollowsContinueTokensAndSendsSelectors() async throws {
        let fake = FakeTransport { request, index in
            let page: [String: Any] =
                index == 0
                ? ["metadata": ["continue": "next page/="], "items": [["metadata": ["name": "a"], "data": [String: String]()]]]
                : ["metadata": [String: String](), "items": [["metadata": ["name": "b"]]]]
            return .json(200, page)
        }
        let client = KubernetesClient(server: server, transport: fake, pageSize: 1)
        let secrets = try await client.list(Secret.self, namespace: nil, labelSelector: "app in (a,b)", fieldSelector: "type=Opaque")
        #expect(secrets.map(\.metadata.name) == ["a", "b"])
        #expect(fake.requests.count == 2)
        let first = fake.requests[0]
        #expect(first.url.path == "/api/v1/secrets")
        #expect(first.queryItems["labelSelector"] == "app in (a,b)")
        #expect(first.queryItems["fieldSelector"] == "type=Opaque")
        #expect(first.queryItems["limit"] == "1")
        #expect(fake.requests[1].queryItems["continue"] == "next page/=")
        #expect(fake.requests[1].url.absoluteString.contains("continue=next%20page%2F%3D"))
    }

    @Test func aNullItemsListIsEmpty() async throws {
        let fake = FakeTransport { _, _ in HTTPResponse(status: 200, body: Data(#"{"metadata":{},"items":null}"#.utf8)) }
        #expect(try await KubernetesClient(server: server, transport: fake).list(Deployment.self, namespace: "apim").isEmpty)
        #expect(fake.requests.first?.url.path == "/apis/apps/v1/namespaces/apim/deployments")
    }

    @Test func patchesCarryTheirContentTypeFieldManagerDryRunAndForce() async throws {
        let fake = FakeTransport { _, _ in .json(200, ["metadata": ["name": "x"]]) }
        let client = KubernetesClient(server: server, transport: fake)
        try await client.patchRaw(.secrets, name: "demo-token", namespace: "apim", patch: Data("{}".utf8), type: .merge)
        try await client.patchRaw(
            .azureIdentities, name: "id", namespace: "apim", patch: Data("{}".utf8), type: .apply,
            options: WriteOptions(fieldManager: "kubectl-apimtoken", dryRun: true, force: true))
        let merge = fake.requests[0]
        #expect(merge.method == .patch)
        #expect(merge.headers["Content-Type"] == "application/merge-patch+json")
        #expect(merge.queryItems == ["fieldManager": "kubectl-apimtoken"])
        let apply = fake.requests[1]
        #expect(apply.headers["Content-Type"] == "application/apply-patch+yaml")
        #expect(apply.url.path == "/apis/aadpodidentity.k8s.io/v1/namespaces/apim/azureidentities/id")
        #expect(apply.queryItems == ["fieldManager": "kubectl-apimtoken", "dryRun": "All", "force": "true"])
    }

    @Test func aStatusBodyBecomesAnErrorThatNamesTheResourceAndTheRemedy() async throws {
        let status: [String: Any] = [
            "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
            "message": "secrets \"demo-token\" is forbidden: User \"system:serviceaccount:apim:rotator\" cannot patch resource \"secrets\"",
            "details": ["name": "demo-token", "kind": "secrets"],
        ]
        let answer = HTTPResponse.json(403, status)
        let fake = FakeTransport { _, _ in answer }
        let client = KubernetesClient(server: server, transport: fake)
        let error = await #expect(throws: KubernetesAPIError.self) {
            try await client.patch(Secret.self, name: "demo-token", namespace: "apim", patch: Data("{}".utf8), type: .merge)
        }
        #expect(error?.description.hasPrefix("cannot patch secrets \"demo-token\" in namespace \"apim\": 403 Forbidden: secrets") == true)
        #expect(error?.remedy == "ask for 'patch' on secrets/demo-token; check with: kubectl auth can-i patch secrets/demo-token -n apim")
        #expect(error?.exitStatus == .kubernetesAPI)
    }

    @Test(arguments: [
        (401, "Unauthorized", "kubectl auth whoami"), (404, "NotFound", "kubectl get secrets -n apim"),
        (409, "Conflict", "run the command again"), (500, "InternalError", "try again"),
    ])
    func eachStatusHasItsRemedy(code: Int, reason: String, remedy: String) async throws {
        let fake = FakeTransport { _, _ in HTTPResponse(status: code, body: Data("<html>proxy error</html>".utf8)) }
        let client = KubernetesClient(server: server, transport: fake)
        let error = await #expect(throws: KubernetesAPIError.self) { try await client.get(Secret.self, name: "demo-token", namespace: "apim") }
        #expect(error?.reason == reason)
        #expect(error?.remedy?.contains(remedy) == true)
    }

    @Test func unprocessableEntityListsTheFieldCauses() async throws {
        let status: [String: Any] = [
            "reason": "Invalid", "code": 422, "message": "CronJob.batch \"x\" is invalid",
            "details": ["causes": [["field": "spec.schedule", "message": "Invalid value: \"bad\""]]],
        ]
        let answer = HTTPResponse.json(422, status)
        let fake = FakeTransport { _, _ in answer }
        let error = await #expect(throws: KubernetesAPIError.self) {
            try await KubernetesClient(server: server, transport: fake)
                .create(ConfigMap(metadata: ObjectMeta(name: "x")), namespace: "apim")
        }
        #expect(error?.remedy == "fix: spec.schedule: Invalid value: \"bad\"")
        #expect(error?.name == "x")
    }

    @Test func getIfPresentAndDeleteTreatNotFoundAsAbsence() async throws {
        let fake = FakeTransport { _, _ in .json(404, ["reason": "NotFound", "code": 404]) }
        let client = KubernetesClient(server: server, transport: fake)
        #expect(try await client.getIfPresent(ConfigMap.self, name: "gone", namespace: "apim") == nil)
        #expect(try await client.delete(.cronJobs, name: "gone", namespace: "apim") == false)
        #expect(fake.requests[1].queryItems["propagationPolicy"] == "Background")
    }

    @Test func transportFailuresNameTheServerAndTheAction() async throws {
        let fake = FakeTransport { _, _ in throw TransportError(kind: .serverCertificate, host: "127.0.0.1", message: "certificate not trusted") }
        let error = await #expect(throws: KubernetesConnectionError.self) {
            try await KubernetesClient(server: server, transport: fake).get(Secret.self, name: "demo-token", namespace: "apim")
        }
        #expect(error?.description == "cannot get secrets \"demo-token\" on the Kubernetes API server https://127.0.0.1:6443: certificate not trusted")
        #expect(error?.exitStatus == .usage)
    }

    @Test func anUnexpectedBodyIsAClearErrorNotACrash() async throws {
        let fake = FakeTransport { _, _ in HTTPResponse(status: 200, body: Data("{\"metadata\":{\"name\":3}}".utf8)) }
        let error = await #expect(throws: KubernetesResponseError.self) {
            try await KubernetesClient(server: server, transport: fake).get(Secret.self, name: "x", namespace: "apim")
        }
        #expect(error?.detail == "unexpected value at metadata.name")
    }

    @Test func pollingStopsWhenDoneOrAtTheDeadline() async throws {
        let clock = ManualClock()
        let fake = FakeTransport { _, index in
            clock.advance(by: 1)
            return .json(200, ["metadata": ["name": "demo", "generation": index]])
        }
        let client = KubernetesClient(server: server, transport: fake)
        let done = try await client.poll(ConfigMap.self, name: "demo", namespace: "apim", interval: .seconds(2), timeout: .seconds(60), clock: clock) {
            $0.metadata.generation == 3 ? "ready" : nil
        }
        #expect(done == "ready")
        #expect(fake.requests.count == 4)
        let never = try await client.poll(ConfigMap.self, name: "demo", namespace: "apim", interval: .seconds(2), timeout: .seconds(5), clock: clock) { _ in
            Optional<String>.none
        }
        #expect(never == nil)
    }
}

/// RFC 3339 parsing and formatting.
@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2026-12-21T03:00:00Z", 1_797_822_000.0), ("2026-12-21T03:00:00.5Z", 1_797_822_000.5),
        ("2026-12-21T04:00:00+01:00", 1_797_822_000.0), ("1970-01-01T00:00:00Z", 0.0), ("2024-02-29T00:00:00Z", 1_709_164_800.0),
    ])
    func parses(text: String, seconds: Double) {
        #expect(RFC3339.parse(text)?.timeIntervalSince1970 == seconds)
    }

    @Test(arguments: [
        "", "2026-12-21", "2026-13-01T00:00:00Z", "2026-12-21T03:00:00", "2026-12-21T03:00:00Zjunk", "x026-12-21T03:00:00Z", "2026-12-21T03:00:00.Z",
    ])
    func rejects(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func formatsUTCSecondsAndRoundTrips() {
        let date = Date(timeIntervalSince1970: 1_797_822_000)
        #expect(RFC3339.format(date) == "2026-12-21T03:00:00Z")
        #expect(RFC3339.formatMinutes(date) == "2026-12-21T03:00Z")
        for seconds in stride(from: -86_400.0 * 400, to: 86_400.0 * 365 * 200, by: 86_400 * 37 + 3_727) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(RFC3339.parse(RFC3339.format(date)) == date)
        }
    }
}

/// LIST paging against a server that misbehaves.
@Suite struct KubernetesListPagingTests {
    let server = URL(string: "https://127.0.0.1:6443")!

    @Test func aServerWhoseContinueTokensNeverEndIsAnErrorNotALoop() async throws {
        // The same token again (a broken server) ends at once.
        let repeating = FakeTransport { _, _ in .json(200, ["metadata": ["continue": "again"], "items": [KubernetesClientTests.secretJSON]]) }
        let error = await #expect(throws: KubernetesAPIError.self) {
            try await KubernetesClient(server: server, transport: repeating).list(Secret.self, namespace: "apim")
        }
        #expect(error?.description.contains("continue tokens did not end") == true)
        #expect(repeating.requests.count == 2)
        // Ever new tokens end at the page limit.
        let counter = LockedCounter()
        let endless = FakeTransport { _, _ in .json(200, ["metadata": ["continue": "t\(counter.next())"], "items": []]) }
        await #expect(throws: KubernetesAPIError.self) {
            try await KubernetesClient(server: server, transport: endless).list(Secret.self, namespace: "apim")
        }
        #expect(endless.requests.count == KubernetesClient.maximumPages + 1)
    }
}

/// A counter that closures on several threads can share.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
