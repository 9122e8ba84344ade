import Foundation
import Testing

@testable import APIMToken

@Suite struct ManifestsGoldenTests {
    @Test(arguments: ManifestFixtures.cases.map(\.0))
    func yamlAndJSONMatchTheGoldenFiles(_ stem: String) throws {
        let (_, identity, workload) = ManifestFixtures.cases.first { $0.0 == stem }!
        let manifests = try InstallManifests(ManifestFixtures.configuration(identity, workload: workload))
        try ManifestFixtures.expectGolden(try ManifestRenderer.render(manifests.objects, format: .yaml), "\(stem).yaml")
        try ManifestFixtures.expectGolden(try ManifestRenderer.render(manifests.objects, format: .json), "\(stem).json")
    }

    @Test func renderingIsDeterministic() throws {
        for (_, identity, workload) in ManifestFixtures.cases {
            let configuration = ManifestFixtures.configuration(identity, workload: workload)
            let first = try ManifestRenderer.yaml(try InstallManifests(configuration).objects)
            for _ in 0..<20 {
                #expect(try ManifestRenderer.yaml(try InstallManifests(configuration).objects) == first)
            }
        }
    }

    @Test func orderIsServiceAccountRoleBindingIdentityCronJob() throws {
        let kinds = { (identity: CronJobIdentity) in
            try InstallManifests(ManifestFixtures.configuration(identity)).objects.map(\.resourceType.kind)
        }
        #expect(try kinds(.workloadIdentity(clientID: "c", tenantID: nil)) == ["ServiceAccount", "Role", "RoleBinding", "CronJob"])
        #expect(
            try kinds(.aadPodIdentity(resourceID: "/r", clientID: "c"))
                == ["ServiceAccount", "Role", "RoleBinding", "AzureIdentity", "AzureIdentityBinding", "CronJob"])
        #expect(
            try kinds(.servicePrincipal(.newSecret(clientID: "c", clientSecret: Redacted("s"), tenantID: "t")))
                == ["ServiceAccount", "Role", "RoleBinding", "Secret", "CronJob"])
        #expect(try kinds(.servicePrincipal(.existingSecret(name: "sp"))) == ["ServiceAccount", "Role", "RoleBinding", "CronJob"])
    }

    @Test func yamlRoundTripsToTheSameObjectsAsJSON() async throws {
        for (_, identity, workload) in ManifestFixtures.cases {
            let objects = try InstallManifests(ManifestFixtures.configuration(identity, workload: workload)).objects
            let documents = try await PyYAML.loadAll(ManifestRenderer.yaml(objects)).map { $0 as? [String: Any] ?? [:] }
            let list = try JSONSerialization.jsonObject(with: Data(ManifestRenderer.json(objects).utf8)) as! [String: Any]
            #expect(list["kind"] as? String == "List" && list["apiVersion"] as? String == "v1")
            let items = list["items"] as! [[String: Any]]
            #expect(documents.count == items.count)
            for (document, item) in zip(documents, items) {
                #expect(NSDictionary(dictionary: document).isEqual(to: item), "YAML and JSON disagree on \(item["kind"] ?? "?")")
            }
        }
    }
}

