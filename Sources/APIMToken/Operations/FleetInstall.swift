import FoundationEssentials

// MARK: - FleetInstallEntry

/// One gateway's line in the summary of `install-cronjob GATEWAY… | -A`.
public struct FleetInstallEntry: Sendable, Encodable {
    /// How one gateway's install or uninstall ended.
    public enum Outcome: String, Sendable, Encodable {
        /// Its set was applied.
        case applied
        /// The API server accepted its writes in a dry run (`--dry-run=server`); nothing was stored.
        case validated
        /// Its set was deleted.
        case deleted
        /// `--uninstall` found nothing installed for it.
        case notInstalled = "not-installed"
        /// Refused before anything was written for it (exit 2).
        case refused
        /// A write failed; `applied`/`deleted` say what was done before.
        case failed
    }

    public var namespace: String
    public var gateway: String
    /// How it ended.
    public var result: Outcome
    /// Objects applied, in order.
    public var applied: [ObjectSummary] = []
    /// Objects deleted, in order.
    public var deleted: [ObjectSummary] = []
    /// The Job `--run-now` created.
    public var job: ObjectSummary?
    /// The exit code of this gateway's part.
    public var exitStatus: ExitStatus = .success
    /// The error with its remedy, when it failed or was refused.
    public var error: String?

    /// Creates an entry.
    public init(namespace: String, gateway: String, result: Outcome, exitStatus: ExitStatus = .success, error: String? = nil) {
        self.namespace = namespace
        self.gateway = gateway
        self.result = result
        self.exitStatus = exitStatus
        self.error = error
    }

    /// The entry of a gateway whose part failed with `error`.
    init(namespace: String, gateway: String, error: any APIMTokenError) {
        self.init(
            namespace: namespace, gateway: gateway, result: error.exitStatus == .usage ? .refused : .failed, exitStatus: error.exitStatus,
            error: error.description + (error.remedy.map { " (hint: \($0))" } ?? ""))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(namespace, forKey: .namespace)
        try container.encode(gateway, forKey: .gateway)
        try container.encode(result, forKey: .result)
        try container.encode(applied, forKey: .applied)
        try container.encode(deleted, forKey: .deleted)
        try container.encode(job, forKey: .job)
        try container.encode(exitStatus.rawValue, forKey: .exitCode)
        try container.encode(error, forKey: .error)
    }

    private enum CodingKeys: String, CodingKey {
        case namespace, gateway, result, applied, deleted, job, exitCode, error
    }
}

// MARK: - FleetInstallReport

/// The summary of `install-cronjob GATEWAY… | -A`: `{"results": [ … ]}`.
public struct FleetInstallReport: Sendable, Encodable {
    /// One entry per gateway, by namespace, then gateway.
    public var results: [FleetInstallEntry]

    /// Creates a report, ordered by namespace, then gateway.
    public init(results: [FleetInstallEntry]) {
        self.results = results.sorted { ($0.namespace, $0.gateway) < ($1.namespace, $1.gateway) }
    }

    /// The most severe code of all gateways, in the order of ``FleetRotateReport/exitStatus``.
    public var exitStatus: ExitStatus { ExitStatus.mostSevere(results.map(\.exitStatus)) }
}

// MARK: - FleetInstallPlan

/// What `install-cronjob GATEWAY… | -A` would write: one least-privilege set per gateway, exactly as a single install
/// makes it, and the gateways refused before anything is written.
public struct FleetInstallPlan: Sendable {
    /// One set per gateway, by namespace, then gateway.
    public var sets: [InstallManifests]
    /// Gateways that get no set, with the reason (exit 2 each).
    public var refused: [FleetInstallEntry]

    /// Every object of every set, in apply order: the `--dry-run=client` stream.
    public var objects: [Manifest] { sets.flatMap(\.objects) }
}

// MARK: - FleetInstallTarget

/// A gateway's installed set, as `--uninstall` selects it: the namespace and the gateway its labels name.
public struct FleetInstallTarget: Sendable, Hashable {
    public var namespace: String
    /// The gateway (or the `app.kubernetes.io/instance` value of a set whose gateway is gone).
    public var gateway: String

