import Foundation

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
    /// `--timeout` of the rollout wait.
    public var timeout: Duration

    /// The longest validity Azure accepts.
    public static let maximumValidity: TimeInterval = 30 * 86_400
    /// The default validity: 29 days, a day of margin for clock skew.
    public static let defaultValidity: TimeInterval = 29 * 86_400

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
    /// The gateway.
    public var gateway: String
    /// The namespace.
    public var namespace: String
    /// The Secret and key.
    public var secret: GatewayStatus.SecretKey
    /// The key that signed the new token.
    public var key: GatewayKeyType
    /// The new token's expiry (nil when nothing was generated).
    public var expiresAt: Date?
    /// Workloads restarted.
    public var restarted: [String]
    /// `complete`, `timeout`, `failed`, `not-waited` or `none`.
    public var rollout: String
    /// Whether nothing was rotated, and why.
    public var skipped: Bool
    /// Why it was skipped, or what was done instead of a rotation.
    public var reason: String?
    /// Whether this was a dry run.
    public var dryRun: Bool
    /// The plan of a dry run, step by step.
    public var plan: [String]

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gateway, forKey: .gateway)
        try container.encode(namespace, forKey: .namespace)
        try container.encode(secret, forKey: .secret)
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
        case gateway, namespace, secret, key, expiresAt, restarted, rollout, skipped, reason, dryRun, plan
    }

    /// The closing human line, e.g. "Token for gateway demo (primary key) expires 2026-12-21T03:00Z; deployment/demo restarted and ready."
    public var summary: String {
        if dryRun { return "Dry run: nothing was changed." }
        if skipped && expiresAt == nil { return "No rotation needed for gateway \(gateway): \(reason ?? "")." }
        var text = expiresAt.map { "Token for gateway \(gateway) (\(key.rawValue) key) expires \(RFC3339.formatMinutes($0))" }
            ?? "Token for gateway \(gateway) (\(key.rawValue) key) unchanged"
        if skipped, let reason { text += " (\(reason))" }
        if restarted.isEmpty {
            text += "; no workload restarted."
        } else {
            let what = restarted.joined(separator: ", ")
            switch rollout {
            case "complete": text += "; \(what) restarted and ready."
            case "not-waited": text += "; \(what) restarted (not waited for)."
            default: text += "; \(what) restarted, rollout \(rollout)."
            }
        }
        return text
    }
}

// MARK: - Errors

/// The Secret was written but a restart failed (exit 6); running `rotate` again only restarts.
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

/// The rollout did not complete in time (exit 7).
public struct RolloutIncompleteError: APIMTokenError {
    /// The workload.
    public var workload: String
    /// kubectl's last status line.
    public var state: String
    /// Whether the wait timed out (vs failed).
    public var timedOut: Bool

    public var exitStatus: ExitStatus { .rolloutIncomplete }
    public var description: String {
        timedOut ? "the rollout of \(workload) did not complete in time: \(state)" : "the rollout of \(workload) failed: \(state)"
    }
    public var remedy: String? { "the Secret holds the new token; inspect with: kubectl rollout status \(workload) and kubectl describe \(workload)" }
}

// MARK: - RotateOperation

/// `rotate` (SPEC §4): read, decide, generate, validate, write once, restart, wait, record.
public struct RotateOperation: Sendable {
    /// The cluster.
    public var client: KubernetesClient
    /// The clock.
    public var clock: any WallClock
    /// Builds the Azure side for a gateway name, only once a token is really needed.
    public var issuer: @Sendable (String) async throws -> any GatewayTokenIssuer
    /// Progress lines (stderr).
    public var progress: @Sendable (String) -> Void
    /// Rollout progress lines (a live line on a TTY).
    public var rolloutProgress: @Sendable (String) -> Void

    /// Creates the operation.
    public init(
        client: KubernetesClient, clock: any WallClock, issuer: @escaping @Sendable (String) async throws -> any GatewayTokenIssuer,
        progress: @escaping @Sendable (String) -> Void = { _ in }, rolloutProgress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.client = client
        self.clock = clock
        self.issuer = issuer
        self.progress = progress
        self.rolloutProgress = rolloutProgress
    }

