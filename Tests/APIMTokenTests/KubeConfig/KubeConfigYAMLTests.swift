import Foundation
import Testing

@testable import APIMToken

/// The kubeconfig YAML layer: repeated keys as kubectl reads them, limits that name their real cause, linear cost,
/// and scalar typing identical to kubectl's (go-yaml v2).
@Suite struct KubeConfigYAMLTests {
    typealias Support = KubeConfigTestSupport

    static let base = """
        apiVersion: v1
        kind: Config
        current-context: a
        clusters:
        - name: c
          cluster:
            server: https://one.example:6443
        users:
        - name: u
          user: {token: t}
        contexts:
        - name: a
          context: {cluster: c, user: u}
        - name: b
          context: {cluster: c, user: u, namespace: nsb}

        """

    static func resolve(_ text: String, context: String? = nil) throws -> ClusterConnection {
        let directory = try Support.temporaryDirectory("yaml")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Support.write(text, to: "\(directory)/config")
        return try KubeConfigResolver.resolve(
            flags: KubeConfigFlags(kubeconfig: "\(directory)/config", context: context), environment: Environment(["HOME": directory]))
    }

    // MARK: - Repeated keys (kubectl 1.32: the last value wins; a repeated name in a list is an error)

    @Test func aRepeatedCurrentContextUsesTheLastValue() throws {
        let connection = try Self.resolve(Self.base + "current-context: b\n")
        #expect(connection.origin == .context(name: "b", cluster: "c", user: "u"))
        #expect(connection.namespace == "nsb")
    }

    @Test func aRepeatedKeyInsideAnEntryUsesTheLastValue() throws {
        let text = Self.base.replacingOccurrences(
            of: "    server: https://one.example:6443\n", with: "    server: https://one.example:6443\n    server: https://two.example:6443\n")
        #expect(try Self.resolve(text).server.absoluteString == "https://two.example:6443")
    }

