import FoundationEssentials

// MARK: - RotateRequest

/// Everything `rotate` (and the first half of `switch-key`) needs to know.
public struct RotateRequest: Sendable {
    /// The namespace of the Secret and the workloads.
    public var namespace: String
    /// `-t/--token-secret`; nil: discovered.
    public var secretName: String?
    /// `--token-secret-key`; nil: discovered, else `value`.
    public var secretKey: String?
    /// `-g/--apim-gateway`; nil: discovered from the token, ConfigMap or workload.
    public var gatewayName: String?
    /// `-k/--token-key`.
    public var keyMode: TokenKeyMode
    /// `--restart TYPE/NAME`; nil: every workload that consumes the Secret.
    public var restart: [WorkloadReference]?
    /// `--no-restart`.
    public var noRestart: Bool
    /// `--if-expires-within`: skip when the current token is valid for longer.
    public var ifExpiresWithin: TimeInterval?
    /// `--validity` (at most 30 days).
    public var validity: TimeInterval
    /// `--create-secret`.
    public var createSecret: Bool
    /// `--dry-run`: plan only.
    public var dryRun: Bool
    /// `--no-wait`.
    public var wait: Bool
    /// `--timeout`: the whole rollout wait, every workload together.
    public var timeout: Duration

    /// The longest validity Azure accepts.
    public static let maximumValidity: TimeInterval = 30 * 86_400
    /// The default validity: 29 days, a day of margin for clock skew.
    public static let defaultValidity: TimeInterval = 29 * 86_400

    /// `--deadline`: the whole run, from start to the last rollout (nil: none).
    public var deadline: Duration?

    /// What the request names of the gateway.
    public var query: GatewayQuery {
        GatewayQuery(
            namespace: namespace, secretName: secretName, secretKey: secretKey, gatewayName: gatewayName, restart: restart, noRestart: noRestart)
    }

    /// The planner for this request.
    public func planner(keyOverride: GatewayKeyType? = nil) -> RotationPlanner {
        RotationPlanner(
            keyMode: keyMode, keyOverride: keyOverride, ifExpiresWithin: ifExpiresWithin, validity: validity,
            createSecret: createSecret)
    }

    /// Creates a request with the documented defaults.
    public init(
        namespace: String, secretName: String? = nil, secretKey: String? = nil, gatewayName: String? = nil,
        keyMode: TokenKeyMode = .last, restart: [WorkloadReference]? = nil, noRestart: Bool = false,
        ifExpiresWithin: TimeInterval? = nil, validity: TimeInterval = RotateRequest.defaultValidity, createSecret: Bool = false,
        dryRun: Bool = false, wait: Bool = true, timeout: Duration = .seconds(600)
    ) {
        self.namespace = namespace
        self.secretName = secretName
        self.secretKey = secretKey
        self.gatewayName = gatewayName
        self.keyMode = keyMode
        self.restart = restart
        self.noRestart = noRestart
        self.ifExpiresWithin = ifExpiresWithin
        self.validity = validity
        self.createSecret = createSecret
        self.dryRun = dryRun
        self.wait = wait
        self.timeout = timeout
    }
}

// MARK: - RotateResult

/// What `rotate` did, for the human line and `-o json`.
public struct RotateResult: Sendable, Encodable {
    /// What the run amounted to.
    public enum Outcome: String, Sendable, Encodable {
        /// This run wrote a new token (and rolled it out, unless told not to).
        case rotated
        /// Nothing needed doing.
        case notNeeded = "not-needed"
        /// A token written earlier (or by another run) was rolled out; nothing was written.
        case restartedOnly = "restarted-only"
        /// `--dry-run`: the plan only.
        case planned
        /// A fleet run's gateway whose Secret or workload may not be changed (exit 2 for it).
        case refused
        /// A fleet run's gateway whose run failed (its error says how).
        case failed
    }

    /// How the rollout ended.
    public enum Rollout: String, Sendable, Encodable {
        case complete, timeout, failed, none
        case notWaited = "not-waited"
    }

