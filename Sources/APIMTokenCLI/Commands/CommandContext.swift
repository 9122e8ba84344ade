import APIMToken
import Foundation

/// What every command builds first: the terminal and the dependencies value.
struct CommandContext {
    let environment: Environment
    let terminal: Terminal
    let dependencies: Dependencies

    init(global: GlobalOptions, environment: Environment = .process) {
        self.environment = environment
        let terminal = Terminal(noColor: global.noColor, environment: environment)
        self.terminal = terminal
        dependencies = Dependencies(environment: environment, verbosity: global.verbose, log: { terminal.err($0) })
    }
}
