import FoundationEssentials

/// The environment contract of a rotation target (SPEC §4; apim-shg-rotate's names). The commands read these, a
/// flag winning over its variable, and `install-cronjob` gives them to the CronJob's pod: one list, so that what the
/// manifest writes and what the run reads cannot drift apart.
public enum TargetVariable: String, CaseIterable, Sendable {
    case subscriptionID = "SUBSCRIPTION_ID"
    case resourceGroup = "RESOURCE_GROUP"
    case apimInstance = "APIM_INSTANCE"
    case apimGateway = "APIM_GATEWAY"
    case tokenSecret = "TOKEN_SECRET"
    case tokenSecretKey = "TOKEN_SECRET_KEY"
    /// `-k/--token-key`.
    case tokenKey = "TOKEN_KEY"
    /// `--restart TYPE/NAME`.
    case restart = "K8S_OBJECT"
    case loginMethod = "LOGIN_METHOD"
    case cloud = "AZURE_CLOUD"
    case armEndpoint = "ARM_ENDPOINT"
    case apiVersion = "API_VERSION"
    /// `-n`, when the kubeconfig context names no namespace.
    case namespace = "NAMESPACE"

    /// Every name read for the value, in order (the Azure SDKs' name after apim-shg-rotate's).
    public var names: [String] { self == .subscriptionID ? [rawValue, "AZURE_SUBSCRIPTION_ID"] : [rawValue] }
}

extension Environment {
    /// The value of a target variable (its first set name), or nil.
    public subscript(_ variable: TargetVariable) -> String? { first(variable.names)?.value }
}
