import APIMToken
import ArgumentParser
import FoundationEssentials

/// `kubectl apimtoken status`.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every gateway's token: expiry, time left, key, rotation and CronJob.",
        discussion: """
            Needs only Kubernetes access. Exit 0 when every token is valid beyond --warn-within, 8 when one \
            expires inside it, 9 when one is expired, missing, malformed, for the wrong gateway, or pods still run \
            a stale token (restart pending).
            """)

    @Argument(help: ArgumentHelp("Only these gateways.", valueName: "gateway"))
    var gateways: [String] = []

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Every namespace.")
    var allNamespaces = false

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("table, wide, json or yaml.", valueName: "format"))
    var output: OutputFormat = .table

    @Option(
        name: .customLong("warn-within"), help: ArgumentHelp("Warn (exit 8) when a token expires within this (default 7d).", valueName: "duration"),
        transform: DurationArgument.parser("--warn-within"))
    var warnWithin = DurationArgument("7d")

    @OptionGroup(title: "Kubernetes") var kube: KubeOptions
    @OptionGroup(title: "Clusters") var clusters: ContextOptions
    @OptionGroup(title: "Output") var global: GlobalOptions

    func validate() throws {
        if clusters.isMultiCluster && kube.context != nil { throw ValidationError("--context cannot be used with --contexts or --all-contexts") }
        if allNamespaces && kube.namespace != nil { throw ValidationError("-A/--all-namespaces and -n/--namespace cannot be used together") }
    }

    func run() async throws {
        let context = CommandContext(global: global)
        let (report, scope) =
            try await clusters.isMultiCluster ? (multiClusterReport(context: context), "No gateways found in any of the contexts.") : oneClusterReport(context)
        try Renderer.render(StatusOutput(report: report, now: context.dependencies.clock.now(), scope: scope), as: output, terminal: context.terminal)
        if report.exitStatus != .success { throw ExitCode(report.exitStatus.rawValue) }
    }
}

extension Status {
    /// `status --contexts …`: every context read as `--context` would be, concurrently; one that cannot be read is an
    /// error row, not a gap.
    /// `status` of the current (or `--context`) cluster, and what to say when it has no gateway.
    private func oneClusterReport(_ context: CommandContext) async throws -> (StatusReport, String) {
        let session = try await ClusterSession.open(
            flags: kube.flags(environment: context.environment), requestTimeout: kube.timeout, dependencies: context.dependencies)
        let report = try await StatusOperation(client: session.client, clock: context.dependencies.clock).run(
            StatusRequest(namespace: allNamespaces ? nil : session.connection.namespace, gateways: gateways, warnWithin: warnWithin.seconds))
        return (report, allNamespaces ? "No gateways found." : "No gateways found in namespace \(session.connection.namespace).")
    }

    private func multiClusterReport(context: CommandContext) async throws -> StatusReport {
        let warnWithin = warnWithin.seconds
        let names = try clusters.names(kube: kube, environment: context.environment)
        let (allNamespaces, dependencies) = (allNamespaces, context.dependencies)
        let fleet = await FleetCluster.open(
            contexts: names, flags: kube.flags(environment: context.environment), requestTimeout: kube.timeout, dependencies: dependencies)
        let parts = try await fleet.concurrentMap(limit: FleetCluster.concurrency) { cluster -> (context: String, report: Result<StatusReport, any Error>) in
            do {
                let report = try await StatusOperation(client: try cluster.client.get(), clock: dependencies.clock).run(
                    StatusRequest(namespace: allNamespaces ? nil : cluster.namespace, warnWithin: warnWithin))
                return (cluster.context, .success(report))
            } catch {
                return (cluster.context, .failure(error))
            }
        }
        var report = StatusReport.merged(parts)
        let wanted = Set(gateways.map { $0.lowercased() })
        if !wanted.isEmpty {
            report.gateways = report.gateways.filter { wanted.contains($0.gateway.lowercased()) }
            let found = Set(report.gateways.map { $0.gateway.lowercased() })
            let missing = gateways.filter { !found.contains($0.lowercased()) }
            if !missing.isEmpty, (report.errors ?? []).isEmpty {
                throw ConfigurationError("no gateway named \(missing.joined(separator: ", ")) in contexts \(names.joined(separator: ", "))")
            }
        }
        return report
    }
}

/// The `status` table.
enum StatusTable {
    static func render(_ report: StatusReport, wide: Bool, now: Date, terminal: Terminal) -> String {
        let multiCluster = report.errors != nil
        var headers = (multiCluster ? ["CONTEXT"] : []) + ["NAMESPACE", "GATEWAY", "WORKLOAD", "AUTH", "STATE", "EXPIRES", "LEFT"]
        if wide { headers += ["SECRET", "KEY", "ROTATED", "OWNER"] }
        headers += ["CRONJOB", "NEXT RUN"]
        if wide { headers += ["LAST SUCCESS"] }
        let rows = report.gateways.map { row -> [String] in
            var state = row.auth == "entra" ? "-" : row.token?.state.rawValue ?? "missing"
            if row.restartPending { state += ",restart-pending" }
            var cells =
                (multiCluster ? [row.context ?? "-"] : []) + [
                    row.namespace, row.gateway, row.workload, row.auth, state,
                    row.token?.expiresAt.map(RFC3339.formatMinutes) ?? "-",
                    row.token?.remainingSeconds.map { DurationText.approximate(TimeInterval($0)) } ?? "-",
                ]
            if wide {
                cells += [
                    row.secret.map { "\($0.name)/\($0.key)" } ?? "-", row.lastUsedKey ?? "-", row.rotatedAt.map(RFC3339.formatMinutes) ?? "-", row.owner ?? "-",
                ]
            }
            let cron = row.cronJob.map { $0.suspended ? "\($0.name) (suspended)" : $0.name } ?? "-"
            cells += [cron, row.cronJob?.nextRun.map(RFC3339.formatMinutes) ?? "-"]
            if wide { cells += [row.cronJob?.lastSuccessfulTime.map(RFC3339.formatMinutes) ?? "-"] }
            return cells
        }
        // A context that could not be read is a row of its own, with the reason below the table.
        let failures = report.errors ?? []
        let errorRows = failures.map { failure in [failure.context, "-", "-", "-", "-", "error"] + Array(repeating: "-", count: headers.count - 6) }
        let stateColumn = multiCluster ? 5 : 4
        var text = Table(headers: headers, rows: rows + errorRows).render { row, column, text in
            guard column == stateColumn else { return text }
            guard row < report.gateways.count else { return terminal.paint(text, "31") }
            switch report.gateways[row].severity {
            case 0: return text
            case 1: return terminal.paint(text, "33")
            default: return terminal.paint(text, "31")
            }
        }
        for failure in failures { text += "\ncontext \(failure.context): error: \(failure.error)" }
        return text
    }
}
