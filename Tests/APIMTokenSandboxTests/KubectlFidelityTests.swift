import Foundation
import Testing
@testable import APIMTokenSandbox

/// Real kubectl 1.32 against the sandbox, with a fresh HOME per run and validation left on.
@Suite(.serialized) struct KubectlFidelityTests {
    @Test func getPatchApplyRestartStatusDelete() async throws {
        let sandbox = try await TestSupport.start()
        do {
            // get
            let get = await TestSupport.kubectl(sandbox, ["get", "deployment", "demo", "-n", "apim", "-o", "json"])
            #expect(get.status == 0, "kubectl get failed: \(get.stderr)")
            let deployment = try JSON.parse(get.stdout)
            #expect(deployment[path: ["metadata", "name"]]?.stringValue == "demo")
            let table = await TestSupport.kubectl(sandbox, ["get", "pods,secrets,configmaps", "-n", "apim"])
            #expect(table.status == 0, "kubectl get table failed: \(table.stderr)")
            #expect(table.stdout.contains("demo-token"))

            // patch --type=merge
            let patch = await TestSupport.kubectl(sandbox, ["patch", "secret", "demo-token", "-n", "apim", "--type=merge", "-p", #"{"metadata":{"annotations":{"fidelity":"merge"}}}"#])
            #expect(patch.status == 0, "kubectl patch failed: \(patch.stderr)")
            #expect(sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")?[path: ["metadata", "annotations", "fidelity"]]?.stringValue == "merge")

            // apply --server-side (create, then update, with validation on)
            let manifest = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: applied
                  namespace: apim
                data:
                  color: blue
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: applied-web
                  namespace: apim
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: applied-web}
                  template:
                    metadata:
                      labels: {app: applied-web}
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.27
                        env:
                        - {name: A, value: "1"}
                """
            let apply = await TestSupport.kubectl(sandbox, ["apply", "--server-side", "-f", "-"], stdin: manifest)
            #expect(apply.status == 0, "kubectl apply --server-side failed: \(apply.stderr)")
            #expect(apply.stdout.contains("serverside-applied"), "unexpected apply output: \(apply.stdout)")
            let reapply = await TestSupport.kubectl(sandbox, ["apply", "--server-side", "-f", "-"], stdin: manifest.replacingOccurrences(of: "color: blue", with: "color: green"))
            #expect(reapply.status == 0, "second apply failed: \(reapply.stderr)")
            #expect(sandbox.object(apiVersion: "v1", kind: "ConfigMap", namespace: "apim", name: "applied")?[path: ["data", "color"]]?.stringValue == "green")

            // rollout restart + rollout status (Deployment and StatefulSet)
            let before = sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }.map(\.name)
            let restart = await TestSupport.kubectl(sandbox, ["rollout", "restart", "deployment/demo", "-n", "apim"])
            #expect(restart.status == 0, "kubectl rollout restart failed: \(restart.stderr)")
            #expect(sandbox.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "apim", name: "demo")?[path: ["spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"]] != nil)
            let status = await TestSupport.kubectl(sandbox, ["rollout", "status", "deployment/demo", "-n", "apim", "--timeout=60s"], timeout: 90)
            #expect(status.status == 0, "kubectl rollout status failed: \(status.stdout) \(status.stderr)")
            #expect(status.stdout.contains("successfully rolled out"))
            let after = sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }
            #expect(!after.isEmpty && after.allSatisfy { !before.contains($0.name) && $0.ready }, "pods were not replaced: \(before) → \(after)")
            let stsRestart = await TestSupport.kubectl(sandbox, ["rollout", "restart", "statefulset/edge-azure-api-management-gateway", "-n", "edge"])
            #expect(stsRestart.status == 0, "statefulset restart failed: \(stsRestart.stderr)")
            let stsStatus = await TestSupport.kubectl(sandbox, ["rollout", "status", "statefulset/edge-azure-api-management-gateway", "-n", "edge", "--timeout=60s"], timeout: 90)
            #expect(stsStatus.status == 0, "statefulset rollout status failed: \(stsStatus.stdout) \(stsStatus.stderr)")

            // delete
            let delete = await TestSupport.kubectl(sandbox, ["delete", "configmap", "applied", "-n", "apim"])
            #expect(delete.status == 0, "kubectl delete failed: \(delete.stderr)")
            #expect(sandbox.object(apiVersion: "v1", kind: "ConfigMap", namespace: "apim", name: "applied") == nil)
            let missing = await TestSupport.kubectl(sandbox, ["get", "configmap", "applied", "-n", "apim"])
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("NotFound") || missing.stderr.contains("not found"), "unexpected: \(missing.stderr)")
        }
        await sandbox.shutdown()
    }

    @Test func tokenContextAndUnauthenticatedRequests() async throws {
        let sandbox = try await TestSupport.start(.empty)
        let viaToken = await TestSupport.kubectl(sandbox, ["--context", "apimtoken-sandbox-token", "get", "namespaces", "-o", "name"])
        #expect(viaToken.status == 0, "token context failed: \(viaToken.stderr)")
        #expect(viaToken.stdout.contains("namespace/default"))
        let anonymous = await TestSupport.curl("\(sandbox.apiServerURL)/api/v1/namespaces", sandbox: sandbox)
        #expect(anonymous.status == 401)
        #expect((try? JSON.parse(anonymous.body))?["reason"]?.stringValue == "Unauthorized")
        await sandbox.shutdown()
    }
}
