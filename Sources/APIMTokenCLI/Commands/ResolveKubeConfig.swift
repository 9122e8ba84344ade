import APIMToken
import ArgumentParser
import FoundationEssentials

/// `kubectl apimtoken resolve-kubeconfig` (hidden): prints, as one JSON line, the context, cluster, user, server,
/// namespace and credential kind that the other commands would use, without contacting the cluster or printing a
/// secret. It compares directly with `kubectl config view --minify -o json`.
struct ResolveKubeConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve-kubeconfig",
        abstract: "Print what kubeconfig resolution chose (context, cluster, user, server, namespace, credential kind).",
        shouldDisplay: false)

    @OptionGroup(title: "Kubernetes") var kube: KubeOptions

    func run() throws {
        let environment = Environment.process
        let connection = try KubeConfigResolver.resolve(flags: kube.flags(environment: environment), environment: environment)
        print(KubeConfigResolution(connection).json)
    }
}
