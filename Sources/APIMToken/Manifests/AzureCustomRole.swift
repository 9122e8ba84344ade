import FoundationEssentials

// MARK: - AzureCustomRole

/// The least-privilege Azure custom role (SPEC §2) in the format of
/// `az role definition create --role-definition @role.json`.
public struct AzureCustomRole: Sendable, Equatable, Codable {
    /// The role's display name (unique in the tenant).
    public var name: String
    /// Always `true`.
    public var isCustom: Bool
    /// What the role is for.
    public var description: String
    /// The allowed control-plane actions.
    public var actions: [String]
    /// None.
    public var notActions: [String]
    /// None.
    public var dataActions: [String]
    /// None.
    public var notDataActions: [String]
    /// Where the role may be assigned: the resource group of the APIM instance.
    public var assignableScopes: [String]

    private enum CodingKeys: String, CodingKey {
        case name = "Name"
        case isCustom = "IsCustom"
        case description = "Description"
        case actions = "Actions"
        case notActions = "NotActions"
        case dataActions = "DataActions"
        case notDataActions = "NotDataActions"
        case assignableScopes = "AssignableScopes"
    }

    /// Read the APIM instance and its gateways (`rotate` checks the gateway exists).
    public static let readService = "Microsoft.ApiManagement/service/read"
    /// Read a gateway.
    public static let readGateways = "Microsoft.ApiManagement/service/gateways/read"
    /// Issue a gateway token.
    public static let generateToken = "Microsoft.ApiManagement/service/gateways/generateToken/action"
    /// Regenerate a gateway key (`switch-key --regenerate-old`); invalidates every token signed with it.
    public static let regenerateKey = "Microsoft.ApiManagement/service/gateways/regenerateKey/action"

    /// The role for the APIM instances of one resource group.
    public init(subscriptionID: String, resourceGroup: String, allowKeyRegeneration: Bool) {
        name = "APIM gateway token rotator (\(resourceGroup))"
        isCustom = true
        description =
            "Lets kubectl-apimtoken issue self-hosted gateway tokens for the API Management instances in resource group "
            + "\(resourceGroup)"
            + (allowKeyRegeneration ? " and regenerate gateway keys." : ". It cannot regenerate gateway keys.")
        actions = [Self.readService, Self.readGateways, Self.generateToken]
        if allowKeyRegeneration { actions.append(Self.regenerateKey) }
        notActions = []
        dataActions = []
        notDataActions = []
        assignableScopes = ["/subscriptions/\(subscriptionID)/resourceGroups/\(resourceGroup)"]
    }

    /// The role as pretty-printed JSON with sorted keys, ending in a newline.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
