import APIMToken
import ArgumentParser
import FoundationEssentials

/// `kubectl apimtoken rotate`.
struct Rotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a new token, write it to the Secret, restart the gateway and wait for it.",
        discussion: """
            Steps: read the Secret, choose the key, generate and validate a token, write it with one merge patch \
            (resourceVersion precondition), restart every workload that uses the Secret as `kubectl rollout restart` \
            does, wait as `kubectl rollout status` does, and record an Event. Nothing is written if anything fails \
            before the write. A re-run after a failure, a kill or a signal finishes the job: a token written but not \
            rolled out is only restarted. Secrets that another system owns (immutable, ExternalSecret, Secrets Store \
            CSI) are refused. The environment variables of apim-shg-rotate work as they do there.
            """)

    @Argument(help: ArgumentHelp("Rotate these gateways (by gateway or workload name), each through the whole pipeline.", valueName: "gateway"))
    var gateways: [String] = []

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Every gateway in every namespace you can list.")
    var allNamespaces = false

    @Option(help: ArgumentHelp("With GATEWAY… or -A: how many gateways are rotated at once.", valueName: "n"))
    var parallel = 4

    @OptionGroup(title: "Target") var target: TargetOptions

    @Option(name: [.customShort("k"), .long], help: ArgumentHelp("last, rotate, primary or secondary [TOKEN_KEY] (default last).", valueName: "mode"))
    var tokenKey: TokenKeyMode?

    @Option(
        name: .customLong("if-expires-within"), help: ArgumentHelp("Only rotate when the token expires within this (e.g. 10d).", valueName: "duration"),
        transform: DurationArgument.parser("--if-expires-within"))
    var ifExpiresWithin: DurationArgument?

    @Flag(name: .customLong("create-secret"), help: "Create the Secret when it does not exist.")
    var createSecret = false

    @Flag(name: .customLong("dry-run"), help: "Print the plan; change nothing and call no Azure API.")
    var dryRun = false

    @Flag(name: .customLong("no-wait"), help: "Do not wait for the rollout.")
    var noWait = false

    @OptionGroup var rotation: RotationOptions

    @OptionGroup(title: "Azure login") var login: LoginFlags
    @OptionGroup(title: "Kubernetes") var kube: KubeOptions
    @OptionGroup(title: "Clusters") var clusters: ContextOptions
    @OptionGroup(title: "Output") var global: GlobalOptions

    func validate() throws {
        if clusters.isMultiCluster && kube.context != nil { throw ValidationError("--context cannot be used with --contexts or --all-contexts") }
        if parallel < 1 { throw ValidationError("--parallel must be at least 1") }
        if allNamespaces && kube.namespace != nil { throw ValidationError("-A/--all-namespaces and -n/--namespace cannot be used together") }
        guard isFleet else { return }
        // These name one gateway's parts; a fleet run finds each gateway's own.
        let single: [(Bool, String)] = [
            (target.apimGateway != nil, "-g/--apim-gateway"), (target.tokenSecret != nil, "-t/--token-secret"),
            (target.tokenSecretKey != nil, "--token-secret-key"), (!target.restart.isEmpty, "--restart"), (createSecret, "--create-secret"),
        ]
        if let flag = single.first(where: \.0)?.1 {
            throw ValidationError("\(flag) names one gateway; it cannot be used with GATEWAY… or -A (each gateway's own is discovered)")
        }
    }

    /// Whether this is a run over several gateways.
    private var isFleet: Bool { allNamespaces || !gateways.isEmpty }

    func run() async throws {
        let context = CommandContext(global: global)
        let request = try RotateCommandSupport.request(
            target: target, tokenKey: tokenKey, kube: kube, environment: context.environment, namespace: "",
            ifExpiresWithin: ifExpiresWithin, validity: rotation.validity, createSecret: createSecret, dryRun: dryRun, wait: !noWait,
            timeout: rotation.timeout)
        if clusters.isMultiCluster {
            try await runContexts(request, context: context)
            return
        }
        let session = try await ClusterSession.open(
            flags: kube.flags(environment: context.environment), requestTimeout: kube.timeout, dependencies: context.dependencies)
        if isFleet {
            try await runFleet(request, session: session, context: context)
        } else {
            try await runOne(request, session: session, context: context)
        }
    }

    /// `rotate` of the one gateway of the namespace (or the one the flags name).
    private func runOne(_ request: RotateRequest, session: ClusterSession, context: CommandContext) async throws {
        var resolvedRequest = request
        resolvedRequest.namespace = session.connection.namespace
        let resolved = resolvedRequest
        let operation = RotateCommandSupport.operation(session: session, context: context, target: target, login: login)
        let output = rotation.output
        try await context.run(deadline: rotation.deadlineDuration) {
            let result = try await operation.run(resolved)
            context.terminal.endLive()
            try Renderer.render(result, as: output.format, terminal: context.terminal)
        }
    }
}

