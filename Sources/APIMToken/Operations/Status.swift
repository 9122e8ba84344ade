import FoundationEssentials

// MARK: - StatusRequest

/// What `status` looks at.
public struct StatusRequest: Sendable {
    /// One namespace, or nil for all (`-A`).
    public var namespace: String?
    /// Only these gateways (by name); empty means all.
    public var gateways: [String]
    /// A token valid for less than this is `expiring` (exit 8).
    public var warnWithin: TimeInterval
    /// How many objects are read at once.
    public var concurrency: Int

    /// Creates a request.
    public init(namespace: String?, gateways: [String] = [], warnWithin: TimeInterval = 7 * 86_400, concurrency: Int = 8) {
        self.namespace = namespace
        self.gateways = gateways
        self.warnWithin = warnWithin
        self.concurrency = max(1, concurrency)
    }
}

// MARK: - GatewayStatus

/// One row of `status`, in the documented JSON shape (absent facts are `null`, never omitted).
public struct GatewayStatus: Sendable, Encodable, Equatable {
    /// The token's state.
    public enum TokenState: String, Sendable, Encodable, Comparable {
        case valid, expiring, expired, missing, malformed
        case wrongGateway = "wrong-gateway"

        /// Severity order, for sorting and exit codes.
        var severity: Int {
            switch self {
            case .valid: 0
            case .expiring: 1
            default: 2
            }
        }

        public static func < (lhs: TokenState, rhs: TokenState) -> Bool { lhs.severity < rhs.severity }
    }

    /// The Secret and key that hold the token.
    public struct SecretKey: Sendable, Encodable, Equatable {
        /// The Secret.
        public var name: String
        public var key: String
    }

    /// What the token says about itself.
    public struct Token: Sendable, Encodable, Equatable {
        public var state: TokenState
        /// The gateway id in the token.
        public var gatewayId: String?
        /// When it expires.
        public var expiresAt: Date?
        /// Seconds until then (negative when expired).
        public var remainingSeconds: Int?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(state, forKey: .state)
            try container.encode(gatewayId, forKey: .gatewayId)
            try container.encode(expiresAt.map(RFC3339.format), forKey: .expiresAt)
            try container.encode(remainingSeconds, forKey: .remainingSeconds)
        }

        private enum CodingKeys: String, CodingKey { case state, gatewayId, expiresAt, remainingSeconds }
    }

    /// The CronJob that rotates this gateway's token.
    public struct CronJobInfo: Sendable, Encodable, Equatable {
        public var name: String
        public var schedule: String
        /// Its time zone (nil: the controller's, UTC on managed clusters).
        public var timeZone: String?
        /// Whether it is suspended.
        public var suspended: Bool
        /// When it last ran.
        public var lastScheduleTime: Date?
        /// When it last succeeded.
        public var lastSuccessfulTime: Date?
        /// When it runs next (nil when suspended or the schedule never fires).
        public var nextRun: Date?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(schedule, forKey: .schedule)
            try container.encode(timeZone, forKey: .timeZone)
            try container.encode(suspended, forKey: .suspended)
            try container.encode(lastScheduleTime.map(RFC3339.format), forKey: .lastScheduleTime)
            try container.encode(lastSuccessfulTime.map(RFC3339.format), forKey: .lastSuccessfulTime)
            try container.encode(nextRun.map(RFC3339.format), forKey: .nextRun)
        }

        private enum CodingKeys: String, CodingKey {
            case name, schedule, timeZone, suspended, lastScheduleTime, lastSuccessfulTime, nextRun
        }
    }

    public var namespace: String
    /// The gateway name.
    public var gateway: String
    /// `deployment/demo`.
    public var workload: String
    /// Where the token lives (nil for Entra gateways, or when no Secret is referenced).
    public var secret: SecretKey?
    /// `token` or `entra`.
    public var auth: String
    /// The token (nil for Entra gateways).
    public var token: Token?
    /// The key that signed the token, from the `last-used-key` annotation.
    public var lastUsedKey: String?
    /// When this tool last rotated the token.
    public var rotatedAt: Date?
    /// Whether some pod started before the Secret was last written.
    public var restartPending: Bool
    /// The rotating CronJob, if one is installed.
    public var cronJob: CronJobInfo?
    /// What else writes the Secret (`helm/RELEASE`, `external-secrets/NAME`, `secrets-store-csi`, `immutable`), if anything.
    public var owner: String? = nil
    /// The kubeconfig context, in a run over several (`--contexts`, `--all-contexts`); absent otherwise.
    public var context: String? = nil

    /// Whether this row needs attention, and how much (0 fine, 1 expiring, 2 broken).
    public var severity: Int {
        guard auth == "token" else { return 0 }
        return max(token?.state.severity ?? 2, restartPending ? 2 : 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(namespace, forKey: .namespace)
        try container.encode(gateway, forKey: .gateway)
        try container.encode(workload, forKey: .workload)
        try container.encode(secret, forKey: .secret)
        try container.encode(auth, forKey: .auth)
        try container.encode(token, forKey: .token)
        try container.encode(lastUsedKey, forKey: .lastUsedKey)
        try container.encode(rotatedAt.map(RFC3339.format), forKey: .rotatedAt)
        try container.encode(restartPending, forKey: .restartPending)
        try container.encode(cronJob, forKey: .cronJob)
        try container.encode(owner, forKey: .owner)
        try container.encodeIfPresent(context, forKey: .context)
    }

    private enum CodingKeys: String, CodingKey {
        case namespace, gateway, workload, secret, auth, token, lastUsedKey, rotatedAt, restartPending, cronJob, owner, context
    }
}

