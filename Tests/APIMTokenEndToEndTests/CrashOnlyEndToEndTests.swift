import APIMTokenSandbox
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built binary against the sandbox under the faults that matter in production: a kill at every request, lost
/// write responses, API server outages, SIGINT and SIGTERM, Secrets that another system owns, and a switch-key killed
/// before it regenerates. Each ends in a state that a re-run of the same command completes.
@Suite(.serialized) struct CrashOnlyEndToEndTests {
    /// The demo gateway's state after a finished rotation: a valid token for `demo` in the Secret, every pod started
    /// after the Secret's last write, Ready and authenticated, and the Deployment's rollout complete.
    static func verifyConverged(_ sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) async {
        let signer = sandbox.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")
        #expect(signer?.gateway == "demo", sourceLocation: sourceLocation)
        #expect((signer?.expiresAt.timeIntervalSinceNow ?? 0) > 20 * 86_400, sourceLocation: sourceLocation)
        let rotatedAt = sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")?[
            path: ["metadata", "annotations", "apimtoken.kubectl-plugin/rotated-at"]]?.stringValue.flatMap(Self.parse)
        #expect(rotatedAt != nil, sourceLocation: sourceLocation)
        let settled = await sandbox.wait(timeout: 30) {
            let pods = sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }
            return !pods.isEmpty
                && pods.allSatisfy {
                    $0.ready && $0.authenticated == true && ($0.startTime ?? .distantPast).addingTimeInterval(1) > (rotatedAt ?? .distantFuture)
                }
        }
        #expect(settled, "demo pods: \(sandbox.pods(namespace: "apim")); rotated at \(String(describing: rotatedAt))", sourceLocation: sourceLocation)
        let deployment = sandbox.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "apim", name: "demo")
        let wanted = deployment?[path: ["spec", "replicas"]]?.intValue ?? 1
        #expect(deployment?[path: ["status", "updatedReplicas"]]?.intValue == wanted, sourceLocation: sourceLocation)
        #expect(deployment?[path: ["status", "availableReplicas"]]?.intValue == wanted, sourceLocation: sourceLocation)
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)
    }

    /// Sets the demo Secret's token to one that expires in `days` days, written by this tool `writtenDaysAgo` ago.
    static func seedToken(_ sandbox: Sandbox, expiresInDays days: Double) throws {
        let token = try #require(sandbox.makeGatewayToken(gateway: "demo", expiry: Date().addingTimeInterval(days * 86_400)))
        var secret = try #require(sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token"))
        secret.set(["data", "value"], .string(Data("GatewayKey \(token)".utf8).base64EncodedString()))
        _ = try sandbox.put(secret)
    }

    /// Writes (applied) to the demo Secret's data: how many tokens were written.
    static func appliedSecretWrites(_ sandbox: Sandbox) -> Int {
        sandbox.requestLog.filter {
            $0.server == .kubernetes && $0.method == "PATCH" && $0.path.hasSuffix("/secrets/demo-token")
                && ($0.status == 200 || ($0.fault ?? "").contains("after applying (200)"))
        }.count
    }

    // MARK: Kill matrix

    @Test(arguments: [false, true])
    func aKillAtEveryRequestThenAReRunConverges(ifExpiresWithin: Bool) async throws {
        let arguments = ["rotate", "-n", "apim"] + (ifExpiresWithin ? ["--if-expires-within", "10d"] : [])
        // Count the requests of an undisturbed run.
        let reference = try await E2E.sandbox()
        if ifExpiresWithin { try Self.seedToken(reference, expiresInDays: 5) }
        let clean = await E2E.plugin(reference, arguments)
        #expect(clean.status == 0, "\(clean)")
        let count = reference.requestLog.count
        await reference.shutdown()
        #expect(count >= 7, "an undisturbed rotate made \(count) requests")

        for k in 1...count {
            let sandbox = try await E2E.sandbox()
            if ifExpiresWithin { try Self.seedToken(sandbox, expiresInDays: 5) }
            // Request k is handled (a write is committed), then held unanswered until the kill.
            sandbox.inject(Fault(pathPattern: "*", count: 1, action: .hold, skip: k - 1, afterApplying: true))
            let running = try E2E.start(sandbox, arguments)
            let isHeld: @Sendable () -> Bool = { sandbox.requestLog.contains { ($0.fault ?? "").hasPrefix("hold") } }
            _ = await sandbox.wait(timeout: 60) { isHeld() || !running.isRunning }
            let entry = sandbox.requestLog.first { ($0.fault ?? "").hasPrefix("hold") }
            if isHeld() {
                running.signal(SIGKILL)
                let killed = await running.wait()
                #expect(killed.status == 128 + SIGKILL, "k=\(k): \(killed)")
            } else {
                // The rollout wait polls as often as the rollout takes, so a run can make fewer requests than the
                // reference run did: then there is no k-th request to kill at, and the run must simply have finished.
                let finished = await running.wait()
                let made = sandbox.requestLog.count
                #expect(finished.status == 0 && made < k, "k=\(k): nothing held after \(made) requests: \(finished)")
                #expect(sandbox.requestLog.contains { $0.method == "GET" && $0.path.hasSuffix("/deployments/demo") }, "only wait polls may vary")
            }
            sandbox.clearFaults()

            let rerun = await E2E.plugin(sandbox, arguments)
            #expect(rerun.status == 0, "k=\(k), killed at \(entry.map { "\($0.method) \($0.path)" } ?? "?"): \(rerun)")
            await Self.verifyConverged(sandbox)
            #expect(E2E.generateTokenCalls(sandbox) <= 2, "k=\(k): \(E2E.generateTokenCalls(sandbox)) generateToken calls")
            await sandbox.shutdown()
        }
    }

    // MARK: Lost responses

    enum Loss: String, CaseIterable { case status500RetryAfter, status503, droppedConnection }

    static func lostResponse(_ loss: Loss, path: String) -> Fault {
        switch loss {
        case .status500RetryAfter: Fault.lostResponse(method: "PATCH", pathPattern: path, status: 500, headers: ["Retry-After": "1"])
        case .status503: Fault.lostResponse(method: "PATCH", pathPattern: path, status: 503)
        case .droppedConnection: Fault.lostResponse(method: "PATCH", pathPattern: path, status: nil)
        }
    }

    @Test(arguments: Loss.allCases)
    func aLostSecretWriteResponseIsOurTokenAndTheWorkloadsAreRestarted(loss: Loss) async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.inject(Self.lostResponse(loss, path: "*/secrets/demo-token"))
        let run = await E2E.plugin(sandbox, ["rotate", "-n", "apim", "-o", "json"])
        #expect(run.status == 0, "\(run)")
        #expect(run.json["result"] as? String == "rotated", "\(run)")
        #expect(run.json["restarted"] as? [String] == ["deployment/demo"], "\(run)")
        #expect(run.json["rollout"] as? String == "complete", "\(run)")
        #expect(!run.stderr.contains("another run"), "\(run)")
        #expect(E2E.generateTokenCalls(sandbox) == 1)
        #expect(Self.appliedSecretWrites(sandbox) == 1, "\(E2E.requests(sandbox, .kubernetes))")
        await Self.verifyConverged(sandbox)
    }

    @Test(arguments: Loss.allCases)
    func aLostRestartResponseStillEndsRolledOut(loss: Loss) async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.inject(Self.lostResponse(loss, path: "*/deployments/demo"))
        let run = await E2E.plugin(sandbox, ["rotate", "-n", "apim", "-o", "json"])
        #expect(run.status == 0, "\(run)")
        #expect(run.json["result"] as? String == "rotated", "\(run)")
        #expect(run.json["rollout"] as? String == "complete", "\(run)")
        #expect(E2E.generateTokenCalls(sandbox) == 1)
        #expect(Self.appliedSecretWrites(sandbox) == 1)
        await Self.verifyConverged(sandbox)
    }

    // MARK: Outages

    /// Starts a rotation and, once its restart is sent, takes the API server away.
    static func outageDuringTheWait(_ sandbox: Sandbox, seconds: Double, arguments: [String]) async throws -> Run {
        let running = try E2E.start(sandbox, arguments)
        let restarted = await sandbox.wait(timeout: 30) {
            sandbox.requestLog.contains { $0.method == "PATCH" && $0.path.hasSuffix("/deployments/demo") && $0.status == 200 }
        }
        #expect(restarted)
        sandbox.inject(Fault.outage(server: .kubernetes, seconds: seconds))
        return await running.wait()
    }

    @Test func aThreeSecondOutageDuringTheWaitIsWaitedOut() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let run = try await Self.outageDuringTheWait(sandbox, seconds: 3, arguments: ["rotate", "-n", "apim"])
        #expect(run.status == 0, "\(run)")
        #expect(sandbox.requestLog.contains { ($0.fault ?? "").hasPrefix("reset") }, "the outage never met a request")
        await Self.verifyConverged(sandbox)
    }

    @Test func anEndlessOutageDuringTheWaitIsExitSevenAfterTheTimeout() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let started = Date()
        let run = try await Self.outageDuringTheWait(sandbox, seconds: 600, arguments: ["rotate", "-n", "apim", "--timeout", "5s"])
        #expect(run.status == 7, "\(run)")
        #expect(Date().timeIntervalSince(started) < 40)
        #expect(run.stderr.contains("the Secret holds the new token"), "\(run)")
        #expect(!run.stderr.lowercased().contains("nothing changed") && !run.stderr.lowercased().contains("nothing was changed"), "\(run)")
        sandbox.clearFaults()
        let rerun = await E2E.plugin(sandbox, ["rotate", "-n", "apim", "--if-expires-within", "10d"])
        #expect(rerun.status == 0, "\(rerun)")
        await Self.verifyConverged(sandbox)
    }

    @Test func aRolloutThatTimesOutIsExitSevenWithAWarningEvent() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.setNeverReady(kind: "Deployment", namespace: "apim", name: "demo")
        let run = await E2E.plugin(sandbox, ["rotate", "-n", "apim", "--timeout", "3s"])
        #expect(run.status == 7, "\(run)")
        let events = sandbox.objects(apiVersion: "v1", kind: "Event", namespace: "apim")
        #expect(events.contains { $0["reason"]?.stringValue == "TokenRotationFailed" && $0["type"]?.stringValue == "Warning" }, "\(events)")
    }

    @Test func theDeadlineStopsTheWholeRunSaysWhatWasDoneAndRecordsAnEvent() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.setNeverReady(kind: "Deployment", namespace: "apim", name: "demo")
        let started = Date()
        let run = await E2E.plugin(sandbox, ["rotate", "-n", "apim", "--timeout", "10m", "--deadline", "3s"])
        #expect(run.status == 7, "\(run)")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(run.stderr.contains("did not finish within --deadline 3s"), "\(run)")
        #expect(run.stderr.contains("in flight: wait for the rollouts"), "\(run)")
        let events = sandbox.objects(apiVersion: "v1", kind: "Event", namespace: "apim")
        #expect(events.contains { ($0["message"]?.stringValue ?? "").hasPrefix("stopped by the --deadline of 3s") }, "\(events)")
    }

    // MARK: Signals

    enum Moment: String, CaseIterable { case generateToken, rolloutWait }

    @Test(arguments: Moment.allCases, [SIGTERM, SIGINT])
    func aSignalStopsTheRunWithinTwoSecondsAndTheReRunConverges(moment: Moment, signal: Int32) async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        switch moment {
        case .generateToken: sandbox.inject(Fault(server: .arm, method: "POST", pathPattern: "*/generateToken", count: 1, action: .hold))
        case .rolloutWait: sandbox.setNeverReady(kind: "Deployment", namespace: "apim", name: "demo")
        }
        let running = try E2E.start(sandbox, ["rotate", "-n", "apim"])
        let reached = await sandbox.wait(timeout: 30) {
            switch moment {
            case .generateToken: sandbox.requestLog.contains { ($0.fault ?? "").hasPrefix("hold") }
            case .rolloutWait: sandbox.requestLog.contains { $0.method == "GET" && $0.path.hasSuffix("/deployments/demo") }
            }
        }
        #expect(reached)
        let sent = Date()
        running.signal(signal)
        let run = await running.wait()
        let took = Date().timeIntervalSince(sent)
        #expect(run.status == (signal == SIGINT ? 130 : 143), "\(run)")
        #expect(took < 2.5, "exited \(took) s after the signal")
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        #expect(run.stderr.contains("error: interrupted by \(name): done: "), "\(run)")
        switch moment {
        case .generateToken:
            #expect(run.stderr.contains("not done: write the token to Secret demo-token"), "\(run)")
            #expect(run.stderr.contains("Nothing was changed in the cluster."), "\(run)")
            #expect(Self.appliedSecretWrites(sandbox) == 0)
        case .rolloutWait:
            #expect(run.stderr.contains("The Secret holds the new token"), "\(run)")
            #expect(!run.stderr.contains("Nothing was changed"), "\(run)")
        }
        let events = sandbox.objects(apiVersion: "v1", kind: "Event", namespace: "apim")
        #expect(events.contains { ($0["message"]?.stringValue ?? "").hasPrefix("stopped by \(name)") && $0["type"]?.stringValue == "Warning" }, "\(events)")

        sandbox.clearFaults()
        sandbox.setNeverReady(kind: "Deployment", namespace: "apim", name: "demo", false)
        let rerun = await E2E.plugin(sandbox, ["rotate", "-n", "apim"])
        #expect(rerun.status == 0, "\(rerun)")
        await Self.verifyConverged(sandbox)
        #expect(E2E.generateTokenCalls(sandbox) <= 2)
    }

    @Test func aSignalEndsTheAzureCLIProcessGroupItStarted() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let bin = E2E.freshDirectory("slow-az")
        let pidFile = bin + "/pid"
        // An `az` that records its pid and a child's, then hangs.
        let script = """
            #!/usr/bin/env python3
            import os, subprocess, time
            child = subprocess.Popen(["sleep", "60"])
            open("\(pidFile)", "w").write(f"{os.getpid()} {child.pid}")
            time.sleep(60)
            """
        try script.write(toFile: bin + "/az", atomically: true, encoding: .utf8)
        chmod(bin + "/az", 0o755)
        let running = try E2E.start(
            sandbox, ["rotate", "-n", "apim", "-l", "azurecli"],
            env: ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")])
        let started = await sandbox.wait(timeout: 30) { ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").contains(" ") }
        #expect(started)
        let pids = ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").split(separator: " ").compactMap { pid_t($0) }
        running.signal(SIGTERM)
        let run = await running.wait()
        #expect(run.status == 143, "\(run)")
        let gone = await sandbox.wait(timeout: 3) { pids.allSatisfy { kill($0, 0) != 0 } }
        #expect(gone, "az (\(pids)) outlived the plugin")
        for pid in pids { kill(pid, SIGKILL) }
    }

    // MARK: Secrets that another system owns

    enum Owner: String, CaseIterable { case immutable, externalSecret, secretsStoreCSI, helm }

    @Test(arguments: Owner.allCases)
    func secretsThatAnotherSystemOwnsAreRefusedBeforeAnyAzureCall(owner: Owner) async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        var secret = try #require(sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token"))
        switch owner {
        case .immutable:
            secret.set(["immutable"], true)
        case .externalSecret:
            secret.set(
                ["metadata", "ownerReferences"],
                [
                    [
                        "apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret", "name": "demo-token-sync",
                        "uid": "6f1c2d3e-0000-4000-8000-000000000001", "controller": true, "blockOwnerDeletion": true,
                    ]
                ])
        case .secretsStoreCSI:
            secret.set(["metadata", "labels", "secrets-store.csi.k8s.io/managed"], "true")
        case .helm:
            secret.set(["metadata", "labels", "app.kubernetes.io/managed-by"], "Helm")
            secret.set(["metadata", "annotations", "meta.helm.sh/release-name"], "edge-gateway")
        }
        _ = try sandbox.put(secret)
        // Stored as given, as kube-apiserver does.
        let stored = sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")
        switch owner {
        case .immutable: #expect(stored?["immutable"]?.boolValue == true)
        case .externalSecret: #expect(stored?[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["kind"]?.stringValue == "ExternalSecret")
        case .secretsStoreCSI: #expect(stored?[path: ["metadata", "labels", "secrets-store.csi.k8s.io/managed"]]?.stringValue == "true")
        case .helm: #expect(stored?[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]]?.stringValue == "Helm")
        }
        let before = sandbox.secretValue(namespace: "apim", name: "demo-token", key: "value")
        let run = await E2E.plugin(sandbox, ["rotate", "-n", "apim"])
        let status = await E2E.plugin(sandbox, ["status", "-n", "apim", "-o", "json"])
        let row = (status.json["gateways"] as? [[String: Any]])?.first
        switch owner {
        case .helm:
            #expect(run.status == 0, "\(run)")
            #expect(run.stderr.contains("warning: Secret demo-token is managed by Helm release edge-gateway"), "\(run)")
            #expect(row?["owner"] as? String == "helm/edge-gateway", "\(status)")
        default:
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.contains("hint: "), "\(run)")
            #expect(
                sandbox.requestLog.filter { $0.server != .kubernetes }.isEmpty, "Azure was called: \(sandbox.requestLog.filter { $0.server != .kubernetes })")
            #expect(sandbox.secretValue(namespace: "apim", name: "demo-token", key: "value") == before)
            let expected = ["immutable": "immutable", "externalSecret": "external-secrets/demo-token-sync", "secretsStoreCSI": "secrets-store-csi"]
            #expect(row?["owner"] as? String == expected[owner.rawValue], "\(status)")
        }
        switch owner {
        case .immutable: #expect(run.stderr.contains("is immutable"))
        case .externalSecret: #expect(run.stderr.contains("owned by ExternalSecret \"demo-token-sync\""))
        case .secretsStoreCSI: #expect(run.stderr.contains("synced by the Secrets Store CSI driver"))
        case .helm: break
        }
    }

    @Test func anImmutableSecretRefusesAChangeToItsDataWith422AsKubeAPIServerDoes() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        var secret = try #require(sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token"))
        secret.set(["immutable"], true)
        _ = try sandbox.put(secret)
        let env = E2E.environment(sandbox)
        let patch = await E2E.run(
            ["/usr/bin/env", "kubectl", "patch", "secret", "demo-token", "-n", "apim", "--type", "merge", "-p", #"{"data":{"value":"eA=="}}"#],
            environment: env)
        #expect(patch.status == 1, "\(patch)")
        #expect(patch.stderr.contains("The Secret \"demo-token\" is invalid: data: Forbidden: field is immutable when `immutable` is set"), "\(patch)")
        let annotate = await E2E.run(["/usr/bin/env", "kubectl", "annotate", "secret", "demo-token", "-n", "apim", "note=ok"], environment: env)
        #expect(annotate.status == 0, "metadata stays writable: \(annotate)")
    }

    // MARK: switch-key

    @Test func aSwitchKeyKilledBeforeRegenerateKeyFinishesOnReRunWithoutASecondSwitch() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.inject(Fault(server: .arm, method: "POST", pathPattern: "*/regenerateKey", count: 1, action: .hold))
        let arguments = ["switch-key", "-n", "apim", "--regenerate-old", "--yes"]
        let running = try E2E.start(sandbox, arguments)
        let held = await sandbox.wait(timeout: 60) { sandbox.requestLog.contains { ($0.fault ?? "").hasPrefix("hold") } }
        #expect(held)
        running.signal(SIGKILL)
        _ = await running.wait()
        sandbox.clearFaults()
        let annotations = { sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")?[path: ["metadata", "annotations"]] }
        #expect(annotations()?["apimtoken.kubectl-plugin/regenerate-pending"]?.stringValue == "primary")

        let rerun = await E2E.plugin(sandbox, arguments)
        #expect(rerun.status == 0, "\(rerun)")
        #expect(rerun.stdout.hasPrefix("Finished the switch an earlier run began."), "\(rerun)")
        #expect(E2E.generateTokenCalls(sandbox) == 1, "a second switch generated another token")
        let regenerations = sandbox.requestLog.filter { $0.server == .arm && $0.path.hasSuffix("/regenerateKey") && $0.fault == nil }
        #expect(regenerations.count == 1)
        #expect(annotations()?["last-used-key"]?.stringValue == "secondary")
        #expect(annotations()?["apimtoken.kubectl-plugin/regenerate-pending"] == nil)
        await Self.verifyConverged(sandbox)

        // The marker's removal is not a token write: status sees no pod older than the token.
        let status = await E2E.plugin(sandbox, ["status", "-n", "apim", "-o", "json"])
        #expect((status.json["gateways"] as? [[String: Any]])?.first?["restartPending"] as? Bool == false, "\(status)")
    }

    @Test func aFailedRegenerateKeySaysTheSwitchSucceeded() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.inject(Fault(server: .arm, method: "POST", pathPattern: "*/regenerateKey", count: 20, action: .respond(status: 400, headers: [:], body: nil)))
        let run = await E2E.plugin(sandbox, ["switch-key", "-n", "apim", "--regenerate-old", "--yes"])
        #expect(run.status == 4, "\(run)")
        #expect(run.stderr.contains("the switch of gateway demo succeeded"), "\(run)")
        #expect(run.stderr.contains("the primary key was not regenerated"), "\(run)")
        #expect(!run.stderr.lowercased().contains("nothing was changed") && !run.stderr.lowercased().contains("nothing changed"), "\(run)")
        #expect(sandbox.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")?.key == .secondary)

        sandbox.clearFaults()
        let rerun = await E2E.plugin(sandbox, ["switch-key", "-n", "apim", "--regenerate-old", "--yes"])
        #expect(rerun.status == 0, "\(rerun)")
        #expect(E2E.generateTokenCalls(sandbox) == 1, "the re-run switched again")
        #expect(sandbox.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")?.key == .secondary)
    }
}
