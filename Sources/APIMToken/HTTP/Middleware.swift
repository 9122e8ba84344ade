import FoundationEssentials

// MARK: - HTTPMiddleware

/// A step around the transport: authentication, retries, user agent, logging.
public protocol HTTPMiddleware: Sendable {
    /// Handles `request`, calling `next` zero or more times to pass it on.
    func intercept(
        _ request: HTTPRequest,
        next: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse
}

// MARK: - MiddlewareTransport

/// A transport that runs middleware, outermost first, around an inner transport.
public struct MiddlewareTransport: HTTPTransport {
    /// The transport that finally sends each request.
    public let base: any HTTPTransport
    /// The middleware, outermost first.
    public let middlewares: [any HTTPMiddleware]

    /// Wraps `base` in `middlewares` (the first one sees the request first).
    public init(base: any HTTPTransport, middlewares: [any HTTPMiddleware]) {
        self.base = base
        self.middlewares = middlewares
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await Self.run(request, middlewares[...], base)
    }

    private static func run(
        _ request: HTTPRequest,
        _ rest: ArraySlice<any HTTPMiddleware>,
        _ base: any HTTPTransport
    ) async throws -> HTTPResponse {
        guard let first = rest.first else { return try await base.send(request) }
        let remaining = rest.dropFirst()
        return try await first.intercept(request) { try await run($0, remaining, base) }
    }
}

// MARK: - HeaderMiddleware

/// Sets fixed headers (for example `User-Agent`) on every request that lacks them.
public struct HeaderMiddleware: HTTPMiddleware {
    /// The headers to add.
    public let headers: HTTPHeaders

    /// Creates the middleware.
    public init(_ headers: HTTPHeaders) { self.headers = headers }

    /// A `User-Agent: kubectl-apimtoken/<version>` middleware.
    public static var userAgent: HeaderMiddleware { HeaderMiddleware(["User-Agent": "kubectl-apimtoken/\(APIMTokenVersion.current)"]) }

    public func intercept(
        _ request: HTTPRequest,
        next: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        var request = request
        for field in headers where request.headers[field.name] == nil {
            request.headers.add(field.name, field.value)
        }
        return try await next(request)
    }
}
