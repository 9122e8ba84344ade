import Foundation
import Testing

@testable import APIMToken

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile kubeconfigs, generated in a temporary directory: each must give a `.usage` error that names the file,
/// well within a second, and never crash or hang.
@Suite struct KubeConfigHostileTests {
    typealias Support = KubeConfigTestSupport

    /// How each hostile file is made.
    enum Hostile: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case aliasBomb, flowNesting100k, blockNesting100k, indentNesting, fiftyMegabytes, binaryGarbage, controlCharacters

        var testDescription: String { rawValue }

        /// The part of the message that says what was wrong.
        var expectedReason: String {
            switch self {
            case .aliasBomb: return "aliases expand the document by more than 200000 nodes (an alias bomb)"
            case .flowNesting100k, .blockNesting100k, .indentNesting: return "nesting deeper than 64 levels"
            case .fiftyMegabytes: return "the file is 52428800 bytes, more than the 4 MiB a kubeconfig may have"
            case .binaryGarbage: return "the file is not UTF-8 text"
            case .controlCharacters: return "yaml: line 1: control characters are not allowed"
            }
        }

        func write(to path: String) throws {
            switch self {
            case .aliasBomb:
                // "Billion laughs": 10 levels of 10 aliases each expand to 10^10 nodes.
                var text = "apiVersion: v1\nkind: Config\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                for level in 1...9 {
                    let previous = "*a\(level - 1)"
                    text += "a\(level): &a\(level) [" + Array(repeating: previous, count: 10).joined(separator: ", ") + "]\n"
                }
                text += "clusters: [{name: boom, cluster: {server: https://x, extensions: [{name: e, extension: *a9}]}}]\n"
                try Support.write(text, to: path)
            case .flowNesting100k:
                try Support.write("clusters: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n", to: path)
            case .blockNesting100k:
                try Support.write("users:\n" + String(repeating: "- ", count: 100_000) + "x\n", to: path)
            case .indentNesting:
                var text = ""
                for depth in 0..<1_500 { text += String(repeating: " ", count: depth) + "k:\n" }
                try Support.write(text, to: path)
            case .fiftyMegabytes:
                #expect(FileManager.default.createFile(atPath: path, contents: nil))
                #expect(truncate(path, 50 * 1024 * 1024) == 0)
            case .binaryGarbage:
                var generator = SplitMix64(seed: 42)
                let bytes = (0..<65_536).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                try Data(bytes).write(to: URL(fileURLWithPath: path))
            case .controlCharacters:
                try Data([0x61, 0x3A, 0x20, 0x01, 0x02, 0x07, 0x0A] + Array("garbage\u{7F}\u{1B}".utf8)).write(to: URL(fileURLWithPath: path))
            }
        }
    }

    @Test(arguments: Hostile.allCases)
    func hostileFileGivesAFastClearUsageError(_ hostile: Hostile) throws {
        let directory = try Support.temporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/\(hostile.rawValue).yaml"
        try hostile.write(to: path)

        let started = ContinuousClock.now
        var caught: KubeConfigError?
        do {
            _ = try KubeConfigResolver.resolve(flags: KubeConfigFlags(kubeconfig: path), environment: Environment(["HOME": directory]))
        } catch let error as KubeConfigError {
            caught = error
        }
        let elapsed = ContinuousClock.now - started
        let error = try #require(caught)
        #expect(error.exitStatus == .usage)
        #expect(error.description.hasPrefix("error loading config file \"\(path)\": "), "\(error.description)")
        #expect(error.remedy != nil)
        #expect(error.description.contains(hostile.expectedReason), "\(error.description)")
        #expect(elapsed < .seconds(1), "took \(elapsed)")
    }

    @Test func theSameFilesFailTheSameWayThroughKUBECONFIG() throws {
        let directory = try Support.temporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/bomb.yaml"
        try Hostile.aliasBomb.write(to: path)
        #expect(throws: KubeConfigError.self) {
            _ = try KubeConfigResolver.resolve(
                flags: KubeConfigFlags(), environment: Environment(["HOME": directory, "KUBECONFIG": "\(Support.fixtures)/kind.yaml:\(path)"]))
        }
    }

    @Test func aDeviceThatNeverEndsIsCutOffAtTheSizeLimit() throws {
        let started = ContinuousClock.now
        #expect {
            _ = try KubeConfigResolver.resolve(flags: KubeConfigFlags(kubeconfig: "/dev/zero"), environment: Environment(["HOME": "/nonexistent"]))
        } throws: { error in
            "\(error)".hasPrefix("error loading config file \"/dev/zero\": ")
        }
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func modestAnchorsAndMergeKeysStillWork() throws {
        let directory = try Support.temporaryDirectory("anchors")
        try Support.write(
            """
            apiVersion: v1
            kind: Config
            current-context: c
            base: &base {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
            clusters:
            - name: c
              cluster:
                <<: *base
                tls-server-name: kubernetes
            contexts: [{name: c, context: {cluster: c, user: u, namespace: ns}}]
            users: [{name: u, user: {token: t}}]
            """, to: "\(directory)/config")
        let connection = try KubeConfigResolver.resolve(
            flags: KubeConfigFlags(kubeconfig: "\(directory)/config"), environment: Environment(["HOME": directory]))
        #expect(connection.server.absoluteString == "https://127.0.0.1:6443")
        #expect(connection.tls.insecureSkipVerify)
        #expect(connection.tls.serverName == "kubernetes")
        #expect(connection.namespace == "ns")
    }
}
