import Testing

@testable import APIMToken

@Suite struct RedactedTests {
    @Test func everyPrintingPathHidesTheValue() {
        let secret = Redacted("canary-7f3a")
        var dumped = ""
        dump(secret, to: &dumped)
        for text in ["\(secret)", String(describing: secret), String(reflecting: secret), dumped] {
            #expect(!text.contains("canary-7f3a"), "leaked through: \(text)")
            #expect(text.contains("<redacted>") || text.contains("Redacted"))
        }
        #expect(secret.value == "canary-7f3a")
    }
}
