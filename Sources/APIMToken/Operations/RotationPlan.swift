import FoundationEssentials

// MARK: - RotationPlan

/// What a rotation does next, decided from what was read and nothing else. `--dry-run` prints it; the executor
/// carries it out. After a write whose outcome is unknown, a conflict, or a kill and a re-run, the state is read again
/// and planned again: every step is idempotent because the plan only ever follows from what is there.
public enum RotationPlan: Sendable, Equatable {
    /// Nothing to write or restart.
    case nothingToDo(NothingToDo)
    /// A token is in the Secret already (this run's, another run's, or an earlier run's that was not rolled out):
    /// restart what still runs the old one and wait for the rollouts.
    case restartOnly(RestartOnly)
    /// Generate a token, write it with one merge patch (resourceVersion precondition), restart, wait.
    case rotate(Rotation)
    /// Generate a token and create the missing Secret (`--create-secret`), restart, wait.
    case create(Rotation)
    /// Change nothing, and say why (exit 2).
    case refuse(Refusal)

    /// Why nothing needs doing.
    public enum NothingToDo: Sendable, Equatable {
        /// `--if-expires-within`: the token is valid for longer than the threshold, and rolled out.
        case fresh(expiresAt: Date, within: TimeInterval, key: GatewayKeyType)
        /// Another run wrote a token while this one ran, and it is rolled out.
        case rotatedByAnotherRun(expiresAt: Date, key: GatewayKeyType)
        /// This run's token is in the Secret and every workload has rolled it out.
        case done(expiresAt: Date, key: GatewayKeyType)
    }

    /// Who wrote the token a restart-only plan rolls out.
    public enum Writer: String, Sendable, Equatable {
        /// This run (its write landed although its answer may have been lost).
        case thisRun = "this run"
        /// Another run, while this one ran.
        case anotherRun = "another run"
        /// An earlier run that did not finish its restarts (a kill, a signal, exit 6).
        case earlierRun = "an earlier run"
    }

    /// Restart and wait, without writing.
    public struct RestartOnly: Sendable, Equatable {
        /// Who wrote the token.
        public var writer: Writer
        /// When it was written (the `rotated-at` annotation).
        public var writtenAt: Date
        /// Its expiry.
        public var expiresAt: Date
        /// The key that signed it.
        public var key: GatewayKeyType
        /// Workloads whose pods started before the write.
        public var restart: [WorkloadReference]
        /// Workloads whose rollout to this token is not complete yet (the restarted ones included).
        public var wait: [WorkloadReference]
    }

    /// A new token.
    public struct Rotation: Sendable, Equatable {
        /// The key to sign it with.
        public var key: GatewayKeyType
        /// The validity to ask for.
        public var validity: TimeInterval
        /// The resourceVersion the write is conditioned on (nil for a create).
        public var resourceVersion: String?
        /// The workloads to restart afterwards.
        public var restart: [WorkloadReference]
        /// Set when the Secret is owned by Helm: the warning to print.
        public var warning: String?
    }

    /// Why nothing may be changed.
    public enum Refusal: Sendable, Equatable {
        /// The Secret does not exist and `--create-secret` was not given.
        case secretMissing(name: String, namespace: String)
        /// Another system owns the Secret.
        case owned(SecretOwner, secret: String, namespace: String)
        /// A workload would not roll its pods on a restart (paused, `OnDelete`).
        case cannotRestart(WorkloadReference, reason: String)

        /// The error that ends the run (exit 2, with a remedy).
        public var error: ConfigurationError {
            switch self {
            case .secretMissing(let name, let namespace):
                ConfigurationError(
                    "Secret \"\(name)\" not found in namespace \"\(namespace)\"",
                    remedy: "check the name and namespace (kubectl get secrets -n \(namespace)), or pass --create-secret to create it")
            case .owned(let owner, let secret, let namespace):
                owner.refusal(secret: secret, namespace: namespace)
            case .cannotRestart(let workload, let reason):
                ConfigurationError("cannot restart \(workload): \(reason)")
            }
        }
    }
}

// MARK: - RotationPlanner

/// The pure decision of a rotation (SPEC §4 `rotate`, steps 1–2 and the crash-only rules).
public struct RotationPlanner: Sendable {
    /// `-k/--token-key`.
    public var keyMode: TokenKeyMode
    /// The key `switch-key` moves to; it wins over `keyMode`.
    public var keyOverride: GatewayKeyType?
    /// `--if-expires-within`: a token from the right key valid for longer is kept (0 keeps any valid one, as a
    /// resumed `switch-key` does).
    public var ifExpiresWithin: TimeInterval?
    /// `--validity`.
    public var validity: TimeInterval
    /// `--create-secret`.
    public var createSecret: Bool

    /// Creates a planner.
    public init(
        keyMode: TokenKeyMode, keyOverride: GatewayKeyType? = nil, ifExpiresWithin: TimeInterval? = nil,
        validity: TimeInterval = RotateRequest.defaultValidity, createSecret: Bool = false
    ) {
        self.keyMode = keyMode
        self.keyOverride = keyOverride
        self.ifExpiresWithin = ifExpiresWithin
        self.validity = validity
        self.createSecret = createSecret
    }

