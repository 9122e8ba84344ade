import Foundation
import Testing

@testable import APIMToken

/// Where the validator is, and whether this is CI.
enum KubernetesValidateTool {
    /// `CI=true`: a missing tool fails instead of skipping.
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// `.venv-tests/bin/kubernetes-validate` in the repository, if present.
    static let url: URL? = {
        let url = ManifestFixtures.repositoryRoot.appendingPathComponent(".venv-tests/bin/kubernetes-validate")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }()
}

/// The generated YAML passes `kubernetes-validate --strict` (offline OpenAPI schemas) for Kubernetes 1.28 and 1.34.
///
/// The tool comes from `scripts/bootstrap` (`.venv-tests`). Outside CI a missing tool skips this suite; in CI
/// (`CI=true`) it fails instead.
@Suite(.enabled(if: KubernetesValidateTool.url != nil || KubernetesValidateTool.isCI, "kubernetes-validate is not installed: run scripts/bootstrap"))
struct ManifestsValidateTests {
    static var tool: URL? { KubernetesValidateTool.url }

    /// Runs the tool; returns its exit status and combined output.
    static func validate(_ yaml: String, kubernetesVersion: String) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("apimtoken-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("manifests.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        guard let tool else { throw ConfigurationError("kubernetes-validate is missing: run scripts/bootstrap") }
        process.executableURL = tool
        process.arguments = ["--strict", "--kubernetes-version", kubernetesVersion, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test(arguments: ["1.28.0", "1.34.0"], ManifestFixtures.cases.map(\.0))
    func generatedYAMLValidatesStrictly(_ version: String, _ stem: String) throws {
        guard Self.tool != nil else {
            Issue.record("CI=true but .venv-tests/bin/kubernetes-validate is missing: run scripts/bootstrap")
            return
        }
        let (_, identity, workload) = ManifestFixtures.cases.first { $0.0 == stem }!
        var configuration = ManifestFixtures.configuration(identity, workload: workload)
        configuration.timeZone = "Etc/UTC"  // exercise the optional field too
        let objects = try InstallManifests(configuration).objects
        // aad-pod-identity's kinds are CRDs with no bundled schema: the tool must say it skipped them (their shape is
        // pinned by the golden files), and every built-in kind must pass.
        let builtIn = objects.filter { $0.resourceType.group != "aadpodidentity.k8s.io" }
        let result = try Self.validate(try ManifestRenderer.yaml(objects), kubernetesVersion: version)
        #expect(result.status == 0, "kubernetes-validate \(version) rejected \(stem):\n\(result.output)")
        #expect(!result.output.lowercased().contains("error"), "\(result.output)")
        let passed = result.output.split(separator: "\n").filter { $0.hasPrefix("INFO") && $0.contains(" passed for resource ") }
        #expect(passed.count == builtIn.count, "every built-in document validated: \(result.output)")
        for crd in objects where crd.resourceType.group == "aadpodidentity.k8s.io" {
            #expect(result.output.contains("Couldn't find schema for kind \(crd.resourceType.kind)"), "\(result.output)")
        }
    }

    @Test func strictValidationWouldCatchAnUnknownField() throws {
        guard Self.tool != nil else {
            Issue.record("CI=true but .venv-tests/bin/kubernetes-validate is missing: run scripts/bootstrap")
            return
        }
        let objects = try InstallManifests(ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: nil))).objects
        let yaml = try ManifestRenderer.yaml(objects).replacingOccurrences(
            of: "concurrencyPolicy: Forbid", with: "concurrencyPolicy: Forbid\n  concurrencyPolicyy: Forbid")
        let result = try Self.validate(yaml, kubernetesVersion: "1.34.0")
        #expect(result.status != 0, "the misspelt field was accepted:\n\(result.output)")
    }
}
