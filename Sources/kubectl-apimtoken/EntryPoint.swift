import APIMTokenCLI

/// The `kubectl-apimtoken` executable: everything it does lives in `APIMTokenCLI`.
///
/// Installed (or symlinked) as `kubectl_complete-apimtoken`, it is kubectl's completer for `kubectl apimtoken`.
@main
enum EntryPoint {
    static func main() async {
        await CompletionEntryPoint.exitIfRequested(CommandLine.arguments)
        await APIMTokenCommand.runAsPlugin()
    }
}
