import Foundation
import Testing

@testable import APIMToken

@Suite struct GatewayTokenTests {
    static let signature = "Qm9ndXNTaWduYXR1cmUrL0FuZE1vcmVCeXRlcz09PT0rL2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1Njc4OQ=="
    static let realShaped = "demo-gw&202612210300&\(signature)"
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    enum Expected: Sendable, Equatable {
        case parses(gateway: String, expiry: String)
        case fails(GatewayTokenError)
    }

    static let parseCases: [(String, String, Expected)] = [
        ("real token as generateToken returns it", realShaped, .parses(gateway: "demo-gw", expiry: "2026-12-21T03:00:00Z")),
        ("real token as the Secret holds it", "GatewayKey " + realShaped, .parses(gateway: "demo-gw", expiry: "2026-12-21T03:00:00Z")),
        ("Secret value with a trailing newline", "GatewayKey \(realShaped)\n", .parses(gateway: "demo-gw", expiry: "2026-12-21T03:00:00Z")),
        ("gateway name with dots and underscores", "edge.eu_1&203001010000&abc+/=", .parses(gateway: "edge.eu_1", expiry: "2030-01-01T00:00:00Z")),
        ("double prefix", "GatewayKey GatewayKey " + realShaped, .fails(.doublePrefix)),
        ("null", "null", .fails(.literalNull)),
        ("GatewayKey null (the bash scripts' bug)", "GatewayKey null", .fails(.literalNull)),
        ("empty string", "", .fails(.empty)),
        ("only whitespace", " \n\t", .fails(.empty)),
        ("prefix only", "GatewayKey ", .fails(.empty)),
        ("two parts", "demo-gw&202612210300", .fails(.malformed("expected three '&'-separated parts, found 2"))),
        ("four parts", realShaped + "&x", .fails(.malformed("expected three '&'-separated parts, found 4"))),
        ("empty gateway", "&202612210300&abc", .fails(.malformed("the gateway id is empty or has unexpected characters"))),
        ("expiry too short", "gw&2026122103&abc", .fails(.malformed("the expiry is not yyyyMMddHHmm"))),
        ("expiry with seconds", "gw&20261221030000&abc", .fails(.malformed("the expiry is not yyyyMMddHHmm"))),
        ("31 February", "gw&202602310300&abc", .fails(.malformed("the expiry is not yyyyMMddHHmm"))),
        ("hour 24", "gw&202612212400&abc", .fails(.malformed("the expiry is not yyyyMMddHHmm"))),
        ("empty signature", "gw&202612210300&", .fails(.malformed("the signature is empty or not base64"))),
        ("signature with a space", "gw&202612210300&ab cd", .fails(.malformed("the signature is empty or not base64"))),
        ("lowercase prefix is not a prefix", "gatewaykey " + realShaped, .fails(.malformed("the gateway id is empty or has unexpected characters"))),
    ]

