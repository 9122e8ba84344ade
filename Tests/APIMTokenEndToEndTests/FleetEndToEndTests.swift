import APIMTokenSandbox
import Foundation
import Testing

/// Commands over several clusters of one kubeconfig (`--contexts`, `--all-contexts`) against a sandbox of three
/// clusters sharing one Azure: the fleet-safe `switch-key`, `rotate` and `status`.
@Suite(.serialized) struct FleetEndToEndTests {
    static func fleet(_ clusters: Int = 3) async throws -> Sandbox {
        try await Sandbox.start(
            SandboxOptions(scenario: .demo, controller: ControllerOptions(podStartDelay: 0.2, stepInterval: 0.1), clusters: clusters))
    }

    static let switchArguments = ["switch-key", "-g", "demo", "--all-contexts", "--regenerate-old", "--yes"]

    /// Applied `regenerateKey` calls: answered, or held after being applied.
    static func regenerations(_ sandbox: Sandbox) -> [RequestLogEntry] {
        sandbox.requestLog.filter {
            $0.server == .arm && $0.path.hasSuffix("/regenerateKey") && ($0.fault == nil ? $0.status < 300 : $0.fault!.hasPrefix("hold"))
        }
    }

    /// The demo gateway's token key in every cluster, and whether its switch markers are gone.
    static func keys(_ sandbox: Sandbox) -> [String] {
        sandbox.clusters.map { cluster in
            let annotations = cluster.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")?[path: ["metadata", "annotations"]]
            let marker = annotations?["apimtoken.kubectl-plugin/regenerate-pending"] != nil ? "+marker" : ""
            return (cluster.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")?.key?.rawValue ?? "none") + marker
        }
    }

    /// Watches every gateway pod of every cluster until cancelled; returns each pod that was authenticated and later
    /// was not while it still existed.
    static func watchAuthentication(_ sandbox: Sandbox) -> Task<[String], Never> {
        Task {
            var authenticated = Set<String>()
            var lost = Set<String>()
            while !Task.isCancelled {
                for (index, cluster) in sandbox.clusters.enumerated() {
                    for pod in cluster.pods(namespace: "apim") where pod.name.hasPrefix("demo") {
                        let name = "cluster \(index + 1) \(pod.name)"
                        if pod.authenticated == true { authenticated.insert(name) }
                        if pod.authenticated == false, authenticated.contains(name) { lost.insert("\(name) (\(pod.reason ?? "?"))") }
                    }
                }
                try? await Task.sleep(for: .milliseconds(25))
            }
            return lost.sorted()
        }
    }

    // MARK: switch-key

    @Test func everyClusterSwitchesAndTheOldKeyIsRegeneratedOnceAfterTheLastRollout() async throws {
        let sandbox = try await Self.fleet()
        defer { Task { await sandbox.shutdown() } }
        #expect(Self.keys(sandbox) == ["primary", "primary", "primary"])
        let watcher = Self.watchAuthentication(sandbox)
        let run = await E2E.plugin(sandbox, Self.switchArguments + ["-o", "json"])
        // Pods are checked against the keys a little while longer: a regeneration before a rollout shows up late.
        try await Task.sleep(for: .seconds(2))
        watcher.cancel()
        let lost = await watcher.value

        #expect(run.status == 0, "\(run)")
        #expect(lost.isEmpty, "pods lost authentication: \(lost)")
        #expect(run.json["regeneration"] as? String == "regenerated", "\(run)")
        let clusters = try #require(run.json["clusters"] as? [[String: Any]], "\(run)")
        #expect(clusters.compactMap { $0["context"] as? String } == ["apimtoken-sandbox", "apimtoken-sandbox-2", "apimtoken-sandbox-3"])
        #expect(clusters.allSatisfy { $0["result"] as? String == "switched" && $0["key"] as? String == "secondary" }, "\(clusters)")
        #expect(run.stderr.contains("the same Secret as context apimtoken-sandbox"), "the token context is the same cluster: \(run)")
        #expect(Self.keys(sandbox) == ["secondary", "secondary", "secondary"])

        // Once, and after every cluster's last look at its rollout.
        let regenerations = Self.regenerations(sandbox)
        #expect(regenerations.count == 1, "\(regenerations)")
        for (index, cluster) in sandbox.clusters.enumerated() {
            let lastRolloutRead = cluster.requestLog.last { $0.method == "GET" && $0.path.hasSuffix("/deployments/demo") }
            #expect(
                (lastRolloutRead?.time ?? "~") < (regenerations.first?.time ?? ""),
                "cluster \(index + 1): rollout read at \(lastRolloutRead?.time ?? "never"), regenerated at \(regenerations.first?.time ?? "never")")
        }
        let listKeys = sandbox.requestLog.filter { $0.server == .arm && $0.path.hasSuffix("/listKeys") }
        #expect(listKeys.count == 1, "the fingerprint is taken once, before any write")
        #expect(!run.stdout.contains(sandbox.azure.clientSecret) && !run.stderr.contains("GatewayKey "), "no secret in the output")
    }