    /// Creates a target.
    public init(namespace: String, gateway: String) {
        self.namespace = namespace
        self.gateway = gateway
    }
}

// MARK: - FleetInstall

/// `install-cronjob GATEWAY…` and `install-cronjob -A`: the gateways `rotate -A` would rotate (the same discovery),
/// one set each through the single install's own apply and uninstall. A gateway's failure is its own line, never
/// the others' end.
public enum FleetInstall {
    /// The token gateways `names` names (every one when empty) in `scope` (nil: every namespace), selected exactly as
    /// `rotate GATEWAY… | -A` selects them: unknown names are an error before anything is done; Entra gateways and
    /// gateways that read no Secret are skipped with a `progress` line.
    public static func locate(
        names: [String], scope: String?, client: KubernetesClient, progress: @Sendable (String) -> Void
    ) async throws -> [LocatedGateway] {
        let locator = GatewayLocator(client: client)
        let workloads = try await locator.workloads(in: scope)
        let gateways = try await locator.gateways(among: workloads, limit: 8)
        let located = try FleetRotateOperation.select(gateways, workloads: workloads, names: names, scope: scope, progress: progress)
        return located.sorted { ($0.namespace, $0.gateway, $0.secretName) < ($1.namespace, $1.gateway, $1.secretName) }
    }

    /// One set per gateway from `configure`; a gateway it throws for, or whose object names another gateway of the
    /// same namespace would share, is refused.
    public static func plan(
        _ gateways: [LocatedGateway], configure: (LocatedGateway) throws -> CronJobInstallConfiguration
    ) -> FleetInstallPlan {
        var plan = FleetInstallPlan(sets: [], refused: [])
        // Names derive from the gateway alone (`apimtoken-<gateway>`): two Secrets of one gateway in one namespace,
        // or two gateways differing only in case, would overwrite each other's Role.
        let byNames = Dictionary(grouping: gateways) { "\($0.namespace)/\(InstallNames(gateway: $0.gateway).cronJob)" }
        for gateway in gateways {
            let sharing = byNames["\(gateway.namespace)/\(InstallNames(gateway: gateway.gateway).cronJob)"] ?? []
            if sharing.count > 1 {
                let list = sharing.map { "\($0.gateway) (Secret \($0.secretName))" }.joined(separator: ", ")
                plan.refused.append(
                    FleetInstallEntry(
                        namespace: gateway.namespace, gateway: gateway.gateway,
                        error: ConfigurationError(
                            "\(list) in namespace \"\(gateway.namespace)\" would share the objects named \(InstallNames(gateway: gateway.gateway).cronJob)",
                            remedy: "install-cronjob names its objects after the gateway; keep one gateway of that name per namespace")))
                continue
            }
            do {
                plan.sets.append(try InstallManifests(configure(gateway)))
            } catch let error as any APIMTokenError {
                plan.refused.append(FleetInstallEntry(namespace: gateway.namespace, gateway: gateway.gateway, error: error))
            } catch {
                plan.refused.append(
                    FleetInstallEntry(namespace: gateway.namespace, gateway: gateway.gateway, error: ConfigurationError("\(error)")))
            }
        }
        return plan
    }

    /// Applies each set of `plan` as a single install does (in order, one set after the other), and reports every
    /// gateway, the refused ones included.
    public static func apply(
        _ plan: FleetInstallPlan, client: KubernetesClient, dryRun: Bool, runNow: Bool, progress: @Sendable (String) -> Void
    ) async -> FleetInstallReport {
        var entries = plan.refused
        for manifests in plan.sets {
            let (namespace, gateway) = (manifests.configuration.namespace, manifests.configuration.gateway)
            do {
                let result = try await InstallCronJob.apply(manifests, client: client, dryRun: dryRun, runNow: runNow)
                var entry = FleetInstallEntry(namespace: namespace, gateway: gateway, result: dryRun ? .validated : .applied)
                entry.applied = result.applied
                entry.job = result.job
                entries.append(entry)
                for note in result.notes { progress("\(namespace)/\(gateway): note: \(note)") }
            } catch {
                var entry = FleetInstallEntry(namespace: namespace, gateway: gateway, error: apimTokenError(error))
                entry.applied = (error as? InstallCronJobError)?.completed ?? []
                entries.append(entry)
                progress("\(namespace)/\(gateway): error: \(apimTokenError(error).description)")
            }
        }
        return FleetInstallReport(results: entries)
    }

