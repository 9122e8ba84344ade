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

    @Option(name: .customLong("if-expires-within"), help: ArgumentHelp("Only rotate when the token expires within this (e.g. 10d).", valueName: "duration"))
    var ifExpiresWithin: String?

    @Flag(name: .customLong("create-secret"), help: "Create the Secret when it does not exist.")
    var createSecret = false

    @Flag(name: .customLong("dry-run"), help: "Print the plan; change nothing and call no Azure API.")
    var dryRun = false

    @Flag(name: .customLong("no-wait"), help: "Do not wait for the rollout.")
    var noWait = false

    @OptionGroup var rotation: RotationOptions

    @OptionGroup(title: "Azure login") var login: LoginFlags
    @OptionGroup(title: "Kubernetes") var kube: KubeOptions
    @OptionGroup(title: "Output") var global: GlobalOptions

    func validate() throws {
        if let ifExpiresWithin { _ = try parseDuration(ifExpiresWithin, flag: "--if-expires-within") }
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
        let session = try await ClusterSession.open(
            flags: kube.flags(environment: context.environment), requestTimeout: kube.timeout, dependencies: context.dependencies)
        if isFleet {
            try await runFleet(request, session: session, context: context)
            return
        }
        var resolvedRequest = request
        resolvedRequest.namespace = session.connection.namespace
        let resolved = resolvedRequest
        let operation = RotateCommandSupport.operation(session: session, context: context, target: target, login: login)
        let output = rotation.output
        try await context.run(deadline: try rotation.deadlineDuration) {
            let result = try await operation.run(resolved)
            context.terminal.endLive()
            RotateCommandSupport.render(result, output: output, terminal: context.terminal)
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
        try await context.run(deadline: try rotation.deadlineDuration) {
            let report = try await operation.run(request, names: names, scope: scope, parallel: parallel)
            switch output {
            case .json: terminal.out((try? OutputFormat.document(report, as: .json)) ?? "{}")
            case .text: terminal.out(FleetTable.render(report))
            }
            if report.exitStatus != .success { throw ExitCode(report.exitStatus.rawValue) }
        }
    }
}

/// The summary table of a fleet run.
enum FleetTable {
    static func render(_ report: FleetRotateReport) -> String {
        guard !report.results.isEmpty else { return "No gateway with a token Secret was found." }
        let rows = report.results.map { entry -> [String] in
            [
                entry.namespace, entry.gateway, entry.result.rawValue, entry.rotation?.key.rawValue ?? "-",
                entry.rotation?.expiresAt.map(RFC3339.formatMinutes) ?? "-", entry.rotation?.rollout.rawValue ?? "-",
            ]
        }
        var text = Table(headers: ["NAMESPACE", "GATEWAY", "RESULT", "KEY", "EXPIRES", "ROLLOUT"], rows: rows).render()
        for entry in report.results {
            if let error = entry.error { text += "\n\(entry.namespace)/\(entry.gateway): \(error)" }
        }
        return text
    }
}

/// `-o` of rotate and switch-key.
enum RotateOutput: String, ExpressibleByArgument, CaseIterable { case text, json }

/// The parts rotate and switch-key share.
enum RotateCommandSupport {
    static func request(
        target: TargetOptions, tokenKey: TokenKeyMode?, kube: KubeOptions, environment: Environment, namespace: String,
        ifExpiresWithin: String?, validity: String, createSecret: Bool, dryRun: Bool, wait: Bool, timeout: String
    ) throws -> RotateRequest {
        var keyMode = tokenKey ?? .last
        if tokenKey == nil, let value = environment["TOKEN_KEY"] {
            guard let mode = TokenKeyMode(rawValue: value.lowercased()) else {
                throw ConfigurationError("TOKEN_KEY \"\(value)\" is not a key mode", remedy: "use last, rotate, primary or secondary")
            }
            keyMode = mode
        }
        return RotateRequest(
            namespace: namespace, secretName: target.tokenSecret ?? environment["TOKEN_SECRET"],
            secretKey: target.tokenSecretKey ?? environment["TOKEN_SECRET_KEY"],
            gatewayName: target.apimGateway ?? environment["APIM_GATEWAY"], keyMode: keyMode,
            restart: try target.restartTargets(environment: environment), noRestart: target.noRestart,
            ifExpiresWithin: try ifExpiresWithin.map { try parseDuration($0, flag: "--if-expires-within") },
            validity: try parseDuration(validity, flag: "--validity"), createSecret: createSecret, dryRun: dryRun, wait: wait,
            timeout: .seconds(try parseDuration(timeout, flag: "--timeout")))
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

    static func render(_ result: RotateResult, output: RotateOutput, terminal: Terminal) {
        switch output {
        case .json:
            terminal.out((try? OutputFormat.document(result, as: .json)) ?? "{}")
        case .text:
            if result.dryRun {
                terminal.out("Plan for gateway \(result.gateway) in namespace \(result.namespace):")
                for (index, step) in result.plan.enumerated() { terminal.out("  \(index + 1). \(step)") }
            }
            terminal.out(result.summary)
        }
    }
}
