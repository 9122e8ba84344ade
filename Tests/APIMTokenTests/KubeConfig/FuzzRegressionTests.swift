import Foundation
import Testing

@testable import APIMToken

/// Every input a fuzz target crashed on (Tests/Fuzz/regressions/TARGET-crash-…), replayed through the same parser.
/// A crash would end the test process, so reaching the expectations is the test; each also checks the answer.
@Suite struct FuzzRegressionTests {
    static let regressions: String = {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        return here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/regressions").path
    }()

    static func inputs(_ target: String) throws -> [Data] {
        try FileManager.default.contentsOfDirectory(atPath: regressions).sorted()
            .filter { $0.hasPrefix(target + "-") }
            .map { try Data(contentsOf: URL(fileURLWithPath: "\(regressions)/\($0)")) }
    }

    struct NoProcessRunner: ProcessRunner {
        func run(_ request: ProcessRequest) async throws -> ProcessResult { throw CancellationError() }
    }

    /// `az` output whose old-style `expiresOn` held a combining mark: Foundation's DateFormatter trapped on it.
    @Test func azureCLIOutputWithNonASCIIExpiryIsRefusedNotACrash() throws {
        let inputs = try Self.inputs("azure-cli")
        #expect(!inputs.isEmpty)
        let credential = AzureCLICredential(
            options: .init(timeZone: ZoneInfo(identifier: "America/New_York")!), runner: NoProcessRunner(), environment: Environment())
        for input in inputs {
            #expect(throws: AuthenticationFailedError.self) { _ = try credential.parse(input) }
        }
        #expect(AzureCLICredential.parseLocalTime("2026-12-03 11:00:0\u{61A}0", zone: .utc) == nil)
        #expect(AzureCLICredential.parseLocalTime("2026-12-03 11:00:00.5", zone: .utc) == Date(timeIntervalSince1970: 1_796_295_600.5))
    }

    /// Not from a crash: the composer scans the keys of a small mapping and indexes them only past 8 keys (made for
    /// the speed of the scaling benchmark and the fuzzers). A repeated key must keep its first position and last value
    /// on both sides of the switch, and a merge key must add only the keys not set explicitly.
    @Test func repeatedKeysAcrossTheIndexThreshold() throws {
        for count in [1, 7, 8, 9, 10, 20] {
            var text = ""
            for index in 0..<count { text += "k\(index): a\(index)\n" }
            text += "<<: {k0: m, extra: m}\n"
            for index in 0..<count { text += "k\(index): b\(index)\n" }
            let node = try KubeConfigYAML.parse(Data(text.utf8), limits: .init())
            var expected = (0..<count).map { KubeConfigNode.Entry(key: "k\($0)", value: .scalar("b\($0)", .string)) }
            expected.append(.init(key: "extra", value: .scalar("m", .string)))
            #expect(node == .mapping(expected), "\(count) keys")
        }
    }
}
