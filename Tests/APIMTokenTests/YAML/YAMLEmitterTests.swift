import Foundation
import Testing
import YAML

/// The YAML module's emitter: kubectl's layout and quoting (go-yaml v2 through sigs.k8s.io/yaml), and a document
/// that an independent YAML 1.1 reader (PyYAML) reads back as exactly the value written.
@Suite struct YAMLEmitterTests {
    /// go-yaml v2's choices, one per rule: plain when it reads back as a string; double quotes when a YAML 1.1
    /// reader would take it for a bool, null, number or timestamp; single quotes when libyaml's analysis forbids
    /// plain; a literal block for text with a line break.
    @Test(arguments: [
        ("hello", "k: hello\n"),
        ("app.kubernetes.io/name", "k: app.kubernetes.io/name\n"),
        ("true", "k: \"true\"\n"),
        ("yes", "k: \"yes\"\n"),
        ("Off", "k: \"Off\"\n"),
        ("~", "k: \"~\"\n"),
        ("null", "k: \"null\"\n"),
        ("", "k: \"\"\n"),
        ("123", "k: \"123\"\n"),
        ("0777", "k: \"0777\"\n"),
        ("08", "k: \"08\"\n"),
        ("0x1F", "k: \"0x1F\"\n"),
        ("1_000", "k: \"1_000\"\n"),
        ("1.5", "k: \"1.5\"\n"),
        (".5", "k: \".5\"\n"),
        ("1e3", "k: \"1e3\"\n"),
        ("1:20", "k: \"1:20\"\n"),
        ("2026-12-21T03:00:00Z", "k: \"2026-12-21T03:00:00Z\"\n"),
        ("2026-12-21", "k: \"2026-12-21\"\n"),
        ("2026-13-21", "k: 2026-13-21\n"),
        ("0 3 * * *", "k: 0 3 * * *\n"),
        ("*", "k: '*'\n"),
        ("a: b", "k: 'a: b'\n"),
        (" leading", "k: ' leading'\n"),
        ("it's", "k: it's\n"),
        ("#comment", "k: '#comment'\n"),
        ("line one\nline two", "k: |-\n  line one\n  line two\n"),
        ("ends with newline\n", "k: |\n  ends with newline\n"),
        ("tab\there", "k: \"tab\\there\"\n"),
        ("Grüße", "k: Grüße\n"),
        ("n", "k: \"n\"\n"),
    ])
    func stringsAreQuotedAsKubectlQuotesThem(text: String, expected: String) throws {
        let yaml = try YAMLEmitter.emit(.mapping([("k", .string(text))]))
        #expect(yaml == expected)
    }

