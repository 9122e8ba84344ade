import FoundationEssentials

// MARK: - GatewayQuery

/// What the user named of a gateway; everything left nil is discovered.
public struct GatewayQuery: Sendable {
    /// The namespace of the Secret and the workloads.
    public var namespace: String
    /// `-t/--token-secret`.
    public var secretName: String?
    /// `--token-secret-key`.
    public var secretKey: String?
    /// `-g/--apim-gateway`.
    public var gatewayName: String?
    /// `--restart TYPE/NAME`; nil: every workload that consumes the Secret.
    public var restart: [WorkloadReference]?
    /// `--no-restart`.
    public var noRestart: Bool

    /// Creates a query.
    public init(
        namespace: String, secretName: String? = nil, secretKey: String? = nil, gatewayName: String? = nil,
        restart: [WorkloadReference]? = nil, noRestart: Bool = false
    ) {
        self.namespace = namespace
        self.secretName = secretName
        self.secretKey = secretKey
        self.gatewayName = gatewayName
        self.restart = restart
        self.noRestart = noRestart
    }
}

// MARK: - LocatedGateway

/// A gateway as found in the cluster: its name for ARM, its Secret and key, and the workloads to restart.
public struct LocatedGateway: Sendable {
    public var namespace: String
    /// The gateway name for ARM.
    public var gateway: String
    /// The Secret.
    public var secretName: String
    /// The key in the Secret.
    public var secretKey: String
    /// The workloads to restart, as last read.
    public var workloads: [Workload]
    /// The Secret as discovery read it, when it did (saves a GET; the write's resourceVersion precondition guards
    /// against a change since).
    public var secret: Secret?
}

// MARK: - GatewayLocator

/// Finds what exists for a query: flags first, discovery (SPEC §3) for the rest. It reads and never writes; what to
/// do about what it found is the planner's business. `rotate`, `switch-key` and `install-cronjob` locate one gateway
/// with it; `status` lists and resolves every gateway of a scope with it.
public struct GatewayLocator: Sendable {
    /// The cluster.
    public var client: KubernetesClient

    /// Creates a locator.
    public init(client: KubernetesClient) { self.client = client }

    /// Every workload in `scope` (nil: all namespaces): one LIST each of Deployments, StatefulSets and DaemonSets,
    /// whatever the number of namespaces.
    public func workloads(in scope: String?) async throws -> [Workload] {
        async let deployments = client.list(Deployment.self, namespace: scope)
        async let statefulSets = client.list(StatefulSet.self, namespace: scope)
        async let daemonSets = client.list(DaemonSet.self, namespace: scope)
        return try await deployments.map(Workload.deployment) + statefulSets.map(Workload.statefulSet) + daemonSets.map(Workload.daemonSet)
    }

    /// The gateway workloads in `scope`, inspected page by page as the lists arrive: the other workloads are dropped
    /// with their page, so memory follows the gateways, not the cluster.
    public func inspections(in scope: String?) async throws -> [GatewayDiscovery.Inspection] {
        async let deployments = client.list(Deployment.self, namespace: scope) { GatewayDiscovery.inspect(.deployment($0)) }
        async let statefulSets = client.list(StatefulSet.self, namespace: scope) { GatewayDiscovery.inspect(.statefulSet($0)) }
        async let daemonSets = client.list(DaemonSet.self, namespace: scope) { GatewayDiscovery.inspect(.daemonSet($0)) }
        return try await deployments + statefulSets + daemonSets
    }

    /// The gateways among `workloads`, with their token sources resolved (at most `limit` reads in flight).
    public func gateways(among workloads: [Workload], limit: Int) async throws -> [GatewayDiscovery.Gateway] {
        try await gateways(inspected: workloads.compactMap(GatewayDiscovery.inspect), limit: limit)
    }

    /// The inspected gateways with their token sources resolved (at most `limit` reads in flight).
    public func gateways(inspected inspections: [GatewayDiscovery.Inspection], limit: Int) async throws -> [GatewayDiscovery.Gateway] {
        let reader = CachingObjectReader(client: client)
        return try await inspections.concurrentMap(limit: limit) { inspection in
            try await GatewayDiscovery.resolve(inspection, reader: reader)
        }
    }

