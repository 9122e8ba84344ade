import FoundationEssentials

// MARK: - CronJobIdentity

/// How the CronJob's pod signs in to Azure.
public enum CronJobIdentity: Sendable, Equatable {
    /// Azure Workload Identity (the default): the ServiceAccount is annotated with the client id of a managed
    /// identity or app registration that has a federated credential for `system:serviceaccount:<ns>:<sa>`; the
    /// pod is labelled `azure.workload.identity/use: "true"` so the webhook projects the token.
    case workloadIdentity(clientID: String, tenantID: String?)
    /// aad-pod-identity (older clusters): an AzureIdentity for a user-assigned managed identity, an
    /// AzureIdentityBinding, and the pod label `aadpodidbinding`.
    case aadPodIdentity(resourceID: String, clientID: String)
    /// A service principal whose `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and `AZURE_TENANT_ID` live in a Secret.
    case servicePrincipal(ServicePrincipalSource)

    /// The `--identity` value.
    public var kind: CronJobIdentityKind {
        switch self {
        case .workloadIdentity: .workloadIdentity
        case .aadPodIdentity: .aadPodIdentity
        case .servicePrincipal: .servicePrincipal
        }
    }

    /// The `--login-method` the pod uses (`LOGIN_METHOD`).
    public var loginMethod: String {
        switch self {
        case .workloadIdentity: "workload-identity"
        case .aadPodIdentity: "identity"
        case .servicePrincipal: "sp"
        }
    }
}

// MARK: - CronJobIdentityKind

/// The `--identity` values: which kind of ``CronJobIdentity`` to build.
public enum CronJobIdentityKind: String, Sendable, CaseIterable {
    case workloadIdentity = "workload-identity"
    case aadPodIdentity = "aad-pod-identity"
    case servicePrincipal = "service-principal"
}

/// Where a service principal's credentials come from.
public enum ServicePrincipalSource: Sendable, Equatable {
    /// An existing Secret with the keys `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and `AZURE_TENANT_ID`.
    case existingSecret(name: String)
    /// A Secret `install-cronjob` creates from these values (never printed).
    case newSecret(clientID: String, clientSecret: Redacted<String>, tenantID: String)
}

// MARK: - CronJobInstallConfiguration

/// Everything `install-cronjob` needs to generate its manifests. Only `namespace`, the target and the identity are
/// required; the rest default to SPEC §4.
public struct CronJobInstallConfiguration: Sendable, Equatable {
    /// The namespace of the gateway, its Secret and everything installed.
    public var namespace: String
    /// The Azure subscription (`SUBSCRIPTION_ID`).
    public var subscriptionID: String
    /// The resource group of the APIM instance (`RESOURCE_GROUP`).
    public var resourceGroup: String
    /// The APIM instance (`APIM_INSTANCE`).
    public var apimInstance: String
    /// The gateway resource name (`APIM_GATEWAY`); names and labels derive from it.
    public var gateway: String
    /// The token Secret (`TOKEN_SECRET`).
    public var tokenSecret: String
    /// The key in the Secret (`TOKEN_SECRET_KEY`); nil lets `rotate` use its default.
    public var tokenSecretKey: String?
    /// `last|rotate|primary|secondary` (`TOKEN_KEY`); nil lets `rotate` use its default.
    public var tokenKey: String?
    /// The one workload restarted after a rotation (`K8S_OBJECT`); the Role names exactly it.
    public var workload: WorkloadReference
    /// How the pod signs in to Azure.
    public var identity: CronJobIdentity
    /// `AZURE_CLOUD`, if not the public cloud.
    public var cloud: String?
    /// `ARM_ENDPOINT`, if overridden.
    public var armEndpoint: String?

    /// The cron schedule.
    public var schedule: String = Self.defaultSchedule
    /// The schedule's IANA time zone (`--time-zone`); nil: the controller's (UTC on managed clusters).
    public var timeZone: String?
    /// `rotate --if-expires-within` in the CronJob, in seconds.
    public var ifExpiresWithin: TimeInterval = Self.defaultIfExpiresWithin
    /// The container image.
    public var image: String = Self.defaultImage
    /// Finished successful Jobs kept.
    public var successfulJobsHistoryLimit: Int = 3
    /// Finished failed Jobs kept.
    public var failedJobsHistoryLimit: Int = 3
    /// How late a missed run may start, in seconds.
    public var startingDeadlineSeconds: Int? = 3600
    /// The time limit of one run, in seconds: longer than rotate's default 10-minute rollout wait plus Azure calls.
    public var activeDeadlineSeconds: Int = 1200

