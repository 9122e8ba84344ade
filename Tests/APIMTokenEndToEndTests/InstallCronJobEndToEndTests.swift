import APIMTokenSandbox
import Foundation
import Testing

/// `install-cronjob` of the built binary against the sandbox.
@Suite(.serialized) struct InstallCronJobEndToEndTests {
    static let kinds: [(String, String)] = [
        ("v1", "ServiceAccount"), ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("batch/v1", "CronJob"),
    ]

    @Test func itAppliesInOrderServerDryRunStoresNothingAndUninstallLeavesNothing() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let server = await E2E.plugin(sandbox, ["install-cronjob", "-n", "apim", "--client-id", sandbox.azure.clientID, "--dry-run=server"])
        #expect(server.status == 0, "\(server)")
        for (apiVersion, kind) in Self.kinds {
            #expect(sandbox.object(apiVersion: apiVersion, kind: kind, namespace: "apim", name: "apimtoken-demo") == nil, "\(kind) stored by a dry run")
        }

        let run = await E2E.plugin(sandbox, ["install-cronjob", "-n", "apim", "--client-id", sandbox.azure.clientID])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") } == [
            "serviceaccount/apimtoken-demo", "role.rbac.authorization.k8s.io/apimtoken-demo",
            "rolebinding.rbac.authorization.k8s.io/apimtoken-demo", "cronjob.batch/apimtoken-demo",
        ])
        let applies = sandbox.requestLog.filter { $0.server == .kubernetes && $0.method == "PATCH" && $0.status < 300 && !$0.query.contains("dryRun") }
        #expect(applies.allSatisfy { $0.contentType == "application/apply-patch+yaml" && $0.query.contains("fieldManager=kubectl-apimtoken") })
        for (apiVersion, kind) in Self.kinds {
            #expect(sandbox.object(apiVersion: apiVersion, kind: kind, namespace: "apim", name: "apimtoken-demo") != nil, "\(kind) missing")
        }
        let status = await E2E.plugin(sandbox, ["status", "demo", "-n", "apim", "-o", "json"])
        #expect(((status.json["gateways"] as? [[String: Any]])?.first?["cronJob"] as? [String: Any])?["name"] as? String == "apimtoken-demo")

        let again = await E2E.plugin(sandbox, ["install-cronjob", "-n", "apim", "--client-id", sandbox.azure.clientID])
        #expect(again.status == 0, "re-applying is idempotent: \(again)")

        let uninstall = await E2E.plugin(sandbox, ["install-cronjob", "-n", "apim", "-g", "demo", "--uninstall"])
        #expect(uninstall.status == 0, "\(uninstall)")
        let left = ["ServiceAccount", "Role", "RoleBinding", "CronJob", "Job", "Secret"].flatMap { kind -> [String] in
            let apiVersion = ["Role", "RoleBinding"].contains(kind) ? "rbac.authorization.k8s.io/v1" : ["CronJob", "Job"].contains(kind) ? "batch/v1" : "v1"
            return sandbox.objects(apiVersion: apiVersion, kind: kind, namespace: "apim")
                .filter { $0[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]]?.stringValue == "kubectl-apimtoken" }
                .map { "\(kind)/\($0[path: ["metadata", "name"]]?.stringValue ?? "")" }
        }
        #expect(left.isEmpty, "left behind: \(left)")
        #expect(sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token") != nil, "the token Secret is not ours to delete")
    }

    @Test func aClientDryRunPrintsNoSecretAndContactsNoWriteEndpoint() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let secret = try #require(sandbox.environment["AZURE_CLIENT_SECRET"])
        let run = await E2E.plugin(sandbox, ["install-cronjob", "-n", "apim", "--identity", "service-principal", "--dry-run=client", "-o", "yaml"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("kind: CronJob"))
        #expect(!(run.stdout + run.stderr).contains(secret))
        #expect(E2E.requests(sandbox, .kubernetes).allSatisfy { $0.hasPrefix("GET") })
    }

    @Test func theAzureRoleIsLeastPrivilege() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let run = await E2E.plugin(sandbox, ["install-cronjob", "--print-azure-role", "-s", "sub-1", "-r", "rg-1"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("Microsoft.ApiManagement/service/gateways/generateToken/action"))
        #expect(!run.stdout.contains("regenerateKey"))
        #expect(run.stdout.contains("/subscriptions/sub-1/resourceGroups/rg-1"))
        let withKeys = await E2E.plugin(sandbox, ["install-cronjob", "--print-azure-role", "-s", "sub-1", "-r", "rg-1", "--allow-key-regeneration"])
        #expect(withKeys.stdout.contains("regenerateKey"))
    }
}
