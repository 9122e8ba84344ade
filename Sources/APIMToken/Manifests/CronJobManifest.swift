import FoundationEssentials

// MARK: - CronJobManifest

/// `batch/v1` CronJob as `install-cronjob` writes it: every field it sets, nothing it leaves to defaults.
///
/// `CronJob` (in `Kubernetes/Resources`) is the read model `status` uses; this is the write model.
public struct CronJobManifest: KubernetesObject, Equatable {
    public static let resourceType = ResourceType.cronJobs
    /// `batch/v1`.
    public var apiVersion = "batch/v1"
    /// `CronJob`.
    public var kind = "CronJob"
    public var metadata: ObjectMeta
    /// The schedule and the job template.
    public var spec: Spec

    /// `CronJobSpec`.
    public struct Spec: Codable, Sendable, Equatable {
        /// The cron schedule (`0 3 * * *`).
        public var schedule: String
        /// The IANA time zone of the schedule; nil leaves it to the controller (UTC on managed clusters).
        public var timeZone: String?
        /// `Forbid`: a run never overlaps the previous one.
        public var concurrencyPolicy: String
        /// Whether runs are suspended.
        public var suspend: Bool
        /// How late a missed run may still start, in seconds.
        public var startingDeadlineSeconds: Int?
        /// Finished successful Jobs kept.
        public var successfulJobsHistoryLimit: Int
        /// Finished failed Jobs kept.
        public var failedJobsHistoryLimit: Int
        /// The Job each run creates.
        public var jobTemplate: JobTemplate
    }

    /// `JobTemplateSpec`.
    public struct JobTemplate: Codable, Sendable, Equatable {
        /// Labels and annotations of the Jobs.
        public var metadata: ObjectMeta
        /// The Job spec.
        public var spec: JobSpec
    }

    /// `JobSpec`.
    public struct JobSpec: Codable, Sendable, Equatable {
        /// Retries before the Job is marked failed.
        public var backoffLimit: Int
        /// The time limit of one Job, in seconds.
        public var activeDeadlineSeconds: Int?
        /// The pod.
        public var template: PodTemplate
    }

    /// `PodTemplateSpec`.
    public struct PodTemplate: Codable, Sendable, Equatable {
        /// The pods' labels (identity labels go here).
        public var metadata: ObjectMeta
        /// The pod spec.
        public var spec: PodSpec
    }

    /// `PodSpec`.
    public struct PodSpec: Codable, Sendable, Equatable {
        /// The ServiceAccount the pod runs as.
        public var serviceAccountName: String
        /// `true`: the pod talks to the API server with its ServiceAccount token.
        public var automountServiceAccountToken: Bool
        /// `Never`: a failed run is retried as a new pod (counted by `backoffLimit`), not restarted in place.
        public var restartPolicy: String
        /// Pod-level security settings.
        public var securityContext: PodSecurityContext
        /// The one container.
        public var containers: [Container]
    }

    /// `PodSecurityContext`.
    public struct PodSecurityContext: Codable, Sendable, Equatable {
        /// Refuse to start as root.
        public var runAsNonRoot: Bool
        /// The UID (65532, the image's non-root user).
        public var runAsUser: Int
        /// The GID.
        public var runAsGroup: Int
        /// `RuntimeDefault`.
        public var seccompProfile: SeccompProfile
    }

    /// `SeccompProfile`.
    public struct SeccompProfile: Codable, Sendable, Equatable {
        /// `RuntimeDefault` or `Localhost`.
        public var type: String
    }

    public struct Container: Codable, Sendable, Equatable {
        /// The container name.
        public var name: String
        /// The image reference.
        public var image: String
        /// `IfNotPresent` and friends.
        public var imagePullPolicy: String?
        /// Arguments to the image's entrypoint (`rotate --if-expires-within 10d`).
        public var args: [String]
        /// The target, as environment (never a secret literal).
        public var env: [EnvVar]
        /// Requests and limits.
        public var resources: ResourceRequirements
        /// Container-level security settings.
        public var securityContext: SecurityContext
    }

    /// `ResourceRequirements`.
    public struct ResourceRequirements: Codable, Sendable, Equatable {
        /// What the scheduler reserves.
        public var requests: [String: String]
        /// The caps.
        public var limits: [String: String]
    }

    /// Container `SecurityContext`.
    public struct SecurityContext: Codable, Sendable, Equatable {
        /// `false`: no setuid gains.
        public var allowPrivilegeEscalation: Bool
        /// Capabilities dropped.
        public var capabilities: Capabilities
        /// Nothing on the image is written.
        public var readOnlyRootFilesystem: Bool
        /// Refuse to start as root.
        public var runAsNonRoot: Bool
    }

    public struct Capabilities: Codable, Sendable, Equatable {
        /// Dropped capabilities (`ALL`).
        public var drop: [String]
    }
}
