import FoundationEssentials

/// `v1` ServiceAccount.
public struct ServiceAccount: KubernetesObject {
    public static let resourceType = ResourceType.serviceAccounts
    public var apiVersion: String? = "v1"
    public var kind: String? = "ServiceAccount"
    public var metadata: ObjectMeta
    /// Whether pods get a token mounted.
    public var automountServiceAccountToken: Bool?

    /// Creates a ServiceAccount.
    public init(metadata: ObjectMeta, automountServiceAccountToken: Bool? = nil) {
        self.metadata = metadata
        self.automountServiceAccountToken = automountServiceAccountToken
    }
}

/// `rbac.authorization.k8s.io/v1` Role.
public struct Role: KubernetesObject {
    public static let resourceType = ResourceType.roles
    public var apiVersion: String? = "rbac.authorization.k8s.io/v1"
    public var kind: String? = "Role"
    public var metadata: ObjectMeta
    /// What the Role allows.
    public var rules: [PolicyRule]

    /// Creates a Role.
    public init(metadata: ObjectMeta, rules: [PolicyRule]) {
        self.metadata = metadata
        self.rules = rules
    }
}

/// `rbacv1.PolicyRule`.
public struct PolicyRule: Codable, Sendable, Equatable {
    /// API groups (`""` is core).
    public var apiGroups: [String]
    /// Resources (`secrets`, `deployments`).
    public var resources: [String]
    /// Object names the rule is limited to.
    public var resourceNames: [String]?
    public var verbs: [String]

    /// Creates a rule.
    public init(apiGroups: [String], resources: [String], resourceNames: [String]? = nil, verbs: [String]) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.verbs = verbs
    }
}

/// `rbac.authorization.k8s.io/v1` RoleBinding.
public struct RoleBinding: KubernetesObject {
    public static let resourceType = ResourceType.roleBindings
    public var apiVersion: String? = "rbac.authorization.k8s.io/v1"
    public var kind: String? = "RoleBinding"
    public var metadata: ObjectMeta
    /// The Role granted.
    public var roleRef: RoleRef
    /// Who it is granted to.
    public var subjects: [Subject]

    /// `rbacv1.RoleRef`.
    public struct RoleRef: Codable, Sendable, Equatable {
        /// `rbac.authorization.k8s.io`.
        public var apiGroup: String
        /// `Role`.
        public var kind: String
        /// The Role's name.
        public var name: String
    }

    /// `rbacv1.Subject`.
    public struct Subject: Codable, Sendable, Equatable {
        /// `ServiceAccount`.
        public var kind: String
        public var name: String
        public var namespace: String?
    }

    /// Creates a binding of a Role to one ServiceAccount.
    public init(metadata: ObjectMeta, role: String, serviceAccount: String, namespace: String) {
        self.metadata = metadata
        self.roleRef = RoleRef(apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role)
        self.subjects = [Subject(kind: "ServiceAccount", name: serviceAccount, namespace: namespace)]
    }
}
