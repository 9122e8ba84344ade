import FoundationEssentials

/// A kubeconfig (client-go `clientcmdapi.Config`): named clusters, users and contexts plus the current context.
///
/// Loading is tolerant like kubectl's: unknown fields, `preferences` and `extensions` are ignored, and
/// `null` lists (AKS writes `env: null`) are empty lists. Every entry remembers the file that defined it,
/// and relative paths in it are already resolved against that file's directory.
public struct KubeConfig: Sendable, Equatable {
    /// `current-context`, when set.
    public var currentContext: String?
    /// Clusters by name.
    public var clusters: [String: Cluster]
    /// Users (client-go `AuthInfo`) by name.
    public var users: [String: AuthInfo]
    /// Contexts by name.
    public var contexts: [String: Context]

    /// Creates a kubeconfig.
    public init(currentContext: String? = nil, clusters: [String: Cluster] = [:], users: [String: AuthInfo] = [:], contexts: [String: Context] = [:]) {
        self.currentContext = currentContext
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
    }

    /// Whether nothing at all is configured (client-go `IsConfigEmpty`): the case where kubectl tries in-cluster config.
    public var isEmpty: Bool { currentContext == nil && clusters.isEmpty && users.isEmpty && contexts.isEmpty }

    // MARK: - Cluster

    /// A `clusters[].cluster` entry.
    public struct Cluster: Sendable, Equatable {
        public var server: String?
        /// `certificate-authority`: an absolute path.
        public var certificateAuthority: String?
        /// `certificate-authority-data`, base64-decoded.
        public var certificateAuthorityData: Data?
        /// `insecure-skip-tls-verify`.
        public var insecureSkipTLSVerify: Bool
        /// `tls-server-name`.
        public var tlsServerName: String?
        /// `proxy-url`.
        public var proxyURL: String?
        /// `disable-compression`.
        public var disableCompression: Bool
        /// The `client.authentication.k8s.io/exec` extension, as JSON, for exec plugins with `provideClusterInfo`.
        public var execExtensionJSON: String?
        /// The file that defined this cluster.
        public var origin: String

        /// Creates a cluster entry.
        public init(
            server: String? = nil, certificateAuthority: String? = nil, certificateAuthorityData: Data? = nil,
            insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil, proxyURL: String? = nil,
            disableCompression: Bool = false, execExtensionJSON: String? = nil, origin: String = ""
        ) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
            self.proxyURL = proxyURL
            self.disableCompression = disableCompression
            self.execExtensionJSON = execExtensionJSON
            self.origin = origin
        }
    }

    // MARK: - AuthInfo

    /// A `users[].user` entry.
    public struct AuthInfo: Sendable, Equatable {
        /// `client-certificate`: an absolute path.
        public var clientCertificate: String?
        /// `client-certificate-data`, base64-decoded PEM.
        public var clientCertificateData: Data?
        /// `client-key`: an absolute path.
        public var clientKey: String?
        /// `client-key-data`, base64-decoded PEM.
        public var clientKeyData: Redacted<Data>?
        public var token: Redacted<String>?
        /// `tokenFile`: an absolute path, read on every request.
        public var tokenFile: String?
        /// `username` (basic authentication).
        public var username: String?
        /// `password` (basic authentication).
        public var password: Redacted<String>?
        /// `exec`: a credential plugin; a relative command with a slash is already absolute.
        public var exec: ExecConfig?
        /// Whether the entry has a legacy `auth-provider` stanza (removed from kubectl; reported as unsupported).
        public var authProviderName: String?
        /// The file that defined this user.
        public var origin: String

        /// Creates a user entry.
        public init(
            clientCertificate: String? = nil, clientCertificateData: Data? = nil, clientKey: String? = nil,
            clientKeyData: Redacted<Data>? = nil, token: Redacted<String>? = nil, tokenFile: String? = nil,
            username: String? = nil, password: Redacted<String>? = nil, exec: ExecConfig? = nil,
            authProviderName: String? = nil, origin: String = ""
        ) {
            self.clientCertificate = clientCertificate
            self.clientCertificateData = clientCertificateData
            self.clientKey = clientKey
            self.clientKeyData = clientKeyData
            self.token = token
            self.tokenFile = tokenFile
            self.username = username
            self.password = password
            self.exec = exec
            self.authProviderName = authProviderName
            self.origin = origin
        }
    }

    // MARK: - Context

    /// A `contexts[].context` entry.
    public struct Context: Sendable, Equatable {
        public var cluster: String?
        public var user: String?
        public var namespace: String?
        /// The file that defined this context.
        public var origin: String

        /// Creates a context entry.
        public init(cluster: String? = nil, user: String? = nil, namespace: String? = nil, origin: String = "") {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
            self.origin = origin
        }
    }
}
