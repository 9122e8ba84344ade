import FoundationEssentials

// MARK: - AzureRetryOptions

/// How Azure requests are retried, with the Azure SDK's defaults.
public struct AzureRetryOptions: Sendable {
    /// The most attempts in all, the first included.
    public var maxTries: Int
    /// The base of the exponential backoff: the n-th retry waits `(2^n - 1) × baseDelay × jitter`.
    public var baseDelay: Duration
    /// The longest computed backoff.
    public var maxDelay: Duration
    /// The longest server-requested wait (`Retry-After`) that is honoured; longer requests stop the retries.
    public var maxRetryAfter: Duration
    /// The response statuses that are retried.
    public var retryableStatuses: Set<Int>

    /// Creates options.
    public init(
        maxTries: Int = 4, baseDelay: Duration = .milliseconds(800), maxDelay: Duration = .seconds(60),
        maxRetryAfter: Duration = .seconds(60), retryableStatuses: Set<Int> = AzureRetryOptions.defaultStatuses
    ) {
        self.maxTries = max(1, maxTries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.retryableStatuses = retryableStatuses
    }

    /// 408, 429 and the 5xx statuses that can be transient (not 501 or 505).
    public static let defaultStatuses: Set<Int> = Set([408, 429] + Array(500...599)).subtracting([501, 505])

    /// The Azure SDK defaults: 4 tries, 0.8 s exponential backoff with jitter, Retry-After honoured up to 60 s.
    public static let `default` = AzureRetryOptions()
}

// MARK: - AzureThrottledError

/// The server asked the client to wait longer than it is willing to (more than `maxRetryAfter`).
public struct AzureThrottledError: APIMTokenError {
    /// The host that throttled.
    public var host: String
    /// The HTTP status (usually 429).
    public var status: Int
    /// How long the server asked to wait.
    public var retryAfter: Duration
    /// `x-ms-request-id`, when present.
    public var requestID: String?

    /// Creates the error.
    public init(host: String, status: Int, retryAfter: Duration, requestID: String?) {
        self.host = host
        self.status = status
        self.retryAfter = retryAfter
        self.requestID = requestID
    }

    public var exitStatus: ExitStatus { .azureAPI }

    public var description: String {
        var text = "\(host) throttled the request (HTTP \(status)), retry after \(Int(retryAfter.seconds.rounded(.up)))s"
        if let requestID { text += " [x-ms-request-id \(requestID)]" }
        return text
    }

    public var remedy: String? { "wait and run the command again; nothing was changed" }
}

// MARK: - AzureRetryMiddleware

/// Retries like the Azure SDK's retry policy: retryable statuses and transport errors (POST included, as the
/// Azure SDK does), exponential backoff with jitter, and the server's `retry-after-ms`, `x-ms-retry-after-ms`
/// or `Retry-After` when present. A request to wait longer than `maxRetryAfter` throws `AzureThrottledError`.
/// When the tries run out, the last response is returned (or the last transport error thrown).
public struct AzureRetryMiddleware: HTTPMiddleware {
    /// The retry settings.
    public let options: AzureRetryOptions
    /// The clock that sleeps between tries.
    public let clock: any WallClock
    /// Returns the jitter multiplier for one backoff, in `0.8..<1.3` by default.
    public let jitter: @Sendable () -> Double

    /// Creates the middleware.
    public init(
        options: AzureRetryOptions = .default, clock: any WallClock,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.8..<1.3) }
    ) {
        self.options = options
        self.clock = clock
        self.jitter = jitter
    }

    /// The computed backoff before retry number `retry` (1-based).
    public func backoff(retry: Int) -> Duration {
        let factor = Double((1 << min(retry, 30)) - 1)
        let seconds = min(options.baseDelay.seconds * factor * jitter(), options.maxDelay.seconds)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    public func intercept(
        _ request: HTTPRequest,
        next: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        var attempt = 1
        while true {
            try Task.checkCancellation()
            let response: HTTPResponse
            do {
                response = try await next(request)
            } catch let error as TransportError where Self.isRetryable(error) {
                guard attempt < options.maxTries else { throw error }
                try await clock.sleep(for: backoff(retry: attempt))
                attempt += 1
                continue
            }
            guard options.retryableStatuses.contains(response.status) else { return response }
            let requested = RetryAfter.delay(in: response.headers, now: clock.now())
            if let requested, requested > options.maxRetryAfter {
                throw AzureThrottledError(
                    host: request.url.host ?? "the server", status: response.status, retryAfter: requested,
                    requestID: response.headers["x-ms-request-id"])
            }
            guard attempt < options.maxTries else { return response }
            try await clock.sleep(for: requested ?? backoff(retry: attempt))
            attempt += 1
        }
    }

    /// Transport failures that another try may fix: connection, timeout, a dropped connection. TLS and
    /// configuration problems are not retried.
    static func isRetryable(_ error: TransportError) -> Bool {
        switch error.kind {
        case .connect, .timeout, .connectionLost, .other: return true
        case .serverCertificate, .clientCertificate, .tlsMaterial, .configuration: return false
        }
    }
}
