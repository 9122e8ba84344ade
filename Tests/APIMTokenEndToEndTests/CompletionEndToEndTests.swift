import APIMTokenSandbox
import Foundation
import Testing

/// Real `kubectl __complete apimtoken …` against the sandbox's kubeconfig, with the helper on PATH.
@Suite struct SandboxCompletionEndToEndTests {
    @Test func kubectlCompletesSubcommandsKeyModesAndTheSandboxNamespaces() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        guard let binary = E2E.binary else { return }
        let bin = E2E.freshDirectory("bin")
        try FileManager.default.createSymbolicLink(atPath: bin + "/kubectl-apimtoken", withDestinationPath: binary)
        try FileManager.default.createSymbolicLink(atPath: bin + "/kubectl_complete-apimtoken", withDestinationPath: binary)
        var env = E2E.environment(sandbox)
        env["PATH"] = bin + ":" + (env["PATH"] ?? "")
        func complete(_ words: [String]) async -> [String] {
            let run = await E2E.run(["/usr/bin/kubectl", "__complete", "apimtoken"] + words, environment: env)
            return run.stdout.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
        }
        let subcommands = await complete([""])
        #expect(subcommands.contains("rotate") && subcommands.contains("install-cronjob"), "\(subcommands)")
        #expect(subcommands.last == ":4")
        let modes = await complete(["rotate", "--token-key", ""])
        #expect(Array(modes.dropLast()) == ["last", "rotate", "primary", "secondary"], "\(modes)")
        let namespaces = await complete(["status", "-n", ""])
        #expect(namespaces.contains("apim"), "the sandbox kubeconfig's context namespace: \(namespaces)")
        let contexts = await complete(["status", "--context", ""])
        #expect(contexts.contains("apimtoken-sandbox") && contexts.contains("apimtoken-sandbox-token"), "\(contexts)")
    }
}
