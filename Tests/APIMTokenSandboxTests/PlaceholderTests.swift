import Testing
@testable import APIMTokenSandbox

@Suite struct SandboxNameTests {
    @Test func introducesItself() { #expect(SandboxInfo.name == "apimtoken-sandbox") }
}
