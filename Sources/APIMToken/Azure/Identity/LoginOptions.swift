import FoundationEssentials

// MARK: - LoginMethod

/// How to log in to Azure (`-l/--login-method` [LOGIN_METHOD]).
public enum LoginMethod: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Workload identity if its variables are present, else a service principal if a secret or certificate is
    /// given, else a managed identity if IMDS answers, else the Azure CLI.
    case auto
    /// Azure AD Workload Identity.
    case workloadIdentity = "workload-identity"
    /// Managed identity through IMDS (also aad-pod-identity).
    case identity
    /// Service principal with a secret or certificate.
    case sp
    /// The Azure CLI's logged-in account.
    case azurecli

    /// Parses a flag or variable value.
    public static func parse(_ text: String, source: String) throws -> LoginMethod {
        if let method = LoginMethod(rawValue: text.lowercased()) { return method }
        switch text.lowercased() {
        case "workloadidentity", "workload_identity", "wi": return .workloadIdentity
        case "managed-identity", "managedidentity", "msi": return .identity
        case "service-principal", "serviceprincipal": return .sp
        case "az", "cli", "azure-cli": return .azurecli
        default:
            throw ConfigurationError(
                "\(source) \"\(text)\" is not a login method",
                remedy: "use one of: \(LoginMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    public var description: String { rawValue }
}

// MARK: - LoginOptions

/// The login flags as given on the command line (`nil` = not given); `resolved(with:)` fills the gaps from
/// the environment (flag > env var).
public struct LoginOptions: Sendable, CustomStringConvertible {
    /// `--login-method`.
    public var method: LoginMethod?
    /// `--client-id`: an application id, or the client id / resource id of a user-assigned managed identity.
    public var clientID: String?
    /// `--client-secret`: a secret, or a path to a PEM certificate with its key.
    public var clientSecret: Redacted<String>?
    /// `--client-certificate`: a path to a PEM certificate with its key.
    public var clientCertificatePath: String?
    /// `--tenant`.
    public var tenantID: String?
    /// The client-assertion algorithm for certificates.
    public var assertionAlgorithm: ClientAssertionAlgorithm
    /// The IMDS probe timeout used by `auto`.
    public var imdsProbeTimeout: Duration
    /// The Azure CLI time limit.
    public var azureCLITimeout: Duration

    /// Creates options.
    public init(
        method: LoginMethod? = nil, clientID: String? = nil, clientSecret: Redacted<String>? = nil,
        clientCertificatePath: String? = nil, tenantID: String? = nil, assertionAlgorithm: ClientAssertionAlgorithm = .ps256,
        imdsProbeTimeout: Duration = ManagedIdentityCredential.defaultProbeTimeout, azureCLITimeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientCertificatePath = clientCertificatePath
        self.tenantID = tenantID
        self.assertionAlgorithm = assertionAlgorithm
        self.imdsProbeTimeout = imdsProbeTimeout
        self.azureCLITimeout = azureCLITimeout
    }

    /// These options with every unset value taken from the environment variables of SPEC §4.
    public func resolved(with environment: Environment) throws -> LoginOptions {
        var result = self
        if result.method == nil, let value = environment.first(AzureEnvironmentVariables.loginMethod) {
            result.method = try LoginMethod.parse(value.value, source: value.name)
        }
        if result.clientID == nil { result.clientID = environment.first(AzureEnvironmentVariables.clientID)?.value }
        if result.clientSecret == nil {
            result.clientSecret = environment.first(AzureEnvironmentVariables.clientSecret).map { Redacted($0.value) }
        }
        if result.clientCertificatePath == nil {
            result.clientCertificatePath = environment.first(AzureEnvironmentVariables.clientCertificatePath)?.value
        }
        if result.tenantID == nil { result.tenantID = environment.first(AzureEnvironmentVariables.tenantID)?.value }
        return result
    }

    public var description: String {
        "LoginOptions(method: \(method?.rawValue ?? "-"), clientID: \(clientID ?? "-"), clientSecret: \(clientSecret == nil ? "-" : "<redacted>"), clientCertificate: \(clientCertificatePath ?? "-"), tenant: \(tenantID ?? "-"))"
    }
}
