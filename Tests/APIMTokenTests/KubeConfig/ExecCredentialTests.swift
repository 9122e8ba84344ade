import Foundation
import Testing

@testable import APIMToken

#if canImport(Glibc)
    import Glibc
#endif

/// Exec credential plugins, run for real through `POSIXProcessRunner` with small stand-in scripts.
@Suite struct ExecCredentialTests {
    typealias Support = KubeConfigTestSupport

    static let v1 = "client.authentication.k8s.io/v1"
    static let v1beta1 = "client.authentication.k8s.io/v1beta1"

    /// A plugin that records its arguments, environment and `KUBERNETES_EXEC_INFO`, counts its runs and prints
    /// a token numbered by the run (`canary-exec-token-N`) expiring at `$EXPIRY`.
    static func recordingPlugin(in directory: String, apiVersion: String = v1, expiry: String? = nil) throws -> String {
        let path = "\(directory)/plugin"
        let expiryField = expiry.map { ",\"expirationTimestamp\":\"\($0)\"" } ?? ""
        try Support.write(
            """
            #!/bin/sh
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(directory)/info.json"
            printf '%s\\n' "$@" > "\(directory)/args"
            printf '%s' "$PLUGIN_EXTRA" > "\(directory)/extra"
            n=$(cat "\(directory)/count" 2>/dev/null || echo 0)
            n=$((n + 1))
            echo $n > "\(directory)/count"
            echo "plugin run $n" >&2
            printf '{"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"canary-exec-token-%s"\(expiryField)}}' "$n"
            """, to: path, executable: true)
        return path
    }

