import APIMTokenSandbox
import Foundation
import Testing

/// `status` of the built binary against the sandbox.
@Suite(.serialized) struct StatusEndToEndTests {
    @Test func theDemoScenarioShowsBothTokenGatewaysAndTheEntraOne() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let run = await E2E.plugin(sandbox, ["status", "-A", "-o", "json"])
        #expect(run.status == 0, "\(run)")
        let gateways = run.json["gateways"] as? [[String: Any]] ?? []
        #expect(gateways.map { $0["gateway"] as? String } == ["demo", "entra", "edge"])
        let demo = try #require(gateways.first)
        #expect(demo["namespace"] as? String == "apim")
        #expect(demo["workload"] as? String == "deployment/demo")
        #expect((demo["secret"] as? [String: Any])?["name"] as? String == "demo-token")
        #expect((demo["secret"] as? [String: Any])?["key"] as? String == "value")
        let token = try #require(demo["token"] as? [String: Any])
        let signer = try #require(sandbox.tokenSigner(namespace: "apim", secret: "demo-token", key: "value"))
        #expect(token["expiresAt"] as? String == ISO8601DateFormatter().string(from: signer.expiresAt))
        #expect(token["state"] as? String == "valid")
        #expect(token["gatewayId"] as? String == "demo")
        // Absent facts are null, never omitted.
        #expect(
            demo.keys.sorted() == [
                "auth", "cronJob", "gateway", "lastUsedKey", "namespace", "owner", "restartPending", "rotatedAt", "secret", "token", "workload",
            ])
        #expect(demo["cronJob"] is NSNull)
        #expect(demo["owner"] is NSNull)
        let entra = gateways[1]
        #expect(entra["auth"] as? String == "entra")
        #expect(entra["token"] is NSNull)
        let edge = gateways[2]
        #expect((edge["secret"] as? [String: Any])?["key"] as? String == "gateway-key")
        #expect(edge["workload"] as? String == "statefulset/edge-azure-api-management-gateway")
        // Nothing was written while looking.
        #expect(E2E.requests(sandbox, .kubernetes).allSatisfy { $0.hasPrefix("GET") })
        let lists = sandbox.requestLog.filter { $0.server == .kubernetes && !$0.path.contains("/namespaces/") }
        #expect(lists.count <= 4, "\(lists.map(\.path))")
    }

    @Test func aTokenInsideWarnWithinIsExitEightAndYAMLIsTheSameDocument() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let run = await E2E.plugin(sandbox, ["status", "-n", "apim", "--warn-within", "40d", "-o", "yaml"])
        #expect(run.status == 8, "\(run)")
        #expect(run.stdout.contains("state: expiring"))
        #expect(run.stdout.contains("cronJob: null"))
    }

    @Test func anExpiredTokenIsExitNine() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let expired = try #require(sandbox.makeGatewayToken(gateway: "demo", expiry: Date().addingTimeInterval(-3600)))
        try Self.setSecret(sandbox, "apim", "demo-token", "value", "GatewayKey " + expired)
        let run = await E2E.plugin(sandbox, ["status", "demo", "-n", "apim"])
        #expect(run.status == 9, "\(run)")
        #expect(run.stdout.contains("expired"))
        #expect(!run.stdout.contains(expired))
    }

    @Test func aPodOlderThanTheSecretIsRestartPending() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        // The demo pods must be running before the Secret changes, and a whole second older than the write (pod
        // start times have seconds): on a busy machine the pods may start late.
        let running = await sandbox.wait(timeout: 30) {
            let pods = sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }
            return !pods.isEmpty && pods.allSatisfy { $0.ready && ($0.startTime.map { Date().timeIntervalSince($0) > 2 } ?? false) }
        }
        #expect(running, "\(sandbox.pods(namespace: "apim"))")
        let fresh = try #require(sandbox.makeGatewayToken(gateway: "demo", expiry: Date().addingTimeInterval(20 * 86_400)))
        try Self.setSecret(sandbox, "apim", "demo-token", "value", "GatewayKey " + fresh)
        let run = await E2E.plugin(sandbox, ["status", "-n", "apim", "-o", "json"])
        #expect(run.status == 9, "\(run)")
        let demo = (run.json["gateways"] as? [[String: Any]])?.first
        #expect(demo?["restartPending"] as? Bool == true)
    }

    @Test func kubectlRunsThePluginWithTheSameResult() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        guard let binary = E2E.binary else { return }
        let bin = E2E.freshDirectory("bin")
        try FileManager.default.createSymbolicLink(atPath: bin + "/kubectl-apimtoken", withDestinationPath: binary)
        var env = E2E.environment(sandbox)
        env["PATH"] = bin + ":" + (env["PATH"] ?? "")
        let direct = await E2E.run([binary, "status", "-A", "-o", "json"], environment: env)
        let viaKubectl = await E2E.run(["/usr/bin/kubectl", "apimtoken", "status", "-A", "-o", "json"], environment: env)
        #expect(viaKubectl.status == 0, "\(viaKubectl)")
        func stable(_ run: Run) -> [String] {
            (run.json["gateways"] as? [[String: Any]] ?? []).map {
                "\($0["namespace"] ?? "")/\($0["gateway"] ?? "")/\(($0["token"] as? [String: Any])?["expiresAt"] ?? "-")"
            }
        }
        #expect(stable(direct) == stable(viaKubectl))
        #expect(stable(direct).count == 3)

        let since = Date()
        let rotated = await E2E.run(["/usr/bin/kubectl", "apimtoken", "rotate", "-n", "apim", "-k", "secondary", "-o", "json"], environment: env)
        #expect(rotated.status == 0, "\(rotated)")
        #expect(rotated.json["key"] as? String == "secondary")
        await RotateEndToEndTests.verifyRotated(sandbox, key: .secondary, since: since)
    }

    @Test func theInstalledCronJobIsShownWithItsNextRunInItsTimeZone() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        _ = try sandbox.put([
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": ["name": "apimtoken-demo", "namespace": "apim", "labels": ["apimtoken.kubectl-plugin/secret": "demo-token"]],
            "spec": [
                "schedule": "30 2 * * *", "timeZone": "Europe/Berlin", "suspend": false,
                "jobTemplate": ["spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "rotate", "image": "kubectl-apimtoken"]]]]]],
            ],
        ])
        let run = await E2E.plugin(sandbox, ["status", "demo", "-n", "apim", "-o", "json"])
        #expect(run.status == 0, "\(run)")
        let cronJob = try #require((run.json["gateways"] as? [[String: Any]])?.first?["cronJob"] as? [String: Any])
        #expect(cronJob["name"] as? String == "apimtoken-demo")
        #expect(cronJob["schedule"] as? String == "30 2 * * *")
        #expect(cronJob["timeZone"] as? String == "Europe/Berlin")
        #expect(cronJob["suspended"] as? Bool == false)
        // The next 02:30 in Berlin, computed here with Foundation's calendar.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Europe/Berlin"))
        let next = try #require(calendar.nextDate(after: Date(), matching: DateComponents(hour: 2, minute: 30), matchingPolicy: .nextTime))
        #expect(cronJob["nextRun"] as? String == ISO8601DateFormatter().string(from: next))
        let table = await E2E.plugin(sandbox, ["status", "-n", "apim"])
        #expect(table.stdout.contains("apimtoken-demo"))
    }

    static func setSecret(_ sandbox: Sandbox, _ namespace: String, _ name: String, _ key: String, _ value: String) throws {
        guard var secret = sandbox.object(apiVersion: "v1", kind: "Secret", namespace: namespace, name: name) else {
            throw E2EError("no secret \(namespace)/\(name)")
        }
        secret.set(["data", key], .string(Data(value.utf8).base64EncodedString()))
        _ = try sandbox.put(secret)
    }
}
