import FoundationEssentials

/// Everything needed to talk to one API server, resolved from a kubeconfig (or in-cluster config)
/// exactly as kubectl would resolve it. `KubernetesClient` is built from this value.
public struct ClusterConnection: Sendable {
    /// Where the connection came from, for messages (`context "aks-prod"`, `in-cluster`).
    public enum Origin: Sendable, Equatable {
        /// A kubeconfig context.
        case context(name: String, cluster: String, user: String)
        /// The pod's service account (`KUBERNETES_SERVICE_HOST`).
        case inCluster
    }

    /// The API server base URL (`https://host:port[/path]`).
    public var server: URL
    /// Server verification and client certificate.
    public var tls: TLSMaterial
    /// Proxy choice (`proxy-url` or the environment).
    public var proxy: ProxySetting
    /// The effective namespace: `-n`, else the context's, else `default` (in-cluster: the namespace file).
    public var namespace: String
    /// Where the connection came from.
    public var origin: Origin
    /// How requests authenticate (bearer token, token file, basic, exec plugin, client certificate only).
    public var credential: KubeCredential

    /// Creates a resolved connection.
    public init(
        server: URL,
        tls: TLSMaterial = TLSMaterial(),
        proxy: ProxySetting = .environment,
        namespace: String = "default",
        origin: Origin,
        credential: KubeCredential
    ) {
        self.server = server
        self.tls = tls
        self.proxy = proxy
        self.namespace = namespace
        self.origin = origin
        self.credential = credential
    }
}

/// How a request to the API server authenticates, beyond any client certificate in `TLSMaterial`.
public enum KubeCredential: Sendable {
    /// Nothing beyond TLS (a client certificate, or anonymous).
    case none
    /// A static bearer token (kubeconfig `token`).
    case bearerToken(Redacted<String>)
    /// A bearer token read from this file on every request (kubeconfig `tokenFile`, the in-cluster
    /// service-account token, which the kubelet rotates).
    case tokenFile(String)
    /// HTTP basic authentication (kubeconfig `username`/`password`).
    case basic(username: String, password: Redacted<String>)
    /// An exec credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`).
    case exec(ExecConfig)
}