extension Rotate {
    /// `rotate GATEWAY…` / `rotate -A`: every gateway through the same pipeline, a summary, the most severe exit code.
    private func runFleet(_ request: RotateRequest, session: ClusterSession, context: CommandContext) async throws {
        let terminal = context.terminal
        let issuers = ARMGatewayIssuers(target: target.azure, login: try login.options(), dependencies: context.dependencies)
        let dependencies = context.dependencies
        let client = session.client
        let operation = FleetRotateOperation(
            client: client,
            makeOperation: { prefix in
                let journal = RunJournal()
                ProcessSignals.shared.track(journal, label: prefix)
                return RotateOperation(
                    client: client, clock: dependencies.clock, issuer: { try issuers.issuer(for: $0) },
                    progress: { terminal.err("\(prefix): \($0)") }, rolloutProgress: { terminal.err("\(prefix): \($0)") }, journal: journal)
            },
            progress: { terminal.err($0) })
        let (names, scope, parallel, output) = (gateways, allNamespaces ? nil : session.connection.namespace, parallel, rotation.output)
        try await context.run(deadline: rotation.deadlineDuration) {
            let report = try await operation.run(request, names: names, scope: scope, parallel: parallel)
            try Renderer.render(report, as: output.format, terminal: terminal)
            if report.exitStatus != .success { throw ExitCode(report.exitStatus.rawValue) }
        }
    }
}

extension Rotate {
    /// `rotate --contexts …`: each context as `--context` would be (its one gateway, or GATEWAY…/-A there),
    /// concurrently; a context that cannot be read, or whose one gateway fails, is an error row.
    private func runContexts(_ request: RotateRequest, context: CommandContext) async throws {
        let (terminal, dependencies, environment) = (context.terminal, context.dependencies, context.environment)
        var seen: [String: String] = [:]
        // Two contexts of one cluster (and namespace) would rotate the same gateways twice, concurrently.
        let fleet = await FleetCluster.open(
            contexts: try clusters.names(kube: kube, environment: environment), flags: kube.flags(environment: environment),
            requestTimeout: kube.timeout, dependencies: dependencies
        ).filter { cluster in
            guard !cluster.server.isEmpty else { return true }
            let place = cluster.server + (self.allNamespaces ? "" : " " + cluster.namespace)
            if let first = seen[place] {
                terminal.err("context \(cluster.context): the same cluster\(self.allNamespaces ? "" : " and namespace") as context \(first); rotated once.")
                return false
            }
            seen[place] = cluster.context
            return true
        }
        let issuers = ARMGatewayIssuers(target: target.azure, login: try login.options(), dependencies: dependencies)
        let (names, allNamespaces, isFleet, parallel, output) = (gateways, allNamespaces, isFleet, parallel, rotation.output)
        @Sendable func executor(_ client: KubernetesClient, _ prefix: String) -> RotateOperation {
            let journal = RunJournal()
            ProcessSignals.shared.track(journal, label: prefix)
            return RotateOperation(
                client: client, clock: dependencies.clock, issuer: { try issuers.issuer(for: $0) }, progress: { terminal.err("\(prefix): \($0)") },
                rolloutProgress: { terminal.err("\(prefix): \($0)") }, journal: journal)
        }
        try await context.run(deadline: rotation.deadlineDuration) {
            let parts = try await fleet.concurrentMap(limit: FleetCluster.concurrency) {
                cluster -> (context: String, report: Result<FleetRotateReport, any Error>) in
                do {
                    let client = try cluster.client.get()
                    guard isFleet else {
                        var single = request
                        single.namespace = cluster.namespace
                        let result = try await executor(client, cluster.context).run(single)
                        return (cluster.context, .success(FleetRotateReport.single(result)))
                    }
                    let operation = FleetRotateOperation(
                        client: client, makeOperation: { executor(client, "\(cluster.context): \($0)") },
                        progress: { terminal.err("\(cluster.context): \($0)") })
                    let scope = allNamespaces ? nil : cluster.namespace
                    return (cluster.context, .success(try await operation.run(request, names: names, scope: scope, parallel: parallel)))
                } catch {
                    return (cluster.context, .failure(error))
                }
            }
            let report = FleetRotateReport.merged(parts)
            try Renderer.render(report, as: output.format, terminal: terminal)
            if report.exitStatus != .success { throw ExitCode(report.exitStatus.rawValue) }
        }
    }
}