@Suite struct ManifestsShapeTests {
    @Test func cronJobFollowsTheSpecDefaults() throws {
        let manifests = try InstallManifests(ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: nil)))
        let cronJob = manifests.cronJob
        #expect(cronJob.apiVersion == "batch/v1")
        #expect(cronJob.spec.schedule == "0 3 * * *")
        #expect(cronJob.spec.concurrencyPolicy == "Forbid")
        #expect(cronJob.spec.timeZone == nil)
        let pod = cronJob.spec.jobTemplate.spec.template
        #expect(pod.spec.restartPolicy == "Never")
        #expect(pod.spec.automountServiceAccountToken)
        #expect(pod.spec.serviceAccountName == "apimtoken-demo")
        #expect(pod.spec.containers.count == 1)
        let container = pod.spec.containers[0]
        #expect(container.args == ["rotate", "--if-expires-within", "10d", "--deadline", "1140s"])
        #expect(container.image == "ghcr.io/kubectl-apimtoken/kubectl-apimtoken:\(APIMTokenVersion.current)")
        #expect(container.securityContext.readOnlyRootFilesystem)
        #expect(pod.spec.securityContext.runAsUser == 65532)
        #expect(Set(container.resources.requests.keys) == ["cpu", "memory"])
        #expect(Set(container.resources.limits.keys) == ["cpu", "memory"])
        #expect(pod.metadata.labels?["azure.workload.identity/use"] == "true")
    }

    @Test func optionsReachTheCronJob() throws {
        var configuration = ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: "t"))
        configuration.schedule = "30 2 * * 1"
        configuration.timeZone = "Europe/Berlin"
        configuration.image = "registry.example/apimtoken:dev"
        configuration.ifExpiresWithin = 14 * 86_400
        configuration.successfulJobsHistoryLimit = 1
        configuration.failedJobsHistoryLimit = 5
        configuration.activeDeadlineSeconds = 600
        configuration.backoffLimit = 0
        configuration.startingDeadlineSeconds = nil
        configuration.cloud = "AzureUSGovernment"
        configuration.armEndpoint = "https://management.usgovcloudapi.net"
        configuration.tokenKey = "rotate"
        let manifests = try InstallManifests(configuration)
        let spec = manifests.cronJob.spec
        #expect(spec.schedule == "30 2 * * 1" && spec.timeZone == "Europe/Berlin")
        #expect(spec.successfulJobsHistoryLimit == 1 && spec.failedJobsHistoryLimit == 5 && spec.startingDeadlineSeconds == nil)
        #expect(spec.jobTemplate.spec.activeDeadlineSeconds == 600 && spec.jobTemplate.spec.backoffLimit == 0)
        let container = spec.jobTemplate.spec.template.spec.containers[0]
        #expect(container.image == "registry.example/apimtoken:dev")
        #expect(container.args == ["rotate", "--if-expires-within", "14d", "--deadline", "540s"])
        let env = Dictionary(uniqueKeysWithValues: container.env.map { ($0.name, $0.value) })
        #expect(env["AZURE_CLOUD"] == "AzureUSGovernment")
        #expect(env["ARM_ENDPOINT"] == "https://management.usgovcloudapi.net")
        #expect(env["TOKEN_KEY"] == "rotate")
        guard case .serviceAccount(let serviceAccount) = manifests.objects[0] else {
            Issue.record("not a ServiceAccount first")
            return
        }
        #expect(serviceAccount.metadata.annotations == ["azure.workload.identity/client-id": "c", "azure.workload.identity/tenant-id": "t"])
    }

    @Test func environmentCarriesTheTargetAndNoSecretLiteral() throws {
        for (_, identity, workload) in ManifestFixtures.cases {
            let manifests = try InstallManifests(ManifestFixtures.configuration(identity, workload: workload))
            let env = manifests.cronJob.spec.jobTemplate.spec.template.spec.containers[0].env
            let literal = Dictionary(uniqueKeysWithValues: env.compactMap { variable in variable.value.map { (variable.name, $0) } })
            #expect(literal["SUBSCRIPTION_ID"] == "00000000-0000-0000-0000-000000000001")
            #expect(literal["RESOURCE_GROUP"] == "rg-apim")
            #expect(literal["APIM_INSTANCE"] == "contoso-apim")
            #expect(literal["APIM_GATEWAY"] == "demo")
            #expect(literal["TOKEN_SECRET"] == "demo-token")
            #expect(literal["TOKEN_SECRET_KEY"] == "value")
            #expect(literal["K8S_OBJECT"] == workload.description)
            #expect(literal["LOGIN_METHOD"] == identity.loginMethod)
            #expect(literal["AZURE_CLIENT_SECRET"] == nil, "a client secret must only come from a secretKeyRef")
            #expect(!literal.values.contains(ManifestFixtures.canary))
            if case .servicePrincipal = identity {
                let references = env.filter { $0.valueFrom?.secretKeyRef != nil }.map(\.name)
                #expect(references == ["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"])
            }
        }
    }

    @Test func labelsFollowAppKubernetesIO() throws {
        for (_, identity, workload) in ManifestFixtures.cases {
            let manifests = try InstallManifests(ManifestFixtures.configuration(identity, workload: workload))
            for object in manifests.objects {
                let labels = object.metadata.labels ?? [:]
                #expect(labels["app.kubernetes.io/name"] == "kubectl-apimtoken")
                #expect(labels["app.kubernetes.io/instance"] == "demo")
                #expect(labels["app.kubernetes.io/managed-by"] == "kubectl-apimtoken")
                #expect(labels["app.kubernetes.io/component"] == "token-rotation")
                #expect(object.metadata.namespace == "apim")
            }
            #expect(manifests.cronJob.metadata.labels?["apimtoken.kubectl-plugin/secret"] == "demo-token")
            #expect(manifests.cronJob.spec.jobTemplate.metadata.labels?["app.kubernetes.io/managed-by"] == "kubectl-apimtoken")
        }
    }

    @Test(arguments: [
        "demo", "Demo-GW", String(repeating: "a", count: 80), "gw_with.dots and spaces", "-edge-", String(repeating: "x-", count: 40),
    ])
    func namesAreValidAndShortEnough(_ gateway: String) throws {
        let names = InstallNames(gateway: gateway)
        #expect(names.cronJob.count <= 52)
        #expect(ManifestNames.isDNS1123Label(names.cronJob, maxLength: 52), "\(names.cronJob)")
        #expect(ManifestNames.isDNS1123Label(names.azureIdentityBinding, maxLength: 63))
        #expect(ManifestNames.isDNS1123Label(names.servicePrincipalSecret, maxLength: 63))
        #expect(ManifestNames.isValidLabelValue(ManifestNames.labelValue(gateway)))
        #expect(ManifestNames.isValidLabelValue(names.podIdentitySelector))
        #expect(InstallNames(gateway: gateway) == names, "names are deterministic")
        // A run-now Job name stays within the 63 characters of the job-name label.
        #expect(InstallCronJob.manualJobName(cronJob: names.cronJob, suffix: "abcde").count <= 63)
    }

    @Test func namesKeepSimpleGatewaysReadableAndDistinguishLongOnes() {
        #expect(ManifestNames.base(gateway: "demo") == "apimtoken-demo")
        #expect(ManifestNames.base(gateway: "Demo") == "apimtoken-demo")
        let long1 = ManifestNames.base(gateway: String(repeating: "a", count: 60) + "1")
        let long2 = ManifestNames.base(gateway: String(repeating: "a", count: 60) + "2")
        #expect(long1 != long2)
        #expect(long1.count == 52 && long2.count == 52)
        #expect(ManifestNames.labelValue("demo-token") == "demo-token")
        #expect(ManifestNames.labelValue(String(repeating: "s", count: 70)).count == 63)
    }

    @Test func invalidConfigurationsNameTheFlag() throws {
        var configuration = ManifestFixtures.configuration(.workloadIdentity(clientID: "", tenantID: nil))
        #expect(throws: ConfigurationError.self) { try InstallManifests(configuration) }
        configuration.identity = .workloadIdentity(clientID: "c", tenantID: nil)
        configuration.schedule = "every day"
        let error = try #require(throws: ConfigurationError.self) { try InstallManifests(configuration) }
        #expect(error.description.contains("--schedule"))
        configuration.schedule = "@daily"
        _ = try InstallManifests(configuration)
        configuration.tokenSecret = " "
        #expect(throws: ConfigurationError.self) { try InstallManifests(configuration) }
    }
}