    /// The `--deadline` of the CronJob's run: a minute below `activeDeadlineSeconds` (a quarter below for short ones),
    /// so that the run ends by itself rather than by the kubelet's SIGTERM.
    public var runDeadlineSeconds: Int { max(1, activeDeadlineSeconds - 60, activeDeadlineSeconds * 3 / 4) }
    /// Retries of a failed run.
    public var backoffLimit: Int = 2
    /// Whether the CronJob is created suspended.
    public var suspend: Bool = false

    /// `0 3 * * *`: daily at 03:00.
    public static let defaultSchedule = "0 3 * * *"
    /// `10d`: a 29-day token is renewed about every 19 days, leaving 10 days to notice a failing job.
    public static let defaultIfExpiresWithin: TimeInterval = 10 * 86_400
    /// The published image of this version.
    public static var defaultImage: String { "ghcr.io/kubectl-apimtoken/kubectl-apimtoken:\(APIMTokenVersion.current)" }

    /// Creates a configuration with SPEC §4 defaults.
    public init(
        namespace: String, subscriptionID: String, resourceGroup: String, apimInstance: String, gateway: String,
        tokenSecret: String, workload: WorkloadReference, identity: CronJobIdentity,
        tokenSecretKey: String? = nil, tokenKey: String? = nil, cloud: String? = nil, armEndpoint: String? = nil
    ) {
        self.namespace = namespace
        self.subscriptionID = subscriptionID
        self.resourceGroup = resourceGroup
        self.apimInstance = apimInstance
        self.gateway = gateway
        self.tokenSecret = tokenSecret
        self.workload = workload
        self.identity = identity
        self.tokenSecretKey = tokenSecretKey
        self.tokenKey = tokenKey
        self.cloud = cloud
        self.armEndpoint = armEndpoint
    }

    /// Checks the values the API server or the pod would reject later, naming the flag.
    public func validate() throws {
        func require(_ value: String, _ flag: String) throws {
            if value.trimmingWhitespace().isEmpty {
                throw ConfigurationError("install-cronjob needs \(flag)", remedy: "pass \(flag) or set it in the environment")
            }
        }
        try require(namespace, "--namespace")
        try require(subscriptionID, "--subscription-id")
        try require(resourceGroup, "--resource-group")
        try require(apimInstance, "--apim-instance")
        try require(gateway, "--apim-gateway")
        try require(tokenSecret, "--token-secret")
        try require(workload.name, "--restart TYPE/NAME")
        try require(image, "--image")
        switch identity {
        case .workloadIdentity(let clientID, _):
            try require(clientID, "--client-id (the workload identity's client id)")
        case .aadPodIdentity(let resourceID, let clientID):
            try require(clientID, "--client-id (the managed identity's client id)")
            try require(resourceID, "--identity-resource-id (the managed identity's ARM id)")
        case .servicePrincipal(.existingSecret(let name)):
            try require(name, "--sp-secret")
        case .servicePrincipal(.newSecret(let clientID, let clientSecret, let tenantID)):
            try require(clientID, "--client-id")
            try require(clientSecret.value, "--client-secret")
            try require(tenantID, "--tenant")
        }
        let fields = schedule.split(separator: " ", omittingEmptySubsequences: true)
        if !(fields.count == 5 || (fields.count == 1 && schedule.hasPrefix("@"))) {
            throw ConfigurationError(
                "--schedule \"\(schedule)\" is not a cron schedule",
                remedy: "use five fields (minute hour day-of-month month day-of-week), e.g. \"0 3 * * *\", or @daily")
        }
        if schedule.contains("TZ=") {
            throw ConfigurationError("--schedule must not contain TZ=", remedy: "use --time-zone instead")
        }
        if let timeZone, timeZone.isEmpty || timeZone.contains(" ") {
            throw ConfigurationError("--time-zone \"\(timeZone)\" is not an IANA time zone name", remedy: "e.g. Europe/Berlin")
        }
        for (value, flag) in [
            (successfulJobsHistoryLimit, "--successful-jobs-history-limit"), (failedJobsHistoryLimit, "--failed-jobs-history-limit"),
            (backoffLimit, "--backoff-limit"),
        ] where value < 0 {
            throw ConfigurationError("\(flag) must not be negative")
        }
        if activeDeadlineSeconds <= 0 { throw ConfigurationError("--active-deadline-seconds must be positive") }
        if let startingDeadlineSeconds, startingDeadlineSeconds <= 0 {
            throw ConfigurationError("--starting-deadline-seconds must be positive")
        }
    }
}
