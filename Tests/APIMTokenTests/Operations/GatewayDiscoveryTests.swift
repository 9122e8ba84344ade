import Foundation
import Testing

@testable import APIMToken

/// SPEC §3: which workloads are gateways and where their tokens live.
@Suite struct GatewayDiscoveryTests {
    typealias F = WorkloadFixtures
    static let token = "GatewayKey demo&202612210300&c2lnbmF0dXJl"

    @Test func thePortalLayoutUsesTheSecretKeyRefAndTheTokensGatewayName() async throws {
        let workload = F.deployment(
            "demo",
            containers: [
                F.container(env: [
                    ["name": "config.service.endpoint", "valueFrom": ["configMapKeyRef": ["name": "demo-env", "key": "config.service.endpoint"]]],
                    F.secretRef("demo-token", key: "value"),
                ])
            ])
        let inspection = try #require(GatewayDiscovery.inspect(workload))
        #expect(inspection.auth == .secretKey(name: "demo-token", key: "value"))
        let reader = DictionaryReader(
            secrets: ["apim/demo-token": DictionaryReader.secret("apim", "demo-token", ["value": Self.token])],
            configMaps: ["apim/demo-env": DictionaryReader.configMap("apim", "demo-env", ["config.service.endpoint": "demo.configuration.azure-api.net"])])
        let gateway = try await GatewayDiscovery.resolve(inspection, reader: reader)
        #expect(gateway.location == .secret(name: "demo-token", key: "value"))
        #expect(gateway.name == "demo")
        #expect(gateway.workload.description == "deployment/demo")
    }

    @Test func theHelmLayoutUsesGatewayKey() async throws {
        let workload = F.statefulSet("edge-gw", containers: [F.container(env: [F.secretRef("edge-gw", key: "gateway-key")])])
        let inspection = try #require(GatewayDiscovery.inspect(workload))
        let gateway = try await GatewayDiscovery.resolve(inspection, reader: DictionaryReader())
        #expect(gateway.location == .secret(name: "edge-gw", key: "gateway-key"))
        #expect(gateway.secret == nil)
        #expect(gateway.name == "edge-gw")  // no token, no ConfigMap name: the workload's name
    }

    @Test(arguments: [("", "config.service.auth"), ("", "config.service.auth.key"), ("config.", "service.auth")])
    func envFromSecretRefFindsTheKeyThatBecomesTheVariable(prefix: String, key: String) async throws {
        let workload = F.deployment("gw", containers: [F.container(envFrom: [["secretRef": ["name": "gw-secrets"], "prefix": prefix]])])
        let inspection = try #require(GatewayDiscovery.inspect(workload))
        let reader = DictionaryReader(secrets: ["apim/gw-secrets": DictionaryReader.secret("apim", "gw-secrets", [key: Self.token, "other": "x"])])
        let gateway = try await GatewayDiscovery.resolve(inspection, reader: reader)
        #expect(gateway.location == .secret(name: "gw-secrets", key: key))
        #expect(gateway.tokenText?.value == Self.token)
    }

