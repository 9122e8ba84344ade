import FoundationEssentials

/// The one place where each backend's middleware stack is put together, outermost first: user agent, the backend's
/// ``RetryPolicy``, its authentication, the `-v` trace nearest the wire (so each try is traced). The clients call
/// these; nothing else builds a stack.
public enum MiddlewareStacks {
    /// The API server: client-go's retries, then the kubeconfig's credentials (refreshed on a 401), then the trace.
    public static func kubernetes(_ base: any HTTPTransport, auth: any HTTPMiddleware, clock: any WallClock, trace: VerboseTrace) -> MiddlewareTransport {
        MiddlewareTransport(base: base, middlewares: [HeaderMiddleware.userAgent, RetryMiddleware(.kubernetes(), clock: clock), auth, HTTPTrace(trace)])
    }

    /// ARM: the Azure SDK's retries, then the bearer token (dropped and fetched again on a 401).
    public static func arm(
        _ base: any HTTPTransport, retry: RetryPolicy, tokenCache: TokenCache, scope: String, clock: any WallClock
    ) -> MiddlewareTransport {
        MiddlewareTransport(
            base: base, middlewares: [HeaderMiddleware.userAgent, RetryMiddleware(retry, clock: clock), BearerTokenMiddleware(cache: tokenCache, scope: scope)])
    }

    /// Entra ID's token endpoint and IMDS: their retries only (the request itself carries the credential).
    public static func tokenEndpoint(_ base: any HTTPTransport, retry: RetryPolicy, clock: any WallClock) -> MiddlewareTransport {
        MiddlewareTransport(base: base, middlewares: [HeaderMiddleware.userAgent, RetryMiddleware(retry, clock: clock)])
    }

    /// Under every Azure client of a run: the `-v` trace, nearest the wire.
    public static func azureBase(_ base: any HTTPTransport, trace: VerboseTrace) -> MiddlewareTransport {
        MiddlewareTransport(base: base, middlewares: [HTTPTrace(trace)])
    }

    /// IMDS's availability probe: one try, no retries.
    public static func probe(_ base: any HTTPTransport) -> MiddlewareTransport {
        MiddlewareTransport(base: base, middlewares: [HeaderMiddleware.userAgent])
    }
}
