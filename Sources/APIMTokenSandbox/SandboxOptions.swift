import Foundation

/// Which world the sandbox starts with.
public enum Scenario: String, Sendable, Codable, CaseIterable {
    /// An empty cluster (namespaces `default` and `kube-system`) and an APIM service without gateways.
    case empty
    /// `apim` (portal-style Deployment `demo`, Entra gateway `entra`), `edge` (Helm-style StatefulSet).
    case demo
    /// N token gateways (portal-style) spread over M namespaces, plus in each namespace an unrelated Deployment and
    /// Secret, plus `noiseObjects` unrelated ConfigMaps.
    case many
}

/// How to start a sandbox.
public struct SandboxOptions: Sendable {
    /// The starting world.
    public var scenario: Scenario
    /// Where files go (kubeconfig, env, CA, request log); a fresh temporary directory when nil.
    public var directory: URL?
    /// Gateways for `.many`.
    public var gateways: Int
    /// Namespaces for `.many`.
    public var namespaces: Int
    /// Unrelated ConfigMaps for `.many` (spread over the namespaces), for listing benchmarks.
    public var noiseObjects: Int
    /// Rollout speed.
    public var controller: ControllerOptions
    /// Whether to serve the admin endpoint (used by the `apimtoken-sandbox` command line).
    public var adminEndpoint: Bool
    /// How many Kubernetes clusters share the one simulated Azure (at least 1). Each cluster has its own API
    /// server, objects, controllers, faults and request log, and gets the scenario's cluster objects with tokens
    /// from the shared gateway keys; see ``Sandbox/clusters``.
    public var clusters: Int
    /// For `.many`: exactly this many gateways get a token that expires within 10 days (1 to 9 days), the others
    /// one that expires in 11 to 29 days. Nil keeps the default spread, 1 to 29 days by gateway number.
    public var expiring: Int?

    /// Options with test-friendly defaults.
    public init(
        scenario: Scenario = .demo, directory: URL? = nil, gateways: Int = 20, namespaces: Int = 4, noiseObjects: Int = 0,
        controller: ControllerOptions = ControllerOptions(), adminEndpoint: Bool = false, clusters: Int = 1, expiring: Int? = nil
    ) {
        self.scenario = scenario
        self.directory = directory
        self.gateways = gateways
        self.namespaces = namespaces
        self.noiseObjects = noiseObjects
        self.controller = controller
        self.adminEndpoint = adminEndpoint
        self.clusters = clusters
        self.expiring = expiring
    }
}

// MARK: - DemoAzure

/// The fixed names and credentials of the simulated Azure, as the scenarios create them.
public struct DemoAzure: Sendable {
    /// The tenant.
    public var tenantID = "00000000-0000-4000-8000-00000000a0a0"
    /// The subscription.
    public var subscriptionID = "00000000-0000-4000-8000-000000000001"
    /// The resource group.
    public var resourceGroup = "rg-apim-demo"
    /// The APIM service.
    public var serviceName = "demo-apim"
    /// The demo service principal's client id (allowed `Microsoft.ApiManagement/service/*`).
    public var clientID = "00000000-0000-4000-8000-0000000000c1"
    /// Its client secret (random per sandbox).
    public var clientSecret: String
    /// A service principal with no Azure role at all, for 403 tests.
    public var unprivilegedClientID = "00000000-0000-4000-8000-0000000000c2"
    /// Its client secret.
    public var unprivilegedClientSecret: String
    /// The user-assigned managed identity's client id (IMDS; same rights as the demo principal).
    public var managedIdentityClientID = "00000000-0000-4000-8000-0000000000d1"
    /// The user-assigned managed identity's resource id.
    public var managedIdentityResourceID =
        "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-apim-demo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/apimtoken"
    /// The system-assigned identity's client id.
    public var systemIdentityClientID = "00000000-0000-4000-8000-0000000000d0"
    /// The service account trusted for workload identity (federated credential of the demo principal).
    public var workloadIdentityServiceAccount = "apim/apimtoken-rotator"
}
