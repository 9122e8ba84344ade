/// The environment variable names the Azure credentials read (SPEC §4), as constants.
public enum AzureEnvironmentVariables {
    /// The application (client) id; also selects a user-assigned managed identity.
    public static let clientID = ["AZURE_CLIENT_ID", "SP_ID"]
    /// A client secret, or a path to a PEM certificate with its key (apim-shg-rotate).
    public static let clientSecret = ["AZURE_CLIENT_SECRET", "SP_SECRET"]
    /// A path to a PEM certificate with its private key.
    public static let clientCertificatePath = ["AZURE_CLIENT_CERTIFICATE_PATH"]
    /// The directory (tenant) id.
    public static let tenantID = ["AZURE_TENANT_ID", "TENANT_ID", "TENANT"]
    public static let loginMethod = TargetVariable.loginMethod.names
    /// The Entra authority host.
    public static let authorityHost = "AZURE_AUTHORITY_HOST"
    /// The projected service account token file (workload identity).
    public static let federatedTokenFile = "AZURE_FEDERATED_TOKEN_FILE"
    /// The IMDS host override (aad-pod-identity).
    public static let podIdentityAuthorityHost = "AZURE_POD_IDENTITY_AUTHORITY_HOST"
    /// The pod label that makes the workload identity webhook inject the variables.
    public static let workloadIdentityPodLabel = "azure.workload.identity/use"
}