// MARK: - StatusReport

/// The result of `status`: `{"gateways": [...]}`.
public struct StatusReport: Sendable, Encodable {
    /// One entry per gateway, sorted by (context,) namespace, then gateway.
    public var gateways: [GatewayStatus]
    /// The contexts that could not be read, in a run over several; `nil` in a run over one.
    public var errors: [ContextFailure]? = nil

    /// A context that could not be read: one error row, never a silent gap.
    public struct ContextFailure: Sendable, Encodable {
        public var context: String
        /// Why.
        public var error: String
        /// The exit code it would have alone.
        public var exitCode: Int32

        /// The row for `context`, from the error that ended its part of the run.
        public init(context: String, error: any Error) {
            let known = error as? any APIMTokenError
            self.context = context
            self.error = known.map { $0.description + ($0.remedy.map { " (hint: \($0))" } ?? "") } ?? "\(error)"
            self.exitCode = (known?.exitStatus ?? .kubernetesAPI).rawValue
        }
    }

    /// 0 when every token is valid beyond `--warn-within`, 8 when one expires inside it, 9 when one is broken or stale;
    /// across contexts, a context that could not be read ranks between 9 and 8 with its own code (5, 2 or 3).
    public var exitStatus: ExitStatus {
        let worst = gateways.map(\.severity).max() ?? 0
        if worst >= 2 { return .tokenInvalid }
        if let failure = errors?.first, let code = ExitStatus(rawValue: failure.exitCode) { return code }
        return worst == 1 ? .expiringSoon : .success
    }

    /// One report from the reports of several contexts, each row marked with its context.
    public static func merged(_ parts: [(context: String, report: Result<StatusReport, any Error>)]) -> StatusReport {
        var gateways: [GatewayStatus] = []
        var errors: [ContextFailure] = []
        for part in parts {
            switch part.report {
            case .success(let report):
                gateways += report.gateways.map { row in
                    var row = row
                    row.context = part.context
                    return row
                }
            case .failure(let error):
                errors.append(ContextFailure(context: part.context, error: error))
            }
        }
        gateways.sort { ($0.context ?? "", $0.namespace, $0.gateway, $0.workload) < ($1.context ?? "", $1.namespace, $1.gateway, $1.workload) }
        return StatusReport(gateways: gateways, errors: errors.sorted { $0.context < $1.context })
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gateways, forKey: .gateways)
        try container.encodeIfPresent(errors, forKey: .errors)
    }

    private enum CodingKeys: String, CodingKey { case gateways, errors }
}

// MARK: - StatusOperation

/// `status`: every gateway's token, read from the cluster alone.
///
/// Reads: one LIST each of Deployments, StatefulSets, DaemonSets and (by label) CronJobs in the scope — four
/// list calls whatever the namespace count — then one GET per referenced Secret or ConfigMap, and a LIST of one
/// workload's pods only when the Secret was written after that workload's last rollout began.
public struct StatusOperation: Sendable {
    /// The cluster.
    public var client: KubernetesClient
    public var clock: any WallClock

    /// Creates the operation.
    public init(client: KubernetesClient, clock: any WallClock) {
        self.client = client
        self.clock = clock
    }

