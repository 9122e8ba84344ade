import FoundationEssentials

// MARK: - FleetRotateResult

/// One gateway's line in the summary of `rotate GATEWAY… | -A`.
public struct FleetRotateEntry: Sendable, Encodable {
    /// The kubeconfig context, in a run over several (`--contexts`, `--all-contexts`); nil otherwise.
    public var context: String?
    public var namespace: String
    public var gateway: String
    /// The Secret and key.
    public var secret: GatewayStatus.SecretKey
    /// How it ended.
    public var result: RotateResult.Outcome
    /// What the run reported (nil when it failed before deciding).
    public var rotation: RotateResult?
    /// The exit code of this gateway's run.
    public var exitStatus: ExitStatus
    /// The error, when it failed or was refused.
    public var error: String?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(context, forKey: .context)
        try container.encode(namespace, forKey: .namespace)
        try container.encode(gateway, forKey: .gateway)
        try container.encode(secret, forKey: .secret)
        try container.encode(result, forKey: .result)
        try container.encode(rotation?.key.rawValue, forKey: .key)
        try container.encode(rotation?.expiresAt.map(RFC3339.format), forKey: .expiresAt)
        try container.encode(rotation?.restarted ?? [], forKey: .restarted)
        try container.encode(rotation?.rollout, forKey: .rollout)
        try container.encode(rotation?.reason, forKey: .reason)
        try container.encode(exitStatus.rawValue, forKey: .exitCode)
        try container.encode(error, forKey: .error)
    }

    private enum CodingKeys: String, CodingKey {
        case context, namespace, gateway, secret, result, key, expiresAt, restarted, rollout, reason, exitCode, error
    }
}

extension FleetRotateEntry {
    /// A one-gateway run's result as a summary line (`rotate --contexts …` without GATEWAY… or -A).
    public init(context: String?, result: RotateResult) {
        self.init(
            context: context, namespace: result.namespace, gateway: result.gateway, secret: result.secret, result: result.outcome, rotation: result,
            exitStatus: .success, error: nil)
    }
}

/// The summary of `rotate GATEWAY… | -A` (and of `--contexts`): `{"results": [ … ], "errors": [ … ]}`.
public struct FleetRotateReport: Sendable, Encodable {
    /// One entry per gateway, by (context,) namespace, then gateway.
    public var results: [FleetRotateEntry]
    /// The contexts that could not be read, in a run over several; `nil` in a run over one.
    public var errors: [StatusReport.ContextFailure]? = nil

    /// The most severe code of all gateways and contexts (``ExitStatus/mostSevere(_:)``).
    public var exitStatus: ExitStatus {
        .mostSevere(results.map(\.exitStatus) + (errors ?? []).compactMap { ExitStatus(rawValue: $0.exitCode) })
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(results, forKey: .results)
        try container.encodeIfPresent(errors, forKey: .errors)
    }

    private enum CodingKeys: String, CodingKey { case results, errors }

    /// A report of one gateway's run.
    public static func single(_ result: RotateResult) -> FleetRotateReport {
        FleetRotateReport(results: [FleetRotateEntry(context: nil, result: result)])
    }

    /// One report from the reports of several contexts, each entry marked with its context.
    public static func merged(_ parts: [(context: String, report: Result<FleetRotateReport, any Error>)]) -> FleetRotateReport {
        var results: [FleetRotateEntry] = []
        var errors: [StatusReport.ContextFailure] = []
        for part in parts {
            switch part.report {
            case .success(let report):
                results += report.results.map { entry in
                    var entry = entry
                    entry.context = part.context
                    return entry
                }
            case .failure(let error):
                errors.append(StatusReport.ContextFailure(context: part.context, error: error))
            }
        }
        results.sort { ($0.context ?? "", $0.namespace, $0.gateway) < ($1.context ?? "", $1.namespace, $1.gateway) }
        return FleetRotateReport(results: results, errors: errors.sorted { $0.context < $1.context })
    }
}

// MARK: - FleetRotateOperation

/// `rotate GATEWAY…` and `rotate -A`: every named (or every) gateway of a scope through the same per-gateway pipeline
/// (locate once for all, plan and execute each), at most `parallel` at a time. A gateway's failure is its own line,
/// never the others' end.
public struct FleetRotateOperation: Sendable {
    /// The cluster.
    public var client: KubernetesClient
    /// Makes the per-gateway executor; its progress lines carry the gateway's `namespace/name` prefix.
    public var makeOperation: @Sendable (_ prefix: String) -> RotateOperation
    /// Progress lines (stderr).
    public var progress: @Sendable (String) -> Void

