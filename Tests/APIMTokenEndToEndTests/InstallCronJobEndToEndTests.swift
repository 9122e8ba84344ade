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

/// `install-cronjob GATEWAY…` and `install-cronjob -A` against a sandbox of 6 gateways in 3 namespaces: one
/// least-privilege set per token gateway, exactly as a single install makes it.
@Suite(.serialized) struct FleetInstallEndToEndTests {
    /// gw-000: gw-0000, gw-0003; gw-001: gw-0001, gw-0004; gw-002: gw-0002, gw-0005.
    static func sandbox() async throws -> Sandbox {
        try await Sandbox.start(
            SandboxOptions(scenario: .many, gateways: 6, namespaces: 3, controller: ControllerOptions(podStartDelay: 0.2, stepInterval: 0.1)))
    }

    static func gateway(_ g: Int) -> (name: String, namespace: String) { (String(format: "gw-%04d", g), String(format: "gw-%03d", g % 3)) }

    /// The kinds install-cronjob may create or delete, and those it must leave alone.
    static let kinds: [(String, String)] = [
        ("v1", "ServiceAccount"), ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("batch/v1", "CronJob"),
        ("batch/v1", "Job"), ("v1", "Secret"), ("v1", "ConfigMap"), ("v1", "Namespace"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
    ]

    /// Every object labelled as install-cronjob's, as `namespace/Kind/name`, sorted.
    static func installed(_ sandbox: Sandbox) -> [String] {
        kinds.flatMap { apiVersion, kind in
            sandbox.objects(apiVersion: apiVersion, kind: kind)
                .filter { $0[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]]?.stringValue == "kubectl-apimtoken" }
                .map { "\($0[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(kind)/\($0[path: ["metadata", "name"]]?.stringValue ?? "")" }
        }.sorted()
    }