    public var gateway: String
    public var namespace: String
    /// The Secret and key.
    public var secret: GatewayStatus.SecretKey
    /// The key that signed the token now in the Secret (or about to).
    public var key: GatewayKeyType
    /// The token's expiry (nil when nothing is known of it).
    public var expiresAt: Date?
    /// Workloads restarted.
    public var restarted: [String]
    /// How the rollout ended.
    public var rollout: Rollout
    /// What the run amounted to.
    public var outcome: Outcome
    /// Why nothing was rotated, or what was done instead of a rotation.
    public var reason: String?
    /// The plan of a dry run, step by step.
    public var plan: [String]

    /// Whether nothing was rotated.
    public var skipped: Bool { outcome != .rotated }
    /// Whether this was a dry run.
    public var dryRun: Bool { outcome == .planned }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gateway, forKey: .gateway)
        try container.encode(namespace, forKey: .namespace)
        try container.encode(secret, forKey: .secret)
        try container.encode(outcome, forKey: .result)
        try container.encode(key.rawValue, forKey: .key)
        try container.encode(expiresAt.map(RFC3339.format), forKey: .expiresAt)
        try container.encode(restarted, forKey: .restarted)
        try container.encode(rollout, forKey: .rollout)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(reason, forKey: .reason)
        try container.encode(dryRun, forKey: .dryRun)
        if dryRun { try container.encode(plan, forKey: .plan) }
    }

    private enum CodingKeys: String, CodingKey {
        case gateway, namespace, secret, result, key, expiresAt, restarted, rollout, skipped, reason, dryRun, plan
    }

    /// The closing human line, e.g. "Token for gateway demo (primary key) expires 2026-12-21T03:00Z; deployment/demo restarted and ready."
    public var summary: String {
        if dryRun { return "Dry run: nothing was changed." }
        if outcome == .notNeeded && restarted.isEmpty && rollout != .complete { return "No rotation needed for gateway \(gateway): \(reason ?? "")." }
        var text =
            expiresAt.map { "Token for gateway \(gateway) (\(key.rawValue) key) expires \(RFC3339.formatMinutes($0))" }
            ?? "Token for gateway \(gateway) (\(key.rawValue) key) unchanged"
        if skipped, let reason { text += " (\(reason))" }
        if restarted.isEmpty {
            text += rollout == .complete ? "; rollout complete." : "; no workload restarted."
        } else {
            let what = restarted.joined(separator: ", ")
            switch rollout {
            case .complete: text += "; \(what) restarted and ready."
            case .notWaited: text += "; \(what) restarted (not waited for)."
            default: text += "; \(what) restarted, rollout \(rollout.rawValue)."
            }
        }
        return text
    }
}

// MARK: - Errors

/// The Secret holds the new token but a restart failed (exit 6); running `rotate` again only restarts.
public struct RestartFailedError: APIMTokenError {
    /// The workload that failed.
    public var workload: String
    /// Why.
    public var underlying: String
    /// The token's new expiry.
    public var expiresAt: Date?

    public var exitStatus: ExitStatus { .restartFailed }
    public var description: String {
        "the Secret holds the new token\(expiresAt.map { " (expires \(RFC3339.formatMinutes($0)))" } ?? ""), but restarting \(workload) failed: \(underlying)"
    }
    public var remedy: String? {
        "the running pods still use the old token; fix the cause and run the same command again (it only restarts), or: kubectl rollout restart \(workload)"
    }
}

/// The rollout did not complete in time, or could not be watched (exit 7).
public struct RolloutIncompleteError: APIMTokenError {
    public var workload: String
    /// kubectl's last status line, or why the API server could not tell.
    public var state: String
    /// Whether the wait timed out (vs failed).
    public var timedOut: Bool

    public var exitStatus: ExitStatus { .rolloutIncomplete }
    public var description: String {
        timedOut ? "the rollout of \(workload) did not complete in time: \(state)" : "the rollout of \(workload) failed: \(state)"
    }
    public var remedy: String? {
        "the Secret holds the new token; inspect with: kubectl rollout status \(workload) and kubectl describe \(workload); running the same command again waits again"
    }
}

/// A write whose outcome could not be established: the API server did not answer the write, nor the reads after it
/// (exit 5, but never "nothing changed").
public struct WriteOutcomeUnknownError: APIMTokenError {
    public var secret: String
    public var namespace: String
    /// The last error.
    public var underlying: String