    /// Creates the operation.
    public init(
        client: KubernetesClient, makeOperation: @escaping @Sendable (_ prefix: String) -> RotateOperation,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.client = client
        self.makeOperation = makeOperation
        self.progress = progress
    }

    /// Rotates the gateways `names` names (every gateway when empty) in `scope` (nil: every namespace).
    public func run(_ request: RotateRequest, names: [String], scope: String?, parallel: Int) async throws -> FleetRotateReport {
        let locator = GatewayLocator(client: client)
        let workloads = try await locator.workloads(in: scope)
        let gateways = try await locator.gateways(among: workloads, limit: 8)
        let located = try Self.select(gateways, workloads: workloads, names: names, scope: scope, progress: progress)
        let entries = try await located.concurrentMap(limit: max(1, parallel)) { gateway in
            await rotate(gateway, request: request)
        }
        return FleetRotateReport(results: entries.sorted { ($0.namespace, $0.gateway) < ($1.namespace, $1.gateway) })
    }

    /// The token gateways to rotate, one per Secret, with their consuming workloads; unknown names are an error
    /// before anything is done.
    static func select(
        _ gateways: [GatewayDiscovery.Gateway], workloads: [Workload], names: [String], scope: String?, progress: @Sendable (String) -> Void
    ) throws -> [LocatedGateway] {
        let wanted = names.map { $0.lowercased() }
        func named(_ gateway: GatewayDiscovery.Gateway) -> Bool {
            wanted.isEmpty || wanted.contains(gateway.name.lowercased()) || wanted.contains((gateway.inspection.workload.metadata.name ?? "").lowercased())
        }
        let chosen = gateways.filter(named)
        let missing = wanted.filter { name in !chosen.contains { $0.name.lowercased() == name || $0.inspection.workload.metadata.name?.lowercased() == name } }
        if !missing.isEmpty {
            let known = Set(gateways.map(\.name)).sorted().joined(separator: ", ")
            throw ConfigurationError(
                "no gateway named \(missing.joined(separator: ", ")) in \(scope.map { "namespace \"\($0)\"" } ?? "any namespace")",
                remedy: known.isEmpty ? "no gateway workloads were found here; try -A or -n NAMESPACE" : "gateways found: \(known)")
        }
        var located: [String: LocatedGateway] = [:]
        for gateway in chosen {
            let secretName: String
            let secretKey: String
            switch gateway.location {
            case .secret(let name, let key):
                (secretName, secretKey) = (name, key)
            case .entra:
                progress("\(gateway.namespace)/\(gateway.name): skipped, it authenticates with Entra ID and has no token.")
                continue
            case .literal, .unknown:
                progress("\(gateway.namespace)/\(gateway.name): skipped, \(gateway.workload) reads its token from no Secret.")
                continue
            }
            let key = "\(gateway.namespace)/\(secretName)"
            if located[key] != nil { continue }
            let consumers = GatewayDiscovery.consumers(of: secretName, among: workloads.filter { $0.metadata.namespace == gateway.namespace })
            located[key] = LocatedGateway(
                namespace: gateway.namespace, gateway: gateway.name, secretName: secretName, secretKey: secretKey, workloads: consumers,
                secret: gateway.secret)
        }
        return Array(located.values)
    }

    /// One gateway's pipeline; its failure becomes its entry.
    private func rotate(_ gateway: LocatedGateway, request: RotateRequest) async -> FleetRotateEntry {
        let prefix = "\(gateway.namespace)/\(gateway.gateway)"
        var entry = FleetRotateEntry(
            context: nil, namespace: gateway.namespace, gateway: gateway.gateway,
            secret: GatewayStatus.SecretKey(name: gateway.secretName, key: gateway.secretKey),
            result: .failed, rotation: nil, exitStatus: .success, error: nil)
        var pinned = request
        pinned.namespace = gateway.namespace
        do {
            let result = try await makeOperation(prefix).run(pinned, located: gateway)
            entry.rotation = result
            entry.result = result.outcome
        } catch let error as any APIMTokenError {
            entry.exitStatus = error.exitStatus
            entry.result = error.exitStatus == .usage ? .refused : .failed
            entry.error = error.description + (error.remedy.map { " (hint: \($0))" } ?? "")
            progress("\(prefix): error: \(error.description)")
        } catch {
            entry.exitStatus = .kubernetesAPI
            entry.error = "\(error)"
            progress("\(prefix): error: \(error)")
        }
        return entry
    }
}