    /// The target after discovery.
    public struct Target: Sendable {
        /// The gateway name for ARM.
        public var gateway: String
        /// The Secret.
        public var secretName: String
        /// The key in the Secret.
        public var secretKey: String
        /// The workloads to restart, already read.
        public var workloads: [Workload]
        /// The Secret as discovery just read it (saves a second GET; the write's resourceVersion precondition
        /// still guards against a change since).
        public var discoveredSecret: Secret?
    }

    /// Runs `rotate`, forcing `keyOverride` when given (switch-key).
    public func run(_ request: RotateRequest, keyOverride: GatewayKeyType? = nil) async throws -> RotateResult {
        guard request.validity > 0, request.validity <= RotateRequest.maximumValidity else {
            throw ConfigurationError("--validity must be more than 0 and at most 30d", remedy: "use the default 29d, or a value such as 14d")
        }
        let started = clock.now()
        let target = try await resolveTarget(request)
        var secret = target.discoveredSecret
        if secret == nil { secret = try await readSecret(request, target) }
        let restarter = Restarter(client: client, clock: clock)
        let refs = target.workloads.map(\.reference)
        var result = RotateResult(
            gateway: target.gateway, namespace: request.namespace,
            secret: GatewayStatus.SecretKey(name: target.secretName, key: target.secretKey), key: .primary, expiresAt: nil,
            restarted: [], rollout: "none", skipped: false, reason: nil, dryRun: request.dryRun, plan: [])

        // Decide, and re-decide after a conflict.
        var generated: [GatewayKeyType: GatewayToken] = [:]
        for attempt in 1...4 {
            let lastUsed = secret?.metadata.annotation(Annotations.lastUsedKey)
            let key = keyOverride ?? request.keyMode.choose(lastUsed: lastUsed)
            result.key = key
            let current = secret?.string(target.secretKey).flatMap { try? GatewayToken.parse($0.value) }

            // Another run (a concurrent one, or an earlier one that failed to restart) already wrote a token.
            if let secret, let rotatedAt = secret.metadata.annotation(Annotations.rotatedAt).flatMap(RFC3339.parse),
                let current, !current.isExpired(at: clock.now())
            {
                if attempt > 1 && rotatedAt >= started.addingTimeInterval(-1) && keyOverride == nil {
                    progress("Secret \(target.secretName) was rotated by another run at \(RFC3339.format(rotatedAt)); not writing a second token.")
                    result.skipped = true
                    result.reason = "rotated concurrently by another run"
                    result.expiresAt = current.expiry
                    result.key = GatewayKeyType(rawValue: lastUsed ?? "") ?? key
                    return result
                }
                if attempt == 1, !request.noRestart, keyOverride == nil,
                    target.workloads.contains(where: { !Self.rolledOut($0, since: rotatedAt) })
                {
                    // The last run wrote the token but did not restart (exit 6): restart only.
                    result.skipped = true
                    result.reason = "the token written at \(RFC3339.format(rotatedAt)) was not rolled out yet; restarting only"
                    result.expiresAt = current.expiry
                    result.key = GatewayKeyType(rawValue: lastUsed ?? "") ?? key
                    if request.dryRun {
                        result.plan = ["restart \(refs.map(\.description).joined(separator: ", ")) (the Secret already holds a token written at \(RFC3339.format(rotatedAt)))"]
                        return result
                    }
                    progress(result.reason!.prefix(1).uppercased() + result.reason!.dropFirst() + ".")
                    try await restartAndWait(target, request, restarter: restarter, result: &result)
                    return result
                }
            }
            if let within = request.ifExpiresWithin, let current, attempt == 1 {
                let remaining = current.expiry.timeIntervalSince(clock.now())
                if remaining > within {
                    result.skipped = true
                    result.reason = "the token is valid until \(RFC3339.formatMinutes(current.expiry)), more than \(DurationText.format(within)) away"
                    result.key = GatewayKeyType(rawValue: lastUsed ?? "") ?? key
                    return result
                }
            }
            if request.dryRun {
                var plan = ["generate a token for gateway \(target.gateway) from the \(key.rawValue) key, valid \(DurationText.format(request.validity))"]
                plan.append(secret == nil
                    ? "create Secret \(target.secretName) with key \(target.secretKey)"
                    : "write it to Secret \(target.secretName) key \(target.secretKey) (one merge patch, resourceVersion \(secret?.metadata.resourceVersion ?? "?"))")
                for workload in target.workloads { plan.append("restart \(workload.reference)" + (request.wait ? " and wait for the rollout" : "")) }
                plan.append("record a TokenRotated event on the Secret")
                result.plan = plan
                return result
            }

            // Azure: generate and validate before any write (once per key, even when a conflict makes us re-decide).
            let token: GatewayToken
            if let cached = generated[key] {
                token = cached
            } else {
                progress("Generating a token for gateway \(target.gateway) from the \(key.rawValue) key...")
                do {
                    let azure = try await issuer(target.gateway)
                    let expiry = GatewayToken.truncatedToMinute(clock.now().addingTimeInterval(request.validity))
                    let raw = try await azure.generateToken(keyType: key, expiry: expiry)
                    token = try GatewayToken.validated(raw, gateway: target.gateway, requestedExpiry: expiry, now: clock.now())
                } catch let error as any APIMTokenError {
                    // Nothing was written; the Warning tells whoever watches the Secret (the CronJob's runs) why.
                    if let secret {
                        await recordEvent(on: secret, reason: "TokenRotationFailed", type: "Warning", message: "no new token, the old one stays: \(error.description)")
                    }
                    throw error
                }
                generated[key] = token
            }

            // One write, with the resourceVersion as precondition.
            do {
                secret = try await write(token, key: key, to: secret, target: target, namespace: request.namespace)
                result.expiresAt = token.expiry
                progress("Secret \(target.secretName) updated (key \(target.secretKey)); token expires \(RFC3339.formatMinutes(token.expiry)).")
                break
            } catch let error as KubernetesAPIError where error.isConflict && attempt < 4 {
                progress("Secret \(target.secretName) changed meanwhile; reading it again.")
                secret = try await client.getIfPresent(Secret.self, name: target.secretName, namespace: request.namespace)
                continue
            }
        }
        guard let written = secret else { return result }
        try await restartAndWait(target, request, restarter: restarter, result: &result)
        await recordEvent(on: written, reason: "TokenRotated", type: "Normal",
                          message: "Token for gateway \(target.gateway) (\(result.key.rawValue) key) written; expires \(result.expiresAt.map(RFC3339.formatMinutes) ?? "?")")
        return result
    }

