import Testing
@testable import APIMTokenCLI
import APIMToken

@Suite struct RootCommandTests {
    @Test func helpReadsAsAKubectlPlugin() {
        let help = APIMTokenCommand.helpMessage()
        #expect(help.contains("USAGE: kubectl apimtoken"))
    }
}
