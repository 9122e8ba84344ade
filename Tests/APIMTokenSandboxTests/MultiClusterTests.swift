import Foundation
import Testing

@testable import APIMTokenSandbox

/// A sandbox of several Kubernetes clusters sharing one Azure (`SandboxOptions.clusters`), read with real kubectl
/// through the one kubeconfig.
@Suite(.serialized) struct MultiClusterTests {
    /// Real kubectl with the sandbox's environment (KUBECONFIG is the primary's kubeconfig), a fresh HOME and a context.
    static func kubectl(_ sandbox: Sandbox, context: String, _ args: [String], timeout: TimeInterval = 60) async -> ProcessResult {
        guard let kubectl = TestSupport.kubectl() else { return ProcessResult(status: -1, stdout: "", stderr: "no kubectl", timedOut: false) }
        let home = TestSupport.freshHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        var environment = sandbox.environment
        environment["HOME"] = home
        return await TestSupport.run([kubectl, "--context", context] + args, environment: environment, timeout: timeout)
    }

    /// The demo Deployment's pods of one cluster.
    static func demoPods(_ cluster: Sandbox) -> [GatewayPodState] {
        cluster.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }
    }

    @Test func threeClustersShareOneAzureAndKubectlReadsEachContext() async throws {
        let sandbox = try await TestSupport.start(.demo) { $0.clusters = 3 }
        defer { Task { await sandbox.shutdown() } }
        let clusters = sandbox.clusters
        try #require(clusters.count == 3)
        #expect(clusters[0] === sandbox)
        #expect(clusters.map(\.contextName) == ["apimtoken-sandbox", "apimtoken-sandbox-2", "apimtoken-sandbox-3"])
        #expect(Set(clusters.map(\.apiServerURL)).count == 3, "each cluster has its own API server: \(clusters.map(\.apiServerURL))")
        for cluster in clusters.dropFirst() {
            #expect(cluster.armEndpoint == sandbox.armEndpoint && cluster.authorityHost == sandbox.authorityHost)
            #expect(cluster.imdsEndpoint == sandbox.imdsEndpoint && cluster.environment == sandbox.environment)
            #expect(cluster.clusters.map(\.contextName) == clusters.map(\.contextName))
        }

        // The one kubeconfig lists every cluster; the current context is still cluster 1.
        let contexts = await Self.kubectl(sandbox, context: "apimtoken-sandbox", ["config", "get-contexts", "-o", "name"])
        #expect(contexts.status == 0, "\(contexts.stderr)")
        #expect(
            contexts.stdout.split(separator: "\n").map(String.init).sorted()
                == ["apimtoken-sandbox", "apimtoken-sandbox-2", "apimtoken-sandbox-3", "apimtoken-sandbox-token"])
        let current = await Self.kubectl(sandbox, context: "apimtoken-sandbox-3", ["config", "current-context"])
        #expect(current.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "apimtoken-sandbox")

        // The clusters are separate: an object written to cluster 2 is seen through its context only.
        try clusters[1].put([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "only-in-cluster-2", "namespace": "apim"], "data": ["k": "v"],
        ])
        for cluster in clusters {
            let deployments = await Self.kubectl(sandbox, context: cluster.contextName, ["get", "deploy", "-n", "apim", "-o", "json"])
            #expect(deployments.status == 0, "kubectl --context \(cluster.contextName) failed: \(deployments.stderr)")
            let names = (try? JSON.parse(deployments.stdout))?["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            #expect(names == ["demo", "entra"], "\(cluster.contextName): \(deployments.stdout.prefix(300))")
            let marker = await Self.kubectl(sandbox, context: cluster.contextName, ["get", "configmap", "only-in-cluster-2", "-n", "apim", "-o", "name"])
            if cluster.contextName == "apimtoken-sandbox-2" {
                #expect(marker.status == 0 && marker.stdout.contains("only-in-cluster-2"), "\(marker.stderr)")
            } else {
                #expect(marker.status != 0 && marker.stderr.contains("NotFound"), "\(cluster.contextName): \(marker.stdout) \(marker.stderr)")
            }
            // Each cluster's log holds its own API server's requests.
            #expect(cluster.requestLog.contains { $0.server == .kubernetes && $0.path == "/apis/apps/v1/namespaces/apim/deployments" })
        }
        // Cluster 2's own kubeconfig has the same contexts, its own current.
        let own = await TestSupport.kubectl(clusters[1], ["get", "configmap", "only-in-cluster-2", "-n", "apim", "-o", "name"])
        #expect(own.status == 0, "\(own.stderr)")
        // The bearer-token context reaches cluster 1.
        let token = await Self.kubectl(sandbox, context: "apimtoken-sandbox-token", ["get", "configmap", "only-in-cluster-2", "-n", "apim"])
        #expect(token.status != 0 && token.stderr.contains("NotFound"))
        // Azure's requests are in the primary's log, with its API server's.
        #expect(await TestSupport.armToken(sandbox, clientID: sandbox.azure.clientID, secret: sandbox.azure.clientSecret) != nil)
        #expect(sandbox.requestLog.contains { $0.server == .entra } && sandbox.requestLog.contains { $0.server == .kubernetes })
        #expect(clusters.dropFirst().allSatisfy { $0.requestLog.allSatisfy { $0.server == .kubernetes } })
        // The one log file names each Kubernetes request's cluster.
        let lines = try String(contentsOfFile: sandbox.requestLogPath, encoding: .utf8).split(separator: "\n")
        let entries = lines.compactMap { try? JSONDecoder().decode(RequestLogEntry.self, from: Data($0.utf8)) }
        #expect(Set(entries.filter { $0.server == .kubernetes }.compactMap(\.cluster)) == Set(clusters.map(\.contextName)))
        #expect(entries.filter { $0.server == .kubernetes }.allSatisfy { $0.cluster != nil })

        // Every cluster's demo pods run a token from the shared primary key and authenticate.
        for cluster in clusters {
            let ready = await cluster.wait(timeout: 30) {
                let pods = Self.demoPods(cluster)
                return !pods.isEmpty && pods.allSatisfy { $0.ready && $0.authenticated == true }
            }
            #expect(ready, "\(cluster.contextName): \(Self.demoPods(cluster))")
            #expect(cluster.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")?.key == .primary)
        }

        // Regenerating that key (once, in the one Azure) breaks the pods of every cluster; edge's keys are untouched.
        #expect(sandbox.regenerateGatewayKey(gateway: "demo", key: .primary))
        for cluster in clusters {
            let lost = await cluster.wait(timeout: 20) {
                let pods = Self.demoPods(cluster)
                return !pods.isEmpty && pods.allSatisfy { $0.authenticated == false && $0.reason == "KeyNotCurrent" }
            }
            #expect(lost, "\(cluster.contextName): \(Self.demoPods(cluster))")
            #expect(cluster.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")?.key == nil)
            #expect(cluster.pods(namespace: "edge").allSatisfy { $0.authenticated == true }, "\(cluster.contextName): \(cluster.pods(namespace: "edge"))")
        }
    }

    @Test func aStoppedAPIServerRefusesConnectionsUntilStartedOnTheSamePort() async throws {
        let sandbox = try await TestSupport.start(.demo) { $0.clusters = 2 }
        defer { Task { await sandbox.shutdown() } }
        let second = try #require(sandbox.clusters.last)
        let url = second.apiServerURL
        let before = await Self.kubectl(sandbox, context: second.contextName, ["get", "deploy", "demo", "-n", "apim", "-o", "name"])
        #expect(before.status == 0, "\(before.stderr)")

        await second.stopAPIServer()
        #expect(await second.isAPIServerRunning == false)
        let down = await Self.kubectl(sandbox, context: second.contextName, ["get", "deploy", "demo", "-n", "apim", "-o", "name"], timeout: 30)
        #expect(down.status != 0 && !down.timedOut, "kubectl reached a stopped API server: \(down.stdout)")
        #expect(down.stderr.contains("refused"), "\(down.stderr)")
        // The other cluster and the controllers of the stopped one carry on.
        let other = await Self.kubectl(sandbox, context: "apimtoken-sandbox", ["get", "deploy", "demo", "-n", "apim", "-o", "name"])
        #expect(other.status == 0, "\(other.stderr)")
        try second.put(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "written-while-down", "namespace": "apim"]])

        try await second.startAPIServer()
        #expect(await second.isAPIServerRunning)
        #expect(second.apiServerURL == url)
        let up = await Self.kubectl(sandbox, context: second.contextName, ["get", "configmap", "written-while-down", "-n", "apim", "-o", "name"])
        #expect(up.status == 0 && up.stdout.contains("written-while-down"), "\(up.stderr)")
    }

    @Test func manyScenarioSeedsEveryClusterAgainstTheSameGateways() async throws {
        let sandbox = try await TestSupport.start(.many) {
            $0.clusters = 2
            $0.gateways = 6
            $0.namespaces = 2
        }
        defer { Task { await sandbox.shutdown() } }
        for cluster in sandbox.clusters {
            let deployments = cluster.objects(apiVersion: "apps/v1", kind: "Deployment").compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            #expect(deployments.filter { $0.hasPrefix("gw-") }.sorted() == (0..<6).map { String(format: "gw-%04d", $0) }, "\(cluster.contextName)")
            for g in 0..<6 {
                let name = String(format: "gw-%04d", g)
                let signer = cluster.tokenSigner(namespace: String(format: "gw-%03d", g % 2), secret: "\(name)-token", key: "value")
                #expect(signer?.gateway == name && signer?.key == .primary, "\(cluster.contextName) \(name): \(String(describing: signer))")
            }
            let ready = await cluster.wait(timeout: 30) {
                let pods = cluster.pods().filter { $0.name.hasPrefix("gw-") }
                return pods.count == 6 && pods.allSatisfy { $0.authenticated == true }
            }
            #expect(ready, "\(cluster.contextName): \(cluster.pods().filter { $0.name.hasPrefix("gw-") })")
        }
        sandbox.regenerateGatewayKey(gateway: "gw-0003", key: .primary)
        for cluster in sandbox.clusters {
            let lost = await cluster.wait(timeout: 20) {
                let pods = cluster.pods().filter { $0.name.hasPrefix("gw-") }
                return pods.filter { $0.authenticated == false }.map { String($0.name.prefix(7)) } == ["gw-0003"]
            }
            #expect(lost, "\(cluster.contextName): \(cluster.pods().filter { $0.name.hasPrefix("gw-") })")
        }
    }

    @Test func aSingleClusterKubeconfigAndLogAreAsBefore() async throws {
        let sandbox = try await TestSupport.start(.empty)
        defer { Task { await sandbox.shutdown() } }
        #expect(sandbox.clusters.count == 1 && sandbox.clusters[0] === sandbox)
        #expect(sandbox.contextName == "apimtoken-sandbox")
        let kubeconfig = try String(contentsOfFile: sandbox.kubeconfigPath, encoding: .utf8)
        #expect(kubeconfig.components(separatedBy: "server: ").count == 2, "\(kubeconfig.components(separatedBy: "server: ").count - 1) servers")
        #expect(!kubeconfig.contains("apimtoken-sandbox-2"))
        let get = await Self.kubectl(sandbox, context: "apimtoken-sandbox", ["get", "ns", "-o", "name"])
        #expect(get.status == 0, "\(get.stderr)")
        #expect(!sandbox.requestLog.isEmpty && sandbox.requestLog.allSatisfy { $0.cluster == nil })
    }

    @Test func upWithClustersAndTheClusterFlagOfFaultAndAPIServer() async throws {
        guard let sandbox = CommandLineTests.executable(), let kubectl = TestSupport.kubectl() else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-fleet-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let up = await TestSupport.run([sandbox, "up", "--dir", dir, "--scenario", "empty", "--clusters", "2"], timeout: 90)
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        defer {
            if let text = try? String(contentsOfFile: "\(dir)/sandbox.pid", encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(pid, SIGKILL)
            }
        }
        #expect(up.stdout.contains("apimtoken-sandbox-2 (cluster 2"), "\(up.stdout)")
        func get(_ context: String) async -> ProcessResult {
            let home = TestSupport.freshHome()
            defer { try? FileManager.default.removeItem(atPath: home) }
            return await TestSupport.run(
                [kubectl, "--kubeconfig", "\(dir)/kubeconfig", "--context", context, "get", "namespace", "default", "-o", "name"], environment: ["HOME": home])
        }
        #expect(await get("apimtoken-sandbox-2").status == 0)

        // A fault for cluster 2 leaves cluster 1 alone.
        let fault = await TestSupport.run([
            sandbox, "fault", "--dir", dir, "--cluster", "2", "--server", "kubernetes", "--path", "/api/v1/namespaces/default", "--status", "503",
        ])
        #expect(fault.status == 0, "\(fault.stderr)")
        #expect(await get("apimtoken-sandbox").status == 0)
        let faulted = await get("apimtoken-sandbox-2")
        #expect(faulted.status != 0 && faulted.stderr.contains("ServiceUnavailable"), "\(faulted.stderr)")

        // api-server stop/start for cluster 2; cluster 3 does not exist.
        let stop = await TestSupport.run([sandbox, "api-server", "stop", "--dir", dir, "--cluster", "2"])
        #expect(stop.status == 0, "\(stop.stderr)")
        let refused = await get("apimtoken-sandbox-2")
        #expect(refused.status != 0 && refused.stderr.contains("refused"), "\(refused.stderr)")
        #expect(await get("apimtoken-sandbox").status == 0)
        let start = await TestSupport.run([sandbox, "api-server", "start", "--dir", dir, "--cluster", "2"])
        #expect(start.status == 0, "\(start.stderr)")
        #expect(await get("apimtoken-sandbox-2").status == 0)
        let missing = await TestSupport.run([sandbox, "api-server", "stop", "--dir", dir, "--cluster", "3"])
        #expect(missing.status != 0 && missing.stderr.contains("no cluster 3"), "\(missing.stderr)")

        let down = await TestSupport.run([sandbox, "down", "--dir", dir])
        #expect(down.status == 0)
    }

    @Test(arguments: [(200, 50), (200, 0), (200, 200), (7, 3), (30, 29), (1, 1)])
    func expiringGivesExactlyThatManyTokensWithinTenDays(gateways: Int, expiring: Int) {
        let days = (0..<gateways).map { Scenarios.manyTokenDays($0, gateways: gateways, expiring: expiring) }
        #expect(days.filter { $0 < 10 }.count == expiring)
        #expect(days.allSatisfy { (1...29).contains($0) && $0 != 10 })
    }

    @Test func expiringGatewaysAreSpreadOverTheNamespaces() {
        // Gateway g lives in namespace g % namespaces (Scenarios.seedMany).
        let perNamespace = Dictionary(grouping: (0..<200).filter { Scenarios.manyTokenDays($0, gateways: 200, expiring: 50) < 10 }) { $0 % 20 }
        #expect(perNamespace.count == 20 && perNamespace.values.allSatisfy { (2...3).contains($0.count) }, "\(perNamespace.mapValues(\.count))")
    }

    @Test func theDefaultSpreadIsUnchanged() {
        let days = (0..<200).map { Scenarios.manyTokenDays($0, gateways: 200, expiring: nil) }
        #expect(days == (0..<200).map { Double(1 + $0 % 29) })
        #expect(days.filter { $0 <= 7 }.count == 49)
    }

    @Test func expiringSeedsTheSecretsSo() async throws {
        let sandbox = try await TestSupport.start(.many) {
            $0.gateways = 40
            $0.namespaces = 4
            $0.expiring = 10
        }
        defer { Task { await sandbox.shutdown() } }
        let limit = Date().addingTimeInterval(10 * 86400)
        let expiries = (0..<40).compactMap { g in
            sandbox.tokenSigner(namespace: String(format: "gw-%03d", g % 4), secret: String(format: "gw-%04d-token", g), key: "value")?.expiresAt
        }
        #expect(expiries.count == 40)
        #expect(expiries.filter { $0 < limit }.count == 10)
        await #expect(throws: SandboxError.self) { try await Sandbox.start(SandboxOptions(scenario: .many, gateways: 4, expiring: 5)) }
        await #expect(throws: SandboxError.self) { try await Sandbox.start(SandboxOptions(clusters: 0)) }
    }
}