    @Test func anUnreachableClusterAndAStuckRolloutWithholdTheRegeneration() async throws {
        let sandbox = try await Self.fleet()
        defer { Task { await sandbox.shutdown() } }
        let (second, third) = (sandbox.clusters[1], sandbox.clusters[2])
        second.setNeverReady(kind: "Deployment", namespace: "apim", name: "demo")
        await third.stopAPIServer()

        let run = await E2E.plugin(sandbox, Self.switchArguments + ["--timeout", "5s", "--request-timeout", "5s"])
        #expect(run.status == 7, "the stuck rollout (7) outranks the unreachable cluster (5): \(run)")
        #expect(Self.regenerations(sandbox).isEmpty, "no regenerateKey while a cluster has not finished")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("CONTEXT") == true, "\(run)")
        #expect(lines.contains { $0.hasPrefix("apimtoken-sandbox ") && $0.contains("switched") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("apimtoken-sandbox-2 ") && $0.contains("failed") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("apimtoken-sandbox-3 ") && $0.contains("unreachable") }, "\(run)")
        #expect(
            run.stdout.contains("was NOT regenerated") && run.stdout.contains("apimtoken-sandbox-2") && run.stdout.contains("apimtoken-sandbox-3"), "\(run)")
        #expect(Self.keys(sandbox)[0] == "secondary+marker" && Self.keys(sandbox)[2] == "primary", "\(Self.keys(sandbox))")

