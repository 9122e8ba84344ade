import APIMToken
import Dispatch
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM, and the `--deadline`: the run's current step is cancelled, no further write starts, child
/// process groups are ended, the Warning Event is recorded (best effort), and the process says what was done and what
/// was not, then exits 130 or 143, all within 2 seconds.
///
/// One per process, because signal dispositions are per process: the journal and the child registry every command
/// uses come from here. `@unchecked Sendable`: the mutable state is guarded by `lock`.
final class ProcessSignals: @unchecked Sendable {
    static let shared = ProcessSignals()

    /// What the run has done.
    let journal = RunJournal()
    /// The children to end with the run.
    let children = ChildProcessGroups()

    private let lock = Lock()
    private var work: Task<Void, any Error>?
    private var stopping = false
    private var signalled = false
    private var sources: [any DispatchSourceSignal] = []
    private var terminal: Terminal?
    /// The journals of a fleet run, one per gateway, by `namespace/name`.
    private var tracked: [(label: String, journal: RunJournal)] = []

    /// The most an interrupted run spends on its Event before it exits.
    static let eventBudget: Duration = .milliseconds(1_200)

    /// A fleet run's per-gateway journal, reported and stopped with the rest.
    func track(_ journal: RunJournal, label: String) { lock.withLock { tracked.append((label, journal)) } }

    /// Every journal in play: the fleet's when there is one, else the run's.
    private var journals: [(label: String, journal: RunJournal)] {
        let fleet = lock.withLock { tracked }
        return fleet.isEmpty ? [("", journal)] : fleet
    }

    /// What was done, for every journal in play.
    private var summary: String {
        let all = journals
        if all.count == 1, all[0].label.isEmpty { return all[0].journal.summary }
        return all.map { "\n  \($0.label): \($0.journal.summary)" }.joined()
    }

    /// How far the furthest run got.
    private var phase: RunJournal.Phase { journals.map(\.journal.currentPhase).max() ?? .reading }

    /// Handles SIGINT and SIGTERM from now on (the plugin's entry point calls this; in-process tests do not).
    func install() {
        for (number, name, code) in [(SIGINT, "SIGINT", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in interrupt(name: name, code: code) }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }

    /// Runs a command's body as the task a signal cancels; with `deadline`, the run is stopped after it.
    func run(terminal: Terminal, deadline: Duration?, _ body: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await body() }
        lock.withLock {
            work = task
            self.terminal = terminal
        }
        let timer = deadline.map { limit in
            Task { [self] () -> Bool in
                do { try await Task.sleep(for: limit) } catch { return false }
                guard beginStopping() else { return false }
                let reason = "the --deadline of \(DurationText.format(limit.seconds))"
                for entry in journals { entry.journal.markStopped(because: reason) }
                task.cancel()
                await stopJournal(because: reason)
                return true
            }
        }
        let outcome = await task.result
        let deadlinePassed = lock.withLock { stopping && !signalled }
        if let timer, let deadline, deadlinePassed, case .failure = outcome {
            // The deadline's Event is being recorded; let it finish (it is bounded) before reporting.
            _ = await timer.value
            throw DeadlineExceededError(deadline: deadline, phase: phase, summary: summary)
        }
        timer?.cancel()
        // A signal arrived: its own path prints and exits; this one must not exit first.
        if lock.withLock({ signalled }) {
            while true { try? await Task.sleep(for: .seconds(5)) }
        }
        try outcome.get()
    }

    /// Claims the one stop a run gets (a signal or the deadline, whichever comes first).
    private func beginStopping(signal: Bool = false) -> Bool {
        lock.withLock {
            if stopping { return false }
            stopping = true
            signalled = signal
            return true
        }
    }

    private func interrupt(name: String, code: Int32) {
        // A second signal, or one during the deadline's stop, changes nothing: the process is already on its way out.
        guard beginStopping(signal: true) else { return }
        // Whatever happens below, the process is gone within 2 seconds.
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.8) { exit(code) }
        for entry in journals { entry.journal.markStopped(because: name) }
        let (task, terminal) = lock.withLock { (work, self.terminal) }
        task?.cancel()
        children.terminateAll()
        Task.detached { [self] in
            await stopJournal(because: name)
            terminal?.endLive()
            let text = "error: interrupted by \(name): \(summary)\n"
            StandardStream.error.write(text)
            exit(code)
        }
    }

    /// Marks the journals stopped and records their Events, bounded by `eventBudget` together.
    private func stopJournal(because reason: String) async {
        let all = journals.map(\.journal)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { each in
                    for journal in all { each.addTask { await journal.stop(because: reason) } }
                }
            }
            group.addTask { try? await Task.sleep(for: Self.eventBudget) }
            await group.next()
            group.cancelAll()
        }
    }
}
