import FoundationEssentials

/// Azure AD Workload Identity: exchanges the projected Kubernetes service account token for an Entra token.
///
/// The token file is read again on every request because the kubelet rotates it.
public struct WorkloadIdentityCredential: TokenCredential {
    /// What the credential needs; normally filled from the variables the workload identity webhook injects.
    public struct Options: Sendable, Equatable {
        /// The application (client) id (`AZURE_CLIENT_ID`).
        public var clientID: String
        /// The directory (tenant) id (`AZURE_TENANT_ID`).
        public var tenantID: String
        /// The projected token file (`AZURE_FEDERATED_TOKEN_FILE`).
        public var tokenFilePath: String
        /// The authority host (`AZURE_AUTHORITY_HOST`).
        public var authorityHost: URL

        /// Creates options.
        public init(clientID: String, tenantID: String, tokenFilePath: String, authorityHost: URL) {
            self.clientID = clientID
            self.tenantID = tenantID
            self.tokenFilePath = tokenFilePath
            self.authorityHost = authorityHost
        }

        /// Reads the options from the environment; `clientID`/`tenantID` given here win over the variables.
        /// Throws `CredentialUnavailableError` naming each missing variable and the pod label.
        public static func fromEnvironment(
            _ environment: Environment, clientID: String? = nil, tenantID: String? = nil, defaultAuthorityHost: URL
        ) throws -> Options {
            let client = clientID ?? environment["AZURE_CLIENT_ID"]
            let tenant = tenantID ?? environment["AZURE_TENANT_ID"]
            let file = environment[AzureEnvironmentVariables.federatedTokenFile]
            let authority = environment[AzureEnvironmentVariables.authorityHost]
            var missing: [String] = []
            if client == nil { missing.append("AZURE_CLIENT_ID") }
            if tenant == nil { missing.append("AZURE_TENANT_ID") }
            if file == nil { missing.append(AzureEnvironmentVariables.federatedTokenFile) }
            if authority == nil { missing.append(AzureEnvironmentVariables.authorityHost) }
            guard let client, let tenant, let file, let authority else {
                throw CredentialUnavailableError(
                    credential: WorkloadIdentityCredential.credentialName,
                    message: "\(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not set",
                    remedy:
                        "label the pod \(AzureEnvironmentVariables.workloadIdentityPodLabel): \"true\" and annotate its ServiceAccount with azure.workload.identity/client-id, so that the webhook injects them"
                )
            }
            let host = try AzureEndpointPolicy.parseEndpoint(authority, name: AzureEnvironmentVariables.authorityHost)
            return Options(clientID: client, tenantID: tenant, tokenFilePath: file, authorityHost: host)
        }
    }

    /// The name used in messages.
    public static let credentialName = "WorkloadIdentityCredential"

    /// The options in use.
    public let options: Options
    private let client: EntraTokenClient

    /// Creates the credential; throws a `ConfigurationError` for an invalid tenant or a non-HTTPS authority.
    public init(
        options: Options, transport: any HTTPTransport, clock: any WallClock = SystemWallClock(),
        retryOptions: AzureRetryOptions = .default
    ) throws {
        self.options = options
        self.client = try EntraTokenClient(
            credentialName: Self.credentialName, authorityHost: options.authorityHost, tenantID: options.tenantID,
            transport: transport, clock: clock, retryOptions: retryOptions)
    }

    public var name: String { Self.credentialName }

    public func getToken(scope: String) async throws -> AccessToken {
        let assertion = try readAssertion()
        return try await client.requestToken(
            scope: scope, clientID: options.clientID,
            form: [
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", assertion),
            ],
            secrets: [assertion])
    }

    private func readAssertion() throws -> String {
        let contents: String
        do {
            contents = try String(contentsOfFile: options.tokenFilePath, encoding: .utf8)
        } catch {
            throw AuthenticationFailedError(
                credential: name, message: "cannot read the federated token file \(options.tokenFilePath)",
                remedy: "check that the service account token volume is projected (\(AzureEnvironmentVariables.workloadIdentityPodLabel): \"true\")")
        }
        let token = contents.trimmingWhitespaceAndNewlines()
        guard !token.isEmpty else {
            throw AuthenticationFailedError(credential: name, message: "the federated token file \(options.tokenFilePath) is empty")
        }
        return token
    }
}