    /// Locates the one gateway the query names (or the only one in the namespace).
    public func locate(_ query: GatewayQuery) async throws -> LocatedGateway {
        let namespace = query.namespace
        var workloads: [Workload] = []
        var gateways: [GatewayDiscovery.Gateway] = []
        let needsDiscovery =
            query.secretName == nil || (query.restart == nil && !query.noRestart) || query.gatewayName == nil
            || query.secretKey == nil
        if needsDiscovery {
            workloads = try await self.workloads(in: namespace)
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
        if let name = query.secretName {
            chosen = gateways.first { if case .secret(name, _) = $0.location { true } else { false } }
        } else {
            var candidates = gateways
            if let wanted = query.gatewayName {
                candidates = candidates.filter {
                    $0.name.equalsIgnoringASCIICase(wanted) || $0.inspection.workload.metadata.name == wanted
                }
            }
            let tokens = candidates.filter { if case .secret = $0.location { true } else { false } }
            if tokens.isEmpty {
                if let entra = candidates.first(where: { if case .entra = $0.location { true } else { false } }) {
                    throw ConfigurationError(
                        "gateway \(entra.name) (\(entra.workload)) authenticates with Entra ID; it has no token to rotate")
                }
                throw ConfigurationError(
                    "no gateway with a token Secret was found in namespace \"\(namespace)\"" + (query.gatewayName.map { " named \($0)" } ?? ""),
                    remedy: "pass -n NAMESPACE, or name the Secret with -t/--token-secret [TOKEN_SECRET]; see what exists with: kubectl apimtoken status -A")
            }
            let secrets = Set(tokens.compactMap { if case .secret(let name, _) = $0.location { name } else { nil } })
            guard secrets.count == 1 else {
                let list = tokens.map { "\($0.name) (\($0.workload))" }.sorted().joined(separator: ", ")
                throw ConfigurationError(
                    "several gateways in namespace \"\(namespace)\": \(list)",
                    remedy: "choose one with -g/--apim-gateway or -t/--token-secret, name several (rotate GATEWAY…), or take every one with -A")
            }
            chosen = tokens.first
        }

        guard let secretName = query.secretName ?? chosen.flatMap({ if case .secret(let name, _) = $0.location { name } else { nil } }) else {
            throw ConfigurationError("no token Secret given", remedy: "pass -t/--token-secret [TOKEN_SECRET]")
        }
        let discoveredKey = chosen.flatMap { candidate -> String? in if case .secret(_, let key) = candidate.location { key } else { nil } }
        let secretKey = query.secretKey ?? discoveredKey ?? "value"
        guard let gateway = query.gatewayName ?? chosen?.name else {
            throw ConfigurationError(
                "the gateway name could not be found: Secret \(secretName) holds no readable token and no workload uses it",
                remedy: "pass -g/--apim-gateway [APIM_GATEWAY]")
        }

        var targets: [Workload] = []
        if query.noRestart {
            targets = []
        } else if let explicit = query.restart {
            for reference in explicit {
                if let found = workloads.first(where: { $0.reference == reference }) {
                    targets.append(found)
                } else {
                    do {
                        targets.append(try await client.fetch(reference, namespace: namespace))
                    } catch let error as KubernetesAPIError where error.isNotFound {
                        throw ConfigurationError(
                            "--restart \(reference): not found in namespace \"\(namespace)\"", remedy: "check with: kubectl get \(reference) -n \(namespace)")
                    }
                }
            }
        } else {
            targets = GatewayDiscovery.consumers(of: secretName, among: workloads)
        }
        let discoveredSecret = chosen.flatMap { candidate -> Secret? in
            guard case .secret(secretName, _) = candidate.location else { return nil }
            return candidate.secret
        }
        return LocatedGateway(
            namespace: namespace, gateway: gateway, secretName: secretName, secretKey: secretKey, workloads: targets, secret: discoveredSecret)
    }
}

// MARK: - KubernetesClient + workloads

extension KubernetesClient {
    /// Reads a workload by reference.
    public func fetch(_ reference: WorkloadReference, namespace: String) async throws -> Workload {
        switch reference.kind {
        case .deployment: .deployment(try await get(Deployment.self, name: reference.name, namespace: namespace))
        case .statefulset: .statefulSet(try await get(StatefulSet.self, name: reference.name, namespace: namespace))
        case .daemonset: .daemonSet(try await get(DaemonSet.self, name: reference.name, namespace: namespace))
        }
    }
}
