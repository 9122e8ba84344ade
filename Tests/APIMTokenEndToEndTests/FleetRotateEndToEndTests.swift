import APIMTokenSandbox
import Foundation
import Testing

/// `rotate GATEWAY…` and `rotate -A` over many gateways of one cluster: exactly the expiring ones rotated, bounded
/// concurrency, a summary, and the most severe exit code.
@Suite(.serialized) struct FleetRotateEndToEndTests {
    /// 12 gateways in 4 namespaces whose tokens expire in 1…12 days.
    static func sandbox() async throws -> Sandbox {
        try await Sandbox.start(
            SandboxOptions(
                scenario: .many, gateways: 12, namespaces: 4, controller: ControllerOptions(podStartDelay: 0.2, stepInterval: 0.1)))
    }

    static func expiry(_ sandbox: Sandbox, _ gateway: String, namespace: String) -> Date? {
        sandbox.tokenSigner(namespace: namespace, secret: "\(gateway)-token", key: "value")?.expiresAt
    }

    @Test func allNamespacesRotatesExactlyTheExpiringGatewaysWithinTheParallelBound() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        // Each generateToken takes 1 s, so that concurrent pipelines overlap and show in the log.
        sandbox.inject(Fault(server: .arm, method: "POST", pathPattern: "*/generateToken", count: 100, action: .latency(seconds: 1)))
        let run = await E2E.plugin(sandbox, ["rotate", "-A", "--if-expires-within", "10d", "--parallel", "3", "-o", "json"], timeout: 300)
        #expect(run.status == 0, "\(run)")
        let results = try #require(run.json["results"] as? [[String: Any]], "\(run)")
        #expect(results.count == 12)
        let byGateway = Dictionary(uniqueKeysWithValues: results.map { ($0["gateway"] as? String ?? "", $0) })
        for g in 0..<12 {
            let name = String(format: "gw-%04d", g)
            let namespace = String(format: "gw-%03d", g % 4)
            // Tokens that expire in 1…10 days are inside the threshold; 11 and 12 are not.
            let expected = g < 10 ? "rotated" : "not-needed"
            #expect(byGateway[name]?["result"] as? String == expected, "\(name): \(String(describing: byGateway[name]))")
            #expect(byGateway[name]?["namespace"] as? String == namespace)
            if g < 10 { #expect((Self.expiry(sandbox, name, namespace: namespace)?.timeIntervalSinceNow ?? 0) > 28 * 86_400, "\(name)") }
        }
        #expect(E2E.generateTokenCalls(sandbox) == 10)
        // One sign-in for the whole run.
        #expect(sandbox.requestLog.filter { $0.server == .entra }.count == 1)
        // Concurrency from the log: no more than 3 generateToken requests arrive within any 0.9 s.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let arrivals = sandbox.requestLog.filter { $0.server == .arm && $0.path.hasSuffix("/generateToken") }.compactMap { formatter.date(from: $0.time) }
            .sorted()
        let busiest = arrivals.map { start in arrivals.filter { $0 >= start && $0.timeIntervalSince(start) < 0.9 }.count }.max() ?? 0
        #expect(busiest <= 3, "\(busiest) generateToken requests within 0.9 s")
        #expect(busiest >= 2, "the pipelines never overlapped")
        // Progress lines carry the gateway.
        #expect(run.stderr.contains("gw-000/gw-0000: Generating a token for gateway gw-0000"), "\(run.stderr)")
    }

    @Test func namedGatewaysOnlyAndTheWorstExitCodeWins() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        // gw-0001's restart is forbidden: exit 6 for it; gw-0002 rotates; the summary says both.
        sandbox.inject(
            Fault(server: .kubernetes, method: "PATCH", pathPattern: "*/deployments/gw-0001", count: 1, action: .respond(status: 403, headers: [:], body: nil)))
        let run = await E2E.plugin(sandbox, ["rotate", "-A", "gw-0001", "gw-0002"], timeout: 300)
        #expect(run.status == 6, "\(run)")
        #expect(run.stdout.contains("NAMESPACE"), "\(run)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("gw-0001") && $0.contains("failed") }, "\(run)")
        #expect(lines.contains { $0.contains("gw-0002") && $0.contains("rotated") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("gw-001/gw-0001: the Secret holds the new token") }, "\(run)")
        #expect(E2E.generateTokenCalls(sandbox) == 2)

        let unknown = await E2E.plugin(sandbox, ["rotate", "-A", "gw-9999"])
        #expect(unknown.status == 2, "\(unknown)")
        #expect(unknown.stderr.contains("no gateway named gw-9999"), "\(unknown)")
        let conflicting = await E2E.plugin(sandbox, ["rotate", "-A", "-t", "gw-0001-token"])
        #expect(conflicting.status == 2 && conflicting.stderr.contains("-t/--token-secret names one gateway"), "\(conflicting)")
    }

    @Test func withoutNamesOrAllSeveralGatewaysSuggestBoth() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let run = await E2E.plugin(sandbox, ["rotate", "-n", "gw-000"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains("several gateways in namespace \"gw-000\""), "\(run)")
        #expect(run.stderr.contains("take every one with -A"), "\(run)")
        #expect(E2E.generateTokenCalls(sandbox) == 0)
    }

    @Test func aSignalDuringAFleetRunSaysWhatEachGatewayDidAndTheReRunFinishes() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        // The second generateToken is held: one gateway is written and restarting, another waits on Azure.
        sandbox.inject(Fault(server: .arm, method: "POST", pathPattern: "*/generateToken", count: 1, action: .hold, skip: 1))
        let arguments = ["rotate", "-A", "gw-0000", "gw-0001", "--parallel", "2"]
        let running = try E2E.start(sandbox, arguments)
        let held = await sandbox.wait(timeout: 30) { sandbox.requestLog.contains { ($0.fault ?? "").hasPrefix("hold") } }
        #expect(held)
        running.signal(SIGTERM)
        let run = await running.wait()
        #expect(run.status == 143, "\(run)")
        #expect(
            run.stderr.contains("error: interrupted by SIGTERM: \n  gw-000/gw-0000: ")
                || run.stderr.contains("error: interrupted by SIGTERM: \n  gw-001/gw-0001: "), "\(run)")
        #expect(run.stderr.contains("gw-000/gw-0000: done: ") && run.stderr.contains("gw-001/gw-0001: done: "), "\(run)")
        sandbox.clearFaults()
        let rerun = await E2E.plugin(sandbox, arguments + ["-o", "json"], timeout: 300)
        #expect(rerun.status == 0, "\(rerun)")
        let results = (rerun.json["results"] as? [[String: Any]] ?? []).compactMap { $0["result"] as? String }
        #expect(results.count == 2 && results.allSatisfy { $0 == "rotated" || $0 == "restarted-only" }, "\(rerun)")
        #expect(E2E.generateTokenCalls(sandbox) <= 4)
    }
}