/// The summary table of a fleet run (with a CONTEXT column over several contexts).
enum FleetTable {
    static func render(_ report: FleetRotateReport) -> String {
        let multiCluster = report.errors != nil
        guard !report.results.isEmpty || !(report.errors ?? []).isEmpty else { return "No gateway with a token Secret was found." }
        let rows = report.results.map { entry -> [String] in
            (multiCluster ? [entry.context ?? "-"] : []) + [
                entry.namespace, entry.gateway, entry.result.rawValue, entry.rotation?.key.rawValue ?? "-",
                entry.rotation?.expiresAt.map(RFC3339.formatMinutes) ?? "-", entry.rotation?.rollout.rawValue ?? "-",
            ]
        }
        let failures = report.errors ?? []
        let errorRows = failures.map { [$0.context, "-", "-", "error", "-", "-", "-"] }
        let headers = (multiCluster ? ["CONTEXT"] : []) + ["NAMESPACE", "GATEWAY", "RESULT", "KEY", "EXPIRES", "ROLLOUT"]
        var text = Table(headers: headers, rows: rows + errorRows).render()
        for entry in report.results {
            if let error = entry.error { text += "\n\(entry.context.map { "\($0): " } ?? "")\(entry.namespace)/\(entry.gateway): \(error)" }
        }
        for failure in failures { text += "\ncontext \(failure.context): error: \(failure.error)" }
        return text
    }
}

/// `-o` of rotate and switch-key.
enum RotateOutput: String, ExpressibleByArgument, CaseIterable {
    case text, json

    var format: OutputFormat {
        switch self {
        case .text: .table
        case .json: .json
        }
    }
}

/// The parts rotate and switch-key share.
enum RotateCommandSupport {
    static func request(
        target: TargetOptions, tokenKey: TokenKeyMode?, kube: KubeOptions, environment: Environment, namespace: String,
        ifExpiresWithin: DurationArgument?, validity: DurationArgument, createSecret: Bool, dryRun: Bool, wait: Bool, timeout: DurationArgument
    ) throws -> RotateRequest {
        var keyMode = tokenKey ?? .last
        if tokenKey == nil, let value = environment[.tokenKey] {
            guard let mode = TokenKeyMode(rawValue: value.lowercased()) else {
                throw ConfigurationError("TOKEN_KEY \"\(value)\" is not a key mode", remedy: "use last, rotate, primary or secondary")
            }
            keyMode = mode
        }
        return RotateRequest(
            namespace: namespace, secretName: target.tokenSecret ?? environment[.tokenSecret],
            secretKey: target.tokenSecretKey ?? environment[.tokenSecretKey],
            gatewayName: target.apimGateway ?? environment[.apimGateway], keyMode: keyMode,
            restart: try target.restartTargets(environment: environment), noRestart: target.noRestart,
            ifExpiresWithin: ifExpiresWithin?.seconds, validity: validity.seconds, createSecret: createSecret, dryRun: dryRun, wait: wait,
            timeout: timeout.duration)
    }

    static func operation(session: ClusterSession, context: CommandContext, target: TargetOptions, login: LoginFlags) -> RotateOperation {
        let dependencies = context.dependencies
        let terminal = context.terminal
        let issuers = Result { ARMGatewayIssuers(target: target.azure, login: try login.options(), dependencies: dependencies) }
        return RotateOperation(
            client: session.client, clock: dependencies.clock,
            issuer: { gateway in try issuers.get().issuer(for: gateway) },
            progress: { terminal.err($0) },
            rolloutProgress: { terminal.live($0) }, journal: dependencies.journal)
    }
}
