import APIMToken
import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The root command: `kubectl apimtoken`.
public struct APIMTokenCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kubectl apimtoken",
        abstract: "Keep Azure API Management self-hosted gateway tokens from expiring.",
        discussion: """
            Reads your kubeconfig and current context like kubectl does. Gateway tokens live at most \
            30 days; when one lapses the gateway quietly stops working.

            Exit codes: 0 done · 2 usage or configuration · 3 Azure sign-in or permission · 4 Azure API, nothing \
            changed · 5 Kubernetes API, nothing changed · 6 Secret updated but restart failed · 7 rollout \
            incomplete · 8 a token expires soon · 9 a token is expired, missing, malformed or stale · 130 interrupted \
            (SIGINT) · 143 terminated (SIGTERM).
            """,
        version: APIMTokenVersion.current,
        subcommands: [Status.self, Rotate.self, SwitchKey.self, InstallCronJobCommand.self, ResolveKubeConfig.self]
    )

    public init() {}

    /// Parses the process arguments, runs the command, and exits with the documented code (SPEC §5).
    public static func runAsPlugin() async {
        ProcessSignals.shared.install()
        let code = await run(arguments: Array(CommandLine.arguments.dropFirst()))
        Glibc.exit(code)
    }

    /// Runs one invocation and returns its exit code; errors are printed once, here.
    public static func run(arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return ExitStatus.success.rawValue
        } catch let error as any APIMTokenError {
            report(error)
            return error.exitStatus.rawValue
        } catch let error as ExitCode {
            return error.rawValue
        } catch let error as CancellationError {
            StandardStream.error.write("error: cancelled (\(error))\n")
            return ExitStatus.kubernetesAPI.rawValue
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { StandardStream.output.write((message + "\n")) }
                return 0
            }
            // ArgumentParser reports usage errors as 64; SPEC §5 says 2.
            if !message.isEmpty { StandardStream.error.write((message + "\n")) }
            return ExitStatus.usage.rawValue
        }
    }

    static func report(_ error: any APIMTokenError) {
        var text = "error: \(error.description)\n"
        if let remedy = error.remedy, !remedy.isEmpty { text += "hint: \(remedy)\n" }
        StandardStream.error.write(text)
    }
}