    public var exitStatus: ExitStatus { .kubernetesAPI }
    public var description: String {
        "the write of Secret \"\(secret)\" in namespace \"\(namespace)\" may or may not have been applied, and the Secret could not be read back: \(underlying)"
    }
    public var remedy: String? {
        "run the same command again once the API server answers: it reads the Secret and finishes the job (restarting only if the new token is there)"
    }
}

// MARK: - RotateOperation

/// `rotate` (SPEC §4): locate, plan, and carry the plan out. The executor has one place that writes the Secret, one
/// that restarts, and one that records Events; `--dry-run` is checked once, before the first of them. After a write
/// whose outcome is unknown, or a conflict, it reads again and plans again from what is there.
public struct RotateOperation: Sendable {
    /// The cluster.
    public var client: KubernetesClient
    public var clock: any WallClock
    /// Builds the Azure side for a gateway name, only once a token is really needed.
    public var issuer: @Sendable (String) async throws -> any GatewayTokenIssuer
    /// Progress lines (stderr).
    public var progress: @Sendable (String) -> Void
    /// Rollout progress lines (a live line on a TTY).
    public var rolloutProgress: @Sendable (String) -> Void
    /// What the run has done, for a signal or the deadline.
    public var journal: RunJournal
    /// How often rollouts are polled, and the first back-off after an unanswered request.
    public var pollInterval: Duration
    /// How long reads after a write of unknown outcome keep trying (an API server restart).
    public var settleTime: Duration

    /// Creates the operation.
    public init(
        client: KubernetesClient, clock: any WallClock, issuer: @escaping @Sendable (String) async throws -> any GatewayTokenIssuer,
        progress: @escaping @Sendable (String) -> Void = { _ in }, rolloutProgress: @escaping @Sendable (String) -> Void = { _ in },
        journal: RunJournal = RunJournal(), pollInterval: Duration = .seconds(1), settleTime: Duration = .seconds(30)
    ) {
        self.client = client
        self.clock = clock
        self.issuer = issuer
        self.progress = progress
        self.rolloutProgress = rolloutProgress
        self.journal = journal
        self.pollInterval = pollInterval
        self.settleTime = settleTime
    }

    /// How many times a run reads, plans and acts before giving up on a Secret that keeps changing.
    static let maximumPasses = 6