    // MARK: Steps

    /// Finds the Secret, key, gateway name and consuming workloads (flags first, discovery for the rest).
    public func resolveTarget(_ request: RotateRequest) async throws -> Target {
        let namespace = request.namespace
        var workloads: [Workload] = []
        var gateways: [GatewayDiscovery.Gateway] = []
        let needsDiscovery = request.secretName == nil || (request.restart == nil && !request.noRestart) || request.gatewayName == nil
            || request.secretKey == nil
        if needsDiscovery {
            async let deployments = client.list(Deployment.self, namespace: namespace)
            async let statefulSets = client.list(StatefulSet.self, namespace: namespace)
            async let daemonSets = client.list(DaemonSet.self, namespace: namespace)
            workloads = try await deployments.map(Workload.deployment) + statefulSets.map(Workload.statefulSet) + daemonSets.map(Workload.daemonSet)
            let reader = CachingObjectReader(client: client)
            // Only a gateway that reads a Secret can hold a rotatable token; the others (Entra, literals, ConfigMaps)
            // are resolved only when no such gateway exists, to say why.
            let inspections = workloads.compactMap(GatewayDiscovery.inspect)
            let secretBased = inspections.filter { inspection in
                if case .secretKey = inspection.auth { return true }
                return inspection.auth == nil && !inspection.envFromSecrets.isEmpty
            }
            for inspection in secretBased.isEmpty ? inspections : secretBased {
                gateways.append(try await GatewayDiscovery.resolve(inspection, reader: reader, configMapsWhenNeeded: true))
            }
        }

        var chosen: GatewayDiscovery.Gateway?
        if let name = request.secretName {
            chosen = gateways.first { if case .secret(name, _) = $0.location { true } else { false } }
        } else {
            var candidates = gateways
            if let wanted = request.gatewayName {
                candidates = candidates.filter {
                    $0.name.caseInsensitiveCompare(wanted) == .orderedSame || $0.inspection.workload.metadata.name == wanted
                }
            }
            let tokens = candidates.filter { if case .secret = $0.location { true } else { false } }
            if tokens.isEmpty {
                if let entra = candidates.first(where: { if case .entra = $0.location { true } else { false } }) {
                    throw ConfigurationError(
                        "gateway \(entra.name) (\(entra.workload)) authenticates with Entra ID; it has no token to rotate")
                }
                throw ConfigurationError(
                    "no gateway with a token Secret was found in namespace \"\(namespace)\"" + (request.gatewayName.map { " named \($0)" } ?? ""),
                    remedy: "pass -n NAMESPACE, or name the Secret with -t/--token-secret [TOKEN_SECRET]; see what exists with: kubectl apimtoken status -A")
            }
            let secrets = Set(tokens.compactMap { if case .secret(let name, _) = $0.location { name } else { nil } })
            guard secrets.count == 1 else {
                let list = tokens.map { "\($0.name) (\($0.workload))" }.sorted().joined(separator: ", ")
                throw ConfigurationError("several gateways in namespace \"\(namespace)\": \(list)", remedy: "choose one with -g/--apim-gateway or -t/--token-secret")
            }
            chosen = tokens.first
        }

        guard let secretName = request.secretName ?? chosen.flatMap({ if case .secret(let name, _) = $0.location { name } else { nil } }) else {
            throw ConfigurationError("no token Secret given", remedy: "pass -t/--token-secret [TOKEN_SECRET]")
        }
        var secretKey = request.secretKey ?? chosen.flatMap({ if case .secret(_, let key) = $0.location { key } else { nil } }) ?? "value"
        if request.secretKey == nil, chosen == nil { secretKey = "value" }
        guard let gateway = request.gatewayName ?? chosen?.name else {
            throw ConfigurationError(
                "the gateway name could not be found: Secret \(secretName) holds no readable token and no workload uses it",
                remedy: "pass -g/--apim-gateway [APIM_GATEWAY]")
        }

        var targets: [Workload] = []
        if request.noRestart {
            targets = []
        } else if let explicit = request.restart {
            let restarter = Restarter(client: client, clock: clock)
            for reference in explicit {
                if let found = workloads.first(where: { $0.reference == reference }) {
                    targets.append(found)
                } else {
                    do {
                        targets.append(try await restarter.fetch(reference, namespace: namespace))
                    } catch let error as KubernetesAPIError where error.isNotFound {
                        throw ConfigurationError(
                            "--restart \(reference): not found in namespace \"\(namespace)\"", remedy: "check with: kubectl get \(reference) -n \(namespace)")
                    }
                }
            }
        } else {
            targets = GatewayDiscovery.consumers(of: secretName, among: workloads)
        }
        for workload in targets {
            if let refusal = Restarter.refusal(workload) { throw ConfigurationError("cannot restart \(workload.reference): \(refusal)") }
        }
        let discoveredSecret = chosen.flatMap { candidate -> Secret? in
            guard case .secret(secretName, _) = candidate.location else { return nil }
            return candidate.secret
        }
        return Target(gateway: gateway, secretName: secretName, secretKey: secretKey, workloads: targets, discoveredSecret: discoveredSecret)
    }

