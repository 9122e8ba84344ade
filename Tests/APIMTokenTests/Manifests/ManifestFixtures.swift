import Foundation
import Testing

@testable import APIMToken

/// Configurations the manifest tests share, one per identity kind, and golden-file helpers.
enum ManifestFixtures {
    /// A client secret that must never appear in printed output.
    static let canary = "canary-sp-secret-9f4e1c7a"

    /// A configuration for `identity` with a typical target.
    static func configuration(_ identity: CronJobIdentity, workload: WorkloadReference = .init(kind: .deployment, name: "demo")) -> CronJobInstallConfiguration
    {
        CronJobInstallConfiguration(
            namespace: "apim", subscriptionID: "00000000-0000-0000-0000-000000000001", resourceGroup: "rg-apim",
            apimInstance: "contoso-apim", gateway: "demo", tokenSecret: "demo-token", workload: workload, identity: identity,
            tokenSecretKey: "value")
    }

    /// The identity cases and their golden-file stems.
    static let cases: [(String, CronJobIdentity, WorkloadReference)] = [
        ("workload-identity", .workloadIdentity(clientID: "11111111-2222-3333-4444-555555555555", tenantID: nil), .init(kind: .deployment, name: "demo")),
        (
            "aad-pod-identity",
            .aadPodIdentity(
                resourceID:
                    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/apim-rotator",
                clientID: "66666666-7777-8888-9999-000000000000"),
            .init(kind: .statefulset, name: "demo")
        ),
        ("service-principal-existing", .servicePrincipal(.existingSecret(name: "apim-rotator-sp")), .init(kind: .daemonset, name: "demo")),
        (
            "service-principal-new",
            .servicePrincipal(
                .newSecret(clientID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", clientSecret: Redacted(canary), tenantID: "tttttttt-0000-0000-0000-000000000000")),
            .init(kind: .deployment, name: "demo")
        ),
    ]

    /// `Tests/APIMTokenTests/Fixtures/Manifests`.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Manifests")

    /// The repository root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Compares `text` with the golden file `name`; with `UPDATE_GOLDEN=1` rewrites it instead.
    static func expectGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden file \(name); run with UPDATE_GOLDEN=1 to create it", sourceLocation: sourceLocation)
            return
        }
        if text != expected {
            let got = text.split(separator: "\n", omittingEmptySubsequences: false)
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, want.count)
            Issue.record(
                "\(name) differs at line \(line + 1): got \(line < got.count ? String(got[line]) : "<end>"), want \(line < want.count ? String(want[line]) : "<end>") (UPDATE_GOLDEN=1 rewrites)",
                sourceLocation: sourceLocation)
        }
    }
}
