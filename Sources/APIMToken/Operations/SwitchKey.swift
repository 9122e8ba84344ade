import FoundationEssentials

// MARK: - SwitchKeyPlan

/// What `switch-key` is about to do, shown before confirmation.
public struct SwitchKeyPlan: Sendable {
    public var gateway: String
    /// The key in use now.
    public var from: GatewayKeyType
    /// The key to move to.
    public var to: GatewayKeyType
    /// Whether `from` will be regenerated after the rollout.
    public var regenerate: Bool
    /// Whether an earlier run already wrote the `to` token (a kill, a signal): this run only finishes the switch.
    public var resuming: Bool = false

    /// The warning about other clusters.
    public var warning: String {
        regenerate
            ? "warning: regenerating the \(from.rawValue) key of gateway \(gateway) invalidates every token signed with it, in every cluster that runs this gateway; rotate those clusters to the \(to.rawValue) key first."
            : "note: the \(from.rawValue) key stays valid; pass --regenerate-old to regenerate it after the rollout."
    }
}

// MARK: - SwitchKeyResult

/// What `switch-key` did.
public struct SwitchKeyResult: Sendable, Encodable {
    /// The rotation to the new key.
    public var rotation: RotateResult
    /// The key in use before.
    public var from: GatewayKeyType
    /// Whether the old key was regenerated.
    public var regenerated: Bool
    /// Whether this run finished a switch an earlier run began.
    public var resumed: Bool = false

    /// The closing line.
    public var summary: String {
        (resumed ? "Finished the switch an earlier run began. " : "") + rotation.summary
            + (regenerated ? " The \(from.rawValue) key was regenerated." : " The \(from.rawValue) key was left as it is.")
    }

    private enum CodingKeys: String, CodingKey { case rotation, from, regenerated, resumed }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rotation, forKey: .rotation)
        try container.encode(from.rawValue, forKey: .from)
        try container.encode(regenerated, forKey: .regenerated)
        try container.encode(resumed, forKey: .resumed)
    }
}

// MARK: - RegenerateFailedError

/// The switch itself completed, but the final `regenerateKey` failed: the old key is still valid.
public struct RegenerateFailedError: APIMTokenError {
    public var gateway: String
    /// The key that was to be regenerated.
    public var key: GatewayKeyType
    /// The Azure error.
    public var underlying: any APIMTokenError

    /// Azure's own code: 3 when sign-in or permission failed, 4 otherwise (SPEC §5); the message says what did change.
    public var exitStatus: ExitStatus { underlying.exitStatus == .azureAuthentication ? .azureAuthentication : .azureAPI }
    /// Whether Azure said no (a 4xx): then the key is known not to be regenerated; after a 5xx or a lost answer it may be.
    var refused: Bool { (underlying as? ARMError).map { (400..<500).contains($0.status) } ?? false }

    public var description: String {
        let outcome = refused ? "was not regenerated" : "may not have been regenerated"
        return
            "the switch of gateway \(gateway) succeeded (the Secret holds a token from the \(key.other.rawValue) key and every rollout is complete), but the \(key.rawValue) key \(outcome): \(underlying.description)"
    }
    public var remedy: String? {
        "fix the cause and run the same switch-key --regenerate-old again: it does not switch a second time, it only regenerates the \(key.rawValue) key"
    }
}

// MARK: - SwitchKeyOperation

/// `switch-key`: token from the other key → Secret → restart → rollout complete → only then regenerate the old key.
///
/// Crash-only: with `--regenerate-old` the write that switches also records which key is to be regenerated
/// (`regenerate-pending`). A re-run that finds that marker, and a token from the other key, does not switch again: it
/// finishes the rollout, regenerates the marked key once, and removes the marker.
public struct SwitchKeyOperation: Sendable {
    /// The rotation machinery (cluster, Azure, progress).
    public var rotate: RotateOperation
    /// Asks the user; returns false to stop.
    public var confirm: @Sendable (SwitchKeyPlan) async throws -> Bool

    /// Creates the operation.
    public init(rotate: RotateOperation, confirm: @escaping @Sendable (SwitchKeyPlan) async throws -> Bool) {
        self.rotate = rotate
        self.confirm = confirm
    }

