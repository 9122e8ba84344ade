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
        #expect(
            run.stdout.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") } == [
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

/// The installed CronJob run for real: `--run-now` creates a Job; the sandbox runs its pod by executing the built
/// binary with the pod's environment, the generated ServiceAccount's token and RBAC enforcement; workload identity as
/// the webhook would inject it.
@Suite(.serialized) struct CronJobRunEndToEndTests {
    /// Installs for the demo gateway with workload identity (the generated ServiceAccount federated to the demo app).
    static func install(_ sandbox: Sandbox, runNow: Bool) async -> Run {
        sandbox.addFederatedCredential(namespace: "apim", serviceAccount: "apimtoken-demo", clientID: sandbox.azure.clientID)
        return await E2E.plugin(
            sandbox, ["install-cronjob", "-n", "apim", "--client-id", sandbox.azure.clientID, "--if-expires-within", "40d"] + (runNow ? ["--run-now"] : []))
    }

    /// Waits for a Job to finish; true when it completed.
    static func waitForJob(_ sandbox: Sandbox, _ name: String) async -> Bool? {
        _ = await sandbox.wait(timeout: 90) {
            let conditions =
                sandbox.object(apiVersion: "batch/v1", kind: "Job", namespace: "apim", name: name)?[path: ["status", "conditions"]]?.arrayValue ?? []
            return !conditions.isEmpty
        }
        let conditions = sandbox.object(apiVersion: "batch/v1", kind: "Job", namespace: "apim", name: name)?[path: ["status", "conditions"]]?.arrayValue ?? []
        guard let type = conditions.first?["type"]?.stringValue else { return nil }
        return type == "Complete"
    }

    @Test func runNowRotatesWithTheGeneratedServiceAccountAndUninstallRemovesTheJobToo() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        guard let binary = E2E.binary else { return }
        let runner = sandbox.startJobRunner(executable: binary)
        defer { runner.stop() }
        let since = Date()
        let install = await Self.install(sandbox, runNow: true)
        #expect(install.status == 0, "\(install)")
        let jobName = try #require(
            install.stdout.split(separator: "\n").last { $0.hasPrefix("job.batch/") }?.split(separator: " ").first?.dropFirst("job.batch/".count))
        let completed = await Self.waitForJob(sandbox, String(jobName))
        #expect(completed == true, "\(runner.allRuns.map { "\($0.job): \($0.status.map(String.init) ?? "-")\n\($0.stderr)" })")
        await RotateEndToEndTests.verifyRotated(sandbox, key: .primary, since: since)
        let principals = Set(
            sandbox.requestLog.filter { $0.server == .kubernetes && $0.method == "PATCH" && $0.path.hasSuffix("/secrets/demo-token") }.compactMap(\.principal))
        #expect(principals == ["system:serviceaccount:apim:apimtoken-demo"])

        let uninstall = await E2E.plugin(sandbox, ["install-cronjob", "-n", "apim", "-g", "demo", "--uninstall"])
        #expect(uninstall.status == 0, "\(uninstall)")
        #expect(sandbox.objects(apiVersion: "batch/v1", kind: "Job", namespace: "apim").isEmpty)
        #expect(sandbox.objects(apiVersion: "batch/v1", kind: "CronJob", namespace: "apim").isEmpty)
    }

    /// One change to the generated Role each: a verb removed, or the one resource name pointed elsewhere.
    static let mutations: [(String, @Sendable (inout [JSON]) -> Void)] = [
        ("secrets without get", { $0[0].set(["verbs"], ["patch"]) }),
        ("secrets without patch", { $0[0].set(["verbs"], ["get"]) }),
        ("secrets named otherwise", { $0[0].set(["resourceNames"], ["another-secret"]) }),
        ("deployments without get", { $0[1].set(["verbs"], ["patch"]) }),
        ("deployments without patch", { $0[1].set(["verbs"], ["get"]) }),
        ("deployments named otherwise", { $0[1].set(["resourceNames"], ["another-deployment"]) }),
        ("events without create", { $0.remove(at: 2) }),
    ]

    @Test(arguments: 0..<7)
    func everyRuleOfTheRoleIsNeeded(index: Int) async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        guard let binary = E2E.binary else { return }
        let install = await Self.install(sandbox, runNow: false)
        #expect(install.status == 0, "\(install)")
        var role = try #require(sandbox.object(apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespace: "apim", name: "apimtoken-demo"))
        var rules = try #require(role["rules"]?.arrayValue)
        #expect(rules.count == 3)
        let (name, mutate) = Self.mutations[index]
        mutate(&rules)
        role.set(["rules"], .array(rules))
        _ = try sandbox.put(role)
        // A Job from the CronJob's template, as `kubectl create job --from=cronjob/apimtoken-demo` makes it.
        let cronJob = try #require(sandbox.object(apiVersion: "batch/v1", kind: "CronJob", namespace: "apim", name: "apimtoken-demo"))
        _ = try sandbox.put([
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "probe", "namespace": "apim"],
            "spec": cronJob[path: ["spec", "jobTemplate", "spec"]] ?? [:],
        ])
        let before = sandbox.secretValue(namespace: "apim", name: "demo-token", key: "value")
        let runner = sandbox.startJobRunner(executable: binary)
        defer { runner.stop() }
        let completed = await Self.waitForJob(sandbox, "probe")
        let log = runner.allRuns.map(\.stderr).joined()
        if name == "events without create" {
            // Events are never fatal: the rotation succeeds, and the run says the event could not be recorded.
            #expect(completed == true, "\(name): \(log)")
            #expect(log.contains("could not record the TokenRotated event"), "\(name): \(log)")
        } else {
            #expect(completed == false, "\(name) still rotated: \(log)")
            #expect(log.contains("403"), "\(name): \(log)")
            if name.hasPrefix("secrets") { #expect(sandbox.secretValue(namespace: "apim", name: "demo-token", key: "value") == before) }
        }
    }
}
