import APIMTokenCLI

/// The `kubectl-apimtoken` executable: everything it does lives in `APIMTokenCLI`.
@main
enum EntryPoint {
    static func main() async {
        await APIMTokenCommand.runAsPlugin()
    }
}
