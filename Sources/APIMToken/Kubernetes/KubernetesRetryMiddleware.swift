import FoundationEssentials

/// Retries requests to the API server the way client-go does:
/// - 429 and 5xx responses that carry `Retry-After` are retried after that delay, whatever the verb
///   (the server asked for it); without `Retry-After` they are returned as they are;
/// - a GET whose connection was lost (reset, EOF) is retried after one second;
/// - writes are never retried after a transport error, because their outcome is unknown.
/// Each wait is capped at `maximumDelay`, and there are at most `maximumAttempts` tries.
public struct KubernetesRetryMiddleware: HTTPMiddleware {
    /// Total tries, the first included.
    public var maximumAttempts: Int
    /// The longest single wait, whatever `Retry-After` asks for.
    public var maximumDelay: Duration
    /// The clock used to wait.
    public var clock: any WallClock

    /// Creates the middleware (client-go allows 10 retries; we cap waits so the whole run stays bounded).
    public init(maximumAttempts: Int = 5, maximumDelay: Duration = .seconds(10), clock: any WallClock = SystemWallClock()) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.maximumDelay = maximumDelay
        self.clock = clock
    }

    public func intercept(
        _ request: HTTPRequest,
        next: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        var attempt = 1
        while true {
            let response: HTTPResponse
            do {
                response = try await next(request)
            } catch let error as TransportError {
                guard attempt < maximumAttempts, request.method == .get, error.kind == .connectionLost else { throw error }
                attempt += 1
                try await clock.sleep(for: .seconds(1))
                continue
            }
            guard attempt < maximumAttempts, response.status == 429 || (500...599).contains(response.status),
                let delay = RetryAfter.delay(in: response.headers, now: clock.now())
            else { return response }
            attempt += 1
            try await clock.sleep(for: min(delay, maximumDelay))
        }
    }
}