    /// Runs `rotate`, forcing `keyOverride` when given (switch-key); `annotations` are written with the token.
    /// `located` is the gateway as a fleet run already found it (nil: located here from the request).
    public func run(
        _ request: RotateRequest, keyOverride: GatewayKeyType? = nil, annotations extra: [String: String] = [:], located: LocatedGateway? = nil
    ) async throws -> RotateResult {
        guard request.validity > 0, request.validity <= RotateRequest.maximumValidity else {
            throw ConfigurationError("--validity must be more than 0 and at most 30d", remedy: "use the default 29d, or a value such as 14d")
        }
        let started = clock.now()
        journal.begin("read the Secret and its workloads")
        var gateway: LocatedGateway
        if let located { gateway = located } else { gateway = try await GatewayLocator(client: client).locate(request.query) }
        var secret = gateway.secret
        if secret == nil { secret = try await client.getIfPresent(Secret.self, name: gateway.secretName, namespace: gateway.namespace) }
        journal.finish("read the Secret and its workloads")
        let planner = request.planner(keyOverride: keyOverride)
        var result = RotateResult(
            gateway: gateway.gateway, namespace: gateway.namespace,
            secret: GatewayStatus.SecretKey(name: gateway.secretName, key: gateway.secretKey), key: .primary, expiresAt: nil,
            restarted: [], rollout: .none, outcome: .notNeeded, reason: nil, plan: [])
        if let secret { registerStopEvent(on: secret, gateway: gateway) }

        var written: (key: GatewayKeyType, token: GatewayToken)?
        var lastUncertainty = ""
        for pass in 1...Self.maximumPasses {
            if pass > 1 {
                (secret, gateway.workloads) = try await settle(gateway, after: lastUncertainty)
            }
            let plan = planner.plan(
                RotationPlanner.Facts(
                    gateway: gateway, secret: secret, now: clock.now(), runStarted: started, written: written?.token.secretValue.value))
            if request.dryRun {
                result.outcome = .planned
                result.plan = plan.steps(for: gateway, wait: request.wait)
                result.apply(plan)
                return result
            }
            journal.plan(plan.steps(for: gateway, wait: request.wait))
            result.apply(plan)
            switch plan {
            case .refuse(let refusal):
                throw refusal.error
            case .nothingToDo(let reason):
                if case .done = reason, let secret {
                    // This run's write landed and every workload rolled it out (its answers were lost on the way).
                    result.outcome = .rotated
                    result.rollout = .complete
                    await recordRotated(secret, gateway: gateway, result: result)
                }
                return result
            case .restartOnly(let restart):
                if restart.writer != .thisRun {
                    progress(
                        "The token written at \(RFC3339.format(restart.writtenAt)) by \(restart.writer.rawValue) is not rolled out everywhere yet; restarting only."
                    )
                }
                guard let current = secret else { return result }
                try await rollOut(restart, secret: current, gateway: gateway, request: request, result: &result)
                if restart.writer == .thisRun { await recordRotated(current, gateway: gateway, result: result) }
                return result
            case .rotate(let rotation), .create(let rotation):
                if pass == 1, let warning = rotation.warning { progress(warning) }
                let token = try await generate(rotation, gateway: gateway, secret: secret, reuse: written)
                written = (rotation.key, token)
                switch try await write(token, rotation: rotation, to: secret, gateway: gateway, annotations: extra) {
                case .written(let stored):
                    secret = stored
                    result.outcome = .rotated
                    result.key = rotation.key
                    result.expiresAt = token.expiry
                    result.reason = nil
                    progress("Secret \(gateway.secretName) updated (key \(gateway.secretKey)); token expires \(RFC3339.formatMinutes(token.expiry)).")
                    registerStopEvent(on: stored, gateway: gateway)
                    let restart = RotationPlan.RestartOnly(
                        writer: .thisRun, writtenAt: clock.now(), expiresAt: token.expiry, key: rotation.key, restart: rotation.restart,
                        wait: rotation.restart)
                    try await rollOut(restart, secret: stored, gateway: gateway, request: request, result: &result)
                    await recordRotated(stored, gateway: gateway, result: result)
                    return result
                case .unconfirmed(let why):
                    lastUncertainty = why
                    progress("The write of Secret \(gateway.secretName) was not confirmed (\(why)); reading it again.")
                }
            }
        }
        throw WriteOutcomeUnknownError(secret: gateway.secretName, namespace: gateway.namespace, underlying: "the Secret kept changing: \(lastUncertainty)")
    }

    // MARK: Azure

    /// Generates and validates a token (or reuses this run's, when its key still fits); records a Warning on failure.
    private func generate(
        _ rotation: RotationPlan.Rotation, gateway: LocatedGateway, secret: Secret?, reuse: (key: GatewayKeyType, token: GatewayToken)?
    ) async throws -> GatewayToken {
        if let reuse, reuse.key == rotation.key { return reuse.token }
        let step = rotation.generateStep(gateway: gateway.gateway)
        journal.begin(step, phase: .azure)
        try journal.checkNotStopped()
        progress("Generating a token for gateway \(gateway.gateway) from the \(rotation.key.rawValue) key...")
        do {
            let azure = try await issuer(gateway.gateway)
            let expiry = GatewayToken.truncatedToMinute(clock.now().addingTimeInterval(rotation.validity))
            let raw = try await azure.generateToken(keyType: rotation.key, expiry: expiry)
            let token = try GatewayToken.validated(raw, gateway: gateway.gateway, requestedExpiry: expiry, now: clock.now())
            journal.finish(step)
            return token
        } catch let error as any APIMTokenError {
            // Nothing was written; the Warning tells whoever watches the Secret (the CronJob's runs) why.
            if let secret {
                await recordEvent(on: secret, reason: "TokenRotationFailed", type: "Warning", message: "no new token, the old one stays: \(error.description)")
            }
            throw error
        }
    }

    // MARK: The one Secret write

    /// How a write ended.
    enum WriteOutcome {
        /// Applied; the Secret as stored.
        case written(Secret)
        /// A conflict, a lost answer, a Secret gone: read again and decide again.
        case unconfirmed(String)
    }

