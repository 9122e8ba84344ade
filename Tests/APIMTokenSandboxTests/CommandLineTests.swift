import Foundation
import Testing

@testable import APIMTokenSandbox

/// The `apimtoken-sandbox` executable: `up` in the background, real kubectl against DIR/kubeconfig, `token`, `fault`,
/// `down`.
@Suite(.serialized) struct CommandLineTests {
    /// The built `apimtoken-sandbox`, next to the test bundle; records a failure when it has not been built.
    static func executable() -> String? {
        let bundle = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let candidates = [
            bundle.deletingLastPathComponent().appendingPathComponent("apimtoken-sandbox").path,
            TestSupport.packageRoot.appendingPathComponent(".build/debug/apimtoken-sandbox").path,
        ]
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        Issue.record("apimtoken-sandbox is not built (looked in \(candidates)); run: swift build --product apimtoken-sandbox")
        return nil
    }

    @Test func upKubectlTokenFaultDown() async throws {
        guard let sandbox = Self.executable(), let kubectl = TestSupport.kubectl() else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-cli-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let up = await TestSupport.run([sandbox, "up", "--dir", dir, "--scenario", "demo", "--pod-start", "0.2", "--rollout-step", "0.1"], timeout: 90)
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        #expect(up.stdout.contains("apimtoken-sandbox down --dir \(dir)"))
        var stopped = false
        defer {
            // Never leave a daemon behind, even when an expectation above threw.
            if !stopped, let text = try? String(contentsOfFile: "\(dir)/sandbox.pid", encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(pid, SIGKILL)
            }
        }

        // DIR/env: export lines, and no secret reached stdout.
        let env = try String(contentsOfFile: "\(dir)/env", encoding: .utf8)
        var values: [String: String] = [:]
        for line in env.split(separator: "\n") {
            #expect(line.hasPrefix("export "), "not an export line: \(line)")
            let assignment = line.dropFirst("export ".count)
            guard let eq = assignment.firstIndex(of: "=") else { continue }
            values[String(assignment[..<eq])] = String(assignment[assignment.index(after: eq)...]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        for key in [
            "ARM_ENDPOINT", "AZURE_AUTHORITY_HOST", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "SSL_CERT_FILE", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
            "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "RESOURCE_GROUP", "APIM_INSTANCE", "KUBECONFIG",
        ] {
            #expect(values[key]?.isEmpty == false, "DIR/env lacks \(key)")
        }
        #expect(values["ARM_ENDPOINT"]?.hasPrefix("https://127.0.0.1:") == true)
        #expect(values["AZURE_POD_IDENTITY_AUTHORITY_HOST"]?.hasPrefix("http://127.0.0.1:") == true)
        let clientSecret = try #require(values["AZURE_CLIENT_SECRET"])
        #expect(!up.stdout.contains(clientSecret) && !up.stderr.contains(clientSecret))

        // Real kubectl with both contexts, fresh HOME each time.
        func kubectlRun(_ args: [String]) async -> ProcessResult {
            let home = TestSupport.freshHome()
            defer { try? FileManager.default.removeItem(atPath: home) }
            return await TestSupport.run([kubectl, "--kubeconfig", "\(dir)/kubeconfig"] + args, environment: ["HOME": home])
        }
        let secrets = await kubectlRun(["get", "secrets", "-n", "apim", "-o", "name"])
        #expect(secrets.status == 0, "kubectl get secrets failed: \(secrets.stderr)")
        #expect(secrets.stdout.contains("secret/demo-token"))
        let viaToken = await kubectlRun(["--context", "apimtoken-sandbox-token", "get", "statefulsets", "-n", "edge", "-o", "name"])
        #expect(viaToken.status == 0, "token context failed: \(viaToken.stderr)")
        #expect(viaToken.stdout.contains("statefulset.apps/edge-azure-api-management-gateway"))

        // `token` prints a ServiceAccount token that authenticates, and RBAC applies (no Role binds it yet).
        let token = await TestSupport.run([sandbox, "token", "--dir", dir, "--service-account", "apim/apimtoken-rotator"])
        #expect(token.status == 0, "token failed: \(token.stderr)")
        let bearer = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(bearer.split(separator: ".").count == 3)
        let rotatorConfig = "\(dir)/rotator.kubeconfig"
        let written = await TestSupport.run([
            sandbox, "token", "--dir", dir, "--service-account", "apim/apimtoken-rotator", "--write-kubeconfig", rotatorConfig,
        ])
        #expect(written.status == 0, "token --write-kubeconfig failed: \(written.stderr)")
        let rotatorHome = TestSupport.freshHome()
        defer { try? FileManager.default.removeItem(atPath: rotatorHome) }
        let asRotator = await TestSupport.run([kubectl, "--kubeconfig", rotatorConfig, "get", "secret", "demo-token"], environment: ["HOME": rotatorHome])
        #expect(asRotator.status != 0)
        #expect(asRotator.stderr.contains("Forbidden") || asRotator.stderr.contains("forbidden"), "expected 403: \(asRotator.stderr)")
        #expect(asRotator.stderr.contains("system:serviceaccount:apim:apimtoken-rotator"))

        // `token --audience api://AzureADTokenExchange` is a workload-identity token that Entra exchanges.
        let federated = await TestSupport.run([
            sandbox, "token", "--dir", dir, "--service-account", "apim/apimtoken-rotator", "--audience", "api://AzureADTokenExchange",
        ])
        #expect(federated.status == 0, "token --audience failed: \(federated.stderr)")
        let assertion = federated.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let form =
            "grant_type=client_credentials&client_id=\(values["AZURE_CLIENT_ID"] ?? "")&scope=https%3A%2F%2Fmanagement.azure.com%2F.default&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=\(assertion)"
        let exchange = await TestSupport.run(
            [
                "/usr/bin/curl", "-s", "--noproxy", "*", "--cacert", "\(dir)/ca.crt", "--data-binary", "@-",
                "\(values["AZURE_AUTHORITY_HOST"] ?? "")/\(values["AZURE_TENANT_ID"] ?? "")/oauth2/v2.0/token",
            ], stdin: form)
        #expect((try? JSON.parse(exchange.stdout))?["access_token"]?.stringValue != nil, "federated exchange failed: \(exchange.stdout)")
        let apiToken = await TestSupport.run(
            [
                "/usr/bin/curl", "-s", "--noproxy", "*", "--cacert", "\(dir)/ca.crt", "--data-binary", "@-",
                "\(values["AZURE_AUTHORITY_HOST"] ?? "")/\(values["AZURE_TENANT_ID"] ?? "")/oauth2/v2.0/token",
            ], stdin: form.replacingOccurrences(of: assertion, with: bearer))
        #expect(
            (try? JSON.parse(apiToken.stdout))?["error"]?.stringValue == "invalid_client", "an API-audience token must not be exchangeable: \(apiToken.stdout)")

        // `fault`: the next two GETs of that Secret are throttled, the third succeeds.
        let fault = await TestSupport.run([
            sandbox, "fault", "--dir", dir, "--server", "kubernetes", "--method", "GET", "--path", "*/secrets/demo-token", "--count", "2", "--status", "429",
            "--retry-after", "0",
        ])
        #expect(fault.status == 0, "fault failed: \(fault.stderr)")
        let list = await TestSupport.run([sandbox, "fault", "--dir", dir, "--list"])
        #expect(list.stdout.contains("demo-token"), "pending faults: \(list.stdout)")
        let ca = "\(dir)/ca.crt"
        let apiServer = try #require(
            try String(contentsOfFile: "\(dir)/kubeconfig", encoding: .utf8).split(separator: "\n").first { $0.contains("server:") }?.split(separator: " ").last
                .map(String.init))
        var statuses: [String] = []
        for _ in 0..<3 {
            let r = await TestSupport.run([
                "/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--noproxy", "*", "--cacert", ca, "--cert", "\(dir)/admin.crt", "--key",
                "\(dir)/admin.key", "\(apiServer)/api/v1/namespaces/apim/secrets/demo-token",
            ])
            statuses.append(r.stdout)
        }
        #expect(statuses == ["429", "429", "200"])

        // `fault --after-applying --skip`: the second PATCH is committed, then its answer is lost (a reset).
        let lost = await TestSupport.run([
            sandbox, "fault", "--dir", dir, "--server", "kubernetes", "--method", "PATCH", "--path", "*/secrets/demo-token", "--reset", "--after-applying",
            "--skip", "1",
        ])
        #expect(lost.status == 0, "fault failed: \(lost.stderr)")
        var patches: [String] = []
        for value in ["one", "two"] {
            let r = await TestSupport.run([
                "/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--noproxy", "*", "--cacert", ca, "--cert", "\(dir)/admin.crt", "--key",
                "\(dir)/admin.key", "-X", "PATCH", "-H", "Content-Type: application/merge-patch+json", "--data-binary",
                #"{"metadata":{"annotations":{"step":"\#(value)"}}}"#, "\(apiServer)/api/v1/namespaces/apim/secrets/demo-token",
            ])
            patches.append(r.stdout)
        }
        #expect(patches == ["200", "000"])
        let stored = await TestSupport.run([
            "/usr/bin/curl", "-s", "--noproxy", "*", "--cacert", ca, "--cert", "\(dir)/admin.crt", "--key", "\(dir)/admin.key",
            "\(apiServer)/api/v1/namespaces/apim/secrets/demo-token",
        ])
        #expect((try? JSON.parse(stored.stdout))?[path: ["metadata", "annotations", "step"]]?.stringValue == "two", "the lost write was applied")
        let badOutage = await TestSupport.run([sandbox, "fault", "--dir", dir, "--path", "*", "--reset", "--seconds", "0"])
        #expect(badOutage.status != 0 && badOutage.stderr.contains("--seconds must be more than 0"), "\(badOutage.stderr)")

        // The request log names the principal and never holds a secret value.
        let log = try String(contentsOfFile: "\(dir)/requests.jsonl", encoding: .utf8)
        #expect(log.contains("\"principal\":\"system:serviceaccount:apim:apimtoken-rotator\""))
        #expect(!log.contains(bearer) && !log.contains(clientSecret))

        // `down` stops the daemon; the API server no longer answers.
        let down = await TestSupport.run([sandbox, "down", "--dir", dir])
        #expect(down.status == 0, "down failed: \(down.stderr)")
        stopped = true
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/sandbox.pid"))
        let after = await kubectlRun(["get", "secrets", "-n", "apim", "--request-timeout=5s"])
        #expect(after.status != 0)
    }
}
