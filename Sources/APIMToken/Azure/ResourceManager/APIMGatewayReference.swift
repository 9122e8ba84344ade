import FoundationEssentials

// MARK: - APIMServiceReference

/// Names an API Management instance: subscription, resource group and service name.
public struct APIMServiceReference: Sendable, Hashable, CustomStringConvertible {
    public var subscriptionID: String
    public var resourceGroup: String
    /// The API Management service name.
    public var serviceName: String

    /// Creates a reference; throws a `ConfigurationError` naming the flag of an empty or unsafe part.
    public init(subscriptionID: String, resourceGroup: String, serviceName: String) throws {
        try Self.check(subscriptionID, flag: "--subscription-id")
        try Self.check(resourceGroup, flag: "--resource-group")
        try Self.check(serviceName, flag: "--apim-instance")
        self.subscriptionID = subscriptionID
        self.resourceGroup = resourceGroup
        self.serviceName = serviceName
    }

    /// The ARM path of the service.
    public var path: String {
        "/subscriptions/\(Self.escape(subscriptionID))/resourceGroups/\(Self.escape(resourceGroup))/providers/Microsoft.ApiManagement/service/\(Self.escape(serviceName))"
    }

    public var description: String { "service \(serviceName) (resource group \(resourceGroup), subscription \(subscriptionID))" }

    /// Rejects values that are empty or could change the request path.
    static func check(_ value: String, flag: String) throws {
        guard !value.isEmpty, value.count <= 260,
            !value.contains("/"), !value.contains("?"), !value.contains("#"), value != ".", value != "..",
            value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            throw ConfigurationError("\(flag) \"\(value)\" is not a valid Azure resource name")
        }
    }

    /// Percent-encodes a path segment.
    static func escape(_ segment: String) -> String {
        segment.percentEncoded(allowing: { FormEncoding.isUnreserved($0) || $0 == "(" || $0 == ")" })
    }
}

// MARK: - APIMGatewayReference

/// Names a self-hosted gateway resource of an API Management instance.
public struct APIMGatewayReference: Sendable, Hashable, CustomStringConvertible {
    public var service: APIMServiceReference
    public var gatewayName: String

    /// Creates a reference; throws a `ConfigurationError` for an empty or unsafe gateway name.
    public init(service: APIMServiceReference, gatewayName: String) throws {
        try APIMServiceReference.check(gatewayName, flag: "--apim-gateway")
        self.service = service
        self.gatewayName = gatewayName
    }

    /// The ARM path of the gateway.
    public var path: String { service.path + "/gateways/\(APIMServiceReference.escape(gatewayName))" }

    public var description: String { "gateway \(gatewayName) of \(service)" }
}

// MARK: - GatewayKeyType

/// Which of the gateway's two keys signs a token.
public enum GatewayKeyType: String, Sendable, CaseIterable, Codable {
    /// The primary key.
    case primary
    /// The secondary key.
    case secondary

    /// The other key.
    public var other: GatewayKeyType { self == .primary ? .secondary : .primary }
}
