import Foundation
import Testing

@testable import APIMToken

/// `--dry-run=client` output and everything else printable never carries a secret value.
@Suite struct ManifestsRedactionTests {
    static let newSecret = CronJobIdentity.servicePrincipal(
        .newSecret(clientID: "client-1", clientSecret: Redacted(ManifestFixtures.canary), tenantID: "tenant-1"))

    @Test func dryRunOutputPrintsNoSecretValue() throws {
        let manifests = try InstallManifests(ManifestFixtures.configuration(Self.newSecret))
        let yaml = try ManifestRenderer.render(manifests.objects, format: .yaml)
        let json = try ManifestRenderer.render(manifests.objects, format: .json)
        var dumped = ""
        dump(manifests, to: &dumped)
        for text in [yaml, json, dumped, "\(manifests)", String(reflecting: manifests), "\(manifests.objects)"] {
            #expect(!text.contains(ManifestFixtures.canary), "the client secret leaked")
        }
        #expect(yaml.contains("AZURE_CLIENT_SECRET: <redacted>"))
        #expect(yaml.contains("# \(ServicePrincipalSecretManifest.redactionNote)"))
        #expect(json.contains("\"AZURE_CLIENT_SECRET\" : \"<redacted>\"") || json.contains("\"AZURE_CLIENT_SECRET\": \"<redacted>\""))
        #expect(ManifestRenderer.notes(for: manifests.objects) == [ServicePrincipalSecretManifest.redactionNote])
        // Only the request body of the apply carries it.
        let secret = try #require(manifests.objects.first { $0.hasRedactedValues })
        #expect(String(decoding: try secret.applyBody(), as: UTF8.self).contains(ManifestFixtures.canary))
    }

    @Test func otherIdentitiesHaveNothingToRedact() throws {
        for identity in [CronJobIdentity.workloadIdentity(clientID: "c", tenantID: nil), .servicePrincipal(.existingSecret(name: "sp"))] {
            let manifests = try InstallManifests(ManifestFixtures.configuration(identity))
            #expect(ManifestRenderer.notes(for: manifests.objects).isEmpty)
            #expect(!(try ManifestRenderer.yaml(manifests.objects)).contains("<redacted>"))
        }
    }
}

/// The install operation against a fake API server.
@Suite struct ManifestsInstallOperationTests {
    /// A server that accepts applies (echoing the body with a uid), lists and deletes.
    static func acceptingServer(
        lists: [String: [String]] = [:], missingKinds: Set<String> = []
    ) -> ManifestsFakeTransport {
        ManifestsFakeTransport { request in
            switch request.method {
            case .patch:
                var object = request.jsonObject ?? [:]
                var metadata = object["metadata"] as? [String: Any] ?? [:]
                metadata["uid"] = "uid-\(metadata["name"] as? String ?? "")"
                object["metadata"] = metadata
                return ManifestsFakeTransport.json(200, object)
            case .post:
                var object = request.jsonObject ?? [:]
                var metadata = object["metadata"] as? [String: Any] ?? [:]
                metadata["uid"] = "job-uid"
                object["metadata"] = metadata
                return ManifestsFakeTransport.json(201, object)
            case .get:
                let plural = request.path.split(separator: "/").last.map(String.init) ?? ""
                if missingKinds.contains(plural) { return ManifestsFakeTransport.notFound(plural) }
                let items = (lists[plural] ?? []).map { ["metadata": ["name": $0, "namespace": "apim"]] }
                return ManifestsFakeTransport.json(200, ["kind": "List", "apiVersion": "v1", "metadata": [:] as [String: Any], "items": items])
            case .delete:
                return ManifestsFakeTransport.json(200, ["kind": "Status", "status": "Success"])
            default:
                return ManifestsFakeTransport.json(405, [:])
            }
        }
    }

