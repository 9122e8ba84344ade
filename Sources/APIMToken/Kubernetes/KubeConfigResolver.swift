import FoundationEssentials

/// From the kubectl flags and the environment to a `ClusterConnection`, as kubectl decides it
/// (client-go `DeferredLoadingClientConfig`).
///
/// No subprocess runs and no request is sent here: exec plugins run later, on the first request,
/// inside `KubeAuthMiddleware` (through `ExecCredentialProvider`).
public enum KubeConfigResolver {
    /// Resolves the connection.
    ///
    /// 1. Load the kubeconfig (`KubeConfigLoader`).
    /// 2. Resolve `--context` (or `current-context`) with kubectl's validation and wording.
    /// 3. If the kubeconfig selects nothing and no `--context` was given, use in-cluster configuration when
    ///    possible; otherwise fail with client-go's "no configuration has been provided" error and a remedy.
    public static func resolve(
        flags: KubeConfigFlags,
        environment: Environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> ClusterConnection {
        let loader = KubeConfigLoader(environment: environment, workingDirectory: workingDirectory)
        let loaded = try loader.load(explicitPath: flags.kubeconfig)
        do {
            return try loaded.config.connection(contextOverride: flags.context, namespaceOverride: flags.namespace)
        } catch let emptiness as KubeConfig.Emptiness {
            if InClusterConfig.isPossible(in: environment) {
                return try InClusterConfig.connection(environment: environment, namespaceOverride: flags.namespace)
            }
            switch emptiness {
            case .nothingConfigured:
                let looked = loader.precedence(explicitPath: flags.kubeconfig).joined(separator: ", ")
                throw KubeConfigError.emptyConfiguration(
                    remedy:
                        "No kubeconfig entries were found (looked at: \(looked)). Pass --kubeconfig PATH, set KUBECONFIG, or run in a pod with a service account."
                )
            case .noContextChosen:
                throw KubeConfigError.emptyConfiguration(
                    remedy: "No context is selected. \(loaded.config.contextRemedy) Pass --context NAME or run `kubectl config use-context NAME`.")
            }
        }
    }
}