    @Test(arguments: parseCases.indices)
    func parseTable(index: Int) {
        let (name, text, expected) = Self.parseCases[index]
        switch expected {
        case .parses(let gateway, let expiry):
            do {
                let token = try GatewayToken.parse(text)
                #expect(token.gatewayID == gateway, "\(name)")
                #expect(token.expiry == Self.date(expiry), "\(name)")
                #expect(
                    token.secretValue.value == "GatewayKey "
                        + text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "GatewayKey ", with: ""), "\(name)")
                #expect(!"\(token)".contains(Self.signature))
            } catch {
                Issue.record("\(name): unexpected \(error)")
            }
        case .fails(let expectedError):
            #expect(throws: expectedError, "\(name)") { try GatewayToken.parse(text) }
        }
    }

    @Test func validationOfAFreshToken() throws {
        let token = try GatewayToken.parse(Self.realShaped)
        let now = Self.date("2026-11-22T03:00:00Z")
        // Seconds are dropped: a request for 03:00:42 matches a token for 03:00.
        try token.validate(gateway: "demo-gw", requestedExpiry: Self.date("2026-12-21T03:00:42Z"), now: now)
        try token.validate(gateway: "DEMO-GW", requestedExpiry: Self.date("2026-12-21T03:00:00Z"), now: now)
        #expect(throws: GatewayTokenError.wrongGateway(expected: "other-gw", found: "demo-gw")) {
            try token.validate(gateway: "other-gw", requestedExpiry: Self.date("2026-12-21T03:00:00Z"), now: now)
        }
        #expect(throws: GatewayTokenError.expiryMismatch(requested: Self.date("2026-12-21T03:01:00Z"), found: Self.date("2026-12-21T03:00:00Z"))) {
            try token.validate(gateway: "demo-gw", requestedExpiry: Self.date("2026-12-21T03:01:00Z"), now: now)
        }
        #expect(throws: GatewayTokenError.expired(Self.date("2026-12-21T03:00:00Z"))) {
            try token.validate(gateway: "demo-gw", requestedExpiry: Self.date("2026-12-21T03:00:00Z"), now: Self.date("2026-12-22T00:00:00Z"))
        }
        #expect(token.isExpired(at: Self.date("2026-12-21T03:00:00Z")))
        #expect(!token.isExpired(at: Self.date("2026-12-21T02:59:59Z")))
    }

    /// What `rotate` does with a `generateToken` answer before writing it: requested gateway `demo-gw`, expiry
    /// 2026-12-21T03:00Z, at 2026-11-22T03:00Z.
    static let validationCases: [(String, String, GatewayTokenError?)] = [
        ("real-shaped token without the prefix (as generateToken returns it)", realShaped, nil),
        ("real-shaped token with the prefix", "GatewayKey " + realShaped, nil),
        ("gateway id in another case (ARM names are case-insensitive)", "Demo-GW&202612210300&\(signature)", nil),
        ("double prefix", "GatewayKey GatewayKey " + realShaped, .doublePrefix),
        ("null", "null", .literalNull),
        ("GatewayKey null", "GatewayKey null", .literalNull),
        ("empty string", "", .empty),
        ("wrong gateway", "other-gw&202612210300&\(signature)", .wrongGateway(expected: "demo-gw", found: "other-gw")),
        (
            "another expiry", "demo-gw&202612200300&\(signature)",
            .expiryMismatch(requested: date("2026-12-21T03:00:00Z"), found: date("2026-12-20T03:00:00Z"))
        ),
        (
            "past expiry", "demo-gw&202511210300&\(signature)",
            .expiryMismatch(requested: date("2026-12-21T03:00:00Z"), found: date("2025-11-21T03:00:00Z"))
        ),
    ]

    @Test(arguments: validationCases.indices)
    func validationTable(index: Int) {
        let (name, raw, expected) = Self.validationCases[index]
        let requested = Self.date("2026-12-21T03:00:00Z")
        let now = Self.date("2026-11-22T03:00:00Z")
        if let expected {
            #expect(throws: expected, "\(name)") {
                try GatewayToken.validated(Redacted(raw), gateway: "demo-gw", requestedExpiry: requested, now: now)
            }
        } else {
            #expect(throws: Never.self, "\(name)") {
                try GatewayToken.validated(Redacted(raw), gateway: "demo-gw", requestedExpiry: requested, now: now)
            }
        }
    }

    @Test func aPastExpiryThatWasRequestedIsStillRefused() {
        // Even when the request itself asked for a time already past (a wrong clock), nothing expired is written.
        let past = Self.date("2025-11-21T03:00:00Z")
        #expect(throws: GatewayTokenError.expired(past)) {
            try GatewayToken.validated(
                Redacted("demo-gw&202511210300&\(Self.signature)"), gateway: "demo-gw",
                requestedExpiry: past, now: Self.date("2026-11-22T03:00:00Z"))
        }
    }

    @Test func validatedRejectsWhatGenerateTokenMustNeverReturn() {
        let requested = Self.date("2026-12-21T03:00:00Z")
        let now = Self.date("2026-11-22T03:00:00Z")
        for raw in ["", "null", "GatewayKey null", "other&202612210300&abc"] {
            #expect(throws: GatewayTokenError.self) {
                try GatewayToken.validated(Redacted(raw), gateway: "demo-gw", requestedExpiry: requested, now: now)
            }
        }
        #expect(GatewayTokenError.literalNull.exitStatus == .azureAPI)
    }

    @Test func requestExpiryFormat() {
        #expect(GatewayToken.requestExpiryString(Self.date("2026-12-21T03:07:59Z")) == "2026-12-21T03:07:00Z")
        #expect(GatewayToken.requestExpiryString(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(GatewayToken.truncatedToMinute(Self.date("2026-12-21T03:07:59Z")) == Self.date("2026-12-21T03:07:00Z"))
    }

    @Test func fuzzedInputNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("GatewayKey &0123456789abcXYZ+/=-_.\n\t null\u{0}é🙂")
        var parsed = 0
        for iteration in 0..<4000 {
            let text: String
            switch iteration % 4 {
            case 0:
                let bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                text = String(decoding: bytes, as: UTF8.self)
            case 1:
                text = String((0..<Int.random(in: 0...48, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            case 2:
                // Mutate a real token: flip, drop or duplicate one character.
                var characters = Array(Self.realShaped)
                let position = Int.random(in: 0..<characters.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: characters[position] = alphabet.randomElement(using: &generator)!
                case 1: characters.remove(at: position)
                default: characters.insert(characters[position], at: position)
                }
                text = String(characters)
            default:
                let stamp = String(
                    format: "%04d%02d%02d%02d%02d", Int.random(in: 0...9999, using: &generator),
                    Int.random(in: 0...99, using: &generator), Int.random(in: 0...99, using: &generator),
                    Int.random(in: 0...99, using: &generator), Int.random(in: 0...99, using: &generator))
                text = "gw&\(stamp)&sig"
            }
            if let token = try? GatewayToken.parse(text) {
                parsed += 1
                #expect(!token.gatewayID.isEmpty)
                #expect(token.expiry == GatewayToken.truncatedToMinute(token.expiry))
                #expect(GatewayToken.requestExpiryString(token.expiry).hasSuffix(":00Z"))
            }
        }
        #expect(parsed < 4000)
    }
}