    private func readSecret(_ request: RotateRequest, _ target: Target) async throws -> Secret? {
        let secret = try await client.getIfPresent(Secret.self, name: target.secretName, namespace: request.namespace)
        if secret == nil && !request.createSecret {
            throw ConfigurationError(
                "Secret \"\(target.secretName)\" not found in namespace \"\(request.namespace)\"",
                remedy: "check the name and namespace (kubectl get secrets -n \(request.namespace)), or pass --create-secret to create it")
        }
        return secret
    }

    /// Writes the token and its annotations in one request: a merge patch with the resourceVersion as
    /// precondition, or a create when the Secret does not exist (`--create-secret`).
    private func write(_ token: GatewayToken, key: GatewayKeyType, to secret: Secret?, target: Target, namespace: String) async throws -> Secret {
        let annotations = [
            Annotations.lastUsedKey: key.rawValue,
            Annotations.rotatedAt: RFC3339.format(clock.now()),
            Annotations.expiresAt: RFC3339.format(token.expiry),
        ]
        let value = Data(token.secretValue.value.utf8)
        guard let secret else {
            let fresh = Secret(
                metadata: ObjectMeta(name: target.secretName, namespace: namespace, annotations: annotations),
                data: [target.secretKey: value])
            do {
                return try await client.create(fresh, namespace: namespace, options: WriteOptions(fieldManager: Annotations.fieldManager))
            } catch let error as KubernetesAPIError where error.statusCode == 409 {
                throw KubernetesAPIError(
                    statusCode: 409, verb: "create", resource: "secrets", name: target.secretName, namespace: namespace,
                    status: error.status, server: error.server)
            }
        }
        let patch: [String: Any] = [
            "metadata": ["resourceVersion": secret.metadata.resourceVersion ?? "", "annotations": annotations],
            "data": [target.secretKey: value.base64EncodedString()],
        ]
        let body = try JSONSerialization.data(withJSONObject: patch, options: [.sortedKeys])
        return try await client.patch(
            Secret.self, name: target.secretName, namespace: namespace, patch: body, type: .merge,
            options: WriteOptions(fieldManager: Annotations.fieldManager))
    }

