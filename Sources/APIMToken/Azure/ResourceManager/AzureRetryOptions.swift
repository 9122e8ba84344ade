import FoundationEssentials

// MARK: - AzureRetryOptions

/// How Azure requests are retried (``RetryPolicy/azure(_:jitter:)``), with the Azure SDK's defaults.
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