    @Test func appliesInOrderWithServerSideApply() async throws {
        let transport = Self.acceptingServer()
        let manifests = try InstallManifests(ManifestFixtures.configuration(.aadPodIdentity(resourceID: "/r", clientID: "c")))
        let result = try await InstallCronJob.apply(manifests, client: transport.client())
        #expect(
            transport.requests.map(\.path) == [
                "/api/v1/namespaces/apim/serviceaccounts/apimtoken-demo",
                "/apis/rbac.authorization.k8s.io/v1/namespaces/apim/roles/apimtoken-demo",
                "/apis/rbac.authorization.k8s.io/v1/namespaces/apim/rolebindings/apimtoken-demo",
                "/apis/aadpodidentity.k8s.io/v1/namespaces/apim/azureidentities/apimtoken-demo",
                "/apis/aadpodidentity.k8s.io/v1/namespaces/apim/azureidentitybindings/apimtoken-demo-binding",
                "/apis/batch/v1/namespaces/apim/cronjobs/apimtoken-demo",
            ])
        for request in transport.requests {
            #expect(request.method == .patch)
            #expect(request.headers["Content-Type"] == "application/apply-patch+yaml")
            #expect(request.query["fieldManager"] == "kubectl-apimtoken")
            #expect(request.query["force"] == "true")
            #expect(request.query["dryRun"] == nil)
        }
        #expect(
            result.applied.map(\.description) == [
                "serviceaccount/apimtoken-demo", "role.rbac.authorization.k8s.io/apimtoken-demo",
                "rolebinding.rbac.authorization.k8s.io/apimtoken-demo", "azureidentity.aadpodidentity.k8s.io/apimtoken-demo",
                "azureidentitybinding.aadpodidentity.k8s.io/apimtoken-demo-binding", "cronjob.batch/apimtoken-demo",
            ])
        #expect(!result.dryRun && result.job == nil)
        // The body is the manifest itself.
        let cronJobBody = try #require(transport.requests.last?.jsonObject)
        #expect(cronJobBody["kind"] as? String == "CronJob" && cronJobBody["apiVersion"] as? String == "batch/v1")
    }

    @Test func serverDryRunSendsDryRunAllOnEveryWrite() async throws {
        let transport = Self.acceptingServer()
        let manifests = try InstallManifests(ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: nil)))
        let result = try await InstallCronJob.apply(manifests, client: transport.client(), dryRun: true, runNow: true, jobName: "apimtoken-demo-manual-abcde")
        #expect(result.dryRun)
        #expect(transport.requests.count == 5)
        for request in transport.requests { #expect(request.query["dryRun"] == "All", "\(request.method) \(request.path)") }
        #expect(result.job?.name == "apimtoken-demo-manual-abcde")
    }

    @Test func theServicePrincipalSecretIsSentButNotReported() async throws {
        let transport = Self.acceptingServer()
        let manifests = try InstallManifests(ManifestFixtures.configuration(ManifestsRedactionTests.newSecret))
        let result = try await InstallCronJob.apply(manifests, client: transport.client())
        let secretRequest = try #require(transport.requests.first { $0.path.hasSuffix("/secrets/apimtoken-demo-azure-sp") })
        let stringData = try #require(secretRequest.jsonObject?["stringData"] as? [String: String])
        #expect(stringData["AZURE_CLIENT_SECRET"] == ManifestFixtures.canary)
        let reported = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        #expect(!reported.contains(ManifestFixtures.canary))
        #expect(result.notes.contains { $0.contains("not printed") })
    }

    @Test func runNowCreatesAJobLikeKubectlCreateJobFrom() async throws {
        let transport = Self.acceptingServer()
        let manifests = try InstallManifests(ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: nil)))
        let result = try await InstallCronJob.apply(manifests, client: transport.client(), runNow: true, jobName: "apimtoken-demo-manual-abcde")
        let post = try #require(transport.requests.last)
        #expect(post.method == .post)
        #expect(post.path == "/apis/batch/v1/namespaces/apim/jobs")
        #expect(post.query["fieldManager"] == "kubectl-apimtoken")
        let job = try #require(post.jsonObject)
        #expect(job["apiVersion"] as? String == "batch/v1" && job["kind"] as? String == "Job")
        let metadata = try #require(job["metadata"] as? [String: Any])
        #expect(metadata["name"] as? String == "apimtoken-demo-manual-abcde")
        #expect(metadata["namespace"] as? String == "apim")
        #expect((metadata["annotations"] as? [String: String]) == ["cronjob.kubernetes.io/instantiate": "manual"])
        #expect((metadata["labels"] as? [String: String])?["app.kubernetes.io/managed-by"] == "kubectl-apimtoken")
        let owners = try #require(metadata["ownerReferences"] as? [[String: Any]])
        #expect(owners.count == 1)
        #expect(owners[0]["apiVersion"] as? String == "batch/v1")
        #expect(owners[0]["kind"] as? String == "CronJob")
        #expect(owners[0]["name"] as? String == "apimtoken-demo")
        #expect(owners[0]["uid"] as? String == "uid-apimtoken-demo")
        // The spec is the CronJob's job template spec, unchanged.
        let cronJobBody = try #require(transport.requests.first { $0.path.hasSuffix("/cronjobs/apimtoken-demo") }?.jsonObject)
        let templateSpec = (((cronJobBody["spec"] as! [String: Any])["jobTemplate"] as! [String: Any])["spec"] as! [String: Any])
        #expect(NSDictionary(dictionary: job["spec"] as! [String: Any]).isEqual(to: templateSpec))
        #expect(result.job == ObjectSummary(kind: "Job", apiVersion: "batch/v1", name: "apimtoken-demo-manual-abcde", namespace: "apim"))
    }

    @Test func runNowAloneReadsTheInstalledCronJob() async throws {
        let cronJob: [String: Any] = [
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": ["name": "apimtoken-demo", "namespace": "apim", "uid": "cj-uid", "creationTimestamp": "2026-11-01T00:00:00Z"],
            "spec": [
                "schedule": "0 3 * * *",
                "jobTemplate": [
                    "metadata": ["labels": ["a": "b"], "annotations": ["note": "kept"]],
                    "spec": [
                        "backoffLimit": 2,
                        "template": [
                            "spec": ["restartPolicy": "Never", "nodeSelector": ["pool": "system"], "containers": [["name": "rotate", "image": "x"]]]
                        ],
                    ],
                ] as [String: Any],
            ] as [String: Any],
        ]
        let cronJobBody = try JSONSerialization.data(withJSONObject: cronJob)
        let transport = ManifestsFakeTransport { request in
            if request.method == .get { return HTTPResponse(status: 200, body: cronJobBody) }
            var object = request.jsonObject ?? [:]
            object["status"] = [:] as [String: Any]
            return ManifestsFakeTransport.json(201, object)
        }
        let result = try await InstallCronJob.runNow(cronJob: "apimtoken-demo", namespace: "apim", client: transport.client())
        #expect(transport.requests.map(\.method) == [.get, .post])
        let job = try #require(transport.requests[1].jsonObject)
        let metadata = job["metadata"] as! [String: Any]
        #expect((metadata["annotations"] as? [String: String]) == ["cronjob.kubernetes.io/instantiate": "manual", "note": "kept"])
        #expect((metadata["labels"] as? [String: String]) == ["a": "b"])
        // Fields this tool does not model are copied too.
        let podSpec = ((job["spec"] as! [String: Any])["template"] as! [String: Any])["spec"] as! [String: Any]
        #expect((podSpec["nodeSelector"] as? [String: String]) == ["pool": "system"])
        let name = try #require(result.job?.name)
        #expect(name.hasPrefix("apimtoken-demo-manual-") && name.count == "apimtoken-demo-manual-".count + 5)
    }

    @Test func uninstallDeletesByLabelInReverseOrder() async throws {
        let transport = Self.acceptingServer(
            lists: [
                "cronjobs": ["apimtoken-demo"], "jobs": ["apimtoken-demo-manual-abcde"], "secrets": ["apimtoken-demo-azure-sp"],
                "rolebindings": ["apimtoken-demo"], "roles": ["apimtoken-demo"], "serviceaccounts": ["apimtoken-demo"],
            ],
            missingKinds: ["azureidentities", "azureidentitybindings"])
        let result = try await InstallCronJob.uninstall(gateway: "demo", namespace: "apim", client: transport.client())
        let lists = transport.requests.filter { $0.method == .get }
        #expect(
            lists.map { $0.path.split(separator: "/").last.map(String.init) ?? "" } == [
                "cronjobs", "jobs", "azureidentitybindings", "azureidentities", "secrets", "rolebindings", "roles", "serviceaccounts",
            ])
        for list in lists {
            #expect(list.query["labelSelector"] == "app.kubernetes.io/managed-by=kubectl-apimtoken,app.kubernetes.io/instance=demo")
        }
        let deletes = transport.requests.filter { $0.method == .delete }
        #expect(
            deletes.map(\.path) == [
                "/apis/batch/v1/namespaces/apim/cronjobs/apimtoken-demo",
                "/apis/batch/v1/namespaces/apim/jobs/apimtoken-demo-manual-abcde",
                "/api/v1/namespaces/apim/secrets/apimtoken-demo-azure-sp",
                "/apis/rbac.authorization.k8s.io/v1/namespaces/apim/rolebindings/apimtoken-demo",
                "/apis/rbac.authorization.k8s.io/v1/namespaces/apim/roles/apimtoken-demo",
                "/api/v1/namespaces/apim/serviceaccounts/apimtoken-demo",
            ])
        for delete in deletes {
            #expect(delete.query["propagationPolicy"] == "Background")
            #expect(delete.query["dryRun"] == nil)
        }
        #expect(result.deleted.count == 6)
    }

    @Test func uninstallDryRunDeletesNothing() async throws {
        let transport = Self.acceptingServer(lists: ["cronjobs": ["apimtoken-demo"]])
        let result = try await InstallCronJob.uninstall(gateway: "demo", namespace: "apim", client: transport.client(), dryRun: true)
        let deletes = transport.requests.filter { $0.method == .delete }
        #expect(deletes.count == 1 && deletes[0].query["dryRun"] == "All")
        #expect(result.dryRun)
    }

    @Test func uninstallWithNothingInstalledSaysSo() async throws {
        let transport = Self.acceptingServer()
        let result = try await InstallCronJob.uninstall(gateway: "demo", namespace: "apim", client: transport.client())
        #expect(result.deleted.isEmpty)
        #expect(result.notes.first?.contains("nothing to uninstall") == true)
    }

    @Test func aFailedApplySaysWhatWasAlreadyApplied() async throws {
        let transport = ManifestsFakeTransport { request in
            if request.path.contains("/rolebindings/") {
                return ManifestsFakeTransport.json(
                    403,
                    [
                        "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
                        "message": "rolebindings.rbac.authorization.k8s.io is forbidden",
                    ])
            }
            return ManifestsFakeTransport.json(200, request.jsonObject ?? [:])
        }
        let manifests = try InstallManifests(ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: nil)))
        let error = try await #require(throws: InstallCronJobError.self) {
            try await InstallCronJob.apply(manifests, client: transport.client())
        }
        #expect(error.exitStatus == .kubernetesAPI)
        #expect(error.completed.map(\.name) == ["apimtoken-demo", "apimtoken-demo"])
        #expect(error.description.contains("apply rolebinding.rbac.authorization.k8s.io/apimtoken-demo failed"))
        #expect(error.remedy?.contains("--uninstall") == true)
        #expect(transport.requests.count == 3, "stops at the first failure")
    }

    @Test func missingAADPodIdentityCRDsGetASpecificRemedy() async throws {
        let transport = ManifestsFakeTransport { request in
            if request.path.contains("aadpodidentity") { return ManifestsFakeTransport.notFound("azureidentities", "apimtoken-demo") }
            return ManifestsFakeTransport.json(200, request.jsonObject ?? [:])
        }
        let manifests = try InstallManifests(ManifestFixtures.configuration(.aadPodIdentity(resourceID: "/r", clientID: "c")))
        let error = try await #require(throws: InstallCronJobError.self) {
            try await InstallCronJob.apply(manifests, client: transport.client())
        }
        #expect(error.remedy?.contains("aad-pod-identity CRDs are not installed") == true)
    }
}

