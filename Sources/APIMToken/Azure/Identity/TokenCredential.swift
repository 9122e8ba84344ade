import FoundationEssentials

// MARK: - AccessToken

/// A Microsoft Entra access token and when it stops being valid.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    /// The bearer token. Prints as `<redacted>`.
    public var token: Redacted<String>
    /// When the token expires.
    public var expiresOn: Date

    /// Creates a token.
    public init(token: Redacted<String>, expiresOn: Date) {
        self.token = token
        self.expiresOn = expiresOn
    }

    public var description: String { "AccessToken(<redacted>, expiresOn: \(expiresOn))" }
}

// MARK: - TokenCredential

/// A source of Microsoft Entra access tokens (workload identity, managed identity, service principal, Azure CLI).
///
/// A credential that cannot be used in this environment at all (a variable is missing, IMDS does not answer,
/// `az` is not installed) throws `CredentialUnavailableError`, so that `ChainedTokenCredential` moves on to the
/// next source. Any other error means the source was usable but authentication failed, and stops the chain.
public protocol TokenCredential: Sendable {
    /// A short name for messages, for example `WorkloadIdentityCredential`.
    var name: String { get }
    /// Gets a token for `scope`, for example `https://management.azure.com/.default`.
    func getToken(scope: String) async throws -> AccessToken
}

// MARK: - Scope

/// Converts between v2 scopes (`…/.default`) and v1 resources, as IMDS and `az` want a resource.
public enum AzureScope {
    /// The resource for a scope: `https://management.azure.com/.default` → `https://management.azure.com`.
    public static func resource(for scope: String) -> String {
        var resource = scope
        if resource.hasSuffix("/.default") { resource.removeLast("/.default".count) }
        return resource
    }

    /// Whether the scope is made only of characters a URL-like scope needs, so that it is safe to pass on
    /// (as a query parameter or an `az` argument).
    public static func isValid(_ scope: String) -> Bool {
        !scope.isEmpty
            && scope.unicodeScalars.allSatisfy { scalar in
                scalar.isASCIIAlphanumeric || ".-_:/".unicodeScalars.contains(scalar)
            }
    }
}
