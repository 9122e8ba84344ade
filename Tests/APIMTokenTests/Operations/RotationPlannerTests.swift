import Foundation
import Testing

@testable import APIMToken

/// The pure decision of a rotation: every case of the plan from what was read, with no server at all.
@Suite struct RotationPlannerTests {
    static let now = RFC3339.parse("2026-11-23T10:00:00Z")!
    static var complete: [String: Any] { ["observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1] }
    static var rolling: [String: Any] { ["observedGeneration": 1, "replicas": 2, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1] }

    static func gateway(restartedAt: String? = nil, status: [String: Any] = complete, paused: Bool = false) -> LocatedGateway {
        let workload = WorkloadFixtures.deployment(
            "demo", containers: [WorkloadFixtures.container(env: [WorkloadFixtures.secretRef("demo-token", key: "value")])], paused: paused,
            created: "2026-10-01T00:00:00Z", restartedAt: restartedAt, status: status)
        return LocatedGateway(namespace: "apim", gateway: "demo", secretName: "demo-token", secretKey: "value", workloads: [workload], secret: nil)
    }

    /// A Secret holding a token for `demo` that expires `days` from now, signed with `key`, written at `rotatedAt`.
    static func secret(
        expiresInDays days: Double, key: String = "primary", rotatedAt: String? = nil, labels: [String: String]? = nil,
        owners: [OwnerReference]? = nil, immutable: Bool? = nil, value: String? = nil
    ) -> Secret {
        let stamp = RFC3339.formatMinutes(now.addingTimeInterval(days * 86_400)).filter(\.isNumber)
        var annotations = [Annotations.lastUsedKey: key]
        if let rotatedAt { annotations[Annotations.rotatedAt] = rotatedAt }
        var metadata = ObjectMeta(name: "demo-token", namespace: "apim", labels: labels, annotations: annotations)
        metadata.resourceVersion = "41"
        metadata.ownerReferences = owners
        return Secret(metadata: metadata, data: ["value": Data((value ?? "GatewayKey demo&\(stamp)&c2ln").utf8)], immutable: immutable)
    }

    static func plan(
        _ planner: RotationPlanner = RotationPlanner(keyMode: .last), gateway: LocatedGateway = gateway(), secret: Secret?,
        written: String? = nil, started: Date = now
    ) -> RotationPlan {
        planner.plan(RotationPlanner.Facts(gateway: gateway, secret: secret, now: now, runStarted: started, written: written))
    }

    @Test func aPlainRotateRotatesWithTheResourceVersionAsPrecondition() {
        guard case .rotate(let rotation) = Self.plan(secret: Self.secret(expiresInDays: 20)) else {
            Issue.record("not a rotation")
            return
        }
        #expect(rotation.key == .primary)
        #expect(rotation.resourceVersion == "41")
        #expect(rotation.restart.map(\.description) == ["deployment/demo"])
    }

    @Test func aFreshTokenUnderTheThresholdIsNothingToDo() {
        let planner = RotationPlanner(keyMode: .last, ifExpiresWithin: 10 * 86_400)
        let plan = Self.plan(
            planner, gateway: Self.gateway(restartedAt: "2026-11-20T00:00:01Z"), secret: Self.secret(expiresInDays: 20, rotatedAt: "2026-11-20T00:00:00Z"))
        guard case .nothingToDo(.fresh) = plan else {
            Issue.record("\(plan)")
            return
        }
        guard case .rotate = Self.plan(planner, secret: Self.secret(expiresInDays: 5)) else {
            Issue.record("an expiring token is not rotated")
            return
        }
    }

    @Test func aTokenWrittenButNotRolledOutIsRestartOnlyAlsoUnderTheThreshold() {
        // Killed after the write: the token looks fresh, but the pods started before it.
        for planner in [RotationPlanner(keyMode: .last), RotationPlanner(keyMode: .last, ifExpiresWithin: 10 * 86_400)] {
            let plan = Self.plan(
                planner, gateway: Self.gateway(restartedAt: "2026-11-01T00:00:00Z"), secret: Self.secret(expiresInDays: 29, rotatedAt: "2026-11-23T09:59:00Z"))
            guard case .restartOnly(let restart) = plan else {
                Issue.record("\(plan)")
                continue
            }
            #expect(restart.writer == .earlierRun)
            #expect(restart.restart.map(\.description) == ["deployment/demo"])
            #expect(restart.wait.map(\.description) == ["deployment/demo"])
        }
    }

    @Test func aRestartedButUnfinishedRolloutIsWaitedForUnderTheThreshold() {
        let planner = RotationPlanner(keyMode: .last, ifExpiresWithin: 10 * 86_400)
        let plan = Self.plan(
            planner, gateway: Self.gateway(restartedAt: "2026-11-23T09:59:01Z", status: Self.rolling),
            secret: Self.secret(expiresInDays: 29, rotatedAt: "2026-11-23T09:59:00Z"))
        guard case .restartOnly(let restart) = plan else {
            Issue.record("\(plan)")
            return
        }
        #expect(restart.restart.isEmpty)
        #expect(restart.wait.map(\.description) == ["deployment/demo"])
    }

    @Test func thisRunsTokenFoundAfterALostAnswerIsRestartOnlyByThisRun() {
        let secret = Self.secret(expiresInDays: 29, rotatedAt: "2026-11-23T10:00:00Z")
        let plan = Self.plan(secret: secret, written: secret.string("value")?.value)
        guard case .restartOnly(let restart) = plan else {
            Issue.record("\(plan)")
            return
        }
        #expect(restart.writer == .thisRun)
        #expect(restart.restart.map(\.description) == ["deployment/demo"])
    }

    @Test func anotherRunsTokenAfterAConflictIsNeverOverwritten() {
        let secret = Self.secret(expiresInDays: 29, rotatedAt: "2026-11-23T10:00:00Z")
        let plan = Self.plan(secret: secret, written: "GatewayKey demo&202612221000&b3Vycw==")
        guard case .restartOnly(let restart) = plan else {
            Issue.record("\(plan)")
            return
        }
        #expect(restart.writer == .anotherRun)
        let rolledOut = Self.plan(gateway: Self.gateway(restartedAt: "2026-11-23T10:00:00Z"), secret: secret, written: "GatewayKey demo&202612221000&b3Vycw==")
        guard case .nothingToDo(.rotatedByAnotherRun) = rolledOut else {
            Issue.record("\(rolledOut)")
            return
        }
    }

    @Test func aMissingSecretIsRefusedUnlessCreateSecret() {
        guard case .refuse(.secretMissing) = Self.plan(secret: nil) else {
            Issue.record("not refused")
            return
        }
        guard case .create(let rotation) = Self.plan(RotationPlanner(keyMode: .last, createSecret: true), secret: nil) else {
            Issue.record("not created")
            return
        }
        #expect(rotation.resourceVersion == nil)
    }

    @Test func ownedSecretsAreRefusedAndHelmIsWarnedAbout() {
        let external = OwnerReference(apiVersion: "external-secrets.io/v1beta1", kind: "ExternalSecret", name: "sync", uid: "u", controller: true)
        let cases: [(Secret, SecretOwner)] = [
            (Self.secret(expiresInDays: 20, immutable: true), .immutable),
            (Self.secret(expiresInDays: 20, owners: [external]), .externalSecret(name: "sync")),
            (Self.secret(expiresInDays: 20, labels: [SecretOwner.csiManagedLabel: "true"]), .secretsStoreCSI(providerClass: nil)),
        ]
        for (secret, owner) in cases {
            guard case .refuse(.owned(let found, _, _)) = Self.plan(secret: secret) else {
                Issue.record("\(owner) not refused")
                continue
            }
            #expect(found == owner)
        }
        var helm = Self.secret(expiresInDays: 20, labels: [Annotations.managedByLabel: "Helm"])
        helm.metadata.annotations?["meta.helm.sh/release-name"] = "edge"
        guard case .rotate(let rotation) = Self.plan(secret: helm) else {
            Issue.record("Helm refused")
            return
        }
        #expect(rotation.warning?.contains("Helm release edge") == true)
    }

    @Test func aPausedDeploymentIsRefusedBeforeAnything() {
        guard case .refuse(.cannotRestart) = Self.plan(gateway: Self.gateway(paused: true), secret: Self.secret(expiresInDays: 1)) else {
            Issue.record("not refused")
            return
        }
    }

    @Test func switchKeyRotatesToTheOtherKeyEvenWithAFreshToken() {
        let planner = RotationPlanner(keyMode: .last, keyOverride: .secondary)
        guard case .rotate(let rotation) = Self.plan(planner, secret: Self.secret(expiresInDays: 29, rotatedAt: "2026-11-20T00:00:00Z")) else {
            Issue.record("not a rotation")
            return
        }
        #expect(rotation.key == .secondary)
        // A resumed switch (threshold 0) keeps a valid token that is already from the new key.
        let resumed = RotationPlanner(keyMode: .last, keyOverride: .secondary, ifExpiresWithin: 0)
        let plan = Self.plan(
            resumed, gateway: Self.gateway(restartedAt: "2026-11-20T00:00:01Z"),
            secret: Self.secret(expiresInDays: 29, key: "secondary", rotatedAt: "2026-11-20T00:00:00Z"))
        guard case .nothingToDo = plan else {
            Issue.record("\(plan)")
            return
        }
    }
}

/// The exit code of a fleet run: the most severe gateway's, in the documented order.
@Suite struct FleetExitCodeTests {
    static func entry(_ code: APIMToken.ExitStatus) -> FleetRotateEntry {
        FleetRotateEntry(
            namespace: "ns", gateway: "gw", secret: GatewayStatus.SecretKey(name: "s", key: "value"), result: code == .success ? .rotated : .failed,
            rotation: nil, exitStatus: code, error: nil)
    }

    @Test(arguments: [
        ([APIMToken.ExitStatus.success, .success], APIMToken.ExitStatus.success), ([.success, .usage], .usage),
        ([.usage, .azureAuthentication], .azureAuthentication),
        ([.azureAuthentication, .azureAPI], .azureAPI), ([.azureAPI, .kubernetesAPI], .kubernetesAPI),
        ([.kubernetesAPI, .rolloutIncomplete], .rolloutIncomplete), ([.rolloutIncomplete, .restartFailed, .usage], .restartFailed),
    ])
    func theMostSevereCodeWins(codes: [APIMToken.ExitStatus], expected: APIMToken.ExitStatus) {
        #expect(FleetRotateReport(results: codes.map(Self.entry)).exitStatus == expected)
    }
}
