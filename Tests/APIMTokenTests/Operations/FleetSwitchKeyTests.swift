import Foundation
import Testing

@testable import APIMToken

/// The pure decisions of a fleet `switch-key`: which gateways are the same gateway, which key to leave, and the key
/// fingerprint that keeps a re-run from regenerating twice.
@Suite struct FleetSwitchKeyTests {
    typealias F = WorkloadFixtures

    @Test(arguments: [
        ("demo-apim.configuration.azure-api.net", "demo-apim.configuration.azure-api.net"),
        ("https://Demo-APIM.configuration.azure-api.net:443/path", "demo-apim.configuration.azure-api.net"),
        ("  demo.configuration.azure-api.us\n", "demo.configuration.azure-api.us"),
        ("", nil), ("https://", nil),
    ])
    func theEndpointHostIsReadFromAnyForm(_ value: String, _ host: String?) {
        #expect(GatewayDiscovery.host(ofEndpoint: value) == host)
    }

    @Test func anInstanceIsTheEndpointHostsFirstLabelInEveryCloud() {
        #expect(FleetSwitchKeyOperation.host("demo-apim.configuration.azure-api.net", isOf: "demo-apim"))
        #expect(FleetSwitchKeyOperation.host("demo-apim.configuration.azure-api.cn", isOf: "DEMO-APIM"))
        #expect(!FleetSwitchKeyOperation.host("demo-apim2.configuration.azure-api.net", isOf: "demo-apim"))
        #expect(!FleetSwitchKeyOperation.host("other.configuration.azure-api.net", isOf: "demo-apim"))
    }

    @Test func theEndpointComesFromALiteralAConfigMapKeyOrAnEnvFromConfigMapAndEnvWins() async throws {
        let reader = DictionaryReader(configMaps: [
            "apim/keyed": DictionaryReader.configMap("apim", "keyed", ["endpoint": "keyed.configuration.azure-api.net"]),
            "apim/whole": DictionaryReader.configMap("apim", "whole", ["service.endpoint": "whole.configuration.azure-api.net"]),
        ])
        func host(env: [[String: Any]], envFrom: [[String: Any]] = []) async throws -> String? {
            let workload = F.deployment("demo", containers: [F.container(env: [F.secretRef("demo-token", key: "value")] + env, envFrom: envFrom)])
            let inspection = try #require(GatewayDiscovery.inspect(workload))
            return try await GatewayDiscovery.configurationEndpointHost(inspection, reader: reader)
        }
        let literal: [String: Any] = ["name": "config.service.endpoint", "value": "literal.configuration.azure-api.net"]
        let keyed: [String: Any] = ["name": "config.service.endpoint", "valueFrom": ["configMapKeyRef": ["name": "keyed", "key": "endpoint"]]]
        let whole: [String: Any] = ["configMapRef": ["name": "whole"], "prefix": "config."]
        #expect(try await host(env: [literal]) == "literal.configuration.azure-api.net")
        #expect(try await host(env: [keyed]) == "keyed.configuration.azure-api.net")
        #expect(try await host(env: [], envFrom: [whole]) == "whole.configuration.azure-api.net")
        #expect(try await host(env: [literal], envFrom: [whole]) == "literal.configuration.azure-api.net", "env wins over envFrom")
        #expect(try await host(env: []) == nil)
    }

    static func member(context: String, lastUsed: String?, pending: String? = nil, fingerprint: String? = nil) -> FleetSwitchKeyOperation.Member {
        var annotations: [String: String] = [:]
        annotations[Annotations.lastUsedKey] = lastUsed
        annotations[Annotations.regeneratePending] = pending
        annotations[Annotations.regenerateFingerprint] = fingerprint
        var secret = DictionaryReader.secret("apim", "demo-token", ["value": "x"])
        secret.metadata.annotations = annotations
        let client = KubernetesClient(server: URL(string: "https://127.0.0.1:1")!, transport: FailingTransport())
        let gateway = LocatedGateway(namespace: "apim", gateway: "demo", secretName: "demo-token", secretKey: "value", workloads: [], secret: secret)
        return FleetSwitchKeyOperation.Member(context: context, server: "https://\(context)", client: client, gateway: gateway, secret: secret)
    }

    @Test func theFleetLeavesTheKeyEveryClusterUsesOrThePendingOneOrTheOtherOfTo() throws {
        typealias M = FleetSwitchKeyTests
        let same = [M.member(context: "a", lastUsed: "primary"), M.member(context: "b", lastUsed: nil)]
        #expect(try FleetSwitchKeyOperation.keys(members: same, requested: nil, gateway: "demo") == (.primary, .secondary, false))
        #expect(try FleetSwitchKeyOperation.keys(members: same, requested: .primary, gateway: "demo") == (.secondary, .primary, false))

        let mixed = [M.member(context: "a", lastUsed: "primary"), M.member(context: "b", lastUsed: "secondary")]
        #expect(throws: ConfigurationError.self) { try FleetSwitchKeyOperation.keys(members: mixed, requested: nil, gateway: "demo") }
        #expect(try FleetSwitchKeyOperation.keys(members: mixed, requested: .secondary, gateway: "demo") == (.primary, .secondary, false))

        // A stopped run: one cluster switched with the marker, one not yet.
        let resumed = [M.member(context: "a", lastUsed: "secondary", pending: "primary"), M.member(context: "b", lastUsed: "primary")]
        #expect(try FleetSwitchKeyOperation.keys(members: resumed, requested: nil, gateway: "demo") == (.primary, .secondary, true))
        #expect(try FleetSwitchKeyOperation.keys(members: resumed, requested: .secondary, gateway: "demo") == (.primary, .secondary, true))
        #expect(throws: ConfigurationError.self) { try FleetSwitchKeyOperation.keys(members: resumed, requested: .primary, gateway: "demo") }

        let contradictory = [
            M.member(context: "a", lastUsed: "secondary", pending: "primary"), M.member(context: "b", lastUsed: "primary", pending: "secondary"),
        ]
        #expect(throws: ConfigurationError.self) { try FleetSwitchKeyOperation.keys(members: contradictory, requested: nil, gateway: "demo") }
    }

    @Test func theFingerprintTellsKeysApartAndHidesThem() {
        let key = "k" + String(repeating: "A", count: 87)
        let print = FleetKeyAuthority.fingerprint(of: Redacted(key))
        #expect(print.count == 16 && print.allSatisfy(\.isHexDigit))
        #expect(print == FleetKeyAuthority.fingerprint(of: Redacted(key)))
        #expect(print != FleetKeyAuthority.fingerprint(of: Redacted(key + "B")))
        #expect(!key.contains(print))
    }

    @Test func theMostSevereCodeFollowsTheDocumentedOrder() {
        #expect(ExitStatus.mostSevere([]) == .success)
        #expect(ExitStatus.mostSevere([.usage, .kubernetesAPI, .success]) == .kubernetesAPI)
        #expect(ExitStatus.mostSevere([.kubernetesAPI, .rolloutIncomplete]) == .rolloutIncomplete)
        #expect(ExitStatus.mostSevere([.rolloutIncomplete, .restartFailed, .azureAPI]) == .restartFailed)
        #expect(ExitStatus.mostSevere([.azureAuthentication, .azureAPI]) == .azureAPI)
    }
}

/// A transport for clients that must never be used.
private struct FailingTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse { throw TransportError(kind: .connect, host: "127.0.0.1", message: "not for this test") }
}
