import FoundationEssentials

/// An Azure cloud: where ARM and Microsoft Entra ID live, and the scope that ARM tokens carry.
public struct AzureCloud: Sendable, Equatable, CustomStringConvertible {
    /// The name as `az cloud list` spells it (`AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`).
    public var name: String
    /// The Azure Resource Manager endpoint, without a trailing slash.
    public var resourceManagerEndpoint: URL
    /// The Microsoft Entra authority host, without a trailing slash.
    public var authorityHost: URL
    /// The scope to request for ARM tokens. It stays the cloud's even when the ARM endpoint is overridden,
    /// because the token audience is ARM's identity, not the address used to reach it.
    public var resourceManagerScope: String

    /// Creates a cloud description.
    public init(name: String, resourceManagerEndpoint: URL, authorityHost: URL, resourceManagerScope: String) {
        self.name = name
        self.resourceManagerEndpoint = resourceManagerEndpoint
        self.authorityHost = authorityHost
        self.resourceManagerScope = resourceManagerScope
    }

    /// Azure public cloud.
    public static let azurePublic = AzureCloud(
        name: "AzureCloud",
        resourceManagerEndpoint: URL(string: "https://management.azure.com")!,
        authorityHost: URL(string: "https://login.microsoftonline.com")!,
        resourceManagerScope: "https://management.azure.com/.default")

    public static let azureUSGovernment = AzureCloud(
        name: "AzureUSGovernment",
        resourceManagerEndpoint: URL(string: "https://management.usgovcloudapi.net")!,
        authorityHost: URL(string: "https://login.microsoftonline.us")!,
        resourceManagerScope: "https://management.usgovcloudapi.net/.default")

    /// Azure operated by 21Vianet (China).
    public static let azureChina = AzureCloud(
        name: "AzureChinaCloud",
        resourceManagerEndpoint: URL(string: "https://management.chinacloudapi.cn")!,
        authorityHost: URL(string: "https://login.chinacloudapi.cn")!,
        resourceManagerScope: "https://management.chinacloudapi.cn/.default")

    /// The known clouds.
    public static let all: [AzureCloud] = [.azurePublic, .azureUSGovernment, .azureChina]

    /// The cloud with this name, compared case-insensitively (`AzurePublicCloud` and `public` also name the public cloud).
    public static func named(_ name: String) throws -> AzureCloud {
        switch name.lowercased() {
        case "azurecloud", "azurepubliccloud", "public": return .azurePublic
        case "azureusgovernment", "azureusgovernmentcloud", "usgovernment": return .azureUSGovernment
        case "azurechinacloud", "china": return .azureChina
        default:
            throw ConfigurationError(
                "unknown Azure cloud \"\(name)\"",
                remedy: "use --cloud AzureCloud, AzureUSGovernment or AzureChinaCloud")
        }
    }

    /// Resolves the cloud from flags and environment (flag > env var > default):
    /// `--cloud` [AZURE_CLOUD], `--arm-endpoint` [ARM_ENDPOINT], and `AZURE_AUTHORITY_HOST`.
    public static func resolve(cloud: String?, armEndpoint: String?, environment: Environment) throws -> AzureCloud {
        var result = try (cloud ?? environment[.cloud]).map(named) ?? .azurePublic
        if let endpoint = armEndpoint ?? environment[.armEndpoint] {
            let name = armEndpoint != nil ? "--arm-endpoint" : TargetVariable.armEndpoint.rawValue
            result.resourceManagerEndpoint = try AzureEndpointPolicy.parseEndpoint(endpoint, name: name)
        }
        if let authority = environment["AZURE_AUTHORITY_HOST"] {
            result.authorityHost = try AzureEndpointPolicy.parseEndpoint(authority, name: "AZURE_AUTHORITY_HOST")
        }
        return result
    }

    public var description: String { "\(name) (ARM \(resourceManagerEndpoint.absoluteString))" }
}
