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
            let patch = await TestSupport.kubectl(
                sandbox, ["patch", "secret", "demo-token", "-n", "apim", "--type=merge", "-p", #"{"metadata":{"annotations":{"fidelity":"merge"}}}"#])
            #expect(patch.status == 0, "kubectl patch failed: \(patch.stderr)")
            #expect(
                sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token")?[path: ["metadata", "annotations", "fidelity"]]?
                    .stringValue == "merge")

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
            let reapply = await TestSupport.kubectl(
                sandbox, ["apply", "--server-side", "-f", "-"], stdin: manifest.replacingOccurrences(of: "color: blue", with: "color: green"))
            #expect(reapply.status == 0, "second apply failed: \(reapply.stderr)")
            #expect(sandbox.object(apiVersion: "v1", kind: "ConfigMap", namespace: "apim", name: "applied")?[path: ["data", "color"]]?.stringValue == "green")

            // rollout restart + rollout status (Deployment and StatefulSet)
            let before = sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }.map(\.name)
            let restart = await TestSupport.kubectl(sandbox, ["rollout", "restart", "deployment/demo", "-n", "apim"])
            #expect(restart.status == 0, "kubectl rollout restart failed: \(restart.stderr)")
            #expect(
                sandbox.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "apim", name: "demo")?[path: [
                    "spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt",
                ]] != nil)
            let status = await TestSupport.kubectl(sandbox, ["rollout", "status", "deployment/demo", "-n", "apim", "--timeout=60s"], timeout: 90)
            #expect(status.status == 0, "kubectl rollout status failed: \(status.stdout) \(status.stderr)")
            #expect(status.stdout.contains("successfully rolled out"))
            let after = sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }
            #expect(!after.isEmpty && after.allSatisfy { !before.contains($0.name) && $0.ready }, "pods were not replaced: \(before) → \(after)")
            let stsRestart = await TestSupport.kubectl(sandbox, ["rollout", "restart", "statefulset/edge-azure-api-management-gateway", "-n", "edge"])
            #expect(stsRestart.status == 0, "statefulset restart failed: \(stsRestart.stderr)")
            let stsStatus = await TestSupport.kubectl(
                sandbox, ["rollout", "status", "statefulset/edge-azure-api-management-gateway", "-n", "edge", "--timeout=60s"], timeout: 90)
            #expect(stsStatus.status == 0, "statefulset rollout status failed: \(stsStatus.stdout) \(stsStatus.stderr)")

            // delete
            let started = await sandbox.wait(timeout: 10) { sandbox.pods(namespace: "apim").contains { $0.name.hasPrefix("applied-web-") } }
            #expect(started, "the applied Deployment never got a pod")
            let deleteDeployment = await TestSupport.kubectl(sandbox, ["delete", "deployment", "applied-web", "-n", "apim"])
            #expect(deleteDeployment.status == 0, "kubectl delete deployment failed: \(deleteDeployment.stderr)")
            let collected = await sandbox.wait(timeout: 10) { !sandbox.pods(namespace: "apim").contains { $0.name.hasPrefix("applied-web-") } }
            #expect(collected, "the deleted Deployment's pods were not garbage-collected")
            let delete = await TestSupport.kubectl(sandbox, ["delete", "configmap", "applied", "-n", "apim"])
            #expect(delete.status == 0, "kubectl delete failed: \(delete.stderr)")
            #expect(sandbox.object(apiVersion: "v1", kind: "ConfigMap", namespace: "apim", name: "applied") == nil)
            let missing = await TestSupport.kubectl(sandbox, ["get", "configmap", "applied", "-n", "apim"])
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("NotFound") || missing.stderr.contains("not found"), "unexpected: \(missing.stderr)")
        }
        await sandbox.shutdown()
    }

    /// Real kubectl as a ServiceAccount whose Role is the minimal one for rotation: it can patch and restart its own
    /// Secret and Deployment and wait for the rollout, and nothing else.
    @Test func minimalRoleWithRealKubectl() async throws {
        let sandbox = try await TestSupport.start()
        try sandbox.put(["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "rotator", "namespace": "apim"]])
        try sandbox.put([
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "rotator", "namespace": "apim"],
            "rules": [
                ["apiGroups": [""], "resources": ["secrets"], "resourceNames": ["demo-token"], "verbs": ["get", "patch"]],
                ["apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["demo"], "verbs": ["get", "patch", "list", "watch"]],
            ],
        ])
        try sandbox.put([
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "rotator", "namespace": "apim"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "rotator"],
            "subjects": [["kind": "ServiceAccount", "name": "rotator", "namespace": "apim"]],
        ])
        let config = try sandbox.writeServiceAccountKubeconfig(namespace: "apim", name: "rotator")
        func kubectl(_ args: [String]) async -> ProcessResult {
            guard let kubectl = TestSupport.kubectl() else { return ProcessResult(status: -1, stdout: "", stderr: "no kubectl", timedOut: false) }
            let home = TestSupport.freshHome()
            defer { try? FileManager.default.removeItem(atPath: home) }
            return await TestSupport.run([kubectl, "--kubeconfig", config] + args, environment: ["HOME": home], timeout: 90)
        }
        let patch = await kubectl(["patch", "secret", "demo-token", "--type=merge", "-p", #"{"metadata":{"annotations":{"rotated":"yes"}}}"#])
        #expect(patch.status == 0, "patch as rotator failed: \(patch.stderr)")
        let restart = await kubectl(["rollout", "restart", "deployment/demo"])
        #expect(restart.status == 0, "rollout restart as rotator failed: \(restart.stderr)")
        let status = await kubectl(["rollout", "status", "deployment/demo", "--timeout=60s"])
        #expect(status.status == 0, "rollout status as rotator failed: \(status.stdout) \(status.stderr)")
        #expect(status.stdout.contains("successfully rolled out"))
        let other = await kubectl(["get", "configmap", "demo-env"])
        #expect(other.status != 0)
        #expect(other.stderr.contains("cannot get resource \"configmaps\""), "expected 403: \(other.stderr)")
        let list = await kubectl(["get", "secrets"])
        #expect(list.stderr.contains("cannot list resource \"secrets\""), "expected 403: \(list.stderr)")
        let sts = await kubectl(["rollout", "restart", "statefulset/edge-azure-api-management-gateway", "-n", "edge"])
        #expect(sts.status != 0)
        #expect(sts.stderr.contains("forbidden"), "expected 403: \(sts.stderr)")

        // `kubectl auth can-i --as` (a protobuf SelfSubjectAccessReview, impersonated by the admin) agrees.
        for (question, expected) in [
            (["patch", "secret/demo-token"], "yes"), (["patch", "secret/other"], "no"), (["list", "secrets"], "no"), (["watch", "deployments/demo"], "yes"),
        ] {
            let canI = await TestSupport.kubectl(sandbox, ["auth", "can-i"] + question + ["-n", "apim", "--as", "system:serviceaccount:apim:rotator"])
            #expect(canI.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == expected, "can-i \(question): \(canI.stdout) \(canI.stderr)")
        }
        let noImpersonation = await kubectl(["get", "namespaces", "--as", "sandbox-admin"])
        #expect(noImpersonation.status != 0)
        // Discovery already fails (kubectl then says only "unknown"), as on a real cluster.
        #expect(sandbox.requestLog.contains { $0.path == "/api" && $0.status == 403 && $0.principal == "system:serviceaccount:apim:rotator" })

        // Without list/watch, `rollout status` cannot wait.
        var role = try #require(sandbox.object(apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespace: "apim", name: "rotator"))
        role["rules"] = [
            ["apiGroups": [""], "resources": ["secrets"], "resourceNames": ["demo-token"], "verbs": ["get", "patch"]],
            ["apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["demo"], "verbs": ["get", "patch"]],
        ]
        try sandbox.put(role)
        let blind = await kubectl(["rollout", "status", "deployment/demo", "--timeout=10s"])
        #expect(blind.status != 0)
        #expect(
            blind.stderr.contains("cannot list resource \"deployments\"") || blind.stderr.contains("cannot watch resource \"deployments\""),
            "expected 403: \(blind.stderr)")
        await sandbox.shutdown()
    }

    /// `kubectl get` asks for server-side Tables; the columns match a real cluster's.
    @Test func serverSideTables() async throws {
        let sandbox = try await TestSupport.start()
        _ = await sandbox.wait(timeout: 20) { sandbox.pods().filter(\.ready).count >= 4 }
        let pods = await TestSupport.kubectl(sandbox, ["get", "pods", "-A"])
        #expect(pods.status == 0, "\(pods.stderr)")
        let header = pods.stdout.split(separator: "\n").first.map { $0.split(separator: " ").map(String.init) } ?? []
        #expect(header == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"], "\(pods.stdout)")
        #expect(
            pods.stdout.split(separator: "\n").contains {
                $0.hasPrefix("edge ") && $0.contains("edge-azure-api-management-gateway-0") && $0.contains("1/1") && $0.contains("Running")
            }, "\(pods.stdout)")
        let deployments = await TestSupport.kubectl(sandbox, ["get", "deployments", "-n", "apim"])
        #expect(
            deployments.stdout.split(separator: "\n").first.map { $0.split(separator: " ").map(String.init) } == [
                "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE",
            ], "\(deployments.stdout)")
        let secrets = await TestSupport.kubectl(sandbox, ["get", "secret", "demo-token", "-n", "apim"])
        #expect(
            secrets.stdout.split(separator: "\n").last.map { $0.split(separator: " ").prefix(3).map(String.init) } == ["demo-token", "Opaque", "1"],
            "\(secrets.stdout)")
        #expect(TableConverter.humanDuration(45) == "45s")
        #expect(TableConverter.humanDuration(192) == "3m12s")
        #expect(TableConverter.humanDuration(25 * 60) == "25m")
        #expect(TableConverter.humanDuration(5 * 3600 + 180) == "5h3m")
        #expect(TableConverter.humanDuration(3 * 86400 + 4 * 3600) == "3d4h")
        #expect(TableConverter.humanDuration(40 * 86400) == "40d")
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
