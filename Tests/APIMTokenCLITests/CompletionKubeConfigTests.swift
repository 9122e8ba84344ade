import APIMToken
import Foundation
import Testing

@testable import APIMTokenCLI

/// `--context` and `-n/--namespace` values come from the kubeconfig files only: `--kubeconfig` in the words typed,
/// else `KUBECONFIG`, else `~/.kube/config`. Nothing here has a reachable server, and none is needed.
@Suite struct CompletionKubeConfigTests {
    @Test func contextsFromKUBECONFIG() async throws {
        let path = try CompletionFixtures.write(CompletionFixtures.kubeconfig)
        let completer = try CompletionFixtures.completer(environment: ["HOME": "/nonexistent", "KUBECONFIG": path])
        let result = await completer.complete(["status", "--context", ""])
        #expect(result.values == ["bare", "dev", "prod", "staging"])
        #expect(result.directive == .noFileCompletion)
        #expect(result.candidates.first { $0.value == "prod" }?.description == "current, cluster aks-prod, namespace apim-prod")
        #expect(await completer.complete(["rotate", "--context=st"]).values == ["--context=staging"])
    }

    @Test func contextListsCompleteTheWordAfterTheLastCommaWithoutRepeatingOne() async throws {
        let path = try CompletionFixtures.write(CompletionFixtures.kubeconfig)
        let completer = try CompletionFixtures.completer(environment: ["HOME": "/nonexistent", "KUBECONFIG": path])
        let first = await completer.complete(["status", "--contexts", ""])
        #expect(first.values == ["bare", "dev", "prod", "staging"])
        #expect(first.directive == [.noFileCompletion, .noSpace], "a comma may follow")
        #expect(await completer.complete(["switch-key", "--contexts", "dev,"]).values == ["dev,bare", "dev,prod", "dev,staging"])
        #expect(await completer.complete(["rotate", "--contexts", "dev,prod,s"]).values == ["dev,prod,staging"])
        #expect(await completer.complete(["rotate", "--contexts=dev,p"]).values == ["--contexts=dev,prod"])
    }

    @Test func namespacesNamedByContexts() async throws {
        let path = try CompletionFixtures.write(CompletionFixtures.kubeconfig)
        let completer = try CompletionFixtures.completer(environment: ["HOME": "/nonexistent", "KUBECONFIG": path])
        let result = await completer.complete(["status", "-n", ""])
        #expect(result.values == ["apim", "apim-prod"])
        #expect(result.candidates.first?.description == "contexts dev, staging")
        #expect(await completer.complete(["switch-key", "--namespace", "apim-"]).values == ["apim-prod"])
        #expect(await completer.complete(["rotate", "--namespace=apim-"]).values == ["--namespace=apim-prod"])
        #expect(await completer.complete(["rotate", "-napim-"]).values == ["-napim-prod"])
    }

    @Test func theKubeconfigFlagTypedEarlierWins() async throws {
        let other = try CompletionFixtures.write(
            """
            apiVersion: v1
            kind: Config
            contexts:
            - name: elsewhere
              context: {cluster: c, user: u, namespace: gateways}
            """)
        let path = try CompletionFixtures.write(CompletionFixtures.kubeconfig)
        let completer = try CompletionFixtures.completer(environment: ["HOME": "/nonexistent", "KUBECONFIG": path])
        #expect(await completer.complete(["status", "--kubeconfig", other, "-n", ""]).values == ["gateways"])
        #expect(await completer.complete(["status", "--kubeconfig=\(other)", "--context", ""]).values == ["elsewhere"])
    }

    @Test func theDefaultFileAndTilde() async throws {
        let home = CompletionFixtures.freshDirectory("home")
        try FileManager.default.createDirectory(atPath: home + "/.kube", withIntermediateDirectories: true)
        try Data(CompletionFixtures.kubeconfig.utf8).write(to: URL(fileURLWithPath: home + "/.kube/config"))
        try Data(CompletionFixtures.kubeconfig.replacingOccurrences(of: "apim-prod", with: "tilde").utf8)
            .write(to: URL(fileURLWithPath: home + "/other"))
        let completer = try CompletionFixtures.completer(environment: ["HOME": home])
        #expect(await completer.complete(["status", "-n", ""]).values == ["apim", "apim-prod"])
        #expect(await completer.complete(["status", "--kubeconfig", "~/other", "-n", ""]).values == ["apim", "tilde"])
    }

    @Test func aMissingOrBrokenKubeconfigOffersNothingAndPrintsNothing() async throws {
        let broken = try CompletionFixtures.write("contexts: [unclosed")
        for environment in [["HOME": "/nonexistent"], ["HOME": "/nonexistent", "KUBECONFIG": broken]] {
            let completer = try CompletionFixtures.completer(environment: environment)
            #expect(await completer.complete(["status", "--context", ""]) == .nothing)
            #expect(await completer.complete(["status", "-n", ""]) == .nothing)
        }
        let completer = try CompletionFixtures.completer(environment: ["HOME": "/nonexistent"])
        #expect(await completer.complete(["status", "--kubeconfig", "/no/such/file", "-n", ""]) == .nothing)
    }

    @Test func candidatesOfAConfigValue() {
        let config = KubeConfig(
            currentContext: "b",
            contexts: ["b": .init(cluster: "c", namespace: "x"), "a": .init(namespace: "x"), "z": .init(cluster: "c")])
        let candidates = KubeConfigCandidates(config: config)
        #expect(
            candidates.contexts == [
                CompletionCandidate("a", "namespace x"), CompletionCandidate("b", "current, cluster c, namespace x"), CompletionCandidate("z", "cluster c"),
            ])
        #expect(candidates.namespaces == [CompletionCandidate("x", "contexts a, b")])
    }
}

/// The closure `KubeOptions` can hand to `completion: .custom(…)` so that the bash, zsh and fish scripts complete
/// contexts and namespaces too (ArgumentParser passes the shell's words, the command name first).
@Suite struct CompletionKubeConfigClosureTests {
    @Test func offersNamespacesAndHonoursKubeconfigAmongTheWords() throws {
        let path = try CompletionFixtures.write(CompletionFixtures.kubeconfig)
        let other = try CompletionFixtures.write("contexts: [{name: x, context: {cluster: c, user: u, namespace: gateways}}]\n")
        let environment = Environment(["HOME": "/nonexistent", "KUBECONFIG": path])
        let namespaces = KubeConfigCandidates.customCompletion(\.namespaces, environment: environment)
        #expect(namespaces(["kubectl-apimtoken", "status", "-n", ""], 3, "") == ["apim", "apim-prod"])
        #expect(namespaces(["kubectl-apimtoken", "status", "-n", "apim-"], 3, "apim-") == ["apim-prod"])
        #expect(namespaces(["kubectl-apimtoken", "status", "--kubeconfig", other, "-n", ""], 5, "") == ["gateways"])
        #expect(namespaces(["kubectl-apimtoken", "status", "--kubeconfig=\(other)", "-n", ""], 4, "") == ["gateways"])
        let contexts = KubeConfigCandidates.customCompletion(\.contexts, environment: environment)
        #expect(contexts(["kubectl-apimtoken", "rotate", "--context", "s"], 3, "s") == ["staging"])
    }
}
