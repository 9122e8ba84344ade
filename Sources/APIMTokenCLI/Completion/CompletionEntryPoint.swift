import APIMToken
import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The completion entry points of the `kubectl-apimtoken` executable, checked before the command runs.
///
/// - Invoked as `kubectl_complete-apimtoken` (a symlink to the binary, found on `PATH` by kubectl ≥ 1.26):
///   `kubectl_complete-apimtoken <args> <word>` prints candidates for `kubectl apimtoken <args> <word>`.
/// - `kubectl-apimtoken __complete <args> <word>`: the same (used by the shipped `kubectl_complete-apimtoken` script).
/// - `kubectl-apimtoken --generate-completion-script [bash|zsh|fish]`: the swift-argument-parser script for
///   `kubectl-apimtoken` typed directly (see ``CompletionScripts``).
public enum CompletionEntryPoint {
    /// The executable name kubectl looks up for `kubectl apimtoken` completion.
    public static let completerName = "kubectl_complete-apimtoken"
    /// The subcommand that runs the completer from the plugin binary.
    public static let completeCommand = "__complete"

    /// What a completion request prints and exits with.
    struct Response: Equatable {
        /// Printed on stdout.
        var stdout: String
        /// Printed on stderr.
        var stderr: String = ""
        /// The exit code.
        var status: Int32 = 0
    }

    /// If `argv` is a completion request, answers it and exits the process; otherwise returns.
    public static func exitIfRequested(_ argv: [String] = CommandLine.arguments) async {
        guard let response = await respond(to: argv, environment: .process) else { return }
        StandardStream.output.write(response.stdout)
        if !response.stderr.isEmpty { StandardStream.error.write(response.stderr) }
        exit(response.status)
    }

    /// The response to `argv`, or `nil` when `argv` is an ordinary command line.
    static func respond(
        to argv: [String], environment: Environment, workingDirectory: String = FileManager.default.currentDirectoryPath
    ) async -> Response? {
        let executable = (argv.first ?? "").split(separator: "/").last.map(String.init) ?? ""
        let arguments = Array(argv.dropFirst())
        if executable == completerName {
            return await complete(arguments, environment: environment, workingDirectory: workingDirectory)
        }
        if arguments.first == completeCommand {
            return await complete(Array(arguments.dropFirst()), environment: environment, workingDirectory: workingDirectory)
        }
        if let first = arguments.first, first == "--generate-completion-script" || first.hasPrefix("--generate-completion-script=") {
            let name = first.contains("=") ? String(first.split(separator: "=", maxSplits: 1)[1]) : arguments.dropFirst().first
            return script(shellName: name, environment: environment)
        }
        return nil
    }

    /// Runs the plugin completer on the root command's tree. A tree that cannot be read gives the Error directive
    /// with exit 0: kubectl discards the output of a failed completer, and the shell then offers nothing.
    static func complete(_ arguments: [String], environment: Environment, workingDirectory: String) async -> Response {
        guard let tree = try? CompletionCommand.tree(of: APIMTokenCommand.self) else {
            return Response(stdout: CompletionResult(candidates: [], directive: .error).rendered)
        }
        let completer = PluginCompleter(
            tree: tree, environment: environment, workingDirectory: workingDirectory,
            customCompletion: { subcommands, option, words in
                await customCompletion(root: APIMTokenCommand.self, subcommands: subcommands, option: option, words: words)
            })
        return Response(stdout: await completer.complete(arguments).rendered)
    }

    /// Runs an option's `.custom` completion closure in-process, through ArgumentParser's `---completion` syntax:
    /// `---completion <subcommand…> -- <option> <word index> <cursor index> <command> <word…>`.
    static func customCompletion(root: any ParsableCommand.Type, subcommands: [String], option: String, words: [String]) async -> [String] {
        let commandLine = ["kubectl-apimtoken"] + words
        let arguments = ["---completion"] + subcommands + ["--", option, String(commandLine.count - 1), String(words.last?.count ?? 0)] + commandLine
        do {
            if let asyncRoot = root as? any AsyncParsableCommand.Type {
                _ = try await asyncRoot.asyncParseAsRoot(arguments)
            } else {
                _ = try root.parseAsRoot(arguments)
            }
            return []
        } catch {
            // The candidates arrive as a clean exit whose message is one candidate per line.
            guard root.exitCode(for: error) == .success else { return [] }
            return root.fullMessage(for: error).split(separator: "\n").map(String.init)
                .filter { !$0.trimmingWhitespace().isEmpty }
        }
    }

    /// `--generate-completion-script`: ArgumentParser's script for the named (or the current) shell.
    static func script(shellName: String?, environment: Environment) -> Response {
        let detected = environment["SHELL"].flatMap { $0.split(separator: "/").last.map(String.init) }
        guard let name = shellName ?? detected, let shell = CompletionShell(rawValue: name) else {
            let given = shellName.map { "\"\($0)\" is not a supported shell" } ?? "no shell given and SHELL names none"
            return Response(
                stdout: "", stderr: "error: --generate-completion-script: \(given); use bash, zsh or fish\n",
                status: ExitStatus.usage.rawValue)
        }
        return Response(stdout: CompletionScripts.script(for: shell))
    }
}
