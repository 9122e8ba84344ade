import Foundation

/// Which key of a gateway.
public enum GatewayKeyType: String, Sendable, Codable {
    /// The primary key.
    case primary
    /// The secondary key.
    case secondary
}

/// An Entra application (service principal) registered in the sandbox.
public struct AzureApplication: Sendable {
    /// The application (client) id.
    public var clientID: String
    /// The service principal's object id.
    public var objectID: String
    /// The tenant.
    public var tenantID: String
    /// A client secret, if it has one.
    public var clientSecret: String?
    /// DER of certificates registered for client assertions.
    public var certificates: [[UInt8]]
    /// Federated credentials: (issuer, subject) pairs trusted for workload identity.
    public var federatedCredentials: [(issuer: String, subject: String)]
}

/// A managed identity IMDS can hand out.
public struct ManagedIdentity: Sendable {
    /// The client id.
    public var clientID: String
    /// The object (principal) id.
    public var objectID: String
    /// The ARM resource id (`mi_res_id`).
    public var resourceID: String
    /// Whether this is the system-assigned identity (the default when no id is given).
    public var systemAssigned: Bool
}

/// A simulated APIM gateway resource.
struct APIMGateway: Sendable {
    /// The resource name.
    var name: String
    /// The gateway description.
    var description: String
    /// The location name.
    var location: String
    /// The primary key (signs tokens with `keyType: primary`).
    var primaryKey: String
    /// The secondary key.
    var secondaryKey: String
}

/// A simulated APIM service.
struct APIMService: Sendable {
    /// The subscription id.
    var subscription: String
    /// The resource group.
    var resourceGroup: String
    /// The service name.
    var name: String
    /// The Azure region.
    var location: String
    /// Gateways by lower-cased name.
    var gateways: [String: APIMGateway]
}

// MARK: - AzureState

/// Everything the simulated Azure knows: tenants' applications, managed identities, role assignments and APIM.
///
/// `@unchecked Sendable`: all state is guarded by `lock`.
public final class AzureState: @unchecked Sendable {
    private let lock = NSLock()
    private var applications: [String: AzureApplication] = [:]
    private var identities: [ManagedIdentity] = []
    private var allowedActions: [String: [String]] = [:]
    private var services: [String: APIMService] = [:]
    private var keyVersion = 0

    /// Grows whenever a gateway or a gateway key changes, so that controllers can tell when to re-check tokens.
    var version: Int { lock.withLock { keyVersion } }

    /// An empty directory.
    public init() {}

    private static func serviceKey(_ sub: String, _ rg: String, _ name: String) -> String {
        "\(sub.lowercased())/\(rg.lowercased())/\(name.lowercased())"
    }

    /// A new random gateway key (64 random bytes, base64, like APIM's).
    static func newKey() -> String {
        Data((0..<64).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    // MARK: Identities

    /// Registers (or replaces) an application.
    public func register(_ app: AzureApplication) { lock.withLock { applications[app.clientID] = app } }

    /// An application by client id.
    public func application(_ clientID: String) -> AzureApplication? { lock.withLock { applications[clientID] } }

    /// Adds a managed identity.
    public func addManagedIdentity(_ identity: ManagedIdentity) { lock.withLock { identities.append(identity) } }

    /// Finds a managed identity by client id, object id or resource id (any may be nil: the system-assigned one).
    func managedIdentity(clientID: String?, objectID: String?, resourceID: String?) -> ManagedIdentity? {
        lock.withLock {
            if let clientID { return identities.first { $0.clientID == clientID } }
            if let objectID { return identities.first { $0.objectID == objectID } }
            if let resourceID { return identities.first { $0.resourceID.lowercased() == resourceID.lowercased() } }
            return identities.first { $0.systemAssigned }
        }
    }

    /// Sets the Azure RBAC actions a principal (by client id) may perform; `*` wildcards work as in role
    /// definitions (`Microsoft.ApiManagement/service/*`). An empty list denies everything.
    public func setAllowedActions(_ actions: [String], forClientID clientID: String) {
        lock.withLock { allowedActions[clientID] = actions }
    }

    /// Whether a principal may perform an action.
    func isAllowed(clientID: String, action: String) -> Bool {
        let actions = lock.withLock { allowedActions[clientID] ?? [] }
        return actions.contains { Fault.glob($0.lowercased(), action.lowercased()) }
    }

    // MARK: APIM

    /// Adds an APIM service.
    func addService(subscription: String, resourceGroup: String, name: String, location: String) {
        lock.withLock {
            services[Self.serviceKey(subscription, resourceGroup, name)] = APIMService(
                subscription: subscription, resourceGroup: resourceGroup, name: name, location: location, gateways: [:])
        }
    }

    /// Adds a gateway to a service.
    func addGateway(subscription: String, resourceGroup: String, service: String, name: String, location: String) {
        lock.withLock {
            keyVersion += 1
            services[Self.serviceKey(subscription, resourceGroup, service)]?.gateways[name.lowercased()] = APIMGateway(
                name: name, description: "Self-hosted gateway \(name)", location: location, primaryKey: Self.newKey(),
                secondaryKey: Self.newKey())
        }
    }

    /// Whether any service exists in the subscription / resource group.
    func knows(subscription: String, resourceGroup: String?) -> Bool {
        lock.withLock {
            services.values.contains {
                $0.subscription.lowercased() == subscription.lowercased()
                    && (resourceGroup == nil || $0.resourceGroup.lowercased() == resourceGroup!.lowercased())
            }
        }
    }

    /// A service.
    func service(_ sub: String, _ rg: String, _ name: String) -> APIMService? {
        lock.withLock { services[Self.serviceKey(sub, rg, name)] }
    }

    /// Every service.
    var allServices: [APIMService] { lock.withLock { Array(services.values) } }

    /// Replaces one key of a gateway with a fresh one.
    func regenerate(_ sub: String, _ rg: String, _ service: String, gateway: String, key: GatewayKeyType) -> Bool {
        lock.withLock {
            let k = Self.serviceKey(sub, rg, service)
            guard services[k]?.gateways[gateway.lowercased()] != nil else { return false }
            keyVersion += 1
            switch key {
            case .primary: services[k]!.gateways[gateway.lowercased()]!.primaryKey = Self.newKey()
            case .secondary: services[k]!.gateways[gateway.lowercased()]!.secondaryKey = Self.newKey()
            }
            return true
        }
    }

    /// Generates a token the way `generateToken` does.
    func token(_ sub: String, _ rg: String, _ service: String, gateway: String, key: GatewayKeyType, expiry: Date) -> String? {
        guard let gw = self.service(sub, rg, service)?.gateways[gateway.lowercased()] else { return nil }
        return GatewayToken.make(gateway: gw.name, expiry: expiry, key: key == .primary ? gw.primaryKey : gw.secondaryKey)
    }

    /// Which key of which gateway signed a token (searching every service), or nil.
    func signer(of token: String) -> (service: APIMService, gateway: APIMGateway, key: GatewayKeyType)? {
        guard let parsed = GatewayToken.parse(token) else { return nil }
        for service in allServices {
            guard let gw = service.gateways[parsed.gateway.lowercased()] else { continue }
            if GatewayToken.isSigned(token, by: gw.primaryKey) { return (service, gw, .primary) }
            if GatewayToken.isSigned(token, by: gw.secondaryKey) { return (service, gw, .secondary) }
        }
        return nil
    }
}