    /// Deletes each target's installed set as `--uninstall` does for one gateway, and reports every target.
    public static func uninstall(
        _ targets: [FleetInstallTarget], client: KubernetesClient, dryRun: Bool, progress: @Sendable (String) -> Void
    ) async -> FleetInstallReport {
        var entries: [FleetInstallEntry] = []
        for target in targets {
            do {
                let result = try await InstallCronJob.uninstall(gateway: target.gateway, namespace: target.namespace, client: client, dryRun: dryRun)
                let outcome: FleetInstallEntry.Outcome = result.deleted.isEmpty ? .notInstalled : dryRun ? .validated : .deleted
                var entry = FleetInstallEntry(namespace: target.namespace, gateway: target.gateway, result: outcome)
                entry.deleted = result.deleted
                entries.append(entry)
            } catch {
                var entry = FleetInstallEntry(namespace: target.namespace, gateway: target.gateway, error: apimTokenError(error))
                entry.deleted = (error as? InstallCronJobError)?.completed ?? []
                entries.append(entry)
                progress("\(target.namespace)/\(target.gateway): error: \(apimTokenError(error).description)")
            }
        }
        return FleetInstallReport(results: entries)
    }

    /// What `--uninstall -A` removes: the sets of `gateways`, and every other set installed in `scope` (nil: every
    /// namespace) whose gateway is gone, found by the ServiceAccount every set has. Ordered by namespace, then gateway.
    public static func uninstallTargets(
        for gateways: [LocatedGateway], scope: String?, client: KubernetesClient
    ) async throws -> [FleetInstallTarget] {
        var targets = gateways.map { FleetInstallTarget(namespace: $0.namespace, gateway: $0.gateway) }
        let known = Set(targets.map { "\($0.namespace)/\(ManifestNames.labelValue($0.gateway))" })
        let selector = "\(ManifestLabels.managedBy)=\(ManifestLabels.product)"
        let installed = try await client.list(MetadataOnly<ServiceAccountsKind>.self, namespace: scope, labelSelector: selector)
        for account in installed {
            guard let namespace = account.metadata.namespace, let instance = account.metadata.labels?[ManifestLabels.instance],
                !known.contains("\(namespace)/\(instance)")
            else { continue }
            targets.append(FleetInstallTarget(namespace: namespace, gateway: instance))
        }
        return Array(Set(targets)).sorted { ($0.namespace, $0.gateway) < ($1.namespace, $1.gateway) }
    }

    /// The error as the entry reports it; one that is not ours is counted as a failed Kubernetes call (exit 5), as
    /// `rotate`'s fleet counts it.
    private static func apimTokenError(_ error: any Error) -> any APIMTokenError {
        (error as? any APIMTokenError) ?? UnexpectedFleetError(description: "\(error)")
    }
}

// MARK: - LocatedGateway + CronJob

extension LocatedGateway {
    /// The one workload the CronJob restarts and its Role names; several, or none, is a configuration error.
    public func cronJobWorkload() throws -> WorkloadReference {
        guard let workload = workloads.first?.reference else {
            throw ConfigurationError(
                "no workload uses Secret \(secretName) in namespace \"\(namespace)\", so the CronJob would have nothing to restart",
                remedy: "name it with --restart TYPE/NAME")
        }
        guard workloads.count == 1 else {
            throw ConfigurationError(
                "several workloads use Secret \(secretName): \(workloads.map { $0.reference.description }.joined(separator: ", "))",
                remedy: "install one CronJob per workload, naming it with --restart TYPE/NAME")
        }
        return workload
    }
}

// MARK: - UnexpectedFleetError

/// An error that is not an ``APIMTokenError``, met while writing one gateway's set.
struct UnexpectedFleetError: APIMTokenError {
    var description: String
    var exitStatus: ExitStatus { .kubernetesAPI }
}
