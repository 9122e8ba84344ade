import Foundation

/// Builds the starting world of each scenario.
struct Scenarios {
    /// Where objects go.
    let store: ObjectStore
    /// Where Azure resources go.
    let azure: AzureState
    /// The fixed Azure names and credentials.
    let demo: DemoAzure
    /// The demo principal's registered certificate.
    let appCertificateDER: [UInt8]
    /// The cluster's ServiceAccount token issuer (trusted for workload identity).
    let issuer: String

    private func put(_ type: ResourceType, _ object: JSON) {
        let ns = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        _ = try? store.write(type, namespace: type.namespaced ? ns : "", name: name) { _ in
            .put((try? Validation.normalize(object, type: type, name: name, old: nil)) ?? object)
        }
    }

    private func namespace(_ name: String) {
        put(
            .namespaces,
            [
                "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name), "labels": ["kubernetes.io/metadata.name": .string(name)]],
                "status": ["phase": "Active"],
            ])
        put(.serviceAccounts, ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default", "namespace": .string(name)]])
    }

    private func secret(_ ns: String, _ name: String, _ data: [String: String], labels: [String: JSON] = [:], annotations: [String: JSON] = [:]) {
        var metadata: JSON = ["name": .string(name), "namespace": .string(ns), "labels": .object(labels)]
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        put(
            .secrets,
            [
                "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": metadata,
                "data": .object(data.mapValues { .string(Data($0.utf8).base64EncodedString()) }),
            ])
    }

    private func configMap(_ ns: String, _ name: String, _ data: [String: String], labels: [String: JSON] = [:]) {
        put(
            .configMaps,
            [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(ns), "labels": .object(labels)],
                "data": .object(data.mapValues { .string($0) }),
            ])
    }