    static func provider(
        _ config: ExecConfig, cluster: ClusterConnection? = nil, clock: any WallClock = ManualClock(),
        timeout: Duration = .seconds(20), terminal: Bool = false
    ) -> ExecCredentialProvider {
        ExecCredentialProvider(
            config: config, cluster: cluster, runner: POSIXProcessRunner(), clock: clock,
            environment: Environment(["PATH": "/usr/bin:/bin", "FROM_PARENT": "parent-value"]),
            timeout: timeout, stdinIsTerminal: terminal, errorOutput: .capture)
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test(arguments: [v1, v1beta1])
    func runsThePluginWithArgsEnvAndExecInfo(apiVersion: String) async throws {
        let directory = try Support.temporaryDirectory("exec")
        let plugin = try Self.recordingPlugin(in: directory, apiVersion: apiVersion)
        let cluster = ClusterConnection(
            server: URL(string: "https://aks.example:443")!,
            tls: TLSMaterial(certificateAuthority: .data(Data("CA-PEM".utf8)), serverName: "kubernetes"),
            origin: .context(name: "c", cluster: "c", user: "u"),
            credential: .none)
        let config = ExecConfig(
            apiVersion: apiVersion, command: plugin, args: ["get-token", "--server-id", "abc def"],
            env: [ExecEnvVar(name: "PLUGIN_EXTRA", value: "from-stanza")],
            provideClusterInfo: true, interactiveMode: apiVersion == Self.v1 ? "Never" : nil,
            clusterConfig: #"{"audience":"api://demo"}"#)
        let provider = Self.provider(config, cluster: cluster)
        let (credential, _) = try await provider.credential()
        #expect(credential.token?.value == "canary-exec-token-1")
        #expect(read("\(directory)/args") == "get-token\n--server-id\nabc def\n")
        #expect(read("\(directory)/extra") == "from-stanza")

        let info = try #require(try JSONSerialization.jsonObject(with: Data(read("\(directory)/info.json").utf8)) as? [String: Any])
        #expect(info["apiVersion"] as? String == apiVersion)
        #expect(info["kind"] as? String == "ExecCredential")
        let spec = try #require(info["spec"] as? [String: Any])
        #expect(spec["interactive"] as? Bool == false)
        let clusterInfo = try #require(spec["cluster"] as? [String: Any])
        #expect(clusterInfo["server"] as? String == "https://aks.example:443")
        #expect(clusterInfo["tls-server-name"] as? String == "kubernetes")
        #expect(clusterInfo["certificate-authority-data"] as? String == Data("CA-PEM".utf8).base64EncodedString())
        #expect(clusterInfo["insecure-skip-tls-verify"] == nil)
        #expect((clusterInfo["config"] as? [String: Any])?["audience"] as? String == "api://demo")
    }

    @Test func clusterInfoIsLeftOutUnlessRequestedAndIfAvailableFollowsTheTerminal() async throws {
        let directory = try Support.temporaryDirectory("exec")
        let plugin = try Self.recordingPlugin(in: directory, apiVersion: Self.v1beta1)
        let cluster = ClusterConnection(server: URL(string: "https://x:6443")!, origin: .inCluster, credential: .none)
        let provider = Self.provider(ExecConfig(apiVersion: Self.v1beta1, command: plugin), cluster: cluster, terminal: true)
        _ = try await provider.credential()
        let info = try #require(try JSONSerialization.jsonObject(with: Data(read("\(directory)/info.json").utf8)) as? [String: Any])
        let spec = try #require(info["spec"] as? [String: Any])
        #expect(spec["cluster"] == nil)
        #expect(spec["interactive"] as? Bool == true)
    }

    @Test func theParentEnvironmentIsPassedThrough() async throws {
        let directory = try Support.temporaryDirectory("exec")
        let plugin = "\(directory)/plugin"
        try Support.write(
            "#!/bin/sh\nprintf '{\"apiVersion\":\"\(Self.v1)\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$FROM_PARENT\"\n", to: plugin,
            executable: true)
        let provider = Self.provider(ExecConfig(apiVersion: Self.v1, command: plugin, interactiveMode: "Never"))
        #expect(try await provider.credential().credential.token?.value == "parent-value")
    }

    @Test func theCredentialIsCachedUntilItExpires() async throws {
        let directory = try Support.temporaryDirectory("exec")
        let clock = ManualClock()
        let plugin = try Self.recordingPlugin(in: directory, expiry: Self.rfc3339(clock.now().addingTimeInterval(600)))
        let provider = Self.provider(ExecConfig(apiVersion: Self.v1, command: plugin, interactiveMode: "Never"), clock: clock)
        #expect(try await provider.credential().credential.token?.value == "canary-exec-token-1")
        clock.advance(by: 300)
        #expect(try await provider.credential().credential.token?.value == "canary-exec-token-1")
        #expect(await provider.pluginRuns == 1)
        clock.advance(by: 301)
        #expect(try await provider.credential().credential.token?.value == "canary-exec-token-2")
        #expect(await provider.pluginRuns == 2)
    }

    @Test func concurrentCallersShareOneRun() async throws {
        let directory = try Support.temporaryDirectory("exec")
        let plugin = try Self.recordingPlugin(in: directory)
        let provider = Self.provider(ExecConfig(apiVersion: Self.v1, command: plugin, interactiveMode: "Never"))
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<5 { group.addTask { try await provider.credential().credential.token?.value ?? "" } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(tokens) == ["canary-exec-token-1"])
        #expect(await provider.pluginRuns == 1)
    }

    @Test func aHungPluginIsKilledWithItsProcessGroupAtTheTimeout() async throws {
        let directory = try Support.temporaryDirectory("exec")
        let plugin = "\(directory)/plugin"
        try Support.write("#!/bin/sh\nsleep 300 &\necho $! > \"\(directory)/child.pid\"\nwait\n", to: plugin, executable: true)
        let provider = Self.provider(ExecConfig(apiVersion: Self.v1, command: plugin, interactiveMode: "Never"), timeout: .milliseconds(500))
        let started = Date()
        await #expect {
            _ = try await provider.credential()
        } throws: { error in
            guard let error = error as? ExecCredentialError else { return false }
            return error.description == "getting credentials: exec: executable \(plugin) did not finish within 0.5s and was killed"
                && error.exitStatus == .usage
        }
        // The plugin's child sleeps 300 s; finishing far sooner proves the kill. The bound is loose: in the full suite
        // this test's continuation can wait tens of seconds for a cooperative thread (other suites block theirs on
        // kubectl and Python), which says nothing about the kill.
        #expect(Date().timeIntervalSince(started) < 150)
        let childPID = try #require(pid_t(read("\(directory)/child.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        // The backgrounded grandchild was in the plugin's process group, so it is gone (or a zombie awaiting reaping).
        try await Task.sleep(for: .milliseconds(200))
        let state = read("/proc/\(childPID)/stat").split(separator: " ").dropFirst(2).first
        #expect(state == nil || state == "Z", "grandchild still running: \(state ?? "")")
    }

    @Test func aMissingCommandShowsTheInstallHint() async throws {
        let provider = Self.provider(
            ExecConfig(
                apiVersion: Self.v1, command: "kubelogin-not-installed-here",
                installHint: "Install kubelogin: https://aka.ms/aks/kubelogin", interactiveMode: "Never"))
        await #expect {
            _ = try await provider.credential()
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("getting credentials: exec: executable kubelogin-not-installed-here not found")
                && text.contains("Install kubelogin: https://aka.ms/aks/kubelogin")
                && text.contains("client-go credential plugin that is not installed")
        }
    }

