import FoundationEssentials

/// What kubeconfig resolution chose, without any secret: the facts `kubectl config view --minify` shows for the
/// selected context. the hidden `kubectl apimtoken resolve-kubeconfig` prints it, and the differential test against kubectl
/// compares it.
public struct KubeConfigResolution: Sendable, Equatable, Codable {
    /// How requests authenticate.
    public enum CredentialKind: String, Sendable, Codable, CaseIterable {
        /// A static `token`.
        case token
        /// A `tokenFile`, read on every request.
        case tokenFile
        /// `username`/`password`.
        case basic
        /// An exec credential plugin.
        case exec
        /// A client certificate alone.
        case clientCertificate
        /// Nothing (anonymous, or a plain `http://` server, to which no credential is ever sent).
        case none
    }

    /// The context's name; `nil` in a pod (in-cluster configuration).
    public var context: String?
    /// The cluster's name.
    public var cluster: String?
    /// The user's name (empty when the context names none).
    public var user: String?
    /// The API server URL.
    public var server: String
    /// The effective namespace.
    public var namespace: String
    /// How requests authenticate.
    public var credential: CredentialKind
    /// Whether server certificates go unchecked.
    public var insecureSkipTLSVerify: Bool

    /// Summarises a resolved connection.
    public init(_ connection: ClusterConnection) {
        switch connection.origin {
        case .context(let name, let cluster, let user): (context, self.cluster, self.user) = (name, cluster, user)
        case .inCluster: (context, cluster, user) = (nil, nil, nil)
        }
        server = connection.server.absoluteString
        namespace = connection.namespace
        insecureSkipTLSVerify = connection.tls.insecureSkipVerify
        switch connection.credential {
        case .bearerToken: credential = .token
        case .tokenFile: credential = .tokenFile
        case .basic: credential = .basic
        case .exec: credential = .exec
        case .none: credential = connection.tls.clientCertificate != nil ? .clientCertificate : .none
        }
    }

    /// One line of JSON with sorted keys; absent names are `null`.
    public var json: String {
        func quoted(_ text: String?) -> String {
            guard let text else { return "null" }
            return String(decoding: JSONValue.string(text).encoded, as: UTF8.self)
        }
        return "{\"cluster\":\(quoted(cluster)),\"context\":\(quoted(context)),\"credential\":\(quoted(credential.rawValue)),"
            + "\"insecureSkipTLSVerify\":\(insecureSkipTLSVerify),\"namespace\":\(quoted(namespace)),\"server\":\(quoted(server)),"
            + "\"user\":\(quoted(user))}"
    }
}
