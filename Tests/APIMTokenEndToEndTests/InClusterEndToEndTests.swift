import APIMTokenSandbox
import Foundation
import Testing

/// The binary as the CronJob runs it: no kubeconfig, `KUBERNETES_SERVICE_HOST` set, a service-account token,
/// workload identity for Azure, and sandbox RBAC enforcing a Role limited to one Secret and one Deployment.
@Suite(.serialized) struct InClusterEndToEndTests {
    static func grant(_ sandbox: Sandbox, rules: [JSON]) throws {
        _ = try sandbox.put([
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": ["name": "apimtoken-rotator", "namespace": "apim"], "rules": .array(rules),
        ])
        _ = try sandbox.put([
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": ["name": "apimtoken-rotator", "namespace": "apim"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "apimtoken-rotator"],
            "subjects": [["kind": "ServiceAccount", "name": "apimtoken-rotator", "namespace": "apim"]],
        ])
    }

    static let minimalRules: [JSON] = [
        ["apiGroups": [""], "resources": ["secrets"], "resourceNames": ["demo-token"], "verbs": ["get", "patch"]],
        ["apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["demo"], "verbs": ["get", "patch"]],
        ["apiGroups": [""], "resources": ["events"], "verbs": ["create"]],
    ]

    /// The pod's environment: the service-account directory, the API server address, workload identity.
    static func podEnvironment(_ sandbox: Sandbox) throws -> [String: String?] {
        let directory = E2E.freshDirectory("serviceaccount")
        try sandbox.serviceAccountToken(namespace: "apim", name: "apimtoken-rotator").write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: sandbox.caCertificatePath, toPath: directory + "/ca.crt")
        try "apim".write(toFile: directory + "/namespace", atomically: true, encoding: .utf8)
        let server = try #require(URLComponents(string: sandbox.apiServerURL))
        return [
            "KUBECONFIG": nil, "KUBERNETES_SERVICE_HOST": server.host, "KUBERNETES_SERVICE_PORT": String(server.port ?? 443),
            "APIMTOKEN_SERVICEACCOUNT_DIR": directory, "AZURE_CLIENT_SECRET": nil, "LOGIN_METHOD": "workload-identity",
            "AZURE_FEDERATED_TOKEN_FILE": try sandbox.writeFederatedTokenFile(namespace: "apim", name: "apimtoken-rotator"),
            "SUBSCRIPTION_ID": sandbox.azure.subscriptionID, "APIM_GATEWAY": "demo", "TOKEN_SECRET": "demo-token",
            "TOKEN_SECRET_KEY": "value", "K8S_OBJECT": "deployment/demo",
        ]
    }

    @Test func aRotationInAPodNeedsOnlyTheMinimalRole() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        try Self.grant(sandbox, rules: Self.minimalRules)
        let since = Date()
        let run = await E2E.plugin(sandbox, ["rotate", "--if-expires-within", "40d"], env: try Self.podEnvironment(sandbox))
        #expect(run.status == 0, "\(run)")
        await RotateEndToEndTests.verifyRotated(sandbox, key: .primary, since: since)
        #expect(sandbox.requestLog.filter { $0.server == .kubernetes }.allSatisfy { $0.principal == "system:serviceaccount:apim:apimtoken-rotator" })
    }

    @Test(arguments: 0..<3)
    func removingAnyRuleMakesItFailBeforeOrAtThatStep(index: Int) async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        var rules = Self.minimalRules
        rules.remove(at: index)
        try Self.grant(sandbox, rules: rules)
        let run = await E2E.plugin(sandbox, ["rotate", "--if-expires-within", "40d"], env: try Self.podEnvironment(sandbox))
        // Without Secret access nothing happens (5); without the Deployment the restart is refused before a write (5);
        // without events the rotation succeeds but warns (events are never fatal).
        let expected: [Int32] = [5, 5, 0]
        #expect(run.status == expected[index], "\(run)")
        if index == 2 { #expect(run.stderr.contains("could not record the TokenRotated event")) }
    }
}