    /// Runs `status`.
    public func run(_ request: StatusRequest) async throws -> StatusReport {
        let scope = request.namespace
        let locator = GatewayLocator(client: client)
        async let listed = locator.inspections(in: scope)
        async let cronJobs = client.list(CronJob.self, namespace: scope, labelSelector: Annotations.cronJobSecretLabel)
        let inspections = try await listed
        let cronJobsBySecret = Dictionary(
            try await cronJobs.compactMap { job in
                job.metadata.labels?[Annotations.cronJobSecretLabel].map { ("\(job.metadata.namespace ?? "")/\($0)", job) }
            }, uniquingKeysWith: { first, _ in first })

        let now = clock.now()
        let gateways = try await locator.gateways(inspected: inspections, limit: request.concurrency)
        let rows = try await gateways.concurrentMap(limit: request.concurrency) { gateway in
            try await self.row(for: gateway, cronJobs: cronJobsBySecret, request: request, now: now)
        }
        let wanted = Set(request.gateways.map { $0.lowercased() })
        let selected = rows.filter { wanted.isEmpty || wanted.contains($0.gateway.lowercased()) }
        if !wanted.isEmpty {
            let found = Set(selected.map { $0.gateway.lowercased() })
            let missing = request.gateways.filter { !found.contains($0.lowercased()) }
            if !missing.isEmpty {
                let known = rows.map(\.gateway).sorted().joined(separator: ", ")
                throw ConfigurationError(
                    "no gateway named \(missing.joined(separator: ", ")) in \(scope.map { "namespace \"\($0)\"" } ?? "any namespace")",
                    remedy: known.isEmpty ? "no gateway workloads were found here; try -A or -n NAMESPACE" : "gateways found: \(known)")
            }
        }
        return StatusReport(gateways: selected.sorted { ($0.namespace, $0.gateway, $0.workload) < ($1.namespace, $1.gateway, $1.workload) })
    }

    private func row(
        for gateway: GatewayDiscovery.Gateway, cronJobs: [String: CronJob], request: StatusRequest, now: Date
    ) async throws -> GatewayStatus {
        var status = GatewayStatus(
            namespace: gateway.namespace, gateway: gateway.name, workload: gateway.workload.description, secret: nil,
            auth: "token", token: nil, lastUsedKey: nil, rotatedAt: nil, restartPending: false, cronJob: nil)
        switch gateway.location {
        case .entra:
            status.auth = "entra"
            return status
        case .literal, .unknown:
            status.token = GatewayStatus.Token(state: .missing)
            return status
        case .secret(let name, let key):
            status.secret = GatewayStatus.SecretKey(name: name, key: key)
            if let job = cronJobs["\(gateway.namespace)/\(name)"] { status.cronJob = cronJobInfo(job, now: now) }
        }
        status.token = tokenFacts(gateway, warnWithin: request.warnWithin, now: now)
        guard let secret = gateway.secret else { return status }
        status.lastUsedKey = secret.metadata.annotation(Annotations.lastUsedKey)
        status.rotatedAt = secret.metadata.annotation(Annotations.rotatedAt).flatMap(RFC3339.parse)
        status.owner = SecretOwner.of(secret)?.label
        status.restartPending = try await restartPending(gateway.inspection.workload, secretWrittenAt: Self.lastWrite(of: secret))
        return status
    }

    private func tokenFacts(_ gateway: GatewayDiscovery.Gateway, warnWithin: TimeInterval, now: Date) -> GatewayStatus.Token {
        guard let text = gateway.tokenText else { return GatewayStatus.Token(state: .missing) }
        guard let token = try? GatewayToken.parse(text.value) else { return GatewayStatus.Token(state: .malformed) }
        let remaining = token.expiry.timeIntervalSince(now)
        var state: GatewayStatus.TokenState = remaining <= 0 ? .expired : remaining < warnWithin ? .expiring : .valid
        if let configured = gateway.configuredName, !configured.equalsIgnoringASCIICase(token.gatewayID) {
            state = .wrongGateway
        }
        return GatewayStatus.Token(state: state, gatewayId: token.gatewayID, expiresAt: token.expiry, remainingSeconds: Int(remaining.rounded(.down)))
    }

    private func cronJobInfo(_ job: CronJob, now: Date) -> GatewayStatus.CronJobInfo {
        let suspended = job.spec.suspend ?? false
        var next: Date?
        if !suspended, let schedule = try? CronSchedule(parsing: job.spec.schedule) {
            // Without `timeZone` the controller uses its own zone, UTC in kube-controller-manager's image; an
            // unknown zone (the API server accepts only zones it knows) gives no next run rather than a wrong one.
            if let name = job.spec.timeZone {
                next = ZoneInfo(identifier: name).flatMap { schedule.nextRun(after: now, in: $0) }
            } else {
                next = schedule.nextRun(after: now, in: .utc)
            }
        }
        return GatewayStatus.CronJobInfo(
            name: job.metadata.name ?? "", schedule: job.spec.schedule, timeZone: job.spec.timeZone, suspended: suspended,
            lastScheduleTime: job.status?.lastScheduleTime, lastSuccessfulTime: job.status?.lastSuccessfulTime, nextRun: next)
    }

    /// When the Secret's content was last written: the latest of our `rotated-at`, the managed-fields times of other
    /// writers, and its creation. This tool's own writes that change no token (switch-key's marker) are not counted:
    /// every write of ours that changes the token also sets `rotated-at`.
    static func lastWrite(of secret: Secret) -> Date? {
        var times = (secret.metadata.managedFields ?? []).filter { $0.subresource == nil && $0.manager != Annotations.fieldManager }.compactMap(\.time)
        if let rotated = secret.metadata.annotation(Annotations.rotatedAt).flatMap(RFC3339.parse) { times.append(rotated) }
        if let created = secret.metadata.creationTimestamp { times.append(created) }
        return times.max()
    }

    /// Whether a pod of `workload` started before the Secret was last written.
    ///
    /// When the last rollout began after the write and has completed, every pod is newer and no pod is read.
    private func restartPending(_ workload: Workload, secretWrittenAt: Date?) async throws -> Bool {
        guard let written = secretWrittenAt else { return false }
        let rolledAt = [
            workload.template.metadata?.annotation(Annotations.restartedAt).flatMap(RFC3339.parse),
            workload.metadata.creationTimestamp,
        ].compactMap { $0 }.max()
        if let rolledAt, rolledAt >= written, RolloutState.evaluate(workload).isComplete { return false }
        let pods = try await client.list(Pod.self, namespace: workload.metadata.namespace, labelSelector: workload.selector.queryString)
        return pods.contains { pod in
            guard pod.metadata.deletionTimestamp == nil, let phase = pod.status?.phase, phase == "Running" || phase == "Pending" else {
                return false
            }
            // Pod start times have whole seconds; a write in the same second counts as before the start.
            let started = pod.status?.startTime ?? pod.metadata.creationTimestamp ?? .distantFuture
            return started.addingTimeInterval(1) <= written
        }
    }
}

