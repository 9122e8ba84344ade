import APIMToken
import ArgumentParser
import Foundation
import Testing

@testable import APIMTokenCLI

/// Shared set-up of the completion tests.
enum CompletionFixtures {
    /// The package's root directory.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A new empty directory under the temporary directory.
    static func freshDirectory(_ prefix: String) -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("apimtoken-completion-\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// A kubeconfig with three contexts: `prod` (namespace `apim-prod`, current), `staging` (namespace `apim`) and
    /// `dev` (namespace `apim`), and a server no test ever reaches (completion contacts none).
    static let kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: aks-prod
          cluster: {server: "https://127.0.0.1:1"}
        - name: aks-dev
          cluster: {server: "https://127.0.0.1:1"}
        users:
        - name: admin
          user: {token: not-a-secret}
        contexts:
        - name: prod
          context: {cluster: aks-prod, user: admin, namespace: apim-prod}
        - name: staging
          context: {cluster: aks-prod, user: admin, namespace: apim}
        - name: dev
          context: {cluster: aks-dev, user: admin, namespace: apim}
        - name: bare
          context: {cluster: aks-dev, user: admin}
        current-context: prod
        """

    /// Writes `text` to a new file and returns its path.
    static func write(_ text: String, name: String = "config") throws -> String {
        let path = freshDirectory("kubeconfig") + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The real command's tree.
    static func realTree() throws -> CompletionCommand { try CompletionCommand.tree(of: APIMTokenCommand.self) }

    /// A completer over the real command tree with `environment` (by default a `HOME` with no kubeconfig).
    static func completer(environment: [String: String]? = nil) throws -> PluginCompleter {
        PluginCompleter(
            tree: try realTree(), environment: Environment(environment ?? ["HOME": freshDirectory("home")]),
            workingDirectory: FileManager.default.temporaryDirectory.path, customCompletion: nil)
    }
}

// MARK: - A command tree with every kind of value completion

/// Identity kinds, as an enum option declares them.
enum CompletionFakeIdentity: String, ExpressibleByArgument, CaseIterable {
    case workloadIdentity = "workload-identity"
    case aadPodIdentity = "aad-pod-identity"
    case servicePrincipal = "service-principal"
}

/// A root with one subcommand, to test what the real tree does not have yet (`.custom`, files, directories).
struct CompletionFakeRoot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fake", subcommands: [CompletionFakeInstall.self])
}

/// A subcommand whose options use every completion kind.
struct CompletionFakeInstall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "install-cronjob", abstract: "Install the CronJob.", aliases: ["install"])

    @Option(help: "The identity kind.") var identity: CompletionFakeIdentity = .workloadIdentity
    @Option(name: .customLong("dry-run")) var dryRun: String?
    @Option(name: .customLong("login-method")) var loginMethod: String?
    @Option(name: [.short, .customLong("output")]) var output: String?
    @Option(completion: .custom { words, index, prefix in ["gw-\(index)-\(prefix)", "gw-b", "other:\(words.first ?? "")"] }) var gateway: String?
    @Option(completion: .custom { _, _, _ async in ["async-one", "async-two"] }) var slow: String?
    @Option(completion: .file(extensions: ["pem"])) var cert: String?
    @Option(completion: .directory) var dir: String?
    @Option(completion: .list(["a", "b"])) var letter: String?
    @Flag var uninstall = false
    @Flag(help: .hidden) var secret = false
    @OptionGroup var kube: KubeOptions

    func run() async throws {}
}
