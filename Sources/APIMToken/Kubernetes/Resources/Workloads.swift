import FoundationEssentials

// MARK: - Pod templates

/// `corev1.PodTemplateSpec`.
public struct PodTemplateSpec: Codable, Sendable, Equatable {
    /// The pods' metadata (labels, annotations such as `kubectl.kubernetes.io/restartedAt`).
    public var metadata: ObjectMeta?
    /// The pods' spec.
    public var spec: PodSpec
}

/// `corev1.PodSpec`, the fields this tool reads.
public struct PodSpec: Codable, Sendable, Equatable {
    public var containers: [Container]
    public var initContainers: [Container]?
    /// The ServiceAccount the pods run as.
    public var serviceAccountName: String?
    /// The node the pod was scheduled to.
    public var nodeName: String?
}

/// `corev1.Container`, the fields gateway discovery reads.
public struct Container: Codable, Sendable, Equatable {
    /// The container name.
    public var name: String
    /// The image reference.
    public var image: String?
    /// Single environment variables.
    public var env: [EnvVar]?
    /// Whole Secrets or ConfigMaps as environment.
    public var envFrom: [EnvFromSource]?
}

/// `corev1.EnvVar`.
public struct EnvVar: Codable, Sendable, Equatable {
    /// The variable name.
    public var name: String
    /// A literal value.
    public var value: String?
    /// A reference instead of a literal.
    public var valueFrom: EnvVarSource?
}

/// `corev1.EnvVarSource`.
public struct EnvVarSource: Codable, Sendable, Equatable {
    /// A key of a Secret.
    public var secretKeyRef: KeySelector?
    /// A key of a ConfigMap.
    public var configMapKeyRef: KeySelector?
}

/// `corev1.SecretKeySelector` / `ConfigMapKeySelector`.
public struct KeySelector: Codable, Sendable, Equatable {
    /// The object's name.
    public var name: String?
    public var key: String
    /// Whether the pod starts without it.
    public var optional: Bool?
}

/// `corev1.EnvFromSource`.
public struct EnvFromSource: Codable, Sendable, Equatable {
    /// A prefix added to every key.
    public var prefix: String?
    /// A whole Secret.
    public var secretRef: NameReference?
    /// A whole ConfigMap.
    public var configMapRef: NameReference?
}

/// A reference by name (`LocalObjectReference` with `optional`).
public struct NameReference: Codable, Sendable, Equatable {
    /// The referenced object's name.
    public var name: String?
    /// Whether the pod starts without it.
    public var optional: Bool?
}

/// `metav1.Condition`-like status conditions of workloads and pods.
public struct Condition: Codable, Sendable, Equatable {
    /// The condition type (`Available`, `Progressing`, `Ready`).
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: String
    /// A machine-readable reason (`ProgressDeadlineExceeded`).
    public var reason: String?
    /// A human message.
    public var message: String?
    /// When the condition last changed.
    public var lastTransitionTime: Date?
}

// MARK: - Deployment

/// `apps/v1` Deployment.
public struct Deployment: KubernetesObject, Equatable {
    public static let resourceType = ResourceType.deployments
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: Spec
    /// The observed state.
    public var status: Status?

    /// `DeploymentSpec`.
    public struct Spec: Codable, Sendable, Equatable {
        /// Desired replicas (nil means 1).
        public var replicas: Int?
        /// Whether rollouts are paused.
        public var paused: Bool?
        /// The pod selector.
        public var selector: LabelSelector
        /// The pod template.
        public var template: PodTemplateSpec
        /// Seconds before a stalled rollout is reported (default 600).
        public var progressDeadlineSeconds: Int?
    }

    /// `DeploymentStatus`.
    public struct Status: Codable, Sendable, Equatable {
        /// The generation the controller has seen.
        public var observedGeneration: Int64?
        /// All pods.
        public var replicas: Int?
        /// Pods on the current template.
        public var updatedReplicas: Int?
        /// Ready pods.
        public var readyReplicas: Int?
        /// Available pods.
        public var availableReplicas: Int?
        /// Unavailable pods.
        public var unavailableReplicas: Int?
        /// Conditions (`Progressing`, `Available`).
        public var conditions: [Condition]?
    }
}

// MARK: - StatefulSet

/// `apps/v1` StatefulSet.
public struct StatefulSet: KubernetesObject, Equatable {
    public static let resourceType = ResourceType.statefulSets
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: Spec
    /// The observed state.
    public var status: Status?

    /// `StatefulSetSpec`.
    public struct Spec: Codable, Sendable, Equatable {
        /// Desired replicas (nil means 1).
        public var replicas: Int?
        /// The pod selector.
        public var selector: LabelSelector
        /// The pod template.
        public var template: PodTemplateSpec
        /// `RollingUpdate` (default) or `OnDelete`.
        public var updateStrategy: UpdateStrategy?
    }

    /// `StatefulSetUpdateStrategy`.
    public struct UpdateStrategy: Codable, Sendable, Equatable {
        /// `RollingUpdate` or `OnDelete`.
        public var type: String?
        /// Partitioned rolling updates.
        public var rollingUpdate: RollingUpdate?
    }