    @Test func aRepeatedNameInAListIsRefusedAsByKubectl() throws {
        let text = Self.base + "- name: a\n  context: {cluster: c}\n"
        #expect {
            _ = try Self.resolve(text)
        } throws: { error in
            "\(error)".contains("duplicate name \"a\" in list \"contexts\"")
        }
    }

    @Test func aRepeatedKeyKeepsItsFirstPositionAndLastValue() throws {
        let node = try KubeConfigYAML.parse(Data("a: 1\nb: 2\na: 3\n".utf8), limits: .init())
        #expect(node == .mapping([.init(key: "a", value: .scalar("3", .int)), .init(key: "b", value: .scalar("2", .int))]))
    }

    @Test func explicitKeysWinOverMergedOnesWhereverTheyStand() throws {
        let node = try KubeConfigYAML.parse(Data("base: &b {x: 1, y: 2}\nm: {x: 0, <<: *b, y: 9}\n".utf8), limits: .init())
        #expect(node["m"] == .mapping([.init(key: "x", value: .scalar("0", .int)), .init(key: "y", value: .scalar("9", .int))]))
    }

    // MARK: - Limits name their real cause

    @Test func aWideMappingIsAcceptedWhateverItsSize() throws {
        var text = Self.base + "preferences:\n"
        for index in 0..<150_000 { text += "  k\(index): v\n" }
        let started = ContinuousClock.now
        let connection = try Self.resolve(text)
        #expect(connection.server.absoluteString == "https://one.example:6443")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func anAliasBombNamesAliases() throws {
        var text = Self.base + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect {
            _ = try Self.resolve(text)
        } throws: { error in
            "\(error)".contains("aliases expand the document by more than 200000 nodes (an alias bomb)")
        }
    }

    @Test func manyAnchorsWithoutABombAreAccepted() throws {
        var text = Self.base
        for index in 0..<20_000 { text += "k\(index): &a\(index) v\n" }
        for index in 0..<20_000 { text += "r\(index): *a\(index)\n" }
        #expect(try Self.resolve(text).namespace == "default")
    }

    @Test func deepNestingNamesTheDepth() throws {
        #expect {
            _ = try KubeConfigYAML.parse(Data(("a: " + String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8), limits: .init())
        } throws: { error in
            (error as? KubeConfigYAML.Failure)?.reason == "yaml: line 1: nesting deeper than 64 levels"
        }
        // 63 levels under the root mapping are allowed.
        _ = try KubeConfigYAML.parse(Data(("a: " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63)).utf8), limits: .init())
    }

    @Test func anUndefinedAliasIsNamed() throws {
        #expect {
            _ = try KubeConfigYAML.parse(Data("a: b\nc: *nowhere\n".utf8), limits: .init())
        } throws: { error in
            (error as? KubeConfigYAML.Failure)?.reason == "yaml: line 2: unknown anchor 'nowhere' referenced"
        }
    }

    @Test func numbersWhereStringsBelongAreRefusedAsByKubectl() throws {
        let text = Self.base.replacingOccurrences(of: "namespace: nsb", with: "namespace: 123")
        #expect {
            _ = try Self.resolve(text, context: "b")
        } throws: { error in
            "\(error)".contains("field \"context.namespace\" must be a string, not a number (quote the value)")
        }
        let quoted = Self.base.replacingOccurrences(of: "namespace: nsb", with: "namespace: \"123\"")
        #expect(try Self.resolve(quoted, context: "b").namespace == "123")
    }

    @Test func onlyTheFirstDocumentIsRead() throws {
        let connection = try Self.resolve(Self.base + "---\ncurrent-context: b\n---\n[unclosed\n")
        #expect(connection.origin == .context(name: "a", cluster: "c", user: "u"))
    }

    // MARK: - Scalars typed as kubectl types them

    static let scalars = [
        "", "~", "null", "Null", "NULL", "nUll", "yes", "Yes", "YES", "yEs", "no", "on", "Off", "true", "False", "y", "n",
        "0", "-0", "+0", "00", "007", "08", "0o17", "0o8", "0b101", "0b", "0b2", "0x1F", "0xg", "0x", "-0x_", "1_000", "_1",
        "1:30", "1:60", "190:20:30", "1:5", "12", "+12", "-12", "1.5", ".5", "1.", "1e3", "1e", "1e+3", "1.5e-3", ".5e3", ".5e+3",
        "1:30.5", "+.inf", "-.Inf", ".INF", ".inf", ".NaN", ".nan", "-.nan", ".", "..", "=", "<<", "2001-12-14", "1_0.0_1",
        "x", "01:02", "0:1", "9:59:59", "1__", "0_", "0o", "+", "-", "e3", "1e3.5", "１２", "0x1F ", " 12",
    ]

    /// The reference is kubectl itself: a context's `namespace:` set to each sample. kubectl (go-yaml v2 through
    /// sigs.k8s.io/yaml) refuses a number or boolean there, reads a null as no namespace, and prints a string back.
    @Test func plainScalarsAreTypedAsKubectlTypesThem() async throws {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("0123456789_.:+-eExXobB.inafINF~yYnN")
        var samples = Self.scalars
        for _ in 0..<150 {
            let length = Int(generator.next() % 6) + 1
            samples.append(String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scalar-typing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var compared = 0
        for sample in Set(samples).sorted()
        where !sample.hasPrefix(" ") && !sample.hasSuffix(" ") && !sample.contains(": ")
            && !sample.contains(" #") && !sample.hasPrefix("#") && !sample.hasPrefix("- ") && sample != "-"
        {
            let yaml = """
                apiVersion: v1
                clusters:
                - cluster:
                    server: https://127.0.0.1:1
                  name: c
                contexts:
                - context:
                    cluster: c
                    user: u
                    namespace: \(sample)
                  name: x
                current-context: x
                users:
                - name: u
                  user:
                    token: t

                """
            // A sample that is not one plain scalar here (`1:` opens a mapping, `[` a sequence) says nothing.
            guard let root = try? KubeConfigYAML.parse(Data(yaml.utf8), limits: .init()),
                case .sequence(let contexts)? = root["contexts"], let node = contexts.first?["context"]?["namespace"]
            else { continue }
            let ours: String
            switch node {
            case .null: ours = "null"
            case .scalar(let text, .string): ours = "string \(text)"
            case .scalar: ours = "not a string"
            default: continue
            }
            let file = directory.appendingPathComponent("config")
            try Data(yaml.utf8).write(to: file)
            let result = try await ExternalTool.run(
                "kubectl", ["config", "view", "--minify", "-o", "jsonpath={.contexts[0].context.namespace}", "--kubeconfig", file.path],
                environment: ["HOME": "/nonexistent"])
            let (status, output) = (result.exitStatus, String(decoding: result.standardOutput, as: UTF8.self))
            let kubectl = status != 0 ? "not a string" : output.isEmpty ? "null" : "string \(output)"
            #expect(ours == kubectl, "namespace: \(sample)")
            compared += 1
        }
        #expect(compared > 150)
    }
}
