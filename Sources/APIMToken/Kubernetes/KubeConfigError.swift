import FoundationEssentials

/// A kubeconfig, in-cluster or credential-plugin problem (exit 2), worded as kubectl words it.
///
/// The message never contains a token, password, key or certificate body.
public struct KubeConfigError: APIMTokenError, Equatable {
    /// What was wrong, in kubectl's words where kubectl has words for it.
    public var message: String
    /// What to do next.
    public var remedy: String?

    /// Creates the error.
    public init(_ message: String, remedy: String? = nil) {
        self.message = message
        self.remedy = remedy
    }

    public var exitStatus: ExitStatus { .usage }
    public var description: String { message }

    /// client-go's `errConfigurationInvalid`: one problem reads `invalid configuration: X`,
    /// several read `invalid configuration: [X, Y]`.
    static func invalidConfiguration(_ problems: [String], remedy: String? = nil) -> KubeConfigError {
        let joined = problems.count == 1 ? problems[0] : "[" + problems.joined(separator: ", ") + "]"
        return KubeConfigError("invalid configuration: \(joined)", remedy: remedy)
    }

    /// A file that could not be loaded: `error loading config file "PATH": REASON` (client-go `Load`).
    static func loading(_ path: String, _ reason: String, remedy: String? = nil) -> KubeConfigError {
        KubeConfigError(
            "error loading config file \"\(path)\": \(reason)",
            remedy: remedy ?? "Fix or remove \(path), or point --kubeconfig/KUBECONFIG at a valid kubeconfig.")
    }

    /// client-go's `ErrEmptyConfig`, for a merged kubeconfig that selects nothing and no in-cluster config.
    static func emptyConfiguration(remedy: String) -> KubeConfigError {
        .invalidConfiguration(
            ["no configuration has been provided, try setting KUBERNETES_MASTER environment variable"],
            remedy: remedy)
    }
}
