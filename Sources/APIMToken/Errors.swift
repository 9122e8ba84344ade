// MARK: - ExitStatus

/// The documented exit codes (SPEC §5), shared by every command.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Done, or nothing to do.
    case success = 0
    /// Usage or configuration error: bad flag, kubeconfig, missing Secret.
    case usage = 2
    /// Azure authentication or authorization failed.
    case azureAuthentication = 3
    /// An Azure API call failed; nothing was changed.
    case azureAPI = 4
    /// A Kubernetes API call failed; nothing was changed.
    case kubernetesAPI = 5
    /// The Secret was updated but a restart failed; a re-run only restarts.
    case restartFailed = 6
    /// The rollout did not complete.
    case rolloutIncomplete = 7
    /// `status`: a token expires within `--warn-within`.
    case expiringSoon = 8
    /// `status`: a token is expired, missing, malformed, for the wrong gateway, or pods run a stale token.
    case tokenInvalid = 9
}

extension ExitStatus {
    /// The code of a run over many gateways or clusters, in this order: 6 (pods keep a token that will lapse), 7 (a
    /// rollout needs a look), 5, 4, 3 (nothing changed there), 2 (refused), 0.
    public static func mostSevere(_ codes: [ExitStatus]) -> ExitStatus {
        let order: [ExitStatus] = [.restartFailed, .rolloutIncomplete, .kubernetesAPI, .azureAPI, .azureAuthentication, .usage]
        return order.first { codes.contains($0) } ?? .success
    }
}

// MARK: - APIMTokenError

/// An error that knows its exit code and what the user should do next.
///
/// `description` says what failed and where; `remedy` says what to do. Neither ever contains a secret.
public protocol APIMTokenError: Error, Sendable, CustomStringConvertible {
    /// The exit code this error ends the process with.
    var exitStatus: ExitStatus { get }
    /// What to do next, when there is something useful to say.
    var remedy: String? { get }
}

extension APIMTokenError {
    /// No remedy by default.
    public var remedy: String? { nil }
}

// MARK: - ConfigurationError

/// A usage or configuration problem (exit 2): a bad flag value, an unreadable file, a missing object.
public struct ConfigurationError: APIMTokenError {
    /// What was wrong.
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
}
