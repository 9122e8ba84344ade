import APIMTokenSandbox
import Foundation
import Testing

/// A kubeconfig whose user is an exec credential plugin (as AKS with kubelogin): the binary runs the plugin and
/// sends its token over the libcurl transport, and the sandbox authenticates it.
@Suite struct ExecPluginEndToEndTests {
    @Test func anExecPluginTokenReachesTheAPIServer() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let directory = E2E.freshDirectory("exec")
        let plugin = directory + "/token-plugin"
        let counter = directory + "/runs"
        try """
        #!/bin/sh
        echo run >> "\(counter)"
        printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$SANDBOX_TOKEN"
        """.write(toFile: plugin, atomically: true, encoding: .utf8)
        chmod(plugin, 0o755)
        let kubeconfig = directory + "/kubeconfig"
        try """
        apiVersion: v1
        kind: Config
        clusters:
        - name: sandbox
          cluster:
            server: \(sandbox.apiServerURL)
            certificate-authority: \(sandbox.caCertificatePath)
        users:
        - name: exec
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: \(plugin)
              env:
              - name: SANDBOX_TOKEN
                value: \(sandbox.adminToken)
              interactiveMode: Never
        contexts:
        - name: exec
          context: {cluster: sandbox, user: exec, namespace: apim}
        current-context: exec
        """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let run = await E2E.plugin(sandbox, ["status", "-o", "json"], env: ["KUBECONFIG": kubeconfig])
        #expect(run.status == 0, "\(run)")
        #expect((run.json["gateways"] as? [[String: Any]])?.first?["gateway"] as? String == "demo")
        #expect(!(run.stdout + run.stderr).contains(sandbox.adminToken))
        // One plugin run serves every request of the command.
        #expect((try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").count == 1)
        let kubeRequests = sandbox.requestLog.filter { $0.server == .kubernetes }
        #expect(!kubeRequests.isEmpty && kubeRequests.allSatisfy { $0.status == 200 })
    }
}
