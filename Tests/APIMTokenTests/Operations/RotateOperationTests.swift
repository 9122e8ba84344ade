import Foundation
import Testing

@testable import APIMToken

/// `rotate` and `switch-key` against an in-memory API server: order of steps, one write, conflicts, refusals,
/// and the exit-6 re-run. (The sandbox end-to-end tests prove the same against a faithful server.)
@Suite struct RotateOperationTests {
    static let secretPath = "/api/v1/namespaces/apim/secrets/demo-token"
    static let deploymentPath = "/apis/apps/v1/namespaces/apim/deployments/demo"

    let api = FakeKubeAPI()
    let clock = ManualClock(start: RFC3339.parse("2026-11-23T10:00:00Z")!)
    let issuer = FakeIssuer(gateway: "demo")

    init() {
        let oldToken = "GatewayKey demo&202611250300&T0xE"
        api.put(
            Self.secretPath,
            [
                "metadata": [
                    "name": "demo-token", "namespace": "apim", "uid": "u1", "creationTimestamp": "2026-10-27T03:00:00Z",
                    "annotations": ["last-used-key": "primary"],
                ],
                "type": "Opaque", "data": ["value": Data(oldToken.utf8).base64EncodedString()],
            ])
        api.put(Self.deploymentPath, Self.deployment(paused: false))
        // A rollout controller that finishes at once.
        api.afterWrite = { path, objects in
            guard path == Self.deploymentPath, var object = objects[path], var metadata = object["metadata"] as? [String: Any] else { return }
            let generation = metadata["generation"] as? Int ?? 1
            object["status"] = ["observedGeneration": generation, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1]
            metadata["resourceVersion"] = (metadata["resourceVersion"] as? String ?? "") + "c"
            object["metadata"] = metadata
            objects[path] = object
        }
    }

    static func deployment(paused: Bool, created: String = "2026-10-27T03:00:00Z") -> [String: Any] {
        [
            "metadata": ["name": "demo", "namespace": "apim", "generation": 1, "creationTimestamp": created],
            "spec": [
                "replicas": 1, "paused": paused, "selector": ["matchLabels": ["app": "demo"]],
                "template": [
                    "metadata": ["labels": ["app": "demo"]],
                    "spec": [
                        "containers": [
                            WorkloadFixtures.container(env: [WorkloadFixtures.secretRef("demo-token", key: "value")])
                        ]
                    ],
                ],
            ],
            "status": ["observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1],
        ]
    }

    var operation: RotateOperation {
        let issuer = self.issuer
        return RotateOperation(client: KubernetesClient(server: api.server, transport: api), clock: clock, issuer: { _ in issuer })
    }

    func secretValue() -> String? {
        guard let data = (api.object(Self.secretPath)?["data"] as? [String: Any])?["value"] as? String else { return nil }
        return Data(base64Encoded: data).map { String(decoding: $0, as: UTF8.self) }
    }

    func annotations() -> [String: String] {
        ((api.object(Self.secretPath)?["metadata"] as? [String: Any])?["annotations"] as? [String: String]) ?? [:]
    }

    var writes: [String] { api.requests.filter { !$0.hasPrefix("GET") } }

    @Test func aRotationWritesOnceRestartsWaitsAndRecords() async throws {
        let result = try await operation.run(RotateRequest(namespace: "apim"))
        #expect(issuer.generated.count == 1)
        #expect(issuer.generated.first?.0 == .primary)
        #expect(issuer.generated.first?.1 == RFC3339.parse("2026-12-22T10:00:00Z"))
        #expect(secretValue() == "GatewayKey demo&202612221000&UFJJTUFSWQ==")
        #expect(
            annotations() == [
                "last-used-key": "primary", "apimtoken.kubectl-plugin/rotated-at": "2026-11-23T10:00:00Z",
                "apimtoken.kubectl-plugin/expires-at": "2026-12-22T10:00:00Z",
            ])
        #expect(writes == ["PATCH \(Self.secretPath)", "PATCH \(Self.deploymentPath)", "POST /api/v1/namespaces/apim/events"])
        #expect(result.rollout == .complete)
        #expect(result.summary == "Token for gateway demo (primary key) expires 2026-12-22T10:00Z; deployment/demo restarted and ready.")
        let event = try #require(api.objects(under: "/api/v1/namespaces/apim/events").first)
        #expect(event["reason"] as? String == "TokenRotated")
        #expect(event["type"] as? String == "Normal")
        #expect((event["involvedObject"] as? [String: Any])?["name"] as? String == "demo-token")
        #expect(!(event["message"] as? String ?? "").contains("UFJJTUFSWQ"))
    }

