import FoundationEssentials

// MARK: - WallClock

/// The time source every operation uses, injected so that tests control time.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Suspends for `duration`; throws `CancellationError` if the task is cancelled.
    func sleep(for duration: Duration) async throws
}

// MARK: - SystemWallClock

/// The real clock.
public struct SystemWallClock: WallClock {
    /// Creates the real clock.
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

// MARK: - ManualClock

/// A clock for tests: `sleep` returns at once and moves time forward, and every sleep is recorded.
public final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = Lock()
    private var current: Date
    private var recorded: [Duration] = []

    /// Starts the clock at `start`.
    public init(start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { self.current = start }

    public func now() -> Date { lock.withLock { current } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        lock.withLock {
            recorded.append(duration)
            current = current.addingTimeInterval(duration.seconds)
        }
    }

    /// Moves time forward without a sleep.
    public func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }

    /// Every duration passed to `sleep`, in order.
    public var sleeps: [Duration] { lock.withLock { recorded } }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