// MARK: - CachingObjectReader

/// Reads Secrets and ConfigMaps through the client, at most once per name.
actor CachingObjectReader: GatewayDiscovery.ObjectReader {
    private let client: KubernetesClient
    private var secrets: [String: Task<Secret?, any Error>] = [:]
    private var configMaps: [String: Task<ConfigMap?, any Error>] = [:]

    init(client: KubernetesClient) { self.client = client }

    func secret(namespace: String, name: String) async throws -> Secret? {
        let key = "\(namespace)/\(name)"
        if let task = secrets[key] { return try await task.value }
        let client = self.client
        let task = Task { try await client.getIfPresent(Secret.self, name: name, namespace: namespace) }
        secrets[key] = task
        return try await task.value
    }

    func configMap(namespace: String, name: String) async throws -> ConfigMap? {
        let key = "\(namespace)/\(name)"
        if let task = configMaps[key] { return try await task.value }
        let client = self.client
        let task = Task { try await client.getIfPresent(ConfigMap.self, name: name, namespace: namespace) }
        configMaps[key] = task
        return try await task.value
    }
}

// MARK: - concurrentMap

extension Array where Element: Sendable {
    /// Maps with at most `limit` transforms in flight, keeping the order (fleet and multi-cluster runs use it too).
    public func concurrentMap<T: Sendable>(limit: Int, _ transform: @escaping @Sendable (Element) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results = [T?](repeating: nil, count: count)
            var next = 0
            for _ in 0..<Swift.min(limit, count) {
                let index = next
                let element = self[index]
                group.addTask { (index, try await transform(element)) }
                next += 1
            }
            while let (index, value) = try await group.next() {
                results[index] = value
                if next < count {
                    let index = next
                    let element = self[index]
                    group.addTask { (index, try await transform(element)) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}
