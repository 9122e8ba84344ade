import FoundationEssentials

/// A Kubernetes resource endpoint: group, version, plural name, kind, and whether it is namespaced.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// The API group (`""` for core).
    public var group: String
    /// The version (`v1`).
    public var version: String
    /// The plural resource name in URLs (`deployments`).
    public var plural: String
    /// The kind (`Deployment`).
    public var kind: String
    /// Whether objects live in a namespace.
    public var namespaced: Bool

    /// Creates a resource type.
    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool = true) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `v1` or `apps/v1`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `deployments` or `deployments.apps`, as kubectl names resources in messages and `auth can-i`.
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The URL path of a collection (no `name`) or an object, in `namespace` (nil: all namespaces).
    public func path(namespace: String?, name: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace { path += "/namespaces/\(Self.escape(namespace))" }
        path += "/\(plural)"
        if let name { path += "/\(Self.escape(name))" }
        return path
    }

    private static func escape(_ segment: String) -> String {
        // RFC 3986 `pchar`: unreserved, sub-delims, ":" and "@" (Foundation's `.urlPathAllowed` without "/").
        segment.percentEncoded(allowing: { FormEncoding.isUnreserved($0) || "!$&'()*+,;=:@".unicodeScalars.contains($0) })
    }

    // MARK: - The kinds the product uses

    /// `v1` Namespaces.
    public static let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    /// `v1` Secrets.
    public static let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret")
    /// `v1` ConfigMaps.
    public static let configMaps = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap")
    /// `v1` Pods.
    public static let pods = ResourceType(group: "", version: "v1", plural: "pods", kind: "Pod")
    /// `v1` ServiceAccounts.
    public static let serviceAccounts = ResourceType(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount")
    /// `v1` Events.
    public static let events = ResourceType(group: "", version: "v1", plural: "events", kind: "Event")
    /// `apps/v1` Deployments.
    public static let deployments = ResourceType(group: "apps", version: "v1", plural: "deployments", kind: "Deployment")
    /// `apps/v1` StatefulSets.
    public static let statefulSets = ResourceType(group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet")
    /// `apps/v1` DaemonSets.
    public static let daemonSets = ResourceType(group: "apps", version: "v1", plural: "daemonsets", kind: "DaemonSet")
    /// `apps/v1` ReplicaSets (read to follow a Deployment's rollout).
    public static let replicaSets = ResourceType(group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet")
    /// `batch/v1` CronJobs.
    public static let cronJobs = ResourceType(group: "batch", version: "v1", plural: "cronjobs", kind: "CronJob")
    /// `batch/v1` Jobs.
    public static let jobs = ResourceType(group: "batch", version: "v1", plural: "jobs", kind: "Job")
    /// `rbac.authorization.k8s.io/v1` Roles.
    public static let roles = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", kind: "Role")
    /// `rbac.authorization.k8s.io/v1` RoleBindings.
    public static let roleBindings = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", kind: "RoleBinding")
    /// aad-pod-identity `AzureIdentity` (CRD).
    public static let azureIdentities = ResourceType(group: "aadpodidentity.k8s.io", version: "v1", plural: "azureidentities", kind: "AzureIdentity")
    /// aad-pod-identity `AzureIdentityBinding` (CRD).
    public static let azureIdentityBindings = ResourceType(
        group: "aadpodidentity.k8s.io", version: "v1", plural: "azureidentitybindings", kind: "AzureIdentityBinding")
}