    /// What was read, for one decision.
    public struct Facts: Sendable {
        /// The gateway, with its workloads as last read.
        public var gateway: LocatedGateway
        /// The Secret as last read (nil: it does not exist).
        public var secret: Secret?
        public var now: Date
        /// When this run started (a token written since, not by this run, is another run's).
        public var runStarted: Date
        /// The token value this run generated and tried to write, if any (compared by value with the Secret's).
        public var written: String?

        /// Creates the facts.
        public init(gateway: LocatedGateway, secret: Secret?, now: Date, runStarted: Date, written: String? = nil) {
            self.gateway = gateway
            self.secret = secret
            self.now = now
            self.runStarted = runStarted
            self.written = written
        }
    }

    /// Decides.
    public func plan(_ facts: Facts) -> RotationPlan {
        let gateway = facts.gateway
        for workload in gateway.workloads {
            if let reason = Restarter.refusal(workload) { return .refuse(.cannotRestart(workload.reference, reason: reason)) }
        }
        let references = gateway.workloads.map(\.reference)
        guard let secret = facts.secret else {
            guard createSecret else { return .refuse(.secretMissing(name: gateway.secretName, namespace: gateway.namespace)) }
            return .create(
                RotationPlan.Rotation(key: keyOverride ?? keyMode.choose(lastUsed: nil), validity: validity, resourceVersion: nil, restart: references))
        }
        let owner = SecretOwner.of(secret)
        if let owner, owner.refusesRotation {
            return .refuse(.owned(owner, secret: gateway.secretName, namespace: gateway.namespace))
        }

        let lastUsed = secret.metadata.annotation(Annotations.lastUsedKey)
        let signer = GatewayKeyType(rawValue: lastUsed ?? "") ?? .primary
        let key = keyOverride ?? keyMode.choose(lastUsed: lastUsed)
        let raw = secret.string(gateway.secretKey)
        let token = raw.flatMap { try? GatewayToken.parse($0.value) }
        let rotatedAt = secret.metadata.annotation(Annotations.rotatedAt).flatMap(RFC3339.parse)
        let rightKey = keyOverride == nil || keyOverride == signer

        if let token, let rotatedAt, !token.isExpired(at: facts.now), rightKey {
            let stale = gateway.workloads.filter { !Self.rolledOut($0, since: rotatedAt) }.map(\.reference)
            // Rolled out to this token, but not complete yet (a run killed during its wait).
            let unfinished = gateway.workloads.filter { Self.rolledOut($0, since: rotatedAt) && !RolloutState.evaluate($0).isComplete }
                .map(\.reference)
            let ours = facts.written != nil && raw?.value == facts.written
            // Another run's token is recognised only once this run has tried to write (a conflict, a lost answer):
            // a token read at the start is an earlier run's, however recent.
            let concurrent = facts.written != nil && rotatedAt >= facts.runStarted.addingTimeInterval(-1)
            let writer: RotationPlan.Writer = ours ? .thisRun : (concurrent ? .anotherRun : .earlierRun)
            if ours || writer == .anotherRun || !stale.isEmpty {
                if stale.isEmpty && unfinished.isEmpty {
                    return .nothingToDo(ours ? .done(expiresAt: token.expiry, key: signer) : .rotatedByAnotherRun(expiresAt: token.expiry, key: signer))
                }
                return .restartOnly(
                    RotationPlan.RestartOnly(
                        writer: writer, writtenAt: rotatedAt, expiresAt: token.expiry, key: signer, restart: stale, wait: stale + unfinished))
            }
            if let within = ifExpiresWithin, token.expiry.timeIntervalSince(facts.now) > within {
                if unfinished.isEmpty { return .nothingToDo(.fresh(expiresAt: token.expiry, within: within, key: signer)) }
                return .restartOnly(
                    RotationPlan.RestartOnly(
                        writer: .earlierRun, writtenAt: rotatedAt, expiresAt: token.expiry, key: signer, restart: [], wait: unfinished))
            }
        } else if let within = ifExpiresWithin, rightKey, let token, token.expiry.timeIntervalSince(facts.now) > within {
            // A token this tool did not write (no rotated-at): fresh enough is fresh enough.
            return .nothingToDo(.fresh(expiresAt: token.expiry, within: within, key: signer))
        }
        return .rotate(
            RotationPlan.Rotation(
                key: key, validity: validity, resourceVersion: secret.metadata.resourceVersion, restart: references,
                warning: owner?.warning(secret: gateway.secretName)))
    }

    /// Whether a workload's pods were rolled after the token written at `rotatedAt`: a `restartedAt` at or after it
    /// (restarts happen after the write, often in the same second), or a workload created strictly later.
    public static func rolledOut(_ workload: Workload, since rotatedAt: Date) -> Bool {
        if let restarted = workload.template.metadata?.annotation(Annotations.restartedAt).flatMap(RFC3339.parse), restarted >= rotatedAt {
            return true
        }
        return workload.metadata.creationTimestamp.map { $0 > rotatedAt } ?? false
    }
}
