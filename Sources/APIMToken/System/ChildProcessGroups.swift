import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process groups of running children (exec plugins, `az`). Each child runs in a group of its own so that a
/// timeout kills everything it started; a SIGINT or SIGTERM to this process must do the same, or they are orphaned.
///
/// `@unchecked Sendable`: the set is only touched under `lock`.
public final class ChildProcessGroups: @unchecked Sendable {
    private let lock = Lock()
    private var groups: Set<pid_t> = []

    /// An empty registry.
    public init() {}

    /// A child's group started.
    func add(_ group: pid_t) { _ = lock.withLock { groups.insert(group) } }

    /// A child's group was reaped.
    func remove(_ group: pid_t) { _ = lock.withLock { groups.remove(group) } }

    /// The groups still running.
    public var running: [pid_t] { lock.withLock { Array(groups) } }

    /// Sends SIGTERM to every group, then SIGKILL to those still there after `grace`.
    public func terminateAll(grace: TimeInterval = 0.3) {
        let targets = running
        guard !targets.isEmpty else { return }
        for group in targets { kill(-group, SIGTERM) }
        let end = Date().addingTimeInterval(grace)
        while Date() < end, targets.contains(where: { kill(-$0, 0) == 0 }) { usleep(10_000) }
        for group in targets where kill(-group, 0) == 0 { kill(-group, SIGKILL) }
    }
}
