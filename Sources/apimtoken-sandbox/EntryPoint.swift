import APIMTokenSandbox

/// The `apimtoken-sandbox` executable.
@main
enum EntryPoint {
    static func main() {
        print("\(SandboxInfo.name): not built yet")
    }
}
