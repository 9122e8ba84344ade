/// A kubeconfig `user.exec` stanza (client-go `ExecConfig`). The kubeconfig work fills in the loading,
/// the running and the caching of the credential it produces.
public struct ExecConfig: Sendable, Equatable {
    /// `client.authentication.k8s.io/v1` or `v1beta1`.
    public var apiVersion: String
    /// The command, resolved against the kubeconfig's directory when it is a relative path with a slash.
    public var command: String
    /// Arguments after the command.
    public var args: [String]
    /// Extra environment variables, in order.
    public var env: [ExecEnvVar]
    /// Shown when the command is not found.
    public var installHint: String?
    /// Whether to pass cluster information in `KUBERNETES_EXEC_INFO`.
    public var provideClusterInfo: Bool
    /// `Never`, `IfAvailable` or `Always`. Required for `v1`; `v1beta1` defaults to `IfAvailable`.
    public var interactiveMode: String?
    /// The cluster's `client.authentication.k8s.io/exec` extension as JSON, sent as `spec.cluster.config`
    /// when `provideClusterInfo` is set.
    public var clusterConfig: String?
    /// The user entry's name, for messages.
    public var userName: String?

    /// Creates an exec stanza.
    public init(
        apiVersion: String,
        command: String,
        args: [String] = [],
        env: [ExecEnvVar] = [],
        installHint: String? = nil,
        provideClusterInfo: Bool = false,
        interactiveMode: String? = nil,
        clusterConfig: String? = nil,
        userName: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
        self.clusterConfig = clusterConfig
        self.userName = userName
    }

    /// The supported `apiVersion` values.
    public static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    /// The interactive mode in effect: the configured one, else `IfAvailable` for `v1beta1` (client-go's default);
    /// `nil` when `v1` leaves it out (an error).
    public var effectiveInteractiveMode: String? {
        if let interactiveMode { return interactiveMode }
        return apiVersion == "client.authentication.k8s.io/v1beta1" ? "IfAvailable" : nil
    }
}

/// One `name`/`value` pair of an exec stanza's `env` list.
public struct ExecEnvVar: Sendable, Equatable {
    /// The variable name.
    public var name: String
    public var value: String

    /// Creates a pair.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