/// `--print-azure-role`.
@Suite struct ManifestsAzureRoleTests {
    @Test func roleHasTheLeastPrivilegeActions() throws {
        let role = try InstallCronJob.azureRole(subscriptionID: "sub-1", resourceGroup: "rg-apim", allowKeyRegeneration: false)
        #expect(
            role.actions == [
                "Microsoft.ApiManagement/service/read", "Microsoft.ApiManagement/service/gateways/read",
                "Microsoft.ApiManagement/service/gateways/generateToken/action",
            ])
        #expect(role.assignableScopes == ["/subscriptions/sub-1/resourceGroups/rg-apim"])
        #expect(role.isCustom && role.notActions.isEmpty && role.dataActions.isEmpty)
        let withKeys = try InstallCronJob.azureRole(subscriptionID: "sub-1", resourceGroup: "rg-apim", allowKeyRegeneration: true)
        #expect(withKeys.actions.last == "Microsoft.ApiManagement/service/gateways/regenerateKey/action")
        #expect(withKeys.actions.count == 4)
        #expect(!role.actions.contains { $0.contains("*") })
    }

    @Test func jsonIsTheAzCLIRoleDefinitionFormat() throws {
        let json = try InstallCronJob.azureRole(subscriptionID: "sub-1", resourceGroup: "rg-apim", allowKeyRegeneration: false).json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["Name", "IsCustom", "Description", "Actions", "NotActions", "DataActions", "NotDataActions", "AssignableScopes"])
        #expect(json.contains("\"/subscriptions/sub-1/resourceGroups/rg-apim\""), "slashes are not escaped")
        #expect(try InstallCronJob.printAzureRole(subscription: "sub-1", resourceGroup: "rg-apim", allowKeyRegeneration: false) == json)
    }

    @Test func missingScopeIsAUsageError() {
        #expect(throws: ConfigurationError.self) { try InstallCronJob.azureRole(subscriptionID: "", resourceGroup: "rg", allowKeyRegeneration: false) }
        #expect(throws: ConfigurationError.self) { try InstallCronJob.azureRole(subscriptionID: "s", resourceGroup: " ", allowKeyRegeneration: false) }
    }
}
