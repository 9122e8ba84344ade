import FoundationEssentials

// MARK: - APIMService

/// The parts of an API Management service resource the tool uses.
public struct APIMService: Sendable, Equatable, Decodable {
    /// The ARM id.
    public var id: String
    /// The service name.
    public var name: String
    /// The Azure region.
    public var location: String?
    /// The SKU name (`Developer`, `Premium`, …): self-hosted gateways need Developer or Premium.
    public var skuName: String?
    /// The gateway URL of the managed gateway.
    public var gatewayURL: String?

    enum CodingKeys: String, CodingKey { case id, name, location, sku, properties }
    private struct SKU: Decodable { var name: String? }
    private struct Properties: Decodable { var gatewayUrl: String? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        location = try container.decodeIfPresent(String.self, forKey: .location)
        skuName = try container.decodeIfPresent(SKU.self, forKey: .sku)?.name
        gatewayURL = try container.decodeIfPresent(Properties.self, forKey: .properties)?.gatewayUrl
    }
}

// MARK: - APIMGateway

/// A self-hosted gateway resource.
public struct APIMGateway: Sendable, Equatable, Decodable {
    /// The ARM id.
    public var id: String
    /// The gateway name.
    public var name: String
    /// The description, when set.
    public var gatewayDescription: String?
    /// The location name given to the gateway (`locationData.name`).
    public var locationName: String?

    enum CodingKeys: String, CodingKey { case id, name, properties }
    private struct Properties: Decodable {
        var description: String?
        var locationData: LocationData?
    }
    private struct LocationData: Decodable { var name: String? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        let properties = try container.decodeIfPresent(Properties.self, forKey: .properties)
        gatewayDescription = properties?.description
        locationName = properties?.locationData?.name
    }
}

// MARK: - GatewayKeys

/// The gateway's two keys (`listKeys`). Both print as `<redacted>`.
public struct GatewayKeys: Sendable, Equatable {
    /// The primary key.
    public var primary: Redacted<String>
    /// The secondary key.
    public var secondary: Redacted<String>

    /// Creates the pair.
    public init(primary: Redacted<String>, secondary: Redacted<String>) {
        self.primary = primary
        self.secondary = secondary
    }

    /// The key of `type`.
    public subscript(type: GatewayKeyType) -> Redacted<String> { type == .primary ? primary : secondary }
}
