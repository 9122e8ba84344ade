import FoundationEssentials

// MARK: - CredentialUnavailableError

/// The credential cannot be used here at all (missing configuration, no IMDS, no `az`), so a chain moves on.
public struct CredentialUnavailableError: APIMTokenError {
    /// The credential's name.
    public var credential: String
    /// Why it is unavailable. Never contains a secret.
    public var message: String
    /// What to do next.
    public var remedy: String?

    /// Creates the error.
    public init(credential: String, message: String, remedy: String? = nil) {
        self.credential = credential
        self.message = message
        self.remedy = remedy
    }

    public var exitStatus: ExitStatus { .azureAuthentication }
    public var description: String { "\(credential) is unavailable: \(message)" }
}

// MARK: - AuthenticationFailedError

/// The credential was usable but Microsoft Entra ID (or IMDS, or `az`) refused or failed to issue a token.
public struct AuthenticationFailedError: APIMTokenError {
    /// The credential's name.
    public var credential: String
    /// What went wrong, with any server-provided text already scrubbed of secrets.
    public var message: String
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// The Entra `error` code (`invalid_client`) or AADSTS code, when the server sent one.
    public var errorCode: String?
    /// The Entra correlation id, for support requests.
    public var correlationID: String?
    /// What to do next.
    public var remedy: String?

    /// Creates the error.
    public init(
        credential: String, message: String, status: Int? = nil, errorCode: String? = nil,
        correlationID: String? = nil, remedy: String? = nil
    ) {
        self.credential = credential
        self.message = message
        self.status = status
        self.errorCode = errorCode
        self.correlationID = correlationID
        self.remedy = remedy
    }

    public var exitStatus: ExitStatus { .azureAuthentication }

    public var description: String {
        var text = "\(credential) authentication failed"
        if let status { text += " (HTTP \(status)" + (errorCode.map { ", \($0)" } ?? "") + ")" } else if let errorCode { text += " (\(errorCode))" }
        text += ": \(message)"
        if let correlationID { text += " [correlation id \(correlationID)]" }
        return text
    }
}

// MARK: - SecretScrubber

/// Removes known secret values from text that came from elsewhere (a server's error description, a
/// subprocess's stderr) before it goes into an error message. A second line of defence: the credentials
/// never put secrets into messages themselves.
struct SecretScrubber: Sendable {
    private let secrets: [String]

    /// Creates a scrubber for these secret values; values shorter than 6 characters are ignored.
    init(_ secrets: [String]) { self.secrets = secrets.filter { $0.count >= 6 } }

    /// The text with every secret replaced by `<redacted>`, cut to `limit` characters.
    func scrub(_ text: String, limit: Int = 500) -> String {
        var result = text
        for secret in secrets { result = result.replacing(secret, with: "<redacted>") }
        if result.count > limit { result = String(result.prefix(limit)) + "…" }
        return result
    }
}