    /// Writes the token and its annotations in one request: a merge patch with the resourceVersion as precondition,
    /// or a create when the Secret does not exist (`--create-secret`). Failures that say the write did not and will
    /// not happen are thrown; everything else is `unconfirmed`.
    private func write(
        _ token: GatewayToken, rotation: RotationPlan.Rotation, to secret: Secret?, gateway: LocatedGateway, annotations extra: [String: String]
    ) async throws -> WriteOutcome {
        let step = "write the token to Secret \(gateway.secretName)"
        journal.begin(step, phase: .writing)
        try journal.checkNotStopped()
        var annotations = extra
        // A switch-key marker is carried only by the write that sets it; any other write makes it moot.
        // (A one-cluster switch-key sets no fingerprint: one left by an earlier fleet switch would be stale.)
        for marker in [Annotations.regeneratePending, Annotations.regenerateFingerprint]
        where extra[marker] == nil && secret?.metadata.annotation(marker) != nil {
            annotations[marker] = ""
        }
        annotations[Annotations.lastUsedKey] = rotation.key.rawValue
        annotations[Annotations.rotatedAt] = RFC3339.format(clock.now())
        annotations[Annotations.expiresAt] = RFC3339.format(token.expiry)
        let value = Data(token.secretValue.value.utf8)
        let options = WriteOptions(fieldManager: Annotations.fieldManager)
        do {
            let stored: Secret
            if let secret {
                // An empty value removes the annotation (JSON merge patch null).
                let patchAnnotations = annotations.mapValues { $0.isEmpty ? JSONValue.null : .string($0) }
                let patch: JSONValue = [
                    "metadata": ["resourceVersion": .string(secret.metadata.resourceVersion ?? ""), "annotations": .object(patchAnnotations)],
                    "data": .object([gateway.secretKey: .string(value.base64EncodedString())]),
                ]
                let body = patch.encoded
                stored = try await client.patch(
                    Secret.self, name: gateway.secretName, namespace: gateway.namespace, patch: body, type: .merge, options: options)
            } else {
                let fresh = Secret(
                    metadata: ObjectMeta(name: gateway.secretName, namespace: gateway.namespace, annotations: annotations.filter { !$0.value.isEmpty }),
                    data: [gateway.secretKey: value])
                stored = try await client.create(fresh, namespace: gateway.namespace, options: options)
            }
            journal.finish(step, phase: .written)
            return .written(stored)
        } catch let error as KubernetesAPIError where error.isConflict || error.isNotFound || error.statusCode >= 500 {
            return .unconfirmed("\(error.statusCode) \(error.reason)")
        } catch let error as KubernetesConnectionError where Self.mayHaveBeenSent(error.underlying) {
            return .unconfirmed(error.underlying.message)
        }
    }

    /// Whether a request that failed in transport may have reached the server (only a refused connection is known not to).
    static func mayHaveBeenSent(_ error: TransportError) -> Bool {
        switch error.kind {
        case .connectionLost, .timeout, .other: true
        case .connect: true  // a connection refused now may follow one that carried the write; read again to know
        default: false
        }
    }

