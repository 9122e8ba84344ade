import FoundationEssentials

/// Keeps access tokens in memory (never on disk) and refreshes them 5 minutes before they expire.
/// Concurrent requests for the same scope share one refresh. When a refresh fails while the cached token is
/// still valid, the cached token is used.
public actor TokenCache {
    /// The credential that issues tokens.
    public nonisolated let credential: any TokenCredential
    private let clock: any WallClock
    private let refreshMargin: TimeInterval
    private var tokens: [String: AccessToken] = [:]
    private var refreshes: [String: Task<AccessToken, any Error>] = [:]

    /// Creates the cache.
    public init(credential: any TokenCredential, clock: any WallClock = SystemWallClock(), refreshMargin: Duration = .seconds(300)) {
        self.credential = credential
        self.clock = clock
        self.refreshMargin = refreshMargin.seconds
    }

    /// A token for `scope`: the cached one unless it expires within the refresh margin.
    public func token(scope: String) async throws -> AccessToken {
        let now = clock.now()
        if let cached = tokens[scope], cached.expiresOn.timeIntervalSince(now) > refreshMargin { return cached }
        if let running = refreshes[scope] { return try await running.value }
        let credential = credential
        let task = Task { try await credential.getToken(scope: scope) }
        refreshes[scope] = task
        defer { refreshes[scope] = nil }
        do {
            let fresh = try await task.value
            tokens[scope] = fresh
            return fresh
        } catch {
            if let cached = tokens[scope], cached.expiresOn > clock.now() { return cached }
            throw error
        }
    }

    /// Drops the cached token for `scope` (after a 401), or every token when `scope` is `nil`.
    public func invalidate(scope: String? = nil) {
        if let scope { tokens[scope] = nil } else { tokens.removeAll() }
    }
}
