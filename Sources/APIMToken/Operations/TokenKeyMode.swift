import FoundationEssentials

/// `-k/--token-key`: which APIM gateway key signs the new token.
public enum TokenKeyMode: String, Sendable, CaseIterable, Codable {
    /// The key named by the Secret's `last-used-key` annotation (primary when unset).
    case last
    /// The other key than the last one (primary when unset, as apim-shg-rotate decides).
    case rotate
    /// Always the primary key.
    case primary
    /// Always the secondary key.
    case secondary

    /// The key to use, given the Secret's `last-used-key` annotation.
    public func choose(lastUsed: String?) -> GatewayKeyType {
        let last = lastUsed.flatMap { GatewayKeyType(rawValue: $0.lowercased()) }
        switch self {
        case .last: return last ?? .primary
        case .rotate: return (last ?? .secondary).other
        case .primary: return .primary
        case .secondary: return .secondary
        }
    }
}

/// Issues and revokes gateway tokens in Azure; `ARMClient` in production, a fake in tests.
public protocol GatewayTokenIssuer: Sendable {
    /// The gateway the tokens are for.
    var gatewayName: String { get }
    /// `generateToken` with `keyType`, expiring at `expiry`.
    func generateToken(keyType: GatewayKeyType, expiry: Date) async throws -> Redacted<String>
    /// `regenerateKey`: invalidates every token signed with `keyType`.
    func regenerateKey(_ keyType: GatewayKeyType) async throws
}
