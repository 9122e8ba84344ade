import APIMToken
import FoundationEssentials

/// What every command builds first: the terminal and the dependencies value.
struct CommandContext {
    let environment: Environment
    let terminal: Terminal
    let dependencies: Dependencies

    /// Runs a command's operation so that SIGINT, SIGTERM and `--deadline` stop it the documented way.
    func run(deadline: Duration? = nil, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await ProcessSignals.shared.run(terminal: terminal, deadline: deadline, body)
    }

    init(global: GlobalOptions, environment: Environment = .process) {
        self.environment = environment
        let terminal = Terminal(noColor: global.noColor, environment: environment)
        self.terminal = terminal
        let signals = ProcessSignals.shared
        dependencies = Dependencies(
            environment: environment, processRunner: POSIXProcessRunner(children: signals.children), verbosity: global.verbose,
            journal: signals.journal, log: { terminal.err($0) })
    }
}
