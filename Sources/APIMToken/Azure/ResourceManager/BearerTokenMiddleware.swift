import FoundationEssentials

/// Adds `Authorization: Bearer …` from a token cache, only over HTTPS (or to loopback). On a 401 the cached
/// token is dropped and the request is sent once more with a fresh one.
public struct BearerTokenMiddleware: HTTPMiddleware {
    /// Where tokens come from.
    public let cache: TokenCache
    /// The scope to request.
    public let scope: String

    /// Creates the middleware.
    public init(cache: TokenCache, scope: String) {
        self.cache = cache
        self.scope = scope
    }

    public func intercept(
        _ request: HTTPRequest,
        next: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        try AzureEndpointPolicy.requireSecure(request.url, for: "an Azure bearer token")
        var authorized = request
        authorized.headers["Authorization"] = "Bearer " + (try await cache.token(scope: scope)).token.value
        let response = try await next(authorized)
        guard response.status == 401 else { return response }
        await cache.invalidate(scope: scope)
        authorized.headers["Authorization"] = "Bearer " + (try await cache.token(scope: scope)).token.value
        return try await next(authorized)
    }
}
