import Foundation
import Testing

@testable import APIMTokenSandbox

/// ServiceAccount tokens are held to their Roles and RoleBindings, resourceNames included.
@Suite struct RBACTests {
    @Test func serviceAccountLimitedToOneSecretByName() async throws {
        let sandbox = try await TestSupport.start()
        try sandbox.put(["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "rotator", "namespace": "apim"]])
        try sandbox.put(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "other", "namespace": "apim"], "data": ["k": "dg=="]])
        try sandbox.put([
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "rotator", "namespace": "apim"],
            "rules": [["apiGroups": [""], "resources": ["secrets"], "resourceNames": ["demo-token"], "verbs": ["get", "patch"]]],
        ])
        try sandbox.put([
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "rotator", "namespace": "apim"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "rotator"],
            "subjects": [["kind": "ServiceAccount", "name": "rotator", "namespace": "apim"]],
        ])
        let token = try sandbox.serviceAccountToken(namespace: "apim", name: "rotator")
        let base = "\(sandbox.apiServerURL)/api/v1/namespaces/apim/secrets"
        let allowed = await TestSupport.curl("\(base)/demo-token", sandbox: sandbox, bearer: token)
        #expect(allowed.status == 200)
        let patched = await TestSupport.curl(
            "\(base)/demo-token", sandbox: sandbox, method: "PATCH", bearer: token, body: #"{"metadata":{"annotations":{"rbac":"ok"}}}"#,
            contentType: "application/merge-patch+json")
        #expect(patched.status == 200)
        let other = await TestSupport.curl("\(base)/other", sandbox: sandbox, bearer: token)
        #expect(other.status == 403)
        let status = try JSON.parse(other.body)
        #expect(status["kind"]?.stringValue == "Status")
        #expect(status["reason"]?.stringValue == "Forbidden")
        #expect(
            status["message"]?.stringValue
                == "secrets \"other\" is forbidden: User \"system:serviceaccount:apim:rotator\" cannot get resource \"secrets\" in API group \"\" in the namespace \"apim\""
        )
        let patchOther = await TestSupport.curl(
            "\(base)/other", sandbox: sandbox, method: "PATCH", bearer: token, body: "{}", contentType: "application/merge-patch+json")
        #expect(patchOther.status == 403)
        let list = await TestSupport.curl(base, sandbox: sandbox, bearer: token)
        #expect(list.status == 403, "list is not granted by a resourceNames rule")
        let delete = await TestSupport.curl("\(base)/demo-token", sandbox: sandbox, method: "DELETE", bearer: token)
        #expect(delete.status == 403)
        let otherNamespace = await TestSupport.curl(
            "\(sandbox.apiServerURL)/api/v1/namespaces/edge/secrets/edge-azure-api-management-gateway", sandbox: sandbox, bearer: token)
        #expect(otherNamespace.status == 403)
        let forged = await TestSupport.curl("\(base)/demo-token", sandbox: sandbox, bearer: token + "x")
        #expect(forged.status == 401)
        let entries = sandbox.requestLog.filter { $0.principal == "system:serviceaccount:apim:rotator" }
        #expect(entries.count >= 6)
        await sandbox.shutdown()
    }
}