    /// Restarts every target and waits for each rollout; throws exit 6 or 7 errors after recording a Warning event.
    func restartAndWait(_ target: Target, _ request: RotateRequest, restarter: Restarter, result: inout RotateResult) async throws {
        guard !target.workloads.isEmpty else {
            result.rollout = "none"
            return
        }
        for workload in target.workloads {
            do {
                try await restarter.restart(workload.reference, namespace: request.namespace)
                result.restarted.append(workload.reference.description)
                progress("\(workload.reference) restarted.")
            } catch let error as any APIMTokenError {
                let failure = RestartFailedError(workload: workload.reference.description, underlying: error.description, expiresAt: result.expiresAt)
                await recordFailure(target, request, message: failure.description)
                throw failure
            }
        }
        guard request.wait else {
            result.rollout = "not-waited"
            return
        }
        for workload in target.workloads {
            let state = try await restarter.waitForRollout(workload.reference, namespace: request.namespace, timeout: request.timeout, progress: rolloutProgress)
            switch state {
            case .complete: continue
            case .progressing(let message), .failed(let message):
                let timedOut = !(state == .failed(message))
                result.rollout = timedOut ? "timeout" : "failed"
                let error = RolloutIncompleteError(workload: workload.reference.description, state: message, timedOut: timedOut)
                await recordFailure(target, request, message: error.description)
                throw error
            }
        }
        result.rollout = "complete"
    }

    private func recordFailure(_ target: Target, _ request: RotateRequest, message: String) async {
        guard let secret = try? await client.getIfPresent(Secret.self, name: target.secretName, namespace: request.namespace) else { return }
        await recordEvent(on: secret, reason: "TokenRotationFailed", type: "Warning", message: message)
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
        } catch {
            progress("warning: could not record the \(reason) event: \(error)")
        }
    }

    /// Whether a workload's pods were rolled after the token written at `rotatedAt`: a `restartedAt` at or after it
    /// (restarts happen after the write, often in the same second), or a workload created strictly later.
    static func rolledOut(_ workload: Workload, since rotatedAt: Date) -> Bool {
        if let restarted = workload.template.metadata?.annotation(Annotations.restartedAt).flatMap(RFC3339.parse), restarted >= rotatedAt {
            return true
        }
        return workload.metadata.creationTimestamp.map { $0 > rotatedAt } ?? false
    }
}
