import Foundation
import Testing

@testable import APIMTokenSandbox

/// Gateway pods capture their token at start and report whether it still authenticates.
@Suite struct GatewayAuthenticationTests {
    @Test func regenerateKeyUnauthenticatesPodsStartedWithTheOldToken() async throws {
        let sandbox = try await TestSupport.start()
        let demoReady = await sandbox.wait(timeout: 20) {
            sandbox.pods(namespace: "apim").contains { $0.name.hasPrefix("demo-") && $0.ready && $0.authenticated == true }
        }
        #expect(demoReady, "demo pod never became ready: \(sandbox.pods(namespace: "apim"))")
        #expect(sandbox.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")?.key == .primary)
        let entraReady = await sandbox.wait(timeout: 20) {
            sandbox.pods(namespace: "apim").contains { $0.name.hasPrefix("entra-") && $0.reason == "EntraID" && $0.ready }
        }
        #expect(entraReady)

        // Regenerate the primary key through ARM, as a client would.
        let token = try #require(await TestSupport.armToken(sandbox, clientID: sandbox.azure.clientID, secret: sandbox.azure.clientSecret))
        let r = await TestSupport.curl(
            TestSupport.gatewayURL(sandbox, "demo", "/regenerateKey"), sandbox: sandbox, method: "POST", bearer: token, body: #"{"keyType":"primary"}"#)
        #expect(r.status == 204)
        let lost = await sandbox.wait(timeout: 10) {
            sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }.allSatisfy {
                $0.authenticated == false && $0.reason == "KeyNotCurrent" && !$0.ready
            }
        }
        #expect(lost, "pods still authenticated: \(sandbox.pods(namespace: "apim"))")
        #expect(sandbox.tokenSigner(namespace: "apim", secret: "demo-token", key: "value")?.key == nil)
        // The edge gateway's keys were not touched.
        #expect(sandbox.pods(namespace: "edge").allSatisfy { $0.authenticated == true })

        // The real gateway bug: Ready even with a bad token.
        sandbox.setReadyDespiteBadToken(true)
        let buggy = await sandbox.wait(timeout: 10) {
            sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }.allSatisfy { $0.ready && $0.authenticated == false }
        }
        #expect(buggy)
        await sandbox.shutdown()
    }

    @Test func newTokenTakesEffectOnlyAfterRestartAndNeverReadyStalls() async throws {
        let sandbox = try await TestSupport.start()
        _ = await sandbox.wait(timeout: 20) { sandbox.pods(namespace: "apim").contains { $0.name.hasPrefix("demo-") && $0.ready } }
        // Write a secondary-key token into the Secret; running pods keep the old one.
        let fresh = try #require(sandbox.makeGatewayToken(gateway: "demo", key: .secondary, expiry: Date().addingTimeInterval(86400 * 20)))
        var secret = try #require(sandbox.object(apiVersion: "v1", kind: "Secret", namespace: "apim", name: "demo-token"))
        secret["data"] = ["value": .string(Data("GatewayKey \(fresh)".utf8).base64EncodedString())]
        try sandbox.put(secret)
        sandbox.regenerateGatewayKey(gateway: "demo", key: .primary)
        let stale = await sandbox.wait(timeout: 10) {
            sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }.allSatisfy { $0.authenticated == false }
        }
        #expect(stale)
        // A restart (new pod template) picks up the new token.
        var deployment = try #require(sandbox.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "apim", name: "demo"))
        deployment.set(["spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"], .string(Timestamps.now()))
        try sandbox.put(deployment)
        let healed = await sandbox.wait(timeout: 20) {
            let pods = sandbox.pods(namespace: "apim").filter { $0.name.hasPrefix("demo-") }
            return !pods.isEmpty && pods.allSatisfy { $0.authenticated == true && $0.ready }
        }
        #expect(healed, "\(sandbox.pods(namespace: "apim"))")
        let status = sandbox.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "apim", name: "demo")?["status"]
        #expect(status?["updatedReplicas"]?.intValue == 1)
        #expect(
            status?["observedGeneration"]
                == sandbox.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "apim", name: "demo")?[path: ["metadata", "generation"]])

        // A Deployment told never to become ready stalls its rollout and exceeds its progress deadline.
        sandbox.setNeverReady(kind: "Deployment", namespace: "apim", name: "demo")
        deployment = try #require(sandbox.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "apim", name: "demo"))
        deployment.set(["spec", "progressDeadlineSeconds"], 1)
        deployment.set(["spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"], .string("2030-01-01T00:00:00Z"))
        try sandbox.put(deployment)
        let timedOut = await sandbox.wait(timeout: 15) {
            let conditions =
                sandbox.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "apim", name: "demo")?[path: ["status", "conditions"]]?.arrayValue ?? []
            return conditions.contains { $0["reason"]?.stringValue == "ProgressDeadlineExceeded" }
        }
        #expect(timedOut)
        await sandbox.shutdown()
    }
}