    @Test func aTokenForAnotherGatewayIsRefusedBeforeAnyWrite() async throws {
        issuer.tokenGateway = "other"
        let error = await #expect(throws: GatewayTokenError.self) { try await operation.run(RotateRequest(namespace: "apim")) }
        #expect(error?.exitStatus == .azureAPI)
        #expect(writes == ["POST /api/v1/namespaces/apim/events"])
        #expect(api.objects(under: "/api/v1/namespaces/apim/events").map { $0["reason"] as? String } == ["TokenRotationFailed"])
        #expect(secretValue() == "GatewayKey demo&202611250300&T0xE")
    }

    @Test func aConflictIsReReadAndRetriedWithoutASecondToken() async throws {
        api.failures["PATCH \(Self.secretPath)"] = [409]
        _ = try await operation.run(RotateRequest(namespace: "apim"))
        #expect(issuer.generated.count == 1)
        #expect(api.requests.filter { $0 == "PATCH \(Self.secretPath)" }.count == 2)
        #expect(secretValue() == "GatewayKey demo&202612221000&UFJJTUFSWQ==")
    }

    @Test func aConcurrentRunThatWroteFirstWins() async throws {
        let other = "GatewayKey demo&202612221000&T1RIRVI="
        let now = RFC3339.format(clock.now())
        var fired = false
        api.beforeWrite = { path, objects in
            guard path == Self.secretPath, !fired, var secret = objects[path], var metadata = secret["metadata"] as? [String: Any] else { return }
            fired = true
            metadata["annotations"] = ["last-used-key": "primary", "apimtoken.kubectl-plugin/rotated-at": now]
            metadata["resourceVersion"] = "999"
            secret["metadata"] = metadata
            secret["data"] = ["value": Data(other.utf8).base64EncodedString()]
            objects[path] = secret
        }
        let result = try await operation.run(RotateRequest(namespace: "apim"))
        #expect(result.outcome == .restartedOnly)
        #expect(result.reason?.contains("by another run was not rolled out yet") == true, "\(result)")
        #expect(secretValue() == other)
        #expect(api.requests.filter { $0 == "PATCH \(Self.secretPath)" }.count == 1)
        // The other run's token is rolled out: the pods must not keep the token this run's conflict replaced.
        #expect(result.restarted == ["deployment/demo"])
    }

    @Test func aPausedDeploymentIsRefusedBeforeAzureOrAnyWrite() async throws {
        api.put(Self.deploymentPath, Self.deployment(paused: true))
        let error = await #expect(throws: ConfigurationError.self) { try await operation.run(RotateRequest(namespace: "apim")) }
        #expect(error?.description.contains("paused") == true)
        #expect(issuer.generated.isEmpty)
        #expect(writes.isEmpty)
    }

    @Test func aFailedRestartIsExitSixAndTheRerunOnlyRestarts() async throws {
        api.failures["PATCH \(Self.deploymentPath)"] = [403]
        let error = await #expect(throws: RestartFailedError.self) { try await operation.run(RotateRequest(namespace: "apim")) }
        #expect(error?.exitStatus == .restartFailed)
        #expect(secretValue() == "GatewayKey demo&202612221000&UFJJTUFSWQ==")
        #expect(api.objects(under: "/api/v1/namespaces/apim/events").map { $0["reason"] as? String } == ["TokenRotationFailed"])

        clock.advance(by: 60)
        let rerun = try await operation.run(RotateRequest(namespace: "apim"))
        #expect(issuer.generated.count == 1)
        #expect(rerun.skipped)
        #expect(rerun.restarted == ["deployment/demo"])
        #expect(rerun.rollout == .complete)
        #expect(api.requests.filter { $0 == "PATCH \(Self.secretPath)" }.count == 1)
    }