    /// Every object of every kind above, with the resourceVersion of Secrets and ConfigMaps (the token stays as it was).
    static func snapshot(_ sandbox: Sandbox) -> [String] {
        kinds.flatMap { apiVersion, kind in
            sandbox.objects(apiVersion: apiVersion, kind: kind).map { object in
                let version = ["Secret", "ConfigMap"].contains(kind) ? " @\(object[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")" : ""
                return
                    "\(object[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(kind)/\(object[path: ["metadata", "name"]]?.stringValue ?? "")\(version)"
            }
        }.sorted()
    }

    /// The four objects of one gateway's set.
    static func set(_ g: Int) -> [String] {
        let (name, namespace) = gateway(g)
        return ["CronJob", "Role", "RoleBinding", "ServiceAccount"].map { "\(namespace)/\($0)/apimtoken-\(name)" }
    }

    /// Write requests to the Kubernetes API since `index` in the log.
    static func writes(_ sandbox: Sandbox, since index: Int) -> [String] {
        E2E.requests(sandbox, .kubernetes).dropFirst(index).filter { !$0.hasPrefix("GET") }
    }

    @Test func allNamespacesInstallsOneLeastPrivilegeSetPerTokenGatewayAndASecondRunChangesNothing() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let run = await E2E.plugin(sandbox, ["install-cronjob", "-A", "--client-id", sandbox.azure.clientID], timeout: 300)
        #expect(run.status == 0, "\(run)")
        #expect(Self.installed(sandbox) == (0..<6).flatMap(Self.set).sorted(), "\(Self.installed(sandbox))")
        for g in 0..<6 {
            let (name, namespace) = Self.gateway(g)
            let role = try #require(sandbox.object(apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespace: namespace, name: "apimtoken-\(name)"))
            let rules = try #require(role["rules"]?.arrayValue)
            func names(_ resource: String) -> [String]? {
                rules.first { $0["resources"]?.arrayValue?.contains(.string(resource)) == true }?["resourceNames"]?.arrayValue?.compactMap(\.stringValue)
            }
            #expect(names("secrets") == ["\(name)-token"], "\(name): \(rules)")
            #expect(names("deployments") == [name], "\(name): \(rules)")
            #expect(!"\(rules)".contains("\"*\""), "\(name): a wildcard in \(rules)")
            let env = try #require(
                sandbox.object(apiVersion: "batch/v1", kind: "CronJob", namespace: namespace, name: "apimtoken-\(name)")?[
                    path: ["spec", "jobTemplate", "spec", "template", "spec", "containers"]]?.arrayValue?.first?["env"]?.arrayValue)
            let values = Dictionary(env.compactMap { e in e["name"]?.stringValue.map { ($0, e["value"]?.stringValue ?? "") } }) { a, _ in a }
            #expect(values["APIM_GATEWAY"] == name && values["TOKEN_SECRET"] == "\(name)-token" && values["K8S_OBJECT"] == "deployment/\(name)")
        }
        // The summary: one row per gateway, by namespace then gateway.
        let rows = run.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: " ", omittingEmptySubsequences: true).prefix(3).joined(separator: " ")
        }
        #expect(
            rows == [
                "gw-000 gw-0000 applied", "gw-000 gw-0003 applied", "gw-001 gw-0001 applied", "gw-001 gw-0004 applied", "gw-002 gw-0002 applied",
                "gw-002 gw-0005 applied",
            ],
            "\(run)")

        let before = Self.snapshot(sandbox)
        let again = await E2E.plugin(sandbox, ["install-cronjob", "-A", "--client-id", sandbox.azure.clientID, "-o", "json"], timeout: 300)
        #expect(again.status == 0, "\(again)")
        let results = try #require(again.json["results"] as? [[String: Any]], "\(again)")
        #expect(results.count == 6 && results.allSatisfy { $0["result"] as? String == "applied" && $0["exitCode"] as? Int == 0 }, "\(again)")
        #expect(Self.snapshot(sandbox) == before, "a second run changed the set of objects")
    }

    @Test func entraGatewaysAreSkippedWithALine() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let run = await E2E.plugin(sandbox, ["install-cronjob", "-A", "--client-id", sandbox.azure.clientID])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("apim/entra: skipped, it authenticates with Entra ID"), "\(run)")
        let cronJobs = Self.installed(sandbox).filter { $0.contains("/CronJob/") }
        #expect(cronJobs == ["apim/CronJob/apimtoken-demo", "edge/CronJob/apimtoken-edge"], "\(cronJobs)")
    }

    @Test func aClientDryRunIsOneStreamThatKubectlParsesAndChangesNothing() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        guard let binary = E2E.binary else { return }
        let start = E2E.requests(sandbox, .kubernetes).count
        let yaml = await E2E.plugin(sandbox, ["install-cronjob", "-A", "--client-id", sandbox.azure.clientID, "--dry-run=client", "-o", "yaml"])
        #expect(yaml.status == 0, "\(yaml)")
        #expect(yaml.stdout.components(separatedBy: "\n---\n").count == 24, "\(yaml.stdout)")
        let json = await E2E.plugin(sandbox, ["install-cronjob", "-A", "--client-id", sandbox.azure.clientID, "--dry-run=client", "-o", "json"])
        #expect(json.status == 0, "\(json)")
        #expect(json.json["apiVersion"] as? String == "v1" && json.json["kind"] as? String == "List")
        #expect((json.json["items"] as? [[String: Any]])?.count == 24, "\(json.stdout)")

        // The real kubectl reads every document, in order: by namespace, gateway, then the single install's order.
        let expected = [0, 3, 1, 4, 2, 5].flatMap { g in
            let name = "apimtoken-\(Self.gateway(g).name)"
            return [
                "serviceaccount/\(name)", "role.rbac.authorization.k8s.io/\(name)", "rolebinding.rbac.authorization.k8s.io/\(name)", "cronjob.batch/\(name)",
            ]
        }
        // kubectl validates a `List` against /openapi/v2, which the sandbox does not serve; the YAML stream is validated.
        for (stream, validate) in [(yaml.stdout, "--validate=strict"), (json.stdout, "--validate=false")] {
            let parsed = await E2E.run(
                ["/usr/bin/kubectl", "create", "--dry-run=client", validate, "-o", "name", "-f", "-"], environment: E2E.environment(sandbox), stdin: stream)
            #expect(parsed.status == 0, "\(parsed)")
            #expect(parsed.stdout.split(separator: "\n").map(String.init) == expected, "\(parsed)")
        }

        // Through kubectl's plugin mechanism: the same stream.
        let bin = E2E.freshDirectory("bin")
        try FileManager.default.createSymbolicLink(atPath: bin + "/kubectl-apimtoken", withDestinationPath: binary)
        var env = E2E.environment(sandbox)
        env["PATH"] = bin + ":" + (env["PATH"] ?? "")
        let viaKubectl = await E2E.run(
            ["/usr/bin/kubectl", "apimtoken", "install-cronjob", "-A", "--client-id", sandbox.azure.clientID, "--dry-run=client", "-o", "yaml"],
            environment: env)
        #expect(viaKubectl.status == 0, "\(viaKubectl)")
        #expect(viaKubectl.stdout == yaml.stdout)

        #expect(Self.writes(sandbox, since: start).isEmpty, "\(Self.writes(sandbox, since: start))")
        #expect(Self.installed(sandbox).isEmpty)
    }

    @Test func uninstallAllRemovesEverythingItInstalledAndNothingElse() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let pristine = Self.snapshot(sandbox)
        let install = await E2E.plugin(sandbox, ["install-cronjob", "-A", "--client-id", sandbox.azure.clientID], timeout: 300)
        #expect(install.status == 0, "\(install)")
        #expect(Self.installed(sandbox).count == 24)
        // gw-0005's gateway goes away after the install: its set is still found, by its labels.
        #expect(sandbox.delete(apiVersion: "apps/v1", kind: "Deployment", namespace: "gw-002", name: "gw-0005"))

        let uninstall = await E2E.plugin(sandbox, ["install-cronjob", "--uninstall", "-A", "-o", "json"], timeout: 300)
        #expect(uninstall.status == 0, "\(uninstall)")
        let results = try #require(uninstall.json["results"] as? [[String: Any]], "\(uninstall)")
        #expect(
            results.map { "\($0["namespace"] ?? "")/\($0["gateway"] ?? ""): \($0["result"] ?? "")" }
                == [0, 3, 1, 4, 2, 5].map { g in
                    "\(Self.gateway(g).namespace)/\(Self.gateway(g).name): deleted"
                }, "\(uninstall)")
        #expect(results.allSatisfy { ($0["deleted"] as? [Any])?.count == 4 }, "\(uninstall)")
        #expect(Self.installed(sandbox).isEmpty, "\(Self.installed(sandbox))")
        #expect(Self.snapshot(sandbox) == pristine.filter { $0 != "gw-002/Deployment/gw-0005" })

        let again = await E2E.plugin(sandbox, ["install-cronjob", "--uninstall", "-A", "-o", "json"], timeout: 300)
        #expect(again.status == 0, "\(again)")
        #expect((again.json["results"] as? [[String: Any]])?.allSatisfy { $0["result"] as? String == "not-installed" } == true, "\(again)")
    }

    @Test func namedGatewaysOnlyAndAnUnknownNameChangesNothing() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let named = await E2E.plugin(sandbox, ["install-cronjob", "-A", "gw-0000", "gw-0004", "--client-id", sandbox.azure.clientID])
        #expect(named.status == 0, "\(named)")
        #expect(Self.installed(sandbox) == (Self.set(0) + Self.set(4)).sorted(), "\(Self.installed(sandbox))")
        let inNamespace = await E2E.plugin(sandbox, ["install-cronjob", "-n", "gw-001", "gw-0001", "--client-id", sandbox.azure.clientID])
        #expect(inNamespace.status == 0, "\(inNamespace)")
        #expect(Self.installed(sandbox) == (Self.set(0) + Self.set(1) + Self.set(4)).sorted())

        let before = Self.installed(sandbox)
        let start = E2E.requests(sandbox, .kubernetes).count
        let unknown = await E2E.plugin(sandbox, ["install-cronjob", "-A", "gw-0002", "gw-9999", "--client-id", sandbox.azure.clientID])
        #expect(unknown.status == 2, "\(unknown)")
        #expect(unknown.stderr.contains("no gateway named gw-9999 in any namespace"), "\(unknown)")
        let elsewhere = await E2E.plugin(sandbox, ["install-cronjob", "-n", "gw-000", "gw-0002", "--client-id", sandbox.azure.clientID])
        #expect(elsewhere.status == 2 && elsewhere.stderr.contains("no gateway named gw-0002 in namespace \"gw-000\""), "\(elsewhere)")
        let unknownUninstall = await E2E.plugin(sandbox, ["install-cronjob", "--uninstall", "-A", "gw-9999"])
        #expect(unknownUninstall.status == 2, "\(unknownUninstall)")
        for (flag, message) in [
            (["-t", "gw-0001-token"], "-t/--token-secret names one gateway"), (["-g", "gw-0001"], "-g/--apim-gateway names one gateway"),
            (["--restart", "deployment/gw-0001"], "--restart names one gateway"), (["--token-secret-key", "value"], "--token-secret-key names one gateway"),
        ] {
            let refused = await E2E.plugin(sandbox, ["install-cronjob", "-A", "--client-id", sandbox.azure.clientID] + flag)
            #expect(refused.status == 2 && refused.stderr.contains(message), "\(refused)")
        }
        let both = await E2E.plugin(sandbox, ["install-cronjob", "-A", "-n", "gw-000", "--client-id", sandbox.azure.clientID])
        #expect(both.status == 2 && both.stderr.contains("-A/--all-namespaces and -n/--namespace cannot be used together"), "\(both)")
        #expect(Self.writes(sandbox, since: start).isEmpty, "\(Self.writes(sandbox, since: start))")
        #expect(Self.installed(sandbox) == before)

        let uninstallOne = await E2E.plugin(sandbox, ["install-cronjob", "--uninstall", "-A", "gw-0000"])
        #expect(uninstallOne.status == 0, "\(uninstallOne)")
        #expect(Self.installed(sandbox) == (Self.set(1) + Self.set(4)).sorted(), "\(Self.installed(sandbox))")
    }

    @Test func oneGatewaysFailureDoesNotStopTheOthersAndTheReRunFinishes() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.inject(
            Fault(
                server: .kubernetes, method: "PATCH", pathPattern: "*/roles/apimtoken-gw-0001", count: 1,
                action: .respond(status: 403, headers: [:], body: nil)))
        let run = await E2E.plugin(sandbox, ["install-cronjob", "-A", "--client-id", sandbox.azure.clientID], timeout: 300)
        #expect(run.status == 5, "\(run)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("gw-001") && $0.contains("gw-0001") && $0.contains("failed") }, "\(run)")
        #expect(lines.filter { $0.contains(" applied ") }.count == 5, "\(run)")
        #expect(lines.contains { $0.hasPrefix("gw-001/gw-0001: apply role.rbac.authorization.k8s.io/apimtoken-gw-0001 failed") }, "\(run)")
        let installed = Self.installed(sandbox)
        #expect(installed == ([0, 2, 3, 4, 5].flatMap(Self.set) + ["gw-001/ServiceAccount/apimtoken-gw-0001"]).sorted(), "\(installed)")

        let rerun = await E2E.plugin(sandbox, ["install-cronjob", "-A", "--client-id", sandbox.azure.clientID], timeout: 300)
        #expect(rerun.status == 0, "\(rerun)")
        #expect(Self.installed(sandbox) == (0..<6).flatMap(Self.set).sorted())
    }
}
