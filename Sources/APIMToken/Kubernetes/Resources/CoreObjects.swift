import FoundationEssentials

// MARK: - Secret

/// `v1` Secret. Its values never appear in a description, a mirror or a log.
public struct Secret: KubernetesObject, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let resourceType = ResourceType.secrets
    public var apiVersion: String? = "v1"
    public var kind: String? = "Secret"
    public var metadata: ObjectMeta
    /// `Opaque` and friends.
    public var type: String?
    /// The values, base64 on the wire.
    public var data: [String: Data]?
    /// Whether the API server refuses any change to `data`.
    public var immutable: Bool?

    /// Creates a Secret.
    public init(metadata: ObjectMeta, type: String? = "Opaque", data: [String: Data]? = nil, immutable: Bool? = nil) {
        self.metadata = metadata
        self.type = type
        self.data = data
        self.immutable = immutable
    }

    /// The value of `key` as UTF-8 text, if present and valid.
    public func string(_ key: String) -> Redacted<String>? {
        guard let bytes = data?[key] else { return nil }
        return String(data: bytes, encoding: .utf8).map(Redacted.init)
    }

    public var description: String {
        "Secret(\(metadata.namespace ?? "-")/\(metadata.name ?? "-"), keys: \((data ?? [:]).keys.sorted()))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }
}

// MARK: - ConfigMap

/// `v1` ConfigMap.
public struct ConfigMap: KubernetesObject {
    public static let resourceType = ResourceType.configMaps
    public var apiVersion: String? = "v1"
    public var kind: String? = "ConfigMap"
    public var metadata: ObjectMeta
    /// The values.
    public var data: [String: String]?

    /// Creates a ConfigMap.
    public init(metadata: ObjectMeta, data: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
    }
}

// MARK: - Batch

/// `batch/v1` CronJob, as read back by `status`.
public struct CronJob: KubernetesObject {
    public static let resourceType = ResourceType.cronJobs
    public var metadata: ObjectMeta
    /// The schedule and the job template.
    public var spec: Spec
    /// Last runs.
    public var status: Status?

    /// `CronJobSpec`, the fields `status` reads.
    public struct Spec: Codable, Sendable, Equatable {
        /// The cron schedule.
        public var schedule: String
        /// The IANA time zone of the schedule (nil: the controller's local time, UTC on managed clusters).
        public var timeZone: String?
        /// Whether runs are suspended.
        public var suspend: Bool?
    }

    /// `CronJobStatus`.
    public struct Status: Codable, Sendable, Equatable {
        /// When a job was last scheduled.
        public var lastScheduleTime: Date?
        /// When a job last succeeded.
        public var lastSuccessfulTime: Date?
    }
}

/// `batch/v1` Job, as read back after `--run-now`.
public struct Job: KubernetesObject {
    public static let resourceType = ResourceType.jobs
    public var metadata: ObjectMeta
    /// The job status.
    public var status: Status?

    /// `JobStatus`.
    public struct Status: Codable, Sendable, Equatable {
        /// Succeeded pods.
        public var succeeded: Int?
        /// Failed pods.
        public var failed: Int?
        /// Running pods.
        public var active: Int?
        /// `Complete` / `Failed` conditions.
        public var conditions: [Condition]?
    }
}

// MARK: - Events

/// `v1` Event, written on the Secret after a rotation.
public struct Event: KubernetesObject {
    public static let resourceType = ResourceType.events
    public var apiVersion: String? = "v1"
    public var kind: String? = "Event"
    public var metadata: ObjectMeta
    /// The object the event is about.
    public var involvedObject: ObjectReference
    /// A CamelCase reason (`TokenRotated`).
    public var reason: String?
    /// A human message, with no secret in it.
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    /// First occurrence.
    public var firstTimestamp: Date?
    /// Last occurrence.
    public var lastTimestamp: Date?
    /// Occurrences.
    public var count: Int?
    /// The component that reports.
    public var source: EventSource?
    /// `reportingComponent` (events.k8s.io name of `source.component`).
    public var reportingComponent: String?
    /// `reportingInstance`.
    public var reportingInstance: String?
    /// What was done (`Rotate`).
    public var action: String?

    /// Creates an event.
    public init(
        metadata: ObjectMeta, involvedObject: ObjectReference, reason: String, message: String, type: String,
        timestamp: Date, component: String, action: String
    ) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.firstTimestamp = timestamp
        self.lastTimestamp = timestamp
        self.count = 1
        self.source = EventSource(component: component)
        self.reportingComponent = component
        self.reportingInstance = component
        self.action = action
    }
}

/// `v1.ObjectReference`.
public struct ObjectReference: Codable, Sendable, Equatable {
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    /// The apiVersion.
    public var apiVersion: String?
    /// The resourceVersion the event refers to.
    public var resourceVersion: String?

    /// Creates a reference.
    public init(kind: String?, namespace: String?, name: String?, uid: String? = nil, apiVersion: String? = nil, resourceVersion: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
        self.resourceVersion = resourceVersion
    }
}

/// `v1.EventSource`.
public struct EventSource: Codable, Sendable, Equatable {
    public var component: String?
}

// MARK: - Namespace

/// `v1` Namespace.
public struct Namespace: KubernetesObject {
    public static let resourceType = ResourceType.namespaces
    public var metadata: ObjectMeta
}
