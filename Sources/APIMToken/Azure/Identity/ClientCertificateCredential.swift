import FoundationEssentials

/// A service principal that authenticates with a certificate: a client-assertion JWT signed with its key.
public struct ClientCertificateCredential: TokenCredential, CustomStringConvertible {
    /// The name used in messages.
    public static let credentialName = "ClientCertificateCredential"

    /// The directory (tenant) id.
    public let tenantID: String
    /// The application (client) id.
    public let clientID: String
    /// Builds the assertions.
    public let assertion: ClientAssertion
    private let client: EntraTokenClient
    private let clock: any WallClock

    /// Creates the credential; throws a `ConfigurationError` for an invalid tenant or a non-HTTPS authority.
    public init(
        tenantID: String, clientID: String, certificate: ClientCertificate, algorithm: ClientAssertionAlgorithm = .ps256,
        authorityHost: URL, transport: any HTTPTransport, clock: any WallClock = SystemWallClock(),
        retryOptions: AzureRetryOptions = .default
    ) throws {
        self.tenantID = tenantID
        self.clientID = clientID
        self.assertion = ClientAssertion(certificate: certificate, algorithm: algorithm)
        self.clock = clock
        self.client = try EntraTokenClient(
            credentialName: Self.credentialName, authorityHost: authorityHost, tenantID: tenantID,
            transport: transport, clock: clock, retryOptions: retryOptions)
    }

    public var name: String { Self.credentialName }
    public var description: String {
        "ClientCertificateCredential(tenant: \(tenantID), client: \(clientID), \(assertion.algorithm.rawValue), x5t#S256: \(assertion.certificate.sha256Thumbprint))"
    }

    public func getToken(scope: String) async throws -> AccessToken {
        let jwt = try assertion.make(clientID: clientID, audience: client.tokenEndpoint.absoluteString, now: clock.now())
        return try await client.requestToken(
            scope: scope, clientID: clientID,
            form: [
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", jwt.value),
            ],
            secrets: [jwt.value])
    }
}
