import ArgumentParser

/// The bash, zsh and fish completion scripts swift-argument-parser generates, for `kubectl-apimtoken` typed directly.
///
/// The root command is named `kubectl apimtoken` so that help reads as a kubectl plugin, but a name with a space
/// makes broken scripts (shell function `_kubectl apimtoken`). The scripts are therefore generated from
/// ``DirectInvocationRoot``: the same subcommands under the executable's own name. Their custom completions call
/// `kubectl-apimtoken ---completion …`, which the real root answers (it has the same subcommands).
/// `kubectl apimtoken <TAB>` is served by `kubectl_complete-apimtoken` instead (``CompletionEntryPoint``).
public enum CompletionScripts {
    /// The script for `shell`, as committed under `completions/` (ending with a newline).
    public static func script(for shell: CompletionShell) -> String {
        let script = DirectInvocationRoot.completionScript(for: shell)
        return script.hasSuffix("\n") ? script : script + "\n"
    }

    /// The file each script is committed as, under `completions/`.
    public static func fileName(for shell: CompletionShell) -> String {
        switch shell {
        case .zsh: "_kubectl-apimtoken"
        case .fish: "kubectl-apimtoken.fish"
        default: "kubectl-apimtoken.bash"
        }
    }
}

/// ``APIMTokenCommand`` under the executable's name, only to generate completion scripts.
struct DirectInvocationRoot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubectl-apimtoken",
        abstract: APIMTokenCommand.configuration.abstract,
        version: APIMTokenCommand.configuration.version,
        subcommands: APIMTokenCommand.configuration.subcommands)
}
