import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The pod's own service account as a connection (client-go `rest.InClusterConfig` and
/// `clientcmd`'s `inClusterClientConfig`).
///
/// Used, as kubectl uses it, only when the loaded kubeconfig selects nothing (no file, empty files, or
/// no context chosen) and no `--context` was given, and only when `KUBERNETES_SERVICE_HOST`,
/// `KUBERNETES_SERVICE_PORT` and the token file are all present. The token is re-read on every request
/// (`KubeCredential.tokenFile`) because the kubelet rotates it.
public enum InClusterConfig {
    /// Where Kubernetes mounts the service-account token, `ca.crt` and `namespace`.
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"
    /// Overrides `defaultDirectory` (for tests and unusual mounts).
    public static let directoryVariable = "APIMTOKEN_SERVICEACCOUNT_DIR"

    /// The service-account directory in effect.
    public static func directory(in environment: Environment) -> String {
        environment[directoryVariable] ?? defaultDirectory
    }

    /// Whether in-cluster configuration can be used (client-go `inClusterClientConfig.Possible`).
    public static func isPossible(in environment: Environment) -> Bool {
        guard environment["KUBERNETES_SERVICE_HOST"] != nil, environment["KUBERNETES_SERVICE_PORT"] != nil else { return false }
        var info = stat()
        return stat(directory(in: environment) + "/token", &info) == 0 && (info.st_mode & S_IFMT) != S_IFDIR
    }

    /// The in-cluster connection. The namespace is `-n`, else `POD_NAMESPACE`, else the `namespace` file, else `default`.
    public static func connection(environment: Environment, namespaceOverride: String? = nil) throws -> ClusterConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw KubeConfigError(
                "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined",
                remedy: "Run inside a pod, or pass --kubeconfig.")
        }
        let directory = directory(in: environment)
        let tokenPath = directory + "/token"
        if let reason = KubeConfig.unreadable(tokenPath) {
            throw KubeConfigError(reason, remedy: "Mount a service-account token (automountServiceAccountToken: true), or pass --kubeconfig.")
        }
        let hostPort = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard let server = URL(string: "https://\(hostPort)") else {
            throw KubeConfigError("invalid in-cluster address \"\(hostPort)\" from KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT")
        }
        var tls = TLSMaterial()
        let caPath = directory + "/ca.crt"
        if FileManager.default.fileExists(atPath: caPath) { tls.certificateAuthority = .file(caPath) }

        var namespace = namespaceOverride ?? environment["POD_NAMESPACE"]
        if namespace == nil, let data = FileManager.default.contents(atPath: directory + "/namespace") {
            let text = String(decoding: data, as: UTF8.self).trimmingWhitespaceAndNewlines()
            if !text.isEmpty { namespace = text }
        }
        return ClusterConnection(
            server: server, tls: tls, proxy: .environment, namespace: namespace ?? "default",
            origin: .inCluster, credential: .tokenFile(tokenPath))
    }
}
