import APIMToken
import Testing

@testable import APIMTokenCLI

@Suite struct RootCommandTests {
    @Test func helpReadsAsAKubectlPlugin() {
        let help = APIMTokenCommand.helpMessage()
        #expect(help.contains("USAGE: kubectl apimtoken"))
    }
}
