import FoundationEssentials

/// An exec credential plugin that could not produce a credential (exit 2), in client-go's words.
/// Never contains the plugin's output or any credential.
public struct ExecCredentialError: APIMTokenError, Equatable {
    /// What went wrong.
    public var message: String
    /// What to do next.
    public var remedy: String?

    /// Creates the error.
    public init(_ message: String, remedy: String? = nil) {
        self.message = message
        self.remedy = remedy
    }

    public var exitStatus: ExitStatus { .usage }
    public var description: String { "getting credentials: \(message)" }
}