    /// `RollingUpdateStatefulSetStrategy`.
    public struct RollingUpdate: Codable, Sendable, Equatable {
        /// Ordinals below this keep the old revision.
        public var partition: Int?
    }

    /// `StatefulSetStatus`.
    public struct Status: Codable, Sendable, Equatable {
        /// The generation the controller has seen.
        public var observedGeneration: Int64?
        /// All pods.
        public var replicas: Int?
        /// Ready pods.
        public var readyReplicas: Int?
        /// Pods on the current revision.
        public var currentReplicas: Int?
        /// Pods on the update revision.
        public var updatedReplicas: Int?
        /// Available pods.
        public var availableReplicas: Int?
        /// The revision pods are being moved off.
        public var currentRevision: String?
        /// The revision being rolled out.
        public var updateRevision: String?
    }
}

// MARK: - DaemonSet

/// `apps/v1` DaemonSet.
public struct DaemonSet: KubernetesObject, Equatable {
    public static let resourceType = ResourceType.daemonSets
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: Spec
    /// The observed state.
    public var status: Status?

    /// `DaemonSetSpec`.
    public struct Spec: Codable, Sendable, Equatable {
        /// The pod selector.
        public var selector: LabelSelector
        /// The pod template.
        public var template: PodTemplateSpec
        /// `RollingUpdate` (default) or `OnDelete`.
        public var updateStrategy: StatefulSet.UpdateStrategy?
    }

    /// `DaemonSetStatus`.
    public struct Status: Codable, Sendable, Equatable {
        /// The generation the controller has seen.
        public var observedGeneration: Int64?
        /// Nodes that should run the pod.
        public var desiredNumberScheduled: Int?
        /// Nodes running the current template.
        public var updatedNumberScheduled: Int?
        /// Nodes with an available pod.
        public var numberAvailable: Int?
        /// Nodes with a ready pod.
        public var numberReady: Int?
    }
}

// MARK: - Pod

/// `v1` Pod.
public struct Pod: KubernetesObject, Equatable {
    public static let resourceType = ResourceType.pods
    public var metadata: ObjectMeta
    /// The pod spec.
    public var spec: PodSpec?
    /// The pod status.
    public var status: Status?

    /// `PodStatus`.
    public struct Status: Codable, Sendable, Equatable {
        /// `Pending`, `Running`, `Succeeded`, `Failed`.
        public var phase: String?
        /// When the kubelet started the pod (the moment its env, and so its token, was fixed).
        public var startTime: Date?
        /// Conditions (`Ready`).
        public var conditions: [Condition]?
    }
}

// MARK: - Workload

/// The three kinds that can run a gateway, as one value.
public enum Workload: Sendable, Equatable {
    case deployment(Deployment)
    /// A StatefulSet.
    case statefulSet(StatefulSet)
    /// A DaemonSet.
    case daemonSet(DaemonSet)

    /// The object's metadata.
    public var metadata: ObjectMeta {
        switch self {
        case .deployment(let object): object.metadata
        case .statefulSet(let object): object.metadata
        case .daemonSet(let object): object.metadata
        }
    }

    /// The pod template.
    public var template: PodTemplateSpec {
        switch self {
        case .deployment(let object): object.spec.template
        case .statefulSet(let object): object.spec.template
        case .daemonSet(let object): object.spec.template
        }
    }

    /// The pod selector.
    public var selector: LabelSelector {
        switch self {
        case .deployment(let object): object.spec.selector
        case .statefulSet(let object): object.spec.selector
        case .daemonSet(let object): object.spec.selector
        }
    }

    public var resourceType: ResourceType {
        switch self {
        case .deployment: .deployments
        case .statefulSet: .statefulSets
        case .daemonSet: .daemonSets
        }
    }

    /// `deployment/demo`, as kubectl names it.
    public var reference: WorkloadReference {
        WorkloadReference(kind: WorkloadReference.Kind(resourceType)!, name: metadata.name ?? "")
    }
}

/// A workload named as `TYPE/NAME` (`deployment/demo`, `sts/edge`).
public struct WorkloadReference: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The workload kinds.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case deployment, statefulset, daemonset

        /// The kind of a resource type, if it is a workload.
        public init?(_ type: ResourceType) {
            switch type {
            case .deployments: self = .deployment
            case .statefulSets: self = .statefulset
            case .daemonSets: self = .daemonset
            default: return nil
            }
        }

        public var resourceType: ResourceType {
            switch self {
            case .deployment: .deployments
            case .statefulset: .statefulSets
            case .daemonset: .daemonSets
            }
        }
    }

    public var kind: Kind
    public var name: String

    /// Creates a reference.
    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses `deployment/demo`, `deploy/demo`, `deployments.apps/demo`, `sts/x`, `ds/x`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else { return nil }
        switch parts[0].lowercased() {
        case "deployment", "deployments", "deploy", "deployment.apps", "deployments.apps": kind = .deployment
        case "statefulset", "statefulsets", "sts", "statefulset.apps", "statefulsets.apps": kind = .statefulset
        case "daemonset", "daemonsets", "ds", "daemonset.apps", "daemonsets.apps": kind = .daemonset
        default: return nil
        }
        name = parts[1]
    }

    public var description: String { "\(kind.rawValue)/\(name)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = WorkloadReference(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not TYPE/NAME: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
