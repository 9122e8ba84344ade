import Foundation
import Testing

@testable import APIMToken

/// `install-cronjob GATEWAY… | -A` before any request: one set per gateway from the single install's builder, the
/// gateways that cannot have one refused, and the exit code of the run.
@Suite struct FleetInstallPlanTests {
    static func located(_ gateway: String, namespace: String, secret: String? = nil, workloads: [String]? = nil) -> LocatedGateway {
        let secretName = secret ?? "\(gateway)-token"
        let consumers = (workloads ?? [gateway]).map { name in
            WorkloadFixtures.deployment(
                name, namespace: namespace, containers: [WorkloadFixtures.container(env: [WorkloadFixtures.secretRef(secretName, key: "value")])])
        }
        return LocatedGateway(namespace: namespace, gateway: gateway, secretName: secretName, secretKey: "value", workloads: consumers, secret: nil)
    }

    static func configure(_ gateway: LocatedGateway) throws -> CronJobInstallConfiguration {
        var configuration = ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: nil), workload: try gateway.cronJobWorkload())
        configuration.namespace = gateway.namespace
        configuration.gateway = gateway.gateway
        configuration.tokenSecret = gateway.secretName
        return configuration
    }

    @Test func oneSetPerGatewayInTheOrderGivenEachAsASingleInstallMakesIt() throws {
        let gateways = [Self.located("a", namespace: "ns-1"), Self.located("b", namespace: "ns-1"), Self.located("a", namespace: "ns-2")]
        let plan = FleetInstall.plan(gateways, configure: Self.configure)
        #expect(plan.refused.isEmpty)
        #expect(plan.sets.map { "\($0.configuration.namespace)/\($0.configuration.gateway)" } == ["ns-1/a", "ns-1/b", "ns-2/a"])
        let single = try InstallManifests(try Self.configure(gateways[1]))
        #expect(try KubeJSON.encoder.encode(plan.sets[1].objects) == KubeJSON.encoder.encode(single.objects))
        #expect(
            plan.objects.map(\.reference.description).prefix(4) == [
                "serviceaccount/apimtoken-a", "role.rbac.authorization.k8s.io/apimtoken-a", "rolebinding.rbac.authorization.k8s.io/apimtoken-a",
                "cronjob.batch/apimtoken-a",
            ])
        #expect(plan.objects.count == 12)
    }

    @Test func gatewaysThatWouldShareNamesOrRestartSeveralWorkloadsAreRefusedAlone() {
        let gateways = [
            Self.located("Shared", namespace: "ns-1", secret: "one"), Self.located("shared", namespace: "ns-1", secret: "two"),
            Self.located("shared", namespace: "ns-2"), Self.located("multi", namespace: "ns-2", workloads: ["blue", "green"]),
        ]
        let plan = FleetInstall.plan(gateways, configure: Self.configure)
        #expect(plan.sets.map { "\($0.configuration.namespace)/\($0.configuration.gateway)" } == ["ns-2/shared"])
        #expect(plan.refused.map { "\($0.namespace)/\($0.gateway)" } == ["ns-1/Shared", "ns-1/shared", "ns-2/multi"])
        #expect(plan.refused.allSatisfy { $0.result == .refused && $0.exitStatus == .usage })
        #expect(plan.refused[0].error?.contains("would share the objects named apimtoken-shared") == true, "\(plan.refused[0])")
        #expect(plan.refused[2].error?.contains("several workloads use Secret multi-token: deployment/blue, deployment/green") == true)
    }

    @Test func everyPairOfCodesOrdersAsRotatesFleet() {
        for a in ExitStatus.allCases {
            for b in ExitStatus.allCases {
                let rotate = [a, b].map {
                    FleetRotateEntry(
                        namespace: "ns", gateway: "gw", secret: GatewayStatus.SecretKey(name: "s", key: "value"), result: .failed, rotation: nil,
                        exitStatus: $0, error: nil)
                }
                #expect(ExitStatus.mostSevere([a, b]) == FleetRotateReport(results: rotate).exitStatus, "\(a), \(b)")
            }
        }
    }
}
