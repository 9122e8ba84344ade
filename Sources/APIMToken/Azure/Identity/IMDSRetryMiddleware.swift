import FoundationEssentials

/// The retry policy the Azure SDKs use for IMDS: 404 (identity not yet available), 410 (IMDS is updating),
/// 429 and 5xx are retried with exponential backoff from 2 s (capped at 25 s) for up to 5 tries; a 410 keeps
/// being retried until at least 70 s have been waited, because IMDS may answer 410 for that long.
/// Transport errors are retried too.
public struct IMDSRetryMiddleware: HTTPMiddleware {
    /// Tries in all for 404, 429, 5xx and transport errors.
    public var maxTries: Int
    /// The first backoff; each further one doubles.
    public var baseDelay: Duration
    /// The longest single backoff.
    public var maxDelay: Duration
    /// How long a persisting 410 is retried, counted in waited time.
    public var goneWindow: Duration
    /// The clock that sleeps.
    public let clock: any WallClock
    /// The jitter multiplier for each backoff.
    public let jitter: @Sendable () -> Double

    /// Creates the policy with the SDK's numbers.
    public init(
        maxTries: Int = 5, baseDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(25),
        goneWindow: Duration = .seconds(70), clock: any WallClock,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.9..<1.1) }
    ) {
        self.maxTries = max(1, maxTries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.goneWindow = goneWindow
        self.clock = clock
        self.jitter = jitter
    }

    /// Whether IMDS's answer is worth another try.
    public static func isRetryable(status: Int) -> Bool {
        status == 404 || status == 410 || status == 429 || (500...599).contains(status)
    }

    /// The backoff before retry `retry` (1-based).
    public func backoff(retry: Int) -> Duration {
        let seconds = min(baseDelay.seconds * Double(1 << min(retry - 1, 20)) * jitter(), maxDelay.seconds)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    public func intercept(
        _ request: HTTPRequest,
        next: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        var attempt = 1
        var waited: Duration = .zero
        while true {
            try Task.checkCancellation()
            var response: HTTPResponse?
            var transportError: TransportError?
            do {
                let received = try await next(request)
                guard Self.isRetryable(status: received.status) else { return received }
                response = received
            } catch let error as TransportError where AzureRetryMiddleware.isRetryable(error) {
                transportError = error
            }
            let keepGoing = response?.status == 410 ? waited < goneWindow : attempt < maxTries
            guard keepGoing else {
                if let response { return response }
                throw transportError ?? TransportError(kind: .other, host: request.url.host ?? "IMDS", message: "no response")
            }
            var delay = backoff(retry: attempt)
            if let response, let requested = RetryAfter.delay(in: response.headers, now: clock.now()) {
                delay = max(delay, min(requested, .seconds(60)))
            }
            try await clock.sleep(for: delay)
            waited += delay
            attempt += 1
        }
    }
}