    /// Runs the switch. A failed restart or rollout throws before any key is regenerated.
    public func run(_ request: RotateRequest, to requested: GatewayKeyType?, regenerateOld: Bool) async throws -> SwitchKeyResult {
        var request = request
        request.ifExpiresWithin = nil
        request.dryRun = false
        request.wait = true
        let client = rotate.client
        let gateway = try await GatewayLocator(client: client).locate(request.query)
        guard !gateway.workloads.isEmpty else {
            throw ConfigurationError(
                "no workload uses Secret \(gateway.secretName), so a switch could not be proven safe",
                remedy: "name the gateway workload with --restart TYPE/NAME")
        }
        let secret: Secret
        if let found = gateway.secret {
            secret = found
        } else {
            secret = try await client.get(Secret.self, name: gateway.secretName, namespace: gateway.namespace)
        }
        let signer = TokenKeyMode.last.choose(lastUsed: secret.metadata.annotation(Annotations.lastUsedKey))
        let pending = secret.metadata.annotation(Annotations.regeneratePending).flatMap(GatewayKeyType.init(rawValue:))
        let from: GatewayKeyType
        let to: GatewayKeyType
        let resuming: Bool
        if let pending, pending != signer, requested == nil || requested == signer {
            (from, to, resuming) = (pending, signer, true)
            rotate.progress(
                "An earlier switch-key of gateway \(gateway.gateway) wrote a token from the \(to.rawValue) key and left the \(from.rawValue) key to regenerate; finishing it."
            )
            request.ifExpiresWithin = 0
        } else {
            from = signer
            to = requested ?? signer.other
            resuming = false
            guard to != from else {
                throw ConfigurationError(
                    "gateway \(gateway.gateway) already uses the \(to.rawValue) key", remedy: "pass --to \(from.other.rawValue), or use rotate")
            }
        }
        let plan = SwitchKeyPlan(gateway: gateway.gateway, from: from, to: to, regenerate: regenerateOld, resuming: resuming)
        guard try await confirm(plan) else { throw ConfigurationError("switch-key was not confirmed; nothing was changed") }

        request.secretName = gateway.secretName
        request.secretKey = gateway.secretKey
        request.gatewayName = gateway.gateway
        request.restart = gateway.workloads.map(\.reference)
        // Throws RestartFailedError (6) or RolloutIncompleteError (7) before any regeneration.
        let marker = regenerateOld ? [Annotations.regeneratePending: from.rawValue] : [:]
        let rotation = try await rotate.run(request, keyOverride: to, annotations: marker)
        var result = SwitchKeyResult(rotation: rotation, from: from, regenerated: false, resumed: resuming)
        if !regenerateOld {
            if resuming { rotate.progress("note: the \(from.rawValue) key is still to be regenerated; pass --regenerate-old to do it.") }
            return result
        }

        // Only now, and only when the Secret holds a token from the new key that every workload has rolled out.
        let now = try await client.get(Secret.self, name: gateway.secretName, namespace: gateway.namespace)
        guard now.metadata.annotation(Annotations.lastUsedKey) == to.rawValue, from != to else {
            throw ConfigurationError(
                "the Secret no longer records the \(to.rawValue) key; not regenerating the \(from.rawValue) key",
                remedy: "another run changed the Secret meanwhile; check with: kubectl apimtoken status -n \(gateway.namespace)")
        }
        try await Self.verifyRolledOut(gateway, secret: now, client: client)
        let step = "regenerate the \(from.rawValue) key"
        rotate.journal.begin(step, phase: .finishing)
        try rotate.journal.checkNotStopped()
        rotate.progress("Regenerating the \(from.rawValue) key of gateway \(gateway.gateway)...")
        do {
            try await rotate.issuer(gateway.gateway).regenerateKey(from)
        } catch let error as any APIMTokenError {
            throw RegenerateFailedError(gateway: gateway.gateway, key: from, underlying: error)
        }
        rotate.journal.finish(step)
        result.regenerated = true
        await Self.clearMarker(gateway, client: client, progress: rotate.progress)
        return result
    }

    /// Every workload runs pods started after the Secret's last write, and its rollout is complete; else exit 7.
    static func verifyRolledOut(_ gateway: LocatedGateway, secret: Secret, client: KubernetesClient) async throws {
        guard let rotatedAt = secret.metadata.annotation(Annotations.rotatedAt).flatMap(RFC3339.parse) else { return }
        for reference in gateway.workloads.map(\.reference) {
            let workload = try await client.fetch(reference, namespace: gateway.namespace)
            let state = RolloutState.evaluate(workload)
            guard RotationPlanner.rolledOut(workload, since: rotatedAt), state.isComplete else {
                throw RolloutIncompleteError(
                    workload: reference.description, state: "pods may still run a token from the old key (\(state.message))", timedOut: false)
            }
        }
    }

    /// Removes the markers once the key is regenerated; a failure only means a re-run would find them (and, in a fleet
    /// switch, the changed key's fingerprint). A fleet switch keeps the fingerprint as the record of a finished switch.
    static func clearMarker(
        _ gateway: LocatedGateway, client: KubernetesClient, keepFingerprint: Bool = false, progress: @Sendable (String) -> Void
    ) async {
        var annotations: [String: JSONValue] = [Annotations.regeneratePending: .null]
        if !keepFingerprint { annotations[Annotations.regenerateFingerprint] = .null }
        let body = JSONValue.object(["metadata": ["annotations": .object(annotations)]]).encoded
        do {
            _ = try await client.patch(
                Secret.self, name: gateway.secretName, namespace: gateway.namespace, patch: body, type: .merge,
                options: WriteOptions(fieldManager: Annotations.fieldManager))
        } catch {
            let consequence =
                keepFingerprint ? "a re-run sees that the key was regenerated and only removes it" : "remove it, or a re-run regenerates the key again"
            progress("warning: could not remove the \(Annotations.regeneratePending) annotation from Secret \(gateway.secretName) (\(error)); \(consequence)")
        }
    }
}