        // Fixed: the re-run switches what is left, and regenerates once.
        second.setNeverReady(kind: "Deployment", namespace: "apim", name: "demo", false)
        try await third.startAPIServer()
        let rerun = await E2E.plugin(sandbox, Self.switchArguments + ["-o", "json"])
        #expect(rerun.status == 0, "\(rerun)")
        #expect(rerun.json["regeneration"] as? String == "regenerated", "\(rerun)")
        #expect(Self.regenerations(sandbox).count == 1)
        #expect(Self.keys(sandbox) == ["secondary", "secondary", "secondary"])
        #expect(E2E.generateTokenCalls(sandbox) == 3, "cluster 1 was not switched a second time")
    }

    /// Where a run is killed: the `skip`-th request of `method` in a cluster (0-based), or an ARM call.
    enum Boundary: CustomTestStringConvertible, Sendable {
        case cluster(Int, method: String, skip: Int)
        case arm(String, skip: Int)

        var testDescription: String {
            switch self {
            case .cluster(let index, let method, let skip): "cluster \(index + 1), \(method) #\(skip + 1)"
            case .arm(let call, let skip): "ARM \(call) #\(skip + 1)"
            }
        }

        /// Every write of every cluster (Secret, restart, Event, marker removal) and every key call.
        static let all: [Boundary] =
            (0..<3).flatMap { index in
                [.cluster(index, method: "PATCH", skip: 0), .cluster(index, method: "PATCH", skip: 1), .cluster(index, method: "PATCH", skip: 2)]
                    + [.cluster(index, method: "POST", skip: 0)]
            } + [.arm("listKeys", skip: 0), .arm("generateToken", skip: 0), .arm("generateToken", skip: 2), .arm("regenerateKey", skip: 0)]
    }

    @Test(arguments: Boundary.all)
    func aKillAtAStepBoundaryThenAReRunConvergesAndRegeneratesOnce(_ boundary: Boundary) async throws {
        let sandbox = try await Self.fleet()
        defer { Task { await sandbox.shutdown() } }
        let target: Sandbox
        switch boundary {
        case .cluster(let index, let method, let skip):
            target = sandbox.clusters[index]
            target.inject(Fault(server: .kubernetes, method: method, pathPattern: "*", count: 1, action: .hold, skip: skip, afterApplying: true))
        case .arm(let call, let skip):
            target = sandbox
            target.inject(Fault(server: .arm, method: "POST", pathPattern: "*/\(call)", count: 1, action: .hold, skip: skip, afterApplying: true))
        }
        let running = try E2E.start(sandbox, Self.switchArguments)
        let isHeld: @Sendable () -> Bool = { target.requestLog.contains { ($0.fault ?? "").hasPrefix("hold") } }
        _ = await sandbox.wait(timeout: 90) { isHeld() || !running.isRunning }
        guard isHeld() else {
            // Every boundary of the list is a request that every run makes.
            Issue.record("\(boundary.testDescription): the run made no such request: \(await running.wait())")
            return
        }
        running.signal(SIGKILL)
        _ = await running.wait()
        target.clearFaults()
        let regeneratedBeforeKill = Self.regenerations(sandbox).count == 1

        let rerun = await E2E.plugin(sandbox, Self.switchArguments + ["-o", "json"])
        #expect(rerun.status == 0, "\(boundary.testDescription): \(rerun)")
        #expect(Self.regenerations(sandbox).count == 1, "\(boundary.testDescription): \(Self.regenerations(sandbox).count) regenerations")
        #expect(Self.keys(sandbox) == ["secondary", "secondary", "secondary"], "\(boundary.testDescription): \(Self.keys(sandbox))")
        // Killed after the regeneration (while removing the markers, or before its answer): the fingerprint tells.
        let expected = regeneratedBeforeKill ? "regenerated by an earlier run" : "regenerated"
        #expect(rerun.json["regeneration"] as? String == expected, "\(boundary.testDescription): \(rerun)")
        if case .arm("regenerateKey", _) = boundary { #expect(regeneratedBeforeKill) }
        let settled = await sandbox.wait(timeout: 10) {
            sandbox.clusters.allSatisfy { $0.pods(namespace: "apim").filter { $0.name.hasPrefix("demo") }.allSatisfy { $0.authenticated == true } }
        }
        #expect(settled, "\(boundary.testDescription): every pod authenticates with the new key")
    }

    @Test func aOneClusterSwitchAfterAFleetSwitchLeavesNoStaleFingerprintAndTheFleetFinishesIt() async throws {
        let sandbox = try await Self.fleet(2)
        defer { Task { await sandbox.shutdown() } }
        let annotations = { (cluster: Sandbox) in
            cluster.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")?[path: ["metadata", "annotations"]]
        }
        let first = await E2E.plugin(sandbox, Self.switchArguments)
        #expect(first.status == 0, "\(first)")
        #expect(annotations(sandbox.clusters[1])?["apimtoken.kubectl-plugin/regenerate-fingerprint"] != nil, "the finished switch's record")

        // A switch of cluster 2 alone, killed before its regenerateKey: its marker names the secondary key, and the
        // fleet's old fingerprint (of the primary key's former value) must not stay beside it.
        sandbox.inject(Fault(server: .arm, method: "POST", pathPattern: "*/regenerateKey", count: 1, action: .hold))
        let single = try E2E.start(sandbox, ["switch-key", "--context", "apimtoken-sandbox-2", "-n", "apim", "--regenerate-old", "--yes"])
        #expect(await sandbox.wait(timeout: 60) { sandbox.requestLog.contains { ($0.fault ?? "").hasPrefix("hold") } })
        single.signal(SIGKILL)
        _ = await single.wait()
        sandbox.clearFaults()
        #expect(annotations(sandbox.clusters[1])?["apimtoken.kubectl-plugin/regenerate-pending"]?.stringValue == "secondary")
        #expect(annotations(sandbox.clusters[1])?["apimtoken.kubectl-plugin/regenerate-fingerprint"] == nil)

        // The fleet finishes that switch: cluster 1 follows to the primary key, and the secondary key is regenerated.
        let rerun = await E2E.plugin(sandbox, Self.switchArguments + ["-o", "json"])
        #expect(rerun.status == 0, "\(rerun)")
        #expect(rerun.json["regeneration"] as? String == "regenerated" && rerun.json["from"] as? String == "secondary", "\(rerun)")
        let answered = sandbox.requestLog.filter { $0.server == .arm && $0.path.hasSuffix("/regenerateKey") && $0.fault == nil && $0.status < 300 }
        #expect(answered.count == 2, "primary once, then secondary once (the held call was never applied)")
        #expect(Self.keys(sandbox) == ["primary", "primary"])
        let settled = await sandbox.wait(timeout: 10) {
            sandbox.clusters.allSatisfy { $0.pods(namespace: "apim").filter { $0.name.hasPrefix("demo") }.allSatisfy { $0.authenticated == true } }
        }
        #expect(settled, "every pod authenticates with the primary key's new value")
    }

    @Test func aDifferentInstanceOrAMissingGatewayIsNotPartOfTheFleet() async throws {
        let sandbox = try await Self.fleet(2)
        defer { Task { await sandbox.shutdown() } }
        let wrongInstance = await E2E.plugin(sandbox, Self.switchArguments + ["-a", "other-apim"])
        #expect(wrongInstance.status == 2 && wrongInstance.stderr.contains("runs gateway demo of APIM instance other-apim"), "\(wrongInstance)")
        let noGateway = await E2E.plugin(sandbox, ["switch-key", "--all-contexts", "--yes"], env: ["APIM_GATEWAY": nil])
        #expect(noGateway.status == 2 && noGateway.stderr.contains("-g/--apim-gateway"), "\(noGateway)")
        let secretFlag = await E2E.plugin(sandbox, Self.switchArguments + ["-t", "demo-token"])
        #expect(secretFlag.status == 2 && secretFlag.stderr.contains("-t/--token-secret names one cluster"), "\(secretFlag)")
        let noTTY = await E2E.plugin(sandbox, ["switch-key", "-g", "demo", "--all-contexts"])
        #expect(noTTY.status == 2 && noTTY.stderr.contains("pass --yes"), "\(noTTY)")
        #expect(noTTY.stderr.contains("apimtoken-sandbox-2") && noTTY.stderr.contains("CONTEXT"), "the clusters found are listed first: \(noTTY)")
        #expect(E2E.generateTokenCalls(sandbox) == 0 && Self.keys(sandbox) == ["primary", "primary"], "nothing changed")
    }

    // MARK: rotate and status

    @Test func rotateOverEveryContextRotatesEachClustersGatewayAndReportsAnUnreachableOne() async throws {
        let sandbox = try await Self.fleet()
        defer { Task { await sandbox.shutdown() } }
        await sandbox.clusters[2].stopAPIServer()
        let run = await E2E.plugin(
            sandbox, ["rotate", "--contexts", "apimtoken-sandbox,apimtoken-sandbox-2,apimtoken-sandbox-3", "-o", "json", "--request-timeout", "5s"])
        #expect(run.status == 5, "\(run)")
        let results = try #require(run.json["results"] as? [[String: Any]], "\(run)")
        #expect(
            results.map { "\($0["context"] as? String ?? "?")/\($0["gateway"] as? String ?? "?")" } == ["apimtoken-sandbox/demo", "apimtoken-sandbox-2/demo"])
        #expect(results.allSatisfy { $0["result"] as? String == "rotated" }, "\(results)")
        let errors = try #require(run.json["errors"] as? [[String: Any]], "\(run)")
        #expect(errors.compactMap { $0["context"] as? String } == ["apimtoken-sandbox-3"] && errors.first?["exitCode"] as? Int == 5, "\(errors)")
        #expect(E2E.generateTokenCalls(sandbox) == 2)

        try await sandbox.clusters[2].startAPIServer()
        let all = await E2E.plugin(sandbox, ["rotate", "--all-contexts", "-A", "--if-expires-within", "10d"])
        #expect(all.status == 0, "\(all)")
        let lines = all.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("CONTEXT") == true, "\(all)")
        #expect(lines.contains { $0.hasPrefix("apimtoken-sandbox-3 ") && $0.contains(" demo ") }, "\(all)")
        #expect(lines.contains { $0.hasPrefix("apimtoken-sandbox-2 ") && $0.contains(" demo ") && $0.contains("not-needed") }, "fresh tokens stay: \(all)")
        #expect(!lines.contains { $0.hasPrefix("apimtoken-sandbox-token ") }, "the token context is cluster 1 again: \(all)")
        #expect(all.stderr.contains("context apimtoken-sandbox-token: the same cluster"), "\(all)")
    }

    @Test func statusOverThreeClustersWithOneUnreachable() async throws {
        let sandbox = try await Self.fleet()
        defer { Task { await sandbox.shutdown() } }
        await sandbox.clusters[1].stopAPIServer()
        let run = await E2E.plugin(sandbox, ["status", "--all-contexts", "-n", "apim", "-o", "json", "--request-timeout", "5s"])
        #expect(run.status == 5, "\(run)")
        let gateways = try #require(run.json["gateways"] as? [[String: Any]], "\(run)")
        #expect(Set(gateways.compactMap { $0["context"] as? String }) == ["apimtoken-sandbox", "apimtoken-sandbox-token", "apimtoken-sandbox-3"])
        let errors = try #require(run.json["errors"] as? [[String: Any]], "\(run)")
        #expect(errors.compactMap { $0["context"] as? String } == ["apimtoken-sandbox-2"], "\(errors)")
    }
}
