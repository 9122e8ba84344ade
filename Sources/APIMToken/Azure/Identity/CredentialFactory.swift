import FoundationEssentials

/// Builds the credential that the login options ask for (SPEC §4).
///
/// `dump` shows only the names of the environment variables, since their values may be secrets.
public struct CredentialFactory: Sendable, CustomReflectable {
    /// The transport for Entra and IMDS requests.
    public var transport: any HTTPTransport
    /// The process environment (variables, and the `az` child's environment).
    public var environment: Environment
    public var clock: any WallClock
    /// Runs `az`.
    public var processRunner: any ProcessRunner
    /// The cloud, for the default authority host.
    public var cloud: AzureCloud

    /// Creates a factory.
    public init(
        transport: any HTTPTransport, environment: Environment, clock: any WallClock = SystemWallClock(),
        processRunner: any ProcessRunner = POSIXProcessRunner(), cloud: AzureCloud = .azurePublic
    ) {
        self.transport = transport
        self.environment = environment
        self.clock = clock
        self.processRunner = processRunner
        self.cloud = cloud
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["cloud": cloud, "environmentVariables": environment.values.keys.sorted()], displayStyle: .struct)
    }

    /// The credential for `options` (flags), completed from the environment. Configuration problems for an
    /// explicitly chosen method throw `ConfigurationError` (exit 2) naming the flag and variable.
    public func makeCredential(_ options: LoginOptions) throws -> any TokenCredential {
        let options = try options.resolved(with: environment)
        switch options.method ?? .auto {
        case .workloadIdentity:
            do {
                return try WorkloadIdentityCredential(options: workloadIdentityOptions(options), transport: transport, clock: clock)
            } catch let error as CredentialUnavailableError {
                throw ConfigurationError("--login-method workload-identity: \(error.message)", remedy: error.remedy)
            }
        case .sp:
            guard let credential = try servicePrincipal(options) else {
                throw ConfigurationError(
                    "--login-method sp needs --client-secret [AZURE_CLIENT_SECRET, SP_SECRET] or --client-certificate [AZURE_CLIENT_CERTIFICATE_PATH]")
            }
            return credential
        case .identity:
            return ManagedIdentityCredential(
                options: .init(
                    identity: .from(clientIDOrResourceID: options.clientID),
                    endpoint: try ManagedIdentityCredential.Options.endpoint(from: environment)),
                transport: transport, clock: clock)
        case .azurecli:
            return azureCLI(options)
        case .auto:
            return ChainedTokenCredential(sources: try autoSources(options))
        }
    }

    /// The `auto` chain: workload identity (or why not), service principal (or why not), managed identity with
    /// a probe, Azure CLI.
    public func autoSources(_ options: LoginOptions) throws -> [any TokenCredential] {
        var sources: [any TokenCredential] = []
        do {
            sources.append(try WorkloadIdentityCredential(options: workloadIdentityOptions(options), transport: transport, clock: clock))
        } catch let error as CredentialUnavailableError {
            sources.append(UnavailableCredential(error))
        }
        if let sp = try servicePrincipal(options) {
            sources.append(sp)
        } else {
            sources.append(
                UnavailableCredential(
                    CredentialUnavailableError(
                        credential: "ServicePrincipal",
                        message:
                            "no client secret or certificate given (--client-secret, --client-certificate, AZURE_CLIENT_SECRET, SP_SECRET, AZURE_CLIENT_CERTIFICATE_PATH)"
                    )))
        }
        sources.append(
            ManagedIdentityCredential(
                options: .init(
                    identity: .from(clientIDOrResourceID: options.clientID),
                    endpoint: try ManagedIdentityCredential.Options.endpoint(from: environment),
                    probeTimeout: options.imdsProbeTimeout, chained: true),
                transport: transport, clock: clock))
        sources.append(azureCLI(options))
        return sources
    }

    private func workloadIdentityOptions(_ options: LoginOptions) throws -> WorkloadIdentityCredential.Options {
        var defaulted = environment
        if defaulted[AzureEnvironmentVariables.authorityHost] == nil, defaulted[AzureEnvironmentVariables.federatedTokenFile] != nil {
            defaulted[AzureEnvironmentVariables.authorityHost] = cloud.authorityHost.absoluteString
        }
        return try WorkloadIdentityCredential.Options.fromEnvironment(
            defaulted, clientID: options.clientID, tenantID: options.tenantID, defaultAuthorityHost: cloud.authorityHost)
    }

    /// A service principal credential when a secret or certificate is given, else `nil`.
    private func servicePrincipal(_ options: LoginOptions) throws -> (any TokenCredential)? {
        let certificatePath: String?
        let secret: Redacted<String>?
        if let path = options.clientCertificatePath {
            certificatePath = path
            secret = nil
        } else if let given = options.clientSecret, Self.looksLikePEMFile(given.value) {
            certificatePath = given.value  // apim-shg-rotate: --client-secret may be a PEM path
            secret = nil
        } else {
            certificatePath = nil
            secret = options.clientSecret
        }
        guard certificatePath != nil || secret != nil else { return nil }
        guard let clientID = options.clientID else {
            throw ConfigurationError("a service principal needs --client-id [AZURE_CLIENT_ID, SP_ID]")
        }
        guard let tenantID = options.tenantID else {
            throw ConfigurationError("a service principal needs --tenant [AZURE_TENANT_ID, TENANT_ID, TENANT]")
        }
        let authority = cloud.authorityHost
        if let certificatePath {
            return try ClientCertificateCredential(
                tenantID: tenantID, clientID: clientID, certificate: ClientCertificate.load(path: certificatePath),
                algorithm: options.assertionAlgorithm, authorityHost: authority, transport: transport, clock: clock)
        }
        return try ClientSecretCredential(
            tenantID: tenantID, clientID: clientID, secret: secret!, authorityHost: authority, transport: transport, clock: clock)
    }

    private func azureCLI(_ options: LoginOptions) -> AzureCLICredential {
        AzureCLICredential(
            options: .init(tenantID: options.tenantID, timeout: options.azureCLITimeout), runner: processRunner,
            environment: environment)
    }

    /// Whether a `--client-secret` value is a path to a readable PEM file rather than a secret.
    static func looksLikePEMFile(_ value: String) -> Bool {
        guard value.count < 4096, value.hasSuffix(".pem") || value.contains("/"),
            let data = FileManager.default.contents(atPath: value)
        else { return false }
        return String(decoding: data.prefix(1 << 20), as: UTF8.self).contains("-----BEGIN CERTIFICATE-----")
    }
}