    @Test func layoutIsKubectls() throws {
        let value = YAMLValue.mapping([
            (
                "spec",
                .mapping([
                    ("containers", .sequence([.mapping([("name", .string("a")), ("args", .sequence([.string("rotate"), .string("-A")]))])])),
                    ("empty", .mapping([])),
                    ("none", .sequence([])),
                ])
            ),
            ("apiVersion", .string("v1")),
            ("count", .integer(3)),
            ("ratio", .number(0.5)),
            ("missing", .null),
            ("flag", .bool(false)),
        ])
        #expect(
            try YAMLEmitter.emit(value) == """
                apiVersion: v1
                count: 3
                flag: false
                missing: null
                ratio: 0.5
                spec:
                  containers:
                  - args:
                    - rotate
                    - -A
                    name: a
                  empty: {}
                  none: []

                """)
    }

    /// go-yaml v2.4 folds plain scalars with spaces at 80 columns (its default width), as kubectl prints them.
    @Test func longTextFoldsAtEightyColumns() async throws {
        let words = Array(repeating: "word", count: 30).joined(separator: " ")
        let text = try YAMLEmitter.emit(.mapping([("description", .string(words))]))
        #expect(text.split(separator: "\n").count > 1)
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 82 })
        let back = try await PyYAML.loadAll(text).first as? [String: String]
        #expect(back?["description"] == words)
    }

    /// Go's `strconv.FormatFloat(f, 'g', -1, 64)`.
    @Test(arguments: [(0.5, "0.5"), (1234567.5, "1.2345675e+06"), (0.00001, "1e-05"), (100000.0, "100000"), (1e21, "1e+21"), (-2.25, "-2.25")])
    func floatsPrintAsGoPrintsThem(number: Double, expected: String) throws {
        let text = try YAMLEmitter.emit(.mapping([("x", .number(number))]))
        #expect(text == "x: \(expected)\n")
    }

    /// Seeded random strings from an alphabet of YAML's indicators, quotes, digits, spaces, line breaks and non-ASCII
    /// text: PyYAML reads every document back as exactly the strings written.
    @Test func randomStringsReadBackUnchanged() async throws {
        var generator = SplitMix64(seed: 20_261_203)
        let alphabet = Array("ab0123456789 .:-_+#'\"*&!|>%@`,[]{}?\\\t\nTtYyNn~éß漢😀")
        var keys: [String] = []
        var members: [(String, YAMLValue)] = []
        for index in 0..<2_000 {
            let length = Int(generator.next() % 12)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            let key = "k\(index)"
            keys.append(text)
            members.append((key, .string(text)))
        }
        let yaml = try YAMLEmitter.emit(.mapping(members))
        let back = try #require(try await PyYAML.loadAll(yaml).first as? [String: Any])
        for (index, text) in keys.enumerated() {
            #expect(back["k\(index)"] as? String == text, "string \(String(reflecting: text)) came back as \(String(reflecting: back["k\(index)"]))")
        }
    }

    @Test func jsonDocumentsKeepTheirTypes() throws {
        let json = Data(#"{"b":[1,2.5,"x",null,true],"a":{"nested":{}},"big":9223372036854775807}"#.utf8)
        #expect(
            try YAMLEmitter.emit(json: json) == """
                a:
                  nested: {}
                b:
                - 1
                - 2.5
                - x
                - null
                - true
                big: 9223372036854775807

                """)
    }

    /// The real kubectl prints the same bytes: `kubectl create configmap --dry-run=client` with seeded random values
    /// (and the cases above) as `-o json` and as `-o yaml`; the JSON through this emitter must equal kubectl's YAML.
    @Test func kubectlPrintsTheSameYAMLByteForByte() async throws {
        var generator = SplitMix64(seed: 1203)
        let alphabet = Array("ab09 .:-_+#'\"*&!|>%@`,[]{}?\\TtYyNnoO~é漢")
        var values = [
            "true", "yes", "n", "08", "0777", "1:20", "2026-12-21T03:00:00Z", "2026-12-21", "2026-13-21", "*", "a: b",
            " lead", "trail ", "tab\tx", "l1\nl2", "end\n", "\n", "1e3", ".5", "0x1F", "1_000", "-", "- a", "? x", "~",
            Array(repeating: "word", count: 40).joined(separator: " "), String(repeating: "x", count: 200),
        ]
        for _ in 0..<300 {
            let length = Int(generator.next() % 14) + 1
            values.append(String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
        }
        // Keys must be valid ConfigMap keys; the values carry the cases.
        let arguments =
            ["create", "configmap", "t", "--dry-run=client", "--kubeconfig", "/dev/null"]
            + values.enumerated().map { "--from-literal=k\($0.offset)=\($0.element)" }
        let json = try await ExternalTool.output("kubectl", arguments + ["-o", "json"])
        let yaml = String(decoding: try await ExternalTool.output("kubectl", arguments + ["-o", "yaml"]), as: UTF8.self)
        let ours = try YAMLEmitter.emit(json: json)
        let expectedLines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let ourLines = ours.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(expectedLines, ourLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(expectedLines.count, ourLines.count)
        #expect(
            ours == yaml,
            "first difference at line \(line): kubectl \(String(reflecting: expectedLines.dropFirst(line).first)), ours \(String(reflecting: ourLines.dropFirst(line).first))"
        )
    }
}