    @Test func aWorkloadCreatedInTheSameSecondAsTheWriteStillGetsTheRestartOnlyRerun() async throws {
        api.put(Self.deploymentPath, Self.deployment(paused: false, created: "2026-11-23T10:00:00Z"))
        api.failures["PATCH \(Self.deploymentPath)"] = [403]
        await #expect(throws: RestartFailedError.self) { try await operation.run(RotateRequest(namespace: "apim")) }
        let rerun = try await operation.run(RotateRequest(namespace: "apim"))
        #expect(issuer.generated.count == 1)
        #expect(rerun.restarted == ["deployment/demo"])
    }

    @Test func aFreshTokenNeedsNoRotation() async throws {
        let result = try await operation.run(RotateRequest(namespace: "apim", ifExpiresWithin: 86_400))
        #expect(result.skipped)
        #expect(result.summary.hasPrefix("No rotation needed for gateway demo: the token is valid until 2026-11-25T03:00Z"))
        #expect(issuer.generated.isEmpty)
        #expect(writes.isEmpty)
    }

    @Test func aRolloutThatNeverCompletesIsExitSeven() async throws {
        api.afterWrite = nil
        let error = await #expect(throws: RolloutIncompleteError.self) {
            try await operation.run(RotateRequest(namespace: "apim", timeout: .seconds(30)))
        }
        #expect(error?.exitStatus == .rolloutIncomplete)
        #expect(error?.state.contains("spec update to be observed") == true)
    }

    @Test func aDryRunPlansAndChangesNothing() async throws {
        let result = try await operation.run(RotateRequest(namespace: "apim", keyMode: .rotate, dryRun: true))
        #expect(result.plan.first == "generate a token for gateway demo from the secondary key, valid 29d")
        #expect(issuer.generated.isEmpty)
        #expect(writes.isEmpty)
    }

    @Test func aMissingSecretIsAUsageError() async throws {
        let error = await #expect(throws: ConfigurationError.self) {
            try await operation.run(RotateRequest(namespace: "apim", secretName: "nope", gatewayName: "demo", noRestart: true))
        }
        #expect(error?.exitStatus == .usage)
        #expect(error?.description == "Secret \"nope\" not found in namespace \"apim\"")
    }

    @Test func switchKeyRegeneratesTheOldKeyOnlyAfterACompleteRollout() async throws {
        let operation = SwitchKeyOperation(rotate: self.operation) { _ in true }
        let result = try await operation.run(RotateRequest(namespace: "apim"), to: nil, regenerateOld: true)
        #expect(result.from == .primary)
        #expect(issuer.generated.map(\.0) == [.secondary])
        #expect(issuer.regenerated == [.primary])
        #expect(annotations()["last-used-key"] == "secondary")
    }

    @Test func switchKeyNeverRegeneratesAfterAFailedRollout() async throws {
        api.afterWrite = nil
        let operation = SwitchKeyOperation(rotate: self.operation) { _ in true }
        await #expect(throws: RolloutIncompleteError.self) {
            try await operation.run(RotateRequest(namespace: "apim", timeout: .seconds(5)), to: .secondary, regenerateOld: true)
        }
        #expect(issuer.regenerated.isEmpty)
    }

    // MARK: Crash-only

    @Test func aLostWriteAnswerIsRecognisedAsThisRunsTokenAndTheWorkloadIsRestarted() async throws {
        api.lost["PATCH \(Self.secretPath)"] = [503]
        let result = try await operation.run(RotateRequest(namespace: "apim"))
        #expect(result.outcome == .rotated)
        #expect(result.restarted == ["deployment/demo"])
        #expect(result.rollout == .complete)
        #expect(issuer.generated.count == 1)
        #expect(api.requests.filter { $0 == "PATCH \(Self.secretPath)" }.count == 1)
        #expect(secretValue() == "GatewayKey demo&202612221000&UFJJTUFSWQ==")
        #expect(api.objects(under: "/api/v1/namespaces/apim/events").map { $0["reason"] as? String } == ["TokenRotated"])
    }

    @Test func aConflictFollowedByTheSecretsDeletionCreatesNothing() async throws {
        api.beforeWrite = { path, objects in
            if path == Self.secretPath { objects[path] = nil }
        }
        let error = await #expect(throws: ConfigurationError.self) { try await operation.run(RotateRequest(namespace: "apim")) }
        #expect(error?.exitStatus == .usage)
        #expect(error?.description == "Secret \"demo-token\" not found in namespace \"apim\"")
        #expect(!api.requests.contains("POST /api/v1/namespaces/apim/secrets"))
        #expect(api.object(Self.secretPath) == nil)
    }

    @Test func anAPIServerThatStopsAnsweringDuringTheWaitIsExitSevenNeverFive() async throws {
        api.afterWrite = nil
        api.failures["GET \(Self.deploymentPath)"] = Array(repeating: 503, count: 1_000)
        let error = await #expect(throws: RolloutIncompleteError.self) {
            try await operation.run(RotateRequest(namespace: "apim", timeout: .seconds(20)))
        }
        #expect(error?.exitStatus == .rolloutIncomplete)
        #expect(error?.state.contains("the API server did not answer") == true)
        #expect(api.objects(under: "/api/v1/namespaces/apim/events").map { $0["reason"] as? String } == ["TokenRotationFailed"])
    }

    @Test func theTimeoutBoundsTheWholeWaitNotEachWorkload() async throws {
        api.afterWrite = nil
        let second = "/apis/apps/v1/namespaces/apim/deployments/demo-canary"
        var canary = Self.deployment(paused: false)
        canary["metadata"] = ["name": "demo-canary", "namespace": "apim", "generation": 1, "creationTimestamp": "2026-10-27T03:00:00Z"]
        api.put(second, canary)
        let start = clock.now()
        await #expect(throws: RolloutIncompleteError.self) {
            try await operation.run(RotateRequest(namespace: "apim", timeout: .seconds(30)))
        }
        let waited = clock.now().timeIntervalSince(start)
        #expect(waited >= 30 && waited < 32, "waited \(waited) s for two workloads with --timeout 30s")
    }

    @Test func switchKeyResumesAfterAKillWithoutASecondSwitch() async throws {
        // The state a switch-key --regenerate-old leaves when killed after its rollout, before regenerateKey.
        let switched = "GatewayKey demo&202612221000&U0VDT05EQVJZ"
        var secret = try #require(api.object(Self.secretPath))
        secret["data"] = ["value": Data(switched.utf8).base64EncodedString()]
        secret["metadata"] = [
            "name": "demo-token", "namespace": "apim", "uid": "u1",
            "annotations": [
                "last-used-key": "secondary", "apimtoken.kubectl-plugin/rotated-at": "2026-11-23T09:59:00Z",
                "apimtoken.kubectl-plugin/regenerate-pending": "primary",
            ],
        ]
        api.put(Self.secretPath, secret)
        var deployment = Self.deployment(paused: false)
        var spec = deployment["spec"] as! [String: Any]
        var template = spec["template"] as! [String: Any]
        template["metadata"] = ["labels": ["app": "demo"], "annotations": ["kubectl.kubernetes.io/restartedAt": "2026-11-23T09:59:01Z"]]
        spec["template"] = template
        deployment["spec"] = spec
        api.put(Self.deploymentPath, deployment)

        let operation = SwitchKeyOperation(rotate: self.operation) { plan in plan.resuming && plan.from == .primary && plan.to == .secondary }
        let result = try await operation.run(RotateRequest(namespace: "apim"), to: nil, regenerateOld: true)
        #expect(result.resumed)
        #expect(result.regenerated)
        #expect(issuer.generated.isEmpty)
        #expect(issuer.regenerated == [.primary])
        #expect(secretValue() == switched)
        #expect(annotations()["apimtoken.kubectl-plugin/regenerate-pending"] == nil)
        #expect(annotations()["last-used-key"] == "secondary")
    }

    @Test func switchKeyNeverRegeneratesTheKeyThatSignedTheSecretsToken() async throws {
        // The marker names the key the Secret's token is signed with (someone rotated back): no resume, no regeneration
        // of that key; an ordinary switch to the other key, which regenerates the marked-then-current key only after it.
        var secret = try #require(api.object(Self.secretPath))
        var metadata = secret["metadata"] as! [String: Any]
        metadata["annotations"] = ["last-used-key": "primary", "apimtoken.kubectl-plugin/regenerate-pending": "primary"]
        secret["metadata"] = metadata
        api.put(Self.secretPath, secret)
        let operation = SwitchKeyOperation(rotate: self.operation) { plan in !plan.resuming }
        let result = try await operation.run(RotateRequest(namespace: "apim"), to: nil, regenerateOld: true)
        #expect(!result.resumed)
        #expect(issuer.generated.map(\.0) == [.secondary])
        #expect(issuer.regenerated == [.primary])
        #expect(annotations()["last-used-key"] == "secondary")
    }
}
