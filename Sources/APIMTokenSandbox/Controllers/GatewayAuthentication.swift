import Foundation

/// Whether a gateway pod's token authenticates against the simulated APIM, as the pod condition reports it.
public struct GatewayAuthentication: Sendable, Equatable {
    /// Whether the gateway is authenticated.
    public var authenticated: Bool
    /// A CamelCase reason: `Authenticated`, `EntraID`, `TokenMissing`, `Malformed`, `WrongGateway`, `Expired`,
    /// `KeyNotCurrent`.
    public var reason: String
    /// A sentence for humans (never the token).
    public var message: String
    /// Which key signed the token, when it is valid.
    public var key: GatewayKeyType?

    /// The pod condition type that carries it.
    public static let conditionType = "apim.sandbox.apimtoken.dev/GatewayAuthenticated"

    /// Evaluates a captured `config.service.auth` value.
    static func evaluate(_ value: String?, expectedGateway: String?, azure: AzureState, now: Date = Date()) -> GatewayAuthentication {
        guard let value, !value.isEmpty else {
            return .init(authenticated: false, reason: "TokenMissing", message: "config.service.auth is not set")
        }
        if ["azureadapp", "workloadidentity"].contains(value.lowercased()) {
            return .init(authenticated: true, reason: "EntraID", message: "authenticates with Microsoft Entra ID (\(value))")
        }
        guard value.hasPrefix("GatewayKey ") else {
            return .init(authenticated: false, reason: "Malformed", message: "config.service.auth does not start with 'GatewayKey '")
        }
        let token = String(value.dropFirst("GatewayKey ".count))
        guard let parsed = GatewayToken.parse(token) else {
            return .init(authenticated: false, reason: "Malformed", message: "the gateway token is malformed")
        }
        if let expectedGateway, expectedGateway.lowercased() != parsed.gateway.lowercased() {
            return .init(authenticated: false, reason: "WrongGateway", message: "the token is for gateway \(parsed.gateway), not \(expectedGateway)")
        }
        if parsed.expiry <= now {
            return .init(authenticated: false, reason: "Expired", message: "the token expired at \(Timestamps.format(parsed.expiry))")
        }
        guard let signer = azure.signer(of: token) else {
            return .init(authenticated: false, reason: "KeyNotCurrent", message: "the token is not signed by a current key of gateway \(parsed.gateway)")
        }
        return .init(
            authenticated: true, reason: "Authenticated",
            message: "token for gateway \(signer.gateway.name) signed by the \(signer.key.rawValue) key, expires \(Timestamps.format(parsed.expiry))",
            key: signer.key)
    }
}
