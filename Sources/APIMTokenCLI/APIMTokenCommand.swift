import APIMToken
import ArgumentParser
import Foundation

/// The root command: `kubectl apimtoken`.
public struct APIMTokenCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kubectl apimtoken",
        abstract: "Keep Azure API Management self-hosted gateway tokens from expiring.",
        discussion: """
            Reads your kubeconfig and current context like kubectl does. Gateway tokens live at most \
            30 days; when one lapses the gateway quietly stops working.
            """,
        version: APIMTokenVersion.current,
        subcommands: []
    )

    public init() {}

    /// Parses the process arguments, runs the command, and exits with the documented code (SPEC §5).
    public static func runAsPlugin() async {
        await main()
    }
}
