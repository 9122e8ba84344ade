/// One kind the simulated API server serves.
public struct ResourceType: Sendable, Hashable {
    /// The API group (`""` for core).
    public var group: String
    /// The version.
    public var version: String
    /// The plural resource name (`deployments`).
    public var resource: String
    /// The kind (`Deployment`).
    public var kind: String
    /// Whether objects live in a namespace.
    public var namespaced: Bool
    /// Short names kubectl accepts.
    public var shortNames: [String]
    /// Subresources served (`status`, `token`).
    public var subresources: [String]
    /// Verbs advertised in discovery.
    public var verbs: [String]

    /// `group/version`, or `version` for core.
    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// The singular name.
    public var singular: String { kind.lowercased() }
    /// The key used in storage (group and resource; versions share storage).
    var storageKey: String { "\(group)/\(resource)" }

    /// A served resource type.
    init(
        _ group: String, _ version: String, _ resource: String, _ kind: String, namespaced: Bool = true,
        short: [String] = [], sub: [String] = [], verbs: [String]? = nil
    ) {
        self.group = group
        self.version = version
        self.resource = resource
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = short
        self.subresources = sub
        self.verbs = verbs ?? ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }

    /// Every kind the sandbox serves.
    public static let all: [ResourceType] = [
        ResourceType("", "v1", "namespaces", "Namespace", namespaced: false, short: ["ns"], sub: ["status"]),
        ResourceType("", "v1", "secrets", "Secret"),
        ResourceType("", "v1", "configmaps", "ConfigMap", short: ["cm"]),
        ResourceType("", "v1", "serviceaccounts", "ServiceAccount", short: ["sa"], sub: ["token"]),
        ResourceType("", "v1", "events", "Event", short: ["ev"]),
        ResourceType("", "v1", "pods", "Pod", short: ["po"], sub: ["status"]),
        ResourceType("events.k8s.io", "v1", "events", "Event", short: ["ev"]),
        ResourceType("apps", "v1", "deployments", "Deployment", short: ["deploy"], sub: ["status"]),
        ResourceType("apps", "v1", "statefulsets", "StatefulSet", short: ["sts"], sub: ["status"]),
        ResourceType("apps", "v1", "daemonsets", "DaemonSet", short: ["ds"], sub: ["status"]),
        ResourceType("batch", "v1", "cronjobs", "CronJob", short: ["cj"], sub: ["status"]),
        ResourceType("batch", "v1", "jobs", "Job", sub: ["status"]),
        ResourceType("rbac.authorization.k8s.io", "v1", "roles", "Role"),
        ResourceType("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"),
        ResourceType(
            "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", namespaced: false,
            verbs: ["create"]),
        ResourceType("aadpodidentity.k8s.io", "v1", "azureidentities", "AzureIdentity"),
        ResourceType("aadpodidentity.k8s.io", "v1", "azureidentitybindings", "AzureIdentityBinding"),
        ResourceType("aadpodidentity.k8s.io", "v1", "azurepodidentityexceptions", "AzurePodIdentityException"),
    ]

    /// Looks a served type up by group, version and plural.
    static func find(group: String, version: String, resource: String) -> ResourceType? {
        all.first { $0.group == group && $0.version == version && $0.resource == resource }
    }

    /// Looks a served type up by apiVersion and kind.
    public static func find(apiVersion: String, kind: String) -> ResourceType? {
        all.first { $0.groupVersion == apiVersion && $0.kind == kind }
    }

    /// Core types.
    static let namespaces = find(group: "", version: "v1", resource: "namespaces")!
    /// Secrets.
    static let secrets = find(group: "", version: "v1", resource: "secrets")!
    /// ConfigMaps.
    static let configMaps = find(group: "", version: "v1", resource: "configmaps")!
    /// ServiceAccounts.
    static let serviceAccounts = find(group: "", version: "v1", resource: "serviceaccounts")!
    /// Pods.
    static let pods = find(group: "", version: "v1", resource: "pods")!
    /// Deployments.
    static let deployments = find(group: "apps", version: "v1", resource: "deployments")!
    /// StatefulSets.
    static let statefulSets = find(group: "apps", version: "v1", resource: "statefulsets")!
    /// DaemonSets.
    static let daemonSets = find(group: "apps", version: "v1", resource: "daemonsets")!
    /// Roles.
    static let roles = find(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles")!
    /// RoleBindings.
    static let roleBindings = find(group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings")!
    /// Core Events.
    static let events = find(group: "", version: "v1", resource: "events")!
    /// `batch/v1` Jobs.
    static let jobs = find(group: "batch", version: "v1", resource: "jobs")!
}