    /// Reads the Secret and the workloads again after an unconfirmed write, waiting out an API server that is away
    /// (within `settleTime`).
    private func settle(_ gateway: LocatedGateway, after why: String) async throws -> (Secret?, [Workload]) {
        journal.begin("read the Secret again")
        let giveUp = clock.now().addingTimeInterval(settleTime.seconds)
        var delay = pollInterval
        while true {
            try journal.checkNotStopped()
            do {
                let secret = try await client.getIfPresent(Secret.self, name: gateway.secretName, namespace: gateway.namespace)
                var workloads: [Workload] = []
                for workload in gateway.workloads { workloads.append(try await client.fetch(workload.reference, namespace: gateway.namespace)) }
                journal.finish("read the Secret again")
                return (secret, workloads)
            } catch let error as any APIMTokenError where Self.isTransient(error) {
                guard clock.now() < giveUp else {
                    throw WriteOutcomeUnknownError(secret: gateway.secretName, namespace: gateway.namespace, underlying: "\(why); then: \(error.description)")
                }
                try await clock.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// Whether an error may pass if asked again: an API server restarting, overloaded or unreachable for a moment.
    static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? KubernetesAPIError { return error.statusCode == 429 || error.statusCode >= 500 }
        if let error = error as? KubernetesConnectionError {
            switch error.underlying.kind {
            case .connect, .connectionLost, .timeout, .other: return true
            default: return false
            }
        }
        return false
    }

    // MARK: Restart and wait

    /// Restarts what the plan says (exit 6 on failure) and waits for every rollout under one deadline, `--timeout`
    /// from the start of the wait (exit 7).
    func rollOut(
        _ plan: RotationPlan.RestartOnly, secret: Secret, gateway: LocatedGateway, request: RotateRequest, result: inout RotateResult
    ) async throws {
        let restarter = Restarter(client: client, clock: clock, pollInterval: pollInterval)
        for reference in plan.restart {
            let step = "restart \(reference)"
            journal.begin(step, phase: .written)
            try journal.checkNotStopped()
            do {
                try await restart(reference, restarter: restarter, writtenAt: plan.writtenAt, namespace: gateway.namespace)
            } catch let error as any APIMTokenError {
                let failure = RestartFailedError(workload: reference.description, underlying: error.description, expiresAt: plan.expiresAt)
                await recordEvent(on: secret, reason: "TokenRotationFailed", type: "Warning", message: failure.description)
                throw failure
            }
            journal.finish(step)
            result.restarted.append(reference.description)
            progress("\(reference) restarted.")
        }
        guard !plan.wait.isEmpty else { return }
        guard request.wait else {
            result.rollout = .notWaited
            return
        }
        journal.begin("wait for the rollouts", phase: .waiting)
        let deadline = clock.now().addingTimeInterval(request.timeout.seconds)
        do {
            try await restarter.waitForRollouts(plan.wait, namespace: gateway.namespace, deadline: deadline, progress: rolloutProgress)
        } catch let error as any APIMTokenError {
            // After the write, whatever stops the wait (a workload deleted meanwhile, a permission revoked) is exit 7.
            let incomplete =
                error as? RolloutIncompleteError
                ?? RolloutIncompleteError(workload: plan.wait.map(\.description).joined(separator: ", "), state: error.description, timedOut: false)
            result.rollout = incomplete.timedOut ? .timeout : .failed
            await recordEvent(on: secret, reason: "TokenRotationFailed", type: "Warning", message: incomplete.description)
            throw incomplete
        }
        journal.finish("wait for the rollouts")
        result.rollout = .complete
    }

    /// One restart; when its answer is lost, the workload is read again to see whether it landed, and sent again if not.
    private func restart(_ reference: WorkloadReference, restarter: Restarter, writtenAt: Date, namespace: String) async throws {
        var attempt = 1
        while true {
            do {
                try await restarter.restart(reference, namespace: namespace)
                return
            } catch let error as any APIMTokenError where Self.isTransient(error) && attempt < 3 {
                try await clock.sleep(for: pollInterval)
                if let workload = try? await client.fetch(reference, namespace: namespace),
                    RotationPlanner.rolledOut(workload, since: RFC3339.parse(RFC3339.format(writtenAt)) ?? writtenAt)
                {
                    return
                }
                attempt += 1
            }
        }
    }

    // MARK: Events

    /// What a signal or the deadline records once the run is stopped.
    private func registerStopEvent(on secret: Secret, gateway: LocatedGateway) {
        let journal = journal
        journal.onStop { [self] reason in
            let summary = journal.summary
            await recordEvent(on: secret, reason: "TokenRotationFailed", type: "Warning", message: "stopped by \(reason): \(summary)")
        }
    }

    private func recordRotated(_ secret: Secret, gateway: LocatedGateway, result: RotateResult) async {
        journal.begin("record the TokenRotated event", phase: .finishing)
        await recordEvent(
            on: secret, reason: "TokenRotated", type: "Normal",
            message: "Token for gateway \(gateway.gateway) (\(result.key.rawValue) key) written; expires \(result.expiresAt.map(RFC3339.formatMinutes) ?? "?")")
        journal.finish("record the TokenRotated event")
    }

    /// Records an Event on the Secret; a failure to record is reported, never fatal.
    func recordEvent(on secret: Secret, reason: String, type: String, message: String) async {
        let now = clock.now()
        let name = "\(secret.metadata.name ?? "secret").\(String(UInt64(now.timeIntervalSince1970 * 1_000_000), radix: 16))"
        let event = Event(
            metadata: ObjectMeta(name: name, namespace: secret.metadata.namespace),
            involvedObject: ObjectReference(
                kind: "Secret", namespace: secret.metadata.namespace, name: secret.metadata.name, uid: secret.metadata.uid,
                apiVersion: "v1", resourceVersion: secret.metadata.resourceVersion),
            reason: reason, message: message, type: type, timestamp: now, component: Annotations.fieldManager, action: "Rotate")
        do {
            try await client.create(event, namespace: secret.metadata.namespace, options: WriteOptions(fieldManager: nil))
        } catch is CancellationError {
            return
        } catch {
            progress("warning: could not record the \(reason) event: \(error)")
        }
    }
}

// MARK: - Plans in words

extension RotationPlan {
    /// The steps of the plan, as `--dry-run` prints them and a stopped run reports them.
    public func steps(for gateway: LocatedGateway, wait: Bool) -> [String] {
        func rollout(_ restart: [WorkloadReference], _ waitFor: [WorkloadReference]) -> [String] {
            restart.map { "restart \($0)" } + (wait && !waitFor.isEmpty ? ["wait for the rollouts"] : [])
        }
        switch self {
        case .nothingToDo(let reason):
            return ["nothing: \(reason.text)"]
        case .restartOnly(let plan):
            return rollout(plan.restart, plan.wait)
        case .rotate(let rotation), .create(let rotation):
            var steps = [rotation.generateStep(gateway: gateway.gateway)]
            steps.append("write the token to Secret \(gateway.secretName)")
            return steps + rollout(rotation.restart, rotation.restart) + ["record the TokenRotated event"]
        case .refuse(let refusal):
            return ["refuse: \(refusal.error.description)"]
        }
    }
}

extension RotationPlan.Rotation {
    /// "generate a token for gateway demo from the primary key, valid 29d".
    func generateStep(gateway: String) -> String {
        "generate a token for gateway \(gateway) from the \(key.rawValue) key, valid \(DurationText.format(validity))"
    }
}

extension RotationPlan.NothingToDo {
    /// Why, in words.
    public var text: String {
        switch self {
        case .fresh(let expiry, let within, _):
            "the token is valid until \(RFC3339.formatMinutes(expiry)), more than \(DurationText.format(within)) away"
        case .rotatedByAnotherRun(let expiry, _):
            "another run wrote a token (expires \(RFC3339.formatMinutes(expiry))) while this one ran, and it is rolled out"
        case .done(let expiry, _):
            "this run's token (expires \(RFC3339.formatMinutes(expiry))) is written and rolled out"
        }
    }
}

extension RotateResult {
    /// Fills in what a plan says about the token and key.
    mutating func apply(_ plan: RotationPlan) {
        switch plan {
        case .nothingToDo(let reason):
            outcome = outcome == .planned ? .planned : .notNeeded
            reason.fill(&self)
        case .restartOnly(let restart):
            if outcome != .planned { outcome = restart.writer == .thisRun ? .rotated : .restartedOnly }
            key = restart.key
            expiresAt = restart.expiresAt
            if restart.writer != .thisRun {
                reason =
                    restart.restart.isEmpty
                    ? "waiting for the rollout of the token written at \(RFC3339.format(restart.writtenAt))"
                    : "the token written at \(RFC3339.format(restart.writtenAt)) by \(restart.writer.rawValue) was not rolled out yet; restarting only"
            }
        case .rotate(let rotation), .create(let rotation):
            key = rotation.key
        case .refuse:
            break
        }
    }
}

extension RotationPlan.NothingToDo {
    fileprivate func fill(_ result: inout RotateResult) {
        result.reason = text
        switch self {
        case .fresh(let expiry, _, let key), .rotatedByAnotherRun(let expiry, let key), .done(let expiry, let key):
            result.expiresAt = expiry
            result.key = key
        }
        if case .fresh = self { result.expiresAt = nil }
    }
}
