import FoundationEssentials

// MARK: - RunJournal

/// What a run has done so far, for the one thing that cannot wait for the operation to return: a SIGINT, a SIGTERM
/// or the `--deadline`. The operation records its steps here; the signal handler reads them to say what was done and
/// what was not, stops any further write, and records the Warning Event the operation registered.
///
/// `@unchecked Sendable`: all state is guarded by `lock`.
public final class RunJournal: @unchecked Sendable {
    /// Where the run stands, coarsely: it picks the exit code of a run stopped by its deadline.
    public enum Phase: Int, Sendable, Comparable {
        /// Reading and deciding.
        case reading
        /// Talking to Azure (sign-in, generateToken).
        case azure
        /// The Secret write is on its way; its outcome is not known yet.
        case writing
        /// The Secret holds this run's token; the restarts are not all done.
        case written
        /// Every restart is done; waiting for the rollouts.
        case waiting
        /// Everything after the rollouts (switch-key's regenerateKey).
        case finishing

        public static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let lock = Lock()
    private var planned: [String] = []
    private var done: [String] = []
    private var current: String?
    private var phase = Phase.reading
    private var stopReason: String?
    private var onStop: (@Sendable (String) async -> Void)?

    /// An empty journal.
    public init() {}

    /// The steps about to be taken, in order (replaces any earlier plan; steps already done stay done).
    public func plan(_ steps: [String]) { lock.withLock { planned = steps } }

    /// A step begins; `phase` moves forward only.
    public func begin(_ step: String, phase: Phase? = nil) {
        lock.withLock {
            current = step
            if let phase, phase > self.phase { self.phase = phase }
        }
    }

    /// A step is done.
    public func finish(_ step: String, phase: Phase? = nil) {
        lock.withLock {
            if current == step { current = nil }
            done.append(step)
            if let phase, phase > self.phase { self.phase = phase }
        }
    }

    /// Where the run stands.
    public var currentPhase: Phase { lock.withLock { phase } }

    /// Registers what to do when the run is stopped from outside (record the Warning Event), replacing any earlier one.
    public func onStop(_ action: @escaping @Sendable (String) async -> Void) { lock.withLock { onStop = action } }

    /// Why the run was stopped, if it was.
    public var stoppedBecause: String? { lock.withLock { stopReason } }

    /// Throws when the run was stopped: called before every write, so nothing new is written after a signal.
    public func checkNotStopped() throws {
        if let reason = stoppedBecause { throw RunStoppedError(reason: reason) }
        try Task.checkCancellation()
    }

    /// Marks the run stopped: from now on no write starts.
    public func markStopped(because reason: String) { lock.withLock { if stopReason == nil { stopReason = reason } } }

    /// Marks the run stopped and runs the registered action (bounded by the caller).
    public func stop(because reason: String) async {
        markStopped(because: reason)
        let action = lock.withLock { onStop }
        await action?(reason)
    }

    /// "Done: …; in flight: …; not done: …" and what to do next, for the message of a stopped run.
    public var summary: String {
        lock.withLock {
            var parts: [String] = []
            parts.append(done.isEmpty ? "nothing was done" : "done: " + done.joined(separator: ", "))
            if let current { parts.append("in flight: \(current)" + (phase == .writing ? " (its outcome is unknown)" : "")) }
            let rest = planned.filter { step in !done.contains(step) && step != current }
            if !rest.isEmpty { parts.append("not done: " + rest.joined(separator: ", ")) }
            var text = parts.joined(separator: "; ") + "."
            switch phase {
            case .reading, .azure:
                text += done.isEmpty && current == nil ? "" : " Nothing was changed in the cluster."
            case .writing:
                text += " Run the same command again: it reads the Secret and finishes the job."
            case .written, .waiting, .finishing:
                text += " The Secret holds the new token; run the same command again: it only restarts and waits."
            }
            return text
        }
    }
}

// MARK: - RunStoppedError

/// The run was stopped by a signal or its deadline before a write.
public struct RunStoppedError: Error, Sendable, CustomStringConvertible {
    /// `SIGTERM`, `SIGINT`, `the --deadline of 5m`.
    public var reason: String
    public var description: String { "stopped by \(reason)" }
}

// MARK: - DeadlineExceededError

/// `--deadline` passed: the exit code says how far the run got (SPEC §5).
public struct DeadlineExceededError: APIMTokenError {
    public var deadline: Duration
    /// Where the run stood.
    public var phase: RunJournal.Phase
    /// The journal's summary.
    public var summary: String

    /// Creates the error.
    public init(deadline: Duration, phase: RunJournal.Phase, summary: String) {
        self.deadline = deadline
        self.phase = phase
        self.summary = summary
    }

    public var exitStatus: ExitStatus {
        switch phase {
        case .reading: .kubernetesAPI
        case .azure: .azureAPI
        case .writing, .written: .restartFailed
        case .waiting, .finishing: .rolloutIncomplete
        }
    }

    public var description: String { "the run did not finish within --deadline \(DurationText.format(deadline.seconds)): \(summary)" }
    public var remedy: String? { "raise --deadline, or find what was slow with -v" }
}
