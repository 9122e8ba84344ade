import FoundationEssentials

/// A service principal that authenticates with a client secret.
public struct ClientSecretCredential: TokenCredential, CustomStringConvertible {
    /// The name used in messages.
    public static let credentialName = "ClientSecretCredential"

    /// The directory (tenant) id.
    public let tenantID: String
    /// The application (client) id.
    public let clientID: String
    private let secret: Redacted<String>
    private let client: EntraTokenClient

    /// Creates the credential; throws a `ConfigurationError` for an invalid tenant or a non-HTTPS authority.
    public init(
        tenantID: String, clientID: String, secret: Redacted<String>, authorityHost: URL,
        transport: any HTTPTransport, clock: any WallClock = SystemWallClock(), retryOptions: AzureRetryOptions = .default
    ) throws {
        guard !secret.value.isEmpty else {
            throw ConfigurationError("the client secret is empty", remedy: "pass --client-secret or AZURE_CLIENT_SECRET")
        }
        self.tenantID = tenantID
        self.clientID = clientID
        self.secret = secret
        self.client = try EntraTokenClient(
            credentialName: Self.credentialName, authorityHost: authorityHost, tenantID: tenantID,
            transport: transport, clock: clock, retryOptions: retryOptions)
    }

    public var name: String { Self.credentialName }
    public var description: String { "ClientSecretCredential(tenant: \(tenantID), client: \(clientID), secret: <redacted>)" }

    public func getToken(scope: String) async throws -> AccessToken {
        try await client.requestToken(
            scope: scope, clientID: clientID, form: [("client_secret", secret.value)], secrets: [secret.value])
    }
}
