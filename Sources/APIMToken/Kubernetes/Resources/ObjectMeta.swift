import FoundationEssentials

// MARK: - KubernetesObject

/// A typed Kubernetes object the client can read and write.
public protocol KubernetesObject: Codable, Sendable {
    /// Where objects of this kind live.
    static var resourceType: ResourceType { get }
    /// The object's metadata.
    var metadata: ObjectMeta { get set }
}

// MARK: - ObjectMeta

/// `metav1.ObjectMeta`, the fields this tool reads or writes.
public struct ObjectMeta: Codable, Sendable, Equatable {
    /// The object's name.
    public var name: String?
    /// The namespace (nil for cluster-scoped objects).
    public var namespace: String?
    /// The server-assigned unique id.
    public var uid: String?
    /// The version used for optimistic concurrency.
    public var resourceVersion: String?
    /// The spec generation.
    public var generation: Int64?
    /// When the object was created.
    public var creationTimestamp: Date?
    /// When deletion was requested.
    public var deletionTimestamp: Date?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    /// Owners (a Pod's ReplicaSet, a ReplicaSet's Deployment, a Job's CronJob).
    public var ownerReferences: [OwnerReference]?
    /// Who wrote which fields, and when (the latest write time of a Secret comes from here).
    public var managedFields: [ManagedFieldsEntry]?

    /// Creates metadata.
    public init(
        name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    /// The annotation `key`, if set.
    public func annotation(_ key: String) -> String? { annotations?[key] }
}

/// `metav1.OwnerReference`.
public struct OwnerReference: Codable, Sendable, Equatable {
    /// The owner's `apiVersion`.
    public var apiVersion: String
    /// The owner's kind.
    public var kind: String
    /// The owner's name.
    public var name: String
    /// The owner's uid.
    public var uid: String
    /// Whether this owner is the managing controller.
    public var controller: Bool?
    /// Whether deletion of the owner waits for this object.
    public var blockOwnerDeletion: Bool?

    /// Creates an owner reference.
    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// One `metav1.ManagedFieldsEntry`, without the field set itself.
public struct ManagedFieldsEntry: Codable, Sendable, Equatable {
    /// The field manager (`kubectl-apimtoken`, `kubectl-rollout`, …).
    public var manager: String?
    /// `Apply` or `Update`.
    public var operation: String?
    /// When this manager last wrote.
    public var time: Date?
    /// The subresource written (`status`, `scale`), if any.
    public var subresource: String?
}

// MARK: - Lists

/// `metav1.ListMeta`.
public struct ListMeta: Codable, Sendable, Equatable {
    /// The collection's resource version.
    public var resourceVersion: String?
    /// The token for the next page, when the list was cut by `limit`.
    public var `continue`: String?
    /// The server's estimate of the objects left.
    public var remainingItemCount: Int64?

    /// Creates list metadata.
    public init(resourceVersion: String? = nil, continue token: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = token
    }
}

/// A page of objects as a list endpoint returns it.
public struct ObjectList<Item: Codable & Sendable>: Codable, Sendable {
    /// Paging information.
    public var metadata: ListMeta
    /// The objects (a server may send `null` for none).
    public var items: [Item]

    private enum CodingKeys: String, CodingKey { case metadata, items }

    /// Decodes a list, treating a missing or null `items` as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }

    /// Creates a list.
    public init(metadata: ListMeta = ListMeta(), items: [Item]) {
        self.metadata = metadata
        self.items = items
    }
}

// MARK: - Label selectors

/// `metav1.LabelSelector`.
public struct LabelSelector: Codable, Sendable, Equatable {
    /// Exact label matches.
    public var matchLabels: [String: String]?
    /// Set-based requirements.
    public var matchExpressions: [Requirement]?

    /// A set-based requirement.
    public struct Requirement: Codable, Sendable, Equatable {
        /// The label key.
        public var key: String
        /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
        public var `operator`: String
        /// The values for `In`/`NotIn`.
        public var values: [String]?
    }

    /// Creates a selector of exact matches.
    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// The `labelSelector` query form (`a=b,c in (d,e)`), as `metav1.LabelSelectorAsSelector` writes it.
    public var queryString: String {
        var parts = (matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for requirement in matchExpressions ?? [] {
            let values = (requirement.values ?? []).sorted().joined(separator: ",")
            switch requirement.operator {
            case "In": parts.append("\(requirement.key) in (\(values))")
            case "NotIn": parts.append("\(requirement.key) notin (\(values))")
            case "Exists": parts.append(requirement.key)
            case "DoesNotExist": parts.append("!\(requirement.key)")
            default: continue
            }
        }
        return parts.joined(separator: ",")
    }

    /// Whether `labels` satisfy this selector.
    public func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        for requirement in matchExpressions ?? [] {
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In": if !(labels[requirement.key].map(values.contains) ?? false) { return false }
            case "NotIn": if labels[requirement.key].map(values.contains) ?? false { return false }
            case "Exists": if labels[requirement.key] == nil { return false }
            case "DoesNotExist": if labels[requirement.key] != nil { return false }
            default: return false
            }
        }
        return true
    }
}
