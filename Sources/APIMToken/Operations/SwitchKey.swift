import Foundation

// MARK: - SwitchKeyPlan

/// What `switch-key` is about to do, shown before confirmation.
public struct SwitchKeyPlan: Sendable {
    /// The gateway.
    public var gateway: String
    /// The key in use now.
    public var from: GatewayKeyType
    /// The key to move to.
    public var to: GatewayKeyType
    /// Whether `from` will be regenerated after the rollout.
    public var regenerate: Bool

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

    /// The closing line.
    public var summary: String {
        rotation.summary + (regenerated ? " The \(from.rawValue) key was regenerated." : " The \(from.rawValue) key was left as it is.")
    }

    private enum CodingKeys: String, CodingKey { case rotation, from, regenerated }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rotation, forKey: .rotation)
        try container.encode(from.rawValue, forKey: .from)
        try container.encode(regenerated, forKey: .regenerated)
    }
}

// MARK: - SwitchKeyOperation

/// `switch-key`: token from the other key → Secret → restart → rollout complete → only then regenerate the old key.
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
        let target = try await rotate.resolveTarget(request)
        guard !target.workloads.isEmpty else {
            throw ConfigurationError(
                "no workload uses Secret \(target.secretName), so a switch could not be proven safe",
                remedy: "name the gateway workload with --restart TYPE/NAME")
        }
        let secret = try await rotate.client.get(Secret.self, name: target.secretName, namespace: request.namespace)
        let from = TokenKeyMode.last.choose(lastUsed: secret.metadata.annotation(Annotations.lastUsedKey))
        let to = requested ?? from.other
        guard to != from else {
            throw ConfigurationError("gateway \(target.gateway) already uses the \(to.rawValue) key", remedy: "pass --to \(from.other.rawValue), or use rotate")
        }
        let plan = SwitchKeyPlan(gateway: target.gateway, from: from, to: to, regenerate: regenerateOld)
        guard try await confirm(plan) else { throw ConfigurationError("switch-key was not confirmed; nothing was changed") }

        request.secretName = target.secretName
        request.secretKey = target.secretKey
        request.gatewayName = target.gateway
        request.restart = target.workloads.map(\.reference)
        // Throws RestartFailedError (6) or RolloutIncompleteError (7) before any regeneration.
        let rotation = try await rotate.run(request, keyOverride: to)
        guard rotation.rollout == "complete", rotation.key == to else {
            throw RolloutIncompleteError(workload: rotation.restarted.joined(separator: ", "), state: "rollout \(rotation.rollout)", timedOut: false)
        }
        var result = SwitchKeyResult(rotation: rotation, from: from, regenerated: false)
        guard regenerateOld else { return result }

        // The Secret must now hold a token from the new key; never regenerate the key that signed it.
        let now = try await rotate.client.get(Secret.self, name: target.secretName, namespace: request.namespace)
        guard now.metadata.annotation(Annotations.lastUsedKey) == to.rawValue, from != to else {
            throw ConfigurationError("the Secret no longer records the \(to.rawValue) key; not regenerating the \(from.rawValue) key")
        }
        rotate.progress("Regenerating the \(from.rawValue) key of gateway \(target.gateway)...")
        try await rotate.issuer(target.gateway).regenerateKey(from)
        result.regenerated = true
        return result
    }
}
