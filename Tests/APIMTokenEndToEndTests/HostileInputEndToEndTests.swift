import Foundation
import Testing

/// Hostile kubeconfigs through the built binary: exit 2 with a message, never a crash or a hang (the run is bounded
/// at 30 s; how fast each is rejected is measured by the kubeconfig tests, not asserted here).
@Suite struct HostileInputEndToEndTests {
    static func write(_ name: String, _ data: Data) throws -> String {
        let path = E2E.freshDirectory("hostile") + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    static let cases: [(String, @Sendable () -> Data)] = [
        (
            "alias-bomb",
            {
                var text = "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
                for level in 1...9 {
                    text +=
                        "\(Character(UnicodeScalar(97 + level)!)): &\(Character(UnicodeScalar(97 + level)!)) ["
                        + Array(repeating: "*\(Character(UnicodeScalar(96 + level)!))", count: 9).joined(separator: ",") + "]\n"
                }
                return Data(text.utf8)
            }
        ),
        ("deep-nesting", { Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8) }),
        ("huge", { Data(repeating: UInt8(ascii: "#"), count: 50 << 20) }),
        ("garbage", { Data((0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }) }),
    ]

    @Test(arguments: 0..<4)
    func aHostileKubeconfigIsExitTwo(index: Int) async throws {
        guard let binary = E2E.binary else { return }
        let (name, make) = Self.cases[index]
        let path = try Self.write(name, make())
        let run = await E2E.run(
            [binary, "status", "--kubeconfig", path], environment: ["PATH": "/usr/bin:/bin", "HOME": E2E.freshDirectory("home")], timeout: 30)
        #expect(run.status == 2, "\(name): \(run)")
        #expect(run.stderr.hasPrefix("error: "), "\(name): \(run)")
    }
}
