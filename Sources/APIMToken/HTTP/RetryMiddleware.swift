import FoundationEssentials

// MARK: - RetryPolicy

/// One try's result, as a retry policy sees it.
public enum RetryOutcome: Sendable {
    case response(HTTPResponse)
    /// No HTTP response arrived.
    case transport(TransportError)
}

/// Where a run of tries stands when a policy decides.
public struct RetryState: Sendable {
    public var request: HTTPRequest
    /// The try that just ended (1 for the first).
    public var attempt: Int
    /// The time waited between tries so far.
    public var waited: Duration
    public var now: Date
}

/// A backend's retry rules: after each try, how long to wait before the next one, or nil to stop with what the try
/// gave. A policy may throw instead (a server that asks for too long a wait).
///
/// The three backends each have one: ``kubernetes(maximumAttempts:maximumDelay:)`` (client-go's rules),
/// ``azure(_:jitter:)`` (ARM and Entra ID, the Azure SDK's rules) and ``imds(maxTries:baseDelay:maxDelay:goneWindow:jitter:)``.
/// ``RetryMiddleware`` is the one loop that carries any of them out.
public struct RetryPolicy: Sendable {
    /// The backend, for messages.
    public var name: String
    /// The decision after a try.
    public var next: @Sendable (RetryOutcome, RetryState) throws -> Duration?

    /// Creates a policy.
    public init(name: String, next: @escaping @Sendable (RetryOutcome, RetryState) throws -> Duration?) {
        self.name = name
        self.next = next
    }
}

// MARK: - RetryMiddleware

/// Tries a request until its backend's ``RetryPolicy`` says stop, sleeping on the given clock in between. When the
/// policy stops, the last response is returned or the last transport error thrown.
public struct RetryMiddleware: HTTPMiddleware {
    public let policy: RetryPolicy
    /// The clock that sleeps between tries.
    public let clock: any WallClock

    /// Creates the middleware.
    public init(_ policy: RetryPolicy, clock: any WallClock) {
        self.policy = policy
        self.clock = clock
    }

    public func intercept(
        _ request: HTTPRequest,
        next: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        var state = RetryState(request: request, attempt: 1, waited: .zero, now: clock.now())
        while true {
            try Task.checkCancellation()
            let outcome: RetryOutcome
            do {
                outcome = .response(try await next(request))
            } catch let error as TransportError {
                outcome = .transport(error)
            }
            state.now = clock.now()
            guard let delay = try policy.next(outcome, state) else {
                switch outcome {
                case .response(let response): return response
                case .transport(let error): throw error
                }
            }
            try await clock.sleep(for: delay)
            state.waited += delay
            state.attempt += 1
        }
    }
}

// MARK: - The backends' policies

extension RetryPolicy {
    /// The API server, as client-go retries it:
    /// - 429 and 5xx responses that carry `Retry-After` are retried after that delay, whatever the verb (the server
    ///   asked for it); without `Retry-After` they are returned as they are;
    /// - a GET whose connection was lost (reset, EOF) is retried after one second;
    /// - writes are never retried after a transport error, because their outcome is unknown.
    /// Each wait is capped at `maximumDelay`, and there are at most `maximumAttempts` tries (client-go allows 10
    /// retries; the cap keeps the whole run bounded).
    public static func kubernetes(maximumAttempts: Int = 5, maximumDelay: Duration = .seconds(10)) -> RetryPolicy {
        let tries = max(1, maximumAttempts)
        return RetryPolicy(name: "Kubernetes") { outcome, state in
            guard state.attempt < tries else { return nil }
            switch outcome {
            case .transport(let error):
                return state.request.method == .get && error.kind == .connectionLost ? .seconds(1) : nil
            case .response(let response):
                guard response.status == 429 || (500...599).contains(response.status),
                    let delay = RetryAfter.delay(in: response.headers, now: state.now)
                else { return nil }
                return min(delay, maximumDelay)
            }
        }
    }

    /// ARM and Entra ID, as the Azure SDK's retry policy does it: retryable statuses and transport errors (POST
    /// included, as the SDK does), exponential backoff with jitter, and the server's `retry-after-ms`,
    /// `x-ms-retry-after-ms` or `Retry-After` when present. A request to wait longer than `maxRetryAfter` throws
    /// `AzureThrottledError`.
    public static func azure(_ options: AzureRetryOptions = .default, jitter: @escaping @Sendable () -> Double = azureJitter) -> RetryPolicy {
        RetryPolicy(name: "Azure") { outcome, state in
            switch outcome {
            case .transport(let error):
                guard isRetryable(error), state.attempt < options.maxTries else { return nil }
                return azureBackoff(retry: state.attempt, options: options, jitter: jitter())
            case .response(let response):
                guard options.retryableStatuses.contains(response.status) else { return nil }
                let requested = RetryAfter.delay(in: response.headers, now: state.now)
                if let requested, requested > options.maxRetryAfter {
                    throw AzureThrottledError(
                        host: state.request.url.host ?? "the server", status: response.status, retryAfter: requested,
                        requestID: response.headers["x-ms-request-id"])
                }
                guard state.attempt < options.maxTries else { return nil }
                return requested ?? azureBackoff(retry: state.attempt, options: options, jitter: jitter())
            }
        }
    }

    /// The Azure SDK's jitter multiplier, in `0.8..<1.3`.
    public static let azureJitter: @Sendable () -> Double = { Double.random(in: 0.8..<1.3) }

    /// The Azure SDK's backoff before retry `retry` (1-based): `(2^n - 1) × baseDelay × jitter`, capped at `maxDelay`.
    public static func azureBackoff(retry: Int, options: AzureRetryOptions, jitter: Double) -> Duration {
        let factor = Double((1 << min(retry, 30)) - 1)
        let seconds = min(options.baseDelay.seconds * factor * jitter, options.maxDelay.seconds)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// IMDS, as the Azure SDKs retry it: 404 (identity not yet available), 410 (IMDS is updating), 429 and 5xx with
    /// exponential backoff from 2 s (capped at 25 s) for up to 5 tries; a 410 keeps being retried until at least 70 s
    /// have been waited, because IMDS may answer 410 for that long. Transport errors are retried too.
    public static func imds(
        maxTries: Int = 5, baseDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(25), goneWindow: Duration = .seconds(70),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.9..<1.1) }
    ) -> RetryPolicy {
        let tries = max(1, maxTries)
        return RetryPolicy(name: "IMDS") { outcome, state in
            var gone = false
            var requested: Duration?
            switch outcome {
            case .transport(let error):
                guard isRetryable(error) else { return nil }
            case .response(let response):
                guard isRetryableIMDS(status: response.status) else { return nil }
                gone = response.status == 410
                requested = RetryAfter.delay(in: response.headers, now: state.now)
            }
            guard gone ? state.waited < goneWindow : state.attempt < tries else { return nil }
            let seconds = min(baseDelay.seconds * Double(1 << min(state.attempt - 1, 20)) * jitter(), maxDelay.seconds)
            let backoff = Duration.milliseconds(Int64((seconds * 1000).rounded()))
            return requested.map { max(backoff, min($0, .seconds(60))) } ?? backoff
        }
    }

    /// Whether IMDS's answer is worth another try.
    public static func isRetryableIMDS(status: Int) -> Bool {
        status == 404 || status == 410 || status == 429 || (500...599).contains(status)
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