    @Test func alwaysInteractiveWithoutATerminalIsAnError() async throws {
        let provider = Self.provider(ExecConfig(apiVersion: Self.v1, command: "/bin/true", interactiveMode: "Always"), terminal: false)
        await #expect {
            _ = try await provider.credential()
        } throws: { error in
            "\(error)" == "getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal"
        }
    }

    /// A plugin printing `output` verbatim.
    static func printingPlugin(_ output: String, exitCode: Int = 0) throws -> String {
        let directory = try Support.temporaryDirectory("exec")
        try Support.write(output, to: "\(directory)/output")
        let plugin = "\(directory)/plugin"
        try Support.write("#!/bin/sh\ncat \"\(directory)/output\"\nexit \(exitCode)\n", to: plugin, executable: true)
        return plugin
    }

    static let badOutputs: [(output: String, exitCode: Int, message: String)] = [
        ("{not json canary-token-9", 0, "getting credentials: decoding stdout: yaml: "),
        (
            #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"canary-token-9"}}"#, 0,
            "getting credentials: exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1"
        ),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}"#, 0, "getting credentials: exec plugin didn't return a status field"),
        (
            #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#, 0,
            "getting credentials: exec plugin didn't return a token or cert/key pair"
        ),
        (
            #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"PEM"}}"#, 0,
            "getting credentials: exec plugin returned only certificate or key, not both"
        ),
        (
            #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"canary-token-9","expirationTimestamp":"tomorrow"}}"#,
            0,
            "getting credentials: decoding stdout: status.expirationTimestamp \"tomorrow\" is not an RFC 3339 time"
        ),
        (
            #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"canary-token-9"}}"#, 3,
            "getting credentials: exec: executable PLUGIN failed with exit code 3"
        ),
    ]

    @Test(arguments: 0..<badOutputs.count)
    func badPluginOutputIsAClearErrorWithoutTheToken(index: Int) async throws {
        let bad = Self.badOutputs[index]
        let plugin = try Self.printingPlugin(bad.output, exitCode: bad.exitCode)
        let provider = Self.provider(ExecConfig(apiVersion: Self.v1, command: plugin, interactiveMode: "Never"))
        do {
            _ = try await provider.credential()
            Issue.record("expected an error")
        } catch let error as ExecCredentialError {
            let expected = bad.message.replacingOccurrences(of: "PLUGIN", with: plugin)
            #expect(error.description.hasPrefix(expected), "got: \(error.description)")
            #expect(!error.description.contains("canary"))
            #expect(!(error.remedy ?? "").contains("canary"))
            #expect(error.exitStatus == .usage)
        }
    }

    @Test func aClientCertificateFromThePluginIsSurfacedAsTLSMaterial() async throws {
        let output =
            #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n","clientKeyData":"-----BEGIN EC PRIVATE KEY-----\nS0VZ\n-----END EC PRIVATE KEY-----\n"}}"#
        let plugin = try Self.printingPlugin(output)
        let provider = Self.provider(ExecConfig(apiVersion: Self.v1, command: plugin, interactiveMode: "Never"))
        let base = TLSMaterial(certificateAuthority: .file("/ca.crt"), serverName: "kubernetes")
        let tls = try await provider.effectiveTLS(base: base)
        #expect(tls.certificateAuthority == .file("/ca.crt"))
        #expect(tls.serverName == "kubernetes")
        #expect(tls.clientCertificate == .data(Data("-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n".utf8)))
        #expect(tls.clientKey == .data(Data("-----BEGIN EC PRIVATE KEY-----\nS0VZ\n-----END EC PRIVATE KEY-----\n".utf8)))
        #expect(await provider.pluginRuns == 1)
    }

    /// Records the requests it is given and answers with a fixed credential.
    final class RecordingRunner: ProcessRunner, @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [ProcessRequest] = []
        var requests: [ProcessRequest] { lock.withLock { seen } }

        func run(_ request: ProcessRequest) async throws -> ProcessResult {
            lock.withLock { seen.append(request) }
            let output = #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}"#
            return ProcessResult(exitStatus: 0, standardOutput: Data(output.utf8))
        }
    }

    @Test(arguments: [("Never", true, false), ("IfAvailable", true, true), ("IfAvailable", false, false), ("Always", true, true)])
    func interactiveRunsGetTheTerminalAndTheLongerTimeout(mode: String, terminal: Bool, interactive: Bool) async throws {
        let runner = RecordingRunner()
        let provider = ExecCredentialProvider(
            config: ExecConfig(apiVersion: Self.v1, command: "kubelogin", args: ["get-token", "$(touch /tmp/x)"], interactiveMode: mode),
            cluster: nil, runner: runner, clock: ManualClock(), environment: Environment(["PATH": "/usr/bin"]),
            timeout: .seconds(7), interactiveTimeout: .seconds(99), stdinIsTerminal: terminal)
        _ = try await provider.credential()
        let request = try #require(runner.requests.first)
        // argv only: the command and its arguments are passed as they are, never to a shell.
        #expect(request.executable == "kubelogin")
        #expect(request.arguments == ["get-token", "$(touch /tmp/x)"])
        #expect(request.timeout == (interactive ? .seconds(99) : .seconds(7)))
        if case .inherit = request.input { #expect(interactive) } else { #expect(!interactive) }
        if case .inherit = request.errorOutput {} else { Issue.record("plugin stderr should pass through") }
        #expect(request.environment["KUBERNETES_EXEC_INFO"]?.contains("\"interactive\":\(interactive)") == true)
    }
}
