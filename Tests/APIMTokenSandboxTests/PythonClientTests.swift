import Foundation
import Testing

@testable import APIMTokenSandbox

/// Clients nobody here wrote: the Python `kubernetes` client and the Azure SDK for Python.
@Suite(.serialized) struct PythonClientTests {
    @Test func kubernetesClientReadsAndPatchesASecret() async throws {
        guard let python = await TestSupport.python() else { return }
        let sandbox = try await TestSupport.start()
        let script = """
            import json, os, base64
            from kubernetes import client, config
            config.load_kube_config(config_file=os.environ["KUBECONFIG"])
            v1 = client.CoreV1Api()
            s = v1.read_namespaced_secret("demo-token", "apim")
            assert base64.b64decode(s.data["value"]).startswith(b"GatewayKey "), "unexpected secret shape"
            patched = v1.patch_namespaced_secret("demo-token", "apim", {"metadata": {"annotations": {"python": "merge"}, "resourceVersion": s.metadata.resource_version}}, _content_type="application/merge-patch+json")
            stale = None
            try:
                v1.patch_namespaced_secret("demo-token", "apim", {"metadata": {"resourceVersion": s.metadata.resource_version}}, _content_type="application/merge-patch+json")
            except client.exceptions.ApiException as e:
                stale = (e.status, json.loads(e.body)["reason"])
            smp = v1.patch_namespaced_secret("demo-token", "apim", {"metadata": {"labels": {"python": "strategic"}}}, _content_type="application/strategic-merge-patch+json")
            print(json.dumps({"name": s.metadata.name, "annotation": patched.metadata.annotations["python"], "stale": stale, "label": smp.metadata.labels["python"]}))
            """
        let result = await TestSupport.run([python, "-c", script], environment: ["KUBECONFIG": sandbox.kubeconfigPath], timeout: 120)
        #expect(result.status == 0, "python kubernetes client failed: \(result.stderr)")
        let out = try JSON.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(out["name"]?.stringValue == "demo-token")
        #expect(out["annotation"]?.stringValue == "merge")
        #expect(out["stale"] == [409, "Conflict"])
        #expect(out["label"]?.stringValue == "strategic")
        await sandbox.shutdown()
    }

    @Test func azureSDKGeneratesTokensListsAndRegeneratesKeys() async throws {
        guard let python = await TestSupport.python() else { return }
        let sandbox = try await TestSupport.start()
        let script = """
            import json, os, datetime
            from azure.identity import ClientSecretCredential
            from azure.mgmt.apimanagement import ApiManagementClient
            from azure.mgmt.apimanagement.models import GatewayTokenRequestContract, GatewayKeyRegenerationRequestContract
            from azure.core.exceptions import HttpResponseError
            cred = ClientSecretCredential(os.environ["AZURE_TENANT_ID"], os.environ["AZURE_CLIENT_ID"], os.environ["AZURE_CLIENT_SECRET"],
                                          authority=os.environ["AZURE_AUTHORITY_HOST"], disable_instance_discovery=True)
            apim = ApiManagementClient(cred, os.environ["AZURE_SUBSCRIPTION_ID"], base_url=os.environ["ARM_ENDPOINT"],
                                       credential_scopes=["https://management.azure.com/.default"])
            rg, svc = os.environ["RESOURCE_GROUP"], os.environ["APIM_INSTANCE"]
            gateways = [g.name for g in apim.gateway.list_by_service(rg, svc)]
            before = apim.gateway.list_keys(rg, svc, "demo")
            expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=29)
            token = apim.gateway.generate_token(rg, svc, "demo", GatewayTokenRequestContract(key_type="primary", expiry=expiry)).value
            too_far = None
            try:
                apim.gateway.generate_token(rg, svc, "demo", GatewayTokenRequestContract(key_type="primary", expiry=expiry + datetime.timedelta(days=2)))
            except HttpResponseError as e:
                too_far = [e.status_code, e.error.code]
            apim.gateway.regenerate_key(rg, svc, "demo", GatewayKeyRegenerationRequestContract(key_type="primary"))
            after = apim.gateway.list_keys(rg, svc, "demo")
            print(json.dumps({"gateways": gateways, "token": token, "tooFar": too_far,
                              "primaryChanged": before.primary != after.primary, "secondaryKept": before.secondary == after.secondary}))
            """
        var env = sandbox.environment
        env["HOME"] = TestSupport.freshHome()
        let result = await TestSupport.run([python, "-c", script], environment: env, timeout: 120)
        #expect(result.status == 0, "azure SDK run failed: \(result.stderr)")
        let out = try JSON.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(out["gateways"] == ["demo", "edge", "entra"])
        #expect(out["tooFar"] == [400, "ValidationError"])
        #expect(out["primaryChanged"] == true)
        #expect(out["secondaryKept"] == true)
        let token = try #require(out["token"]?.stringValue)
        #expect(token.hasPrefix("demo&"))
        // The token was signed with the old primary key, which regenerate_key invalidated.
        #expect(sandbox.tokenSigner(of: token)?.key == nil)
        #expect(sandbox.tokenSigner(of: token)?.gateway == "demo")
        // Nothing secret reached the request log.
        let logText = (try? String(contentsOfFile: sandbox.requestLogPath, encoding: .utf8)) ?? ""
        #expect(!logText.contains(sandbox.azure.clientSecret))
        #expect(!logText.contains(token))
        #expect(
            sandbox.requestLog.contains {
                $0.server == .arm && $0.path.hasSuffix("/generateToken") && $0.status == 200 && $0.principal == sandbox.azure.clientID
            })
        await sandbox.shutdown()
    }
}
