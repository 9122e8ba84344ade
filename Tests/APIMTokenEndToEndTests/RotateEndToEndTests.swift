import APIMTokenSandbox
import Foundation
import Testing

/// `rotate` and `switch-key` of the built binary against the sandbox: login methods, key modes, faults, leaks.
@Suite(.serialized) struct RotateEndToEndTests {
    /// The demo gateway after a rotation: which key signed the Secret's token, and whether every pod restarted,
    /// is Ready and authenticates.
    static func verifyRotated(_ sandbox: Sandbox, key: GatewayKeyType, since: Date, sourceLocation: SourceLocation = #_sourceLocation) async {
        let signer = sandbox.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")
        #expect(signer?.key == key, sourceLocation: sourceLocation)
        #expect(signer?.gateway == "demo", sourceLocation: sourceLocation)
        #expect((signer?.expiresAt.timeIntervalSince(since) ?? 0) > 28 * 86_400, sourceLocation: sourceLocation)
        let settled = await sandbox.wait(timeout: 30) {
            let pods = sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }
            return !pods.isEmpty && pods.allSatisfy { $0.ready && $0.authenticated == true && ($0.startTime ?? .distantPast) >= since.addingTimeInterval(-1) }
        }
        #expect(settled, "demo pods: \(sandbox.pods(namespace: "apim"))", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["sp", "sp-certificate", "workload-identity", "identity", "azurecli", "auto"])
    func everyLoginMethodRotates(method: String) async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        var args = ["rotate", "-n", "apim", "-g", "demo"]
        var env: [String: String?] = [:]
        switch method {
        case "sp":
            args += ["-l", "sp"]
        case "sp-certificate":
            let pem = E2E.freshDirectory("cert") + "/sp.pem"
            let certificate = try String(contentsOfFile: sandbox.appCertificatePath, encoding: .utf8)
            let key = try String(contentsOfFile: sandbox.appKeyPath, encoding: .utf8)
            try (certificate + "\n" + key).write(toFile: pem, atomically: true, encoding: .utf8)
            args += ["-l", "sp", "--client-certificate", pem]
            env["AZURE_CLIENT_SECRET"] = .some(nil)
        case "workload-identity":
            let file = try sandbox.writeFederatedTokenFile(namespace: "apim", name: "apimtoken-rotator")
            args += ["-l", "workload-identity"]
            env["AZURE_FEDERATED_TOKEN_FILE"] = file
            env["AZURE_CLIENT_SECRET"] = .some(nil)
        case "identity":
            args += ["-l", "identity", "--client-id", sandbox.azure.managedIdentityClientID]
            env["AZURE_CLIENT_SECRET"] = .some(nil)
            env["AZURE_CLIENT_ID"] = .some(nil)
        case "azurecli":
            let bin = try Self.azStandIn(sandbox)
            args += ["-l", "azurecli"]
            env["PATH"] = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        default:
            break  // auto: the service principal from the environment
        }
        let since = Date()
        let run = await E2E.plugin(sandbox, args, env: env)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.hasPrefix("Token for gateway demo (primary key) expires "), "\(run)")
        #expect(run.stdout.hasSuffix("; deployment/demo restarted and ready.\n"), "\(run)")
        await Self.verifyRotated(sandbox, key: .primary, since: since)
    }

    @Test(
        arguments: [
            ("last", "secondary", GatewayKeyType.secondary), ("rotate", "secondary", .primary), ("rotate", "primary", .secondary),
            ("primary", "secondary", .primary), ("secondary", nil, .secondary), ("last", nil, .primary),
        ] as [(String, String?, GatewayKeyType)])
    func keyModesFollowTheLastUsedKeyAnnotation(mode: String, annotation: String?, expected: GatewayKeyType) async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        if let annotation {
            // As apim-shg-rotate leaves it: `kubectl annotate secret demo-token last-used-key=<key>`.
            var secret = try #require(sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token"))
            secret.set(["metadata", "annotations", "last-used-key"], .string(annotation))
            _ = try sandbox.put(secret)
        }
        let since = Date()
        let run = await E2E.plugin(sandbox, ["rotate", "-n", "apim", "-k", mode, "-o", "json"])
        #expect(run.status == 0, "\(run)")
        #expect(run.json["key"] as? String == expected.rawValue)
        await Self.verifyRotated(sandbox, key: expected, since: since)
        let annotations = sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")?[path: ["metadata", "annotations"]]
        #expect(annotations?["last-used-key"]?.stringValue == expected.rawValue)
    }

    @Test func apimShgRotateEnvironmentVariablesAloneDriveARotation() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let since = Date()
        let run = await E2E.plugin(
            sandbox, ["rotate"],
            env: [
                "SUBSCRIPTION_ID": sandbox.azure.subscriptionID, "AZURE_SUBSCRIPTION_ID": String?.none, "RESOURCE_GROUP": sandbox.azure.resourceGroup,
                "APIM_INSTANCE": sandbox.azure.serviceName, "APIM_GATEWAY": "demo", "NAMESPACE": "apim", "TOKEN_SECRET": "demo-token",
                "TOKEN_KEY": "rotate", "K8S_OBJECT": "deployment/demo",
            ])
        #expect(run.status == 0, "\(run)")
        await Self.verifyRotated(sandbox, key: .primary, since: since)
    }

    @Test func aFreshTokenMakesNoGenerateTokenCall() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let run = await E2E.plugin(sandbox, ["rotate", "-n", "apim", "--if-expires-within", "10d"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.hasPrefix("No rotation needed for gateway demo"))
        #expect(E2E.generateTokenCalls(sandbox) == 0)
        #expect(sandbox.requestLog.filter { $0.server == .entra }.isEmpty)
    }

    @Test func throttlingIsWaitedOutAndPersistentErrorsChangeNothing() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.inject(.throttle(server: .arm, method: "POST", pathPattern: "*/generateToken", count: 1, retryAfter: .seconds(1)))
        let first = await E2E.plugin(sandbox, ["rotate", "-n", "apim"])
        #expect(first.status == 0, "\(first)")
        #expect(E2E.generateTokenCalls(sandbox) == 2)

        let before = sandbox.secretValue(namespace: "apim", name: "demo-token", key: "value")
        sandbox.inject(Fault(server: .arm, method: "POST", pathPattern: "*/generateToken", count: 10, action: .respond(status: 500, headers: [:], body: nil)))
        let second = await E2E.plugin(sandbox, ["rotate", "-n", "apim"])
        #expect(second.status == 4, "\(second)")
        #expect(second.stderr.contains("error: "))
        #expect(sandbox.secretValue(namespace: "apim", name: "demo-token", key: "value") == before)
    }

    @Test func aSecretConflictIsRetriedAndTwoConcurrentRunsWriteOneToken() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.inject(
            Fault(
                server: .kubernetes, method: "PATCH", pathPattern: "/api/v1/namespaces/apim/secrets/demo-token", count: 1,
                action: .respond(status: 409, headers: [:], body: nil)))
        let once = await E2E.plugin(sandbox, ["rotate", "-n", "apim"])
        #expect(once.status == 0, "\(once)")
        #expect(E2E.generateTokenCalls(sandbox) == 1)

        sandbox.clearRequestLog()
        // Both runs read the Secret before either writes: generateToken answers only after 3 s.
        sandbox.inject(Fault(server: .arm, method: "POST", pathPattern: "*/generateToken", count: 2, action: .latency(seconds: 3)))
        async let a = E2E.plugin(sandbox, ["rotate", "-n", "apim", "-o", "json"])
        async let b = E2E.plugin(sandbox, ["rotate", "-n", "apim", "-o", "json"])
        let (ra, rb) = await (a, b)
        #expect(ra.status == 0, "\(ra)")
        #expect(rb.status == 0, "\(rb)")
        let writes = sandbox.requestLog.filter {
            $0.server == .kubernetes && $0.method == "PATCH" && $0.path.hasSuffix("/secrets/demo-token") && $0.status == 200
        }
        #expect(writes.count == 1, "\(sandbox.requestLog.map { "\($0.method) \($0.path) \($0.status)" })")
    }

    @Test func aForbiddenRestartIsExitSixAndTheRerunOnlyRestarts() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.inject(
            Fault(
                server: .kubernetes, method: "PATCH", pathPattern: "/apis/apps/v1/namespaces/apim/deployments/demo", count: 1,
                action: .respond(status: 403, headers: [:], body: nil)))
        let failed = await E2E.plugin(sandbox, ["rotate", "-n", "apim"])
        #expect(failed.status == 6, "\(failed)")
        #expect(failed.stderr.contains("only restarts"))
        let written = sandbox.secretValue(namespace: "apim", name: "demo-token", key: "value")
        let since = Date()
        let rerun = await E2E.plugin(sandbox, ["rotate", "-n", "apim"])
        #expect(rerun.status == 0, "\(rerun)")
        #expect(E2E.generateTokenCalls(sandbox) == 1)
        #expect(sandbox.secretValue(namespace: "apim", name: "demo-token", key: "value") == written)
        await Self.verifyRotated(sandbox, key: .primary, since: since)
    }

    @Test func aRolloutThatNeverCompletesIsExitSevenAndRegeneratesNothing() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.setNeverReady(kind: "Deployment", namespace: "apim", name: "demo")
        let run = await E2E.plugin(sandbox, ["switch-key", "-n", "apim", "--regenerate-old", "--yes", "--timeout", "3s"])
        #expect(run.status == 7, "\(run)")
        #expect(!E2E.requests(sandbox, .arm).contains { $0.hasSuffix("/regenerateKey") })
    }

    @Test func switchKeyRegeneratesOnlyAfterTheRolloutAndPodsStayAuthenticated() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let watcher = Task {
            var lost = 0
            while !Task.isCancelled {
                lost += sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") && $0.ready && $0.authenticated == false }.count
                try? await Task.sleep(nanoseconds: 25_000_000)
            }
            return lost
        }
        let run = await E2E.plugin(sandbox, ["switch-key", "-n", "apim", "--regenerate-old", "--yes"])
        watcher.cancel()
        #expect(run.status == 0, "\(run)")
        #expect(await watcher.value == 0)
        #expect(run.stdout.contains("The primary key was regenerated."))
        #expect(run.stderr.contains("invalidates every token signed with it"))
        let order = sandbox.requestLog.compactMap { entry -> String? in
            if entry.server == .arm && entry.path.hasSuffix("/generateToken") { return "generate" }
            if entry.server == .kubernetes && entry.method == "PATCH" && entry.path.hasSuffix("/secrets/demo-token") { return "write" }
            if entry.server == .kubernetes && entry.method == "PATCH" && entry.path.hasSuffix("/deployments/demo") { return "restart" }
            if entry.server == .arm && entry.path.hasSuffix("/regenerateKey") { return "regenerate" }
            return nil
        }
        // The last write only removes the regenerate-pending marker that made the switch crash-only.
        #expect(order == ["generate", "write", "restart", "regenerate", "write"])
        let annotations = sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")?[path: ["metadata", "annotations"]]
        #expect(annotations?["apimtoken.kubectl-plugin/regenerate-pending"] == nil)
        let signer = sandbox.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")
        #expect(signer?.key == .secondary)
        #expect(sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }.allSatisfy { $0.authenticated == true })
    }

    @Test func noSecretEverReachesTheTerminal() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let clientSecret = try #require(sandbox.environment["AZURE_CLIENT_SECRET"])
        var outputs: [Run] = []
        outputs.append(await E2E.plugin(sandbox, ["rotate", "-n", "apim", "-vvvvv"]))
        outputs.append(await E2E.plugin(sandbox, ["status", "-A", "-vvvvv", "-o", "yaml"]))
        outputs.append(await E2E.plugin(sandbox, ["rotate", "-n", "apim", "-vvvvv", "--dry-run", "-k", "rotate"]))
        sandbox.inject(Fault(server: .arm, method: "POST", pathPattern: "*/generateToken", count: 10, action: .respond(status: 500, headers: [:], body: nil)))
        outputs.append(await E2E.plugin(sandbox, ["rotate", "-n", "apim", "-vvvvv", "--client-secret", clientSecret, "-l", "sp"]))
        outputs.append(await E2E.plugin(sandbox, ["rotate", "-n", "apim", "-vvvv", "-l", "sp"], env: ["AZURE_CLIENT_SECRET": "wrong-\(clientSecret)"]))
        let token = try #require(sandbox.secretValue(namespace: "apim", name: "demo-token", key: "value"))
        let signature = String(token.split(separator: "&").last ?? "")
        #expect(outputs[0].status == 0, "\(outputs[0])")
        #expect(outputs[3].status == 4, "\(outputs[3])")
        #expect(outputs[4].status == 3, "\(outputs[4])")
        for run in outputs {
            let all = run.stdout + run.stderr
            #expect(!all.contains(clientSecret))
            #expect(!all.contains(signature))
            #expect(!all.contains("eyJ"), "a JWT (bearer token or assertion) was printed: \(run)")
        }
    }

    /// An `az` stand-in that gets a real token from the sandbox's Entra endpoint with the demo service principal.
    static func azStandIn(_ sandbox: Sandbox) throws -> String {
        let bin = E2E.freshDirectory("az")
        let script = """
            #!/usr/bin/env python3
            import json, ssl, sys, time, urllib.parse, urllib.request
            if sys.argv[1:3] != ["account", "get-access-token"]:
                sys.exit(2)
            form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "\(sandbox.azure.clientID)",
                "client_secret": open("\(bin)/secret").read(), "scope": "https://management.azure.com/.default"}).encode()
            context = ssl.create_default_context(cafile="\(sandbox.caCertificatePath)")
            answer = json.load(urllib.request.urlopen("\(sandbox.authorityHost)/\(sandbox.azure.tenantID)/oauth2/v2.0/token", form, context=context))
            print(json.dumps({"accessToken": answer["access_token"], "expires_on": int(time.time()) + 3600, "tokenType": "Bearer",
                              "subscription": "\(sandbox.azure.subscriptionID)", "tenant": "\(sandbox.azure.tenantID)"}))
            """
        try script.write(toFile: bin + "/az", atomically: true, encoding: .utf8)
        try (sandbox.environment["AZURE_CLIENT_SECRET"] ?? "").write(toFile: bin + "/secret", atomically: true, encoding: .utf8)
        chmod(bin + "/az", 0o755)
        return bin
    }
}
