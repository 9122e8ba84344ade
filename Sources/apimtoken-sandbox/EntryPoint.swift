import ArgumentParser

/// The `apimtoken-sandbox` executable: a simulated cluster and Azure on loopback.
@main
struct SandboxCommand: AsyncParsableCommand {
    /// The subcommands.
    static let configuration = CommandConfiguration(
        commandName: "apimtoken-sandbox",
        abstract: "A simulated Kubernetes cluster and Azure (Entra ID, IMDS, ARM for API Management) on 127.0.0.1.",
        subcommands: [Up.self, Down.self, Token.self, FaultCommand.self, APIServerCommand.self, Serve.self])
}