    private func gatewayContainer(env: [JSON], envFrom: [JSON]) -> JSON {
        [
            "name": "gateway", "image": "mcr.microsoft.com/azure-api-management/gateway:v2", "imagePullPolicy": "IfNotPresent",
            "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"], ["name": "https", "containerPort": 8081, "protocol": "TCP"]],
            "readinessProbe": [
                "httpGet": ["path": "/status-0123456789abcdef", "port": 8080, "scheme": "HTTP"], "initialDelaySeconds": 0, "periodSeconds": 5,
                "failureThreshold": 3, "successThreshold": 1,
            ],
            "env": .array(env), "envFrom": .array(envFrom),
        ]
    }

    /// A portal-style gateway: ConfigMap `<name>-env`, Secret `<name>-token` key `value`, Deployment `<name>`.
    func portalGateway(namespace ns: String, name: String, gateway: String, token: String, replicas: Int = 1) {
        configMap(
            ns, "\(name)-env",
            [
                "config.service.endpoint": "\(demo.serviceName).configuration.azure-api.net", "neighborhood.host": "\(name)-instance-discovery",
                "runtime.deployment.artifact.source": "Azure Portal", "runtime.deployment.mechanism": "YAML",
                "runtime.deployment.orchestrator.type": "Kubernetes",
            ])
        secret(ns, "\(name)-token", ["value": "GatewayKey \(token)"])
        let labels: JSON = ["app": .string(name)]
        put(
            .deployments,
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(ns), "labels": labels],
                "spec": [
                    "replicas": .int(replicas), "selector": ["matchLabels": labels],
                    "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": "25%"]],
                    "template": [
                        "metadata": ["labels": labels, "annotations": [.init(stringLiteral: ClusterController.gatewayAnnotation): .string(gateway)]],
                        "spec": [
                            "terminationGracePeriodSeconds": 60,
                            "containers": [
                                gatewayContainer(
                                    env: [["name": "config.service.auth", "valueFrom": ["secretKeyRef": ["name": .string("\(name)-token"), "key": "value"]]]],
                                    envFrom: [["configMapRef": ["name": .string("\(name)-env")]]])
                            ],
                        ],
                    ],
                ],
            ])
    }

    /// A Helm-style gateway: Secret `<release>-azure-api-management-gateway` key `gateway-key`, StatefulSet.
    func helmGateway(namespace ns: String, release: String, gateway: String, token: String) {
        let fullname = "\(release)-azure-api-management-gateway"
        let selector: JSON = ["app.kubernetes.io/name": "azure-api-management-gateway", "app.kubernetes.io/instance": .string(release)]
        var labels = selector.objectValue!
        labels["app.kubernetes.io/managed-by"] = "Helm"
        labels["helm.sh/chart"] = "azure-api-management-gateway-1.10.0"
        labels["app.kubernetes.io/version"] = "2.7.0"
        // Helm 3 annotates every object of a release with its name and namespace.
        secret(
            ns, fullname, ["gateway-key": "GatewayKey \(token)"], labels: labels,
            annotations: ["meta.helm.sh/release-name": .string(release), "meta.helm.sh/release-namespace": .string(ns)])
        configMap(
            ns, "\(fullname)-configuration",
            ["config.service.endpoint": "\(demo.serviceName).configuration.azure-api.net", "runtime.deployment.artifact.source": "helm"], labels: labels)
        put(
            .statefulSets,
            [
                "apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": [
                    "name": .string(fullname), "namespace": .string(ns), "labels": .object(labels),
                    "annotations": ["meta.helm.sh/release-name": .string(release), "meta.helm.sh/release-namespace": .string(ns)],
                ],
                "spec": [
                    "replicas": 1, "serviceName": .string(fullname), "selector": ["matchLabels": selector],
                    "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]],
                    "template": [
                        "metadata": ["labels": .object(labels), "annotations": [.init(stringLiteral: ClusterController.gatewayAnnotation): .string(gateway)]],
                        "spec": [
                            "containers": [
                                gatewayContainer(
                                    env: [["name": "config.service.auth", "valueFrom": ["secretKeyRef": ["name": .string(fullname), "key": "gateway-key"]]]],
                                    envFrom: [["configMapRef": ["name": .string("\(fullname)-configuration")]]])
                            ]
                        ],
                    ],
                ],
            ])
    }

    /// An Entra-authenticated gateway: ConfigMap with `config.service.auth: azureAdApp`, Deployment `<name>`.
    func entraGateway(namespace ns: String, name: String, gateway: String) {
        configMap(
            ns, "\(name)-env",
            [
                "config.service.endpoint": "\(demo.serviceName).configuration.azure-api.net", "config.service.auth": "azureAdApp",
                "config.service.auth.azureAd.tenantId": demo.tenantID, "config.service.auth.azureAd.clientId": demo.clientID,
                "gateway.name": gateway,
            ])
        let labels: JSON = ["app": .string(name)]
        put(
            .deployments,
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(ns), "labels": labels],
                "spec": [
                    "replicas": 1, "selector": ["matchLabels": labels],
                    "template": [
                        "metadata": ["labels": labels, "annotations": [.init(stringLiteral: ClusterController.gatewayAnnotation): .string(gateway)]],
                        "spec": ["containers": [gatewayContainer(env: [], envFrom: [["configMapRef": ["name": .string("\(name)-env")]]])]],
                    ],
                ],
            ])
    }

    private func noiseDeployment(_ ns: String, _ name: String) {
        let labels: JSON = ["app": .string(name)]
        put(
            .deployments,
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(ns), "labels": labels],
                "spec": [
                    "replicas": 1, "selector": ["matchLabels": labels],
                    "template": [
                        "metadata": ["labels": labels],
                        "spec": ["containers": [["name": "web", "image": "nginx:1.27", "env": [["name": "MODE", "value": "noise"]]]]],
                    ],
                ],
            ])
    }

    /// The Azure side every scenario shares.
    private func azureBase() {
        azure.addService(subscription: demo.subscriptionID, resourceGroup: demo.resourceGroup, name: demo.serviceName, location: "West Europe")
        azure.register(
            AzureApplication(
                clientID: demo.clientID, objectID: "00000000-0000-4000-8000-0000000000e1", tenantID: demo.tenantID, clientSecret: demo.clientSecret,
                certificates: [appCertificateDER],
                federatedCredentials: [(issuer, "system:serviceaccount:\(demo.workloadIdentityServiceAccount.replacingOccurrences(of: "/", with: ":"))")]))
        azure.register(
            AzureApplication(
                clientID: demo.unprivilegedClientID, objectID: "00000000-0000-4000-8000-0000000000e2", tenantID: demo.tenantID,
                clientSecret: demo.unprivilegedClientSecret, certificates: [], federatedCredentials: []))
        azure.setAllowedActions(["Microsoft.ApiManagement/service/*"], forClientID: demo.clientID)
        azure.setAllowedActions([], forClientID: demo.unprivilegedClientID)
        azure.addManagedIdentity(
            ManagedIdentity(clientID: demo.systemIdentityClientID, objectID: "00000000-0000-4000-8000-0000000000f0", resourceID: "", systemAssigned: true))
        azure.addManagedIdentity(
            ManagedIdentity(
                clientID: demo.managedIdentityClientID, objectID: "00000000-0000-4000-8000-0000000000f1", resourceID: demo.managedIdentityResourceID,
                systemAssigned: false))
        azure.setAllowedActions(["Microsoft.ApiManagement/service/*"], forClientID: demo.managedIdentityClientID)
        azure.setAllowedActions(["Microsoft.ApiManagement/service/*"], forClientID: demo.systemIdentityClientID)
    }

    /// The Azure side of a scenario: created once per sandbox, however many clusters share it.
    func seedAzure(_ options: SandboxOptions) {
        azureBase()
        switch options.scenario {
        case .empty: break
        case .demo: for gw in ["demo", "edge", "entra"] { addGateway(gw) }
        case .many: for g in 0..<options.gateways { addGateway(Self.manyGatewayName(g)) }
        }
    }

    /// One cluster's objects for a scenario, with tokens from the Azure side's current keys (``seedAzure(_:)`` first).
    func seedCluster(_ options: SandboxOptions) {
        for ns in ["default", "kube-system", "kube-public"] { namespace(ns) }
        switch options.scenario {
        case .empty: break
        case .demo: seedDemo()
        case .many: seedMany(gateways: options.gateways, namespaces: options.namespaces, noise: options.noiseObjects, expiring: options.expiring)
        }
    }

    private func addGateway(_ name: String) {
        azure.addGateway(subscription: demo.subscriptionID, resourceGroup: demo.resourceGroup, service: demo.serviceName, name: name, location: "edge-site")
    }

    private func token(_ gateway: String, _ key: GatewayKeyType = .primary, days: Double = 29) -> String {
        azure.token(demo.subscriptionID, demo.resourceGroup, demo.serviceName, gateway: gateway, key: key, expiry: Date().addingTimeInterval(days * 86400))
            ?? ""
    }

    /// `demo`'s cluster objects.
    private func seedDemo() {
        namespace("apim")
        namespace("edge")
        portalGateway(namespace: "apim", name: "demo", gateway: "demo", token: token("demo"))
        entraGateway(namespace: "apim", name: "entra", gateway: "entra")
        helmGateway(namespace: "edge", release: "edge", gateway: "edge", token: token("edge"))
        put(.serviceAccounts, ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "apimtoken-rotator", "namespace": "apim"]])
        noiseDeployment("default", "web")
    }

    /// The name of the `many` scenario's gateway number `g` (its Azure gateway, Deployment and Secret prefix).
    static func manyGatewayName(_ g: Int) -> String { String(format: "gw-%04d", g) }

    /// The lifetime in days of gateway `g`'s seeded token in the `many` scenario. Without `expiring`, 1 to 29 days
    /// by gateway number. With it, gateways 0 to `expiring` − 1 get 1 to 9 days and the others 11 to 29, so that
    /// exactly `expiring` tokens expire within 10 days; gateways go round the namespaces in number order, so the
    /// expiring ones are spread evenly over the namespaces.
    static func manyTokenDays(_ g: Int, gateways: Int, expiring: Int?) -> Double {
        guard let expiring else { return Double(1 + g % 29) }
        return g < expiring ? Double(1 + g % 9) : Double(11 + g % 19)
    }

    /// `many`'s cluster objects.
    private func seedMany(gateways: Int, namespaces: Int, noise: Int, expiring: Int?) {
        let m = max(1, namespaces)
        for i in 0..<m { namespace(String(format: "gw-%03d", i)) }
        for g in 0..<gateways {
            let name = Self.manyGatewayName(g)
            let days = Self.manyTokenDays(g, gateways: gateways, expiring: expiring)
            portalGateway(namespace: String(format: "gw-%03d", g % m), name: name, gateway: name, token: token(name, days: days))
        }
        // Unrelated workloads and Secrets in every namespace, so that discovery has to tell gateways apart.
        for i in 0..<m {
            let ns = String(format: "gw-%03d", i)
            noiseDeployment(ns, "web")
            secret(ns, "web-tls", ["tls.crt": "not a certificate", "tls.key": "not a key"], labels: ["noise": "true"])
        }
        for n in 0..<noise {
            configMap(String(format: "gw-%03d", n % m), String(format: "noise-%05d", n), ["purpose": "noise", "index": String(n)], labels: ["noise": "true"])
        }
    }
}
