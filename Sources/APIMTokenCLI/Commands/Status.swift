import APIMToken
import ArgumentParser
import Foundation

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

    @Option(name: .customLong("warn-within"), help: ArgumentHelp("Warn (exit 8) when a token expires within this.", valueName: "duration"))
    var warnWithin = "7d"

    @OptionGroup(title: "Kubernetes") var kube: KubeOptions
    @OptionGroup(title: "Output") var global: GlobalOptions

    func validate() throws {
        _ = try parseDuration(warnWithin, flag: "--warn-within")
        if allNamespaces && kube.namespace != nil { throw ValidationError("-A/--all-namespaces and -n/--namespace cannot be used together") }
    }

    func run() async throws {
        let context = CommandContext(global: global)
        let session = try await ClusterSession.open(
            flags: kube.flags(environment: context.environment), requestTimeout: kube.timeout, dependencies: context.dependencies)
        let report = try await StatusOperation(client: session.client, clock: context.dependencies.clock).run(
            StatusRequest(
                namespace: allNamespaces ? nil : session.connection.namespace, gateways: gateways,
                warnWithin: try parseDuration(warnWithin, flag: "--warn-within")))
        switch output {
        case .json, .yaml:
            context.terminal.out(try OutputFormat.document(report, as: output))
        case .table, .wide:
            if report.gateways.isEmpty {
                context.terminal.err(allNamespaces ? "No gateways found." : "No gateways found in namespace \(session.connection.namespace).")
            } else {
                context.terminal.out(StatusTable.render(report, wide: output == .wide, now: context.dependencies.clock.now(), terminal: context.terminal))
            }
        }
        let status = report.exitStatus
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

/// The `status` table.
enum StatusTable {
    static func render(_ report: StatusReport, wide: Bool, now: Date, terminal: Terminal) -> String {
        var headers = ["NAMESPACE", "GATEWAY", "WORKLOAD", "AUTH", "STATE", "EXPIRES", "LEFT"]
        if wide { headers += ["SECRET", "KEY", "ROTATED", "OWNER"] }
        headers += ["CRONJOB", "NEXT RUN"]
        if wide { headers += ["LAST SUCCESS"] }
        let rows = report.gateways.map { row -> [String] in
            var state = row.auth == "entra" ? "-" : row.token?.state.rawValue ?? "missing"
            if row.restartPending { state += ",restart-pending" }
            var cells = [
                row.namespace, row.gateway, row.workload, row.auth, state,
                row.token?.expiresAt.map(RFC3339.formatMinutes) ?? "-",
                row.token?.remainingSeconds.map { DurationText.approximate(TimeInterval($0)) } ?? "-",
            ]
            if wide {
                cells += [row.secret.map { "\($0.name)/\($0.key)" } ?? "-", row.lastUsedKey ?? "-", row.rotatedAt.map(RFC3339.formatMinutes) ?? "-", row.owner ?? "-"]
            }
            let cron = row.cronJob.map { $0.suspended ? "\($0.name) (suspended)" : $0.name } ?? "-"
            cells += [cron, row.cronJob?.nextRun.map(RFC3339.formatMinutes) ?? "-"]
            if wide { cells += [row.cronJob?.lastSuccessfulTime.map(RFC3339.formatMinutes) ?? "-"] }
            return cells
        }
        return Table(headers: headers, rows: rows).render { row, column, text in
            guard column == 4 else { return text }
            switch report.gateways[row].severity {
            case 0: return text
            case 1: return terminal.paint(text, "33")
            default: return terminal.paint(text, "31")
            }
        }
    }
}