    @Test(arguments: ["azureAdApp", "workloadIdentity", "AzureADApp"])
    func entraLiteralsAreReportedAndHaveNoToken(mode: String) async throws {
        let workload = F.deployment("entra", containers: [F.container(env: [["name": "config.service.auth", "value": mode]])])
        let gateway = try await GatewayDiscovery.resolve(try #require(GatewayDiscovery.inspect(workload)), reader: DictionaryReader())
        #expect(gateway.location == .entra(mode: mode))
    }

    @Test func entraFromAConfigMapThroughEnvFromIsReported() async throws {
        let workload = F.deployment("entra", containers: [F.container(envFrom: [["configMapRef": ["name": "entra-env"]]])])
        let reader = DictionaryReader(configMaps: [
            "apim/entra-env": DictionaryReader.configMap(
                "apim", "entra-env",
                [
                    "config.service.auth": "azureAdApp", "gateway.name": "entra-gw",
                ])
        ])
        let gateway = try await GatewayDiscovery.resolve(try #require(GatewayDiscovery.inspect(workload)), reader: reader)
        #expect(gateway.location == .entra(mode: "azureAdApp"))
        #expect(gateway.name == "entra-gw")
    }

    @Test func aConfigMapGatewayNameIsUsedWhenTheTokenIsUnreadable() async throws {
        let workload = F.deployment(
            "gw",
            containers: [
                F.container(
                    env: [F.secretRef("gw-token", key: "value")], envFrom: [["configMapRef": ["name": "gw-env"]]])
            ])
        let reader = DictionaryReader(
            secrets: ["apim/gw-token": DictionaryReader.secret("apim", "gw-token", ["value": "GatewayKey null"])],
            configMaps: ["apim/gw-env": DictionaryReader.configMap("apim", "gw-env", ["gateway.name": "west-europe"])])
        let gateway = try await GatewayDiscovery.resolve(try #require(GatewayDiscovery.inspect(workload)), reader: reader)
        #expect(gateway.name == "west-europe")
        // rotate's lazy mode reads the ConfigMap too when the token cannot name the gateway…
        let lazy = try await GatewayDiscovery.resolve(try #require(GatewayDiscovery.inspect(workload)), reader: reader, configMapsWhenNeeded: true)
        #expect(lazy.name == "west-europe")
        // …and not when it can.
        var fresh = reader
        fresh.secrets["apim/gw-token"] = DictionaryReader.secret("apim", "gw-token", ["value": Self.token])
        let named = try await GatewayDiscovery.resolve(try #require(GatewayDiscovery.inspect(workload)), reader: fresh, configMapsWhenNeeded: true)
        #expect(named.name == "demo")
        #expect(named.configuredName == nil)
    }

    @Test func workloadsWithoutTheVariableOrTheImageAreNotGateways() {
        let other = F.deployment("web", containers: [F.container(image: "nginx:1.27", env: [["name": "PORT", "value": "80"]])])
        #expect(GatewayDiscovery.inspect(other) == nil)
        let byImage = F.deployment("gw", containers: [F.container(name: "sidecar", image: "busybox"), F.container()])
        #expect(GatewayDiscovery.inspect(byImage)?.container == "gateway")
    }

    @Test func consumersAreEveryWorkloadThatReadsTheSecret() {
        let a = F.deployment("a", containers: [F.container(env: [F.secretRef("shared", key: "value")])])
        let b = F.deployment("b", containers: [F.container(envFrom: [["secretRef": ["name": "shared"]]])])
        let c = F.deployment("c", containers: [F.container(env: [F.secretRef("other", key: "value")])])
        #expect(GatewayDiscovery.consumers(of: "shared", among: [a, b, c]).map(\.metadata.name) == ["a", "b"])
    }
}

/// `kubectl rollout status` decisions and `kubectl rollout restart` refusals.
@Suite struct RolloutStateTests {
    typealias F = WorkloadFixtures

    @Test(
        arguments: [
            (["observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1], 1, true, "successfully rolled out"),
            (["observedGeneration": 1, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1], 1, false, "1 old replicas are pending termination"),
            (["observedGeneration": 1, "replicas": 1, "updatedReplicas": 0, "availableReplicas": 1], 1, false, "0 out of 1 new replicas have been updated"),
            (["observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 0], 1, false, "0 of 1 updated replicas are available"),
            (["observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1], 2, false, "spec update to be observed"),
        ] as [([String: Int], Int, Bool, String)])
    func deployments(status: [String: Int], generation: Int, complete: Bool, message: String) {
        let state = RolloutState.evaluate(F.deployment("demo", containers: [F.container()], generation: generation, status: status))
        #expect(state.isComplete == complete)
        #expect(state.message.contains(message))
    }

    @Test func aDeploymentPastItsProgressDeadlineHasFailed() {
        let status: [String: Any] = [
            "observedGeneration": 1, "conditions": [["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"]],
        ]
        #expect(
            RolloutState.evaluate(F.deployment("demo", containers: [F.container()], status: status))
                == .failed("deployment \"demo\" exceeded its progress deadline"))
    }

    @Test func statefulSetsCompareRevisions() {
        let rolling: [String: Any] = ["observedGeneration": 1, "readyReplicas": 2, "currentRevision": "a", "updateRevision": "b", "updatedReplicas": 1]
        #expect(!RolloutState.evaluate(F.statefulSet("edge", containers: [F.container()], status: rolling)).isComplete)
        let done: [String: Any] = ["observedGeneration": 1, "readyReplicas": 2, "currentRevision": "b", "updateRevision": "b", "currentReplicas": 2]
        #expect(
            RolloutState.evaluate(F.statefulSet("edge", containers: [F.container()], status: done))
                == .complete("statefulset rolling update complete 2 pods at revision b..."))
    }

    @Test func pausedDeploymentsAndOnDeleteSetsAreRefused() {
        #expect(Restarter.refusal(F.deployment("demo", containers: [], paused: true))?.contains("kubectl rollout resume deployment/demo") == true)
        #expect(Restarter.refusal(F.statefulSet("edge", containers: [], strategy: "OnDelete"))?.contains("OnDelete") == true)
        #expect(Restarter.refusal(F.deployment("demo", containers: [])) == nil)
    }

    @Test func theRestartPatchIsKubectls() throws {
        let patch = Restarter.restartPatch(at: Date(timeIntervalSince1970: 1_797_822_000))
        #expect(
            String(decoding: patch, as: UTF8.self)
                == #"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-12-21T03:00:00Z"}}}}}"#)
    }
}

/// Durations and key modes.
@Suite struct DurationAndKeyModeTests {
    @Test(arguments: [("90s", 90.0), ("15m", 900), ("12h", 43_200), ("10d", 864_000), ("1d12h", 129_600), ("1h30m15s", 5_415)])
    func durationsParse(text: String, seconds: Double) {
        #expect(DurationText.parse(text) == seconds)
    }

    @Test(arguments: ["", "10", "d", "1x", "1h1d", "1d1d", "-5m", "1.5h", "9999999999d"])
    func badDurationsAreRejected(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func durationsFormat() {
        #expect(DurationText.format(29 * 86_400) == "29d")
        #expect(DurationText.format(90) == "1m30s")
        #expect(DurationText.approximate(3 * 86_400 + 4 * 3_600 + 5 * 60) == "3d4h")
        #expect(DurationText.approximate(-3_700) == "-1h1m")
    }

    @Test(
        arguments: [
            (TokenKeyMode.last, nil, GatewayKeyType.primary), (.last, "secondary", .secondary), (.rotate, nil, .primary),
            (.rotate, "primary", .secondary), (.rotate, "secondary", .primary), (.primary, "secondary", .primary),
            (.secondary, nil, .secondary), (.last, "garbage", .primary),
        ] as [(TokenKeyMode, String?, GatewayKeyType)])
    func keyModesChooseLikeApimShgRotate(mode: TokenKeyMode, annotation: String?, expected: GatewayKeyType) {
        #expect(mode.choose(lastUsed: annotation) == expected)
    }
}
