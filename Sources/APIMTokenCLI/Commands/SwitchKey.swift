import APIMToken
import ArgumentParser
import FoundationEssentials

/// `kubectl apimtoken switch-key`.
struct SwitchKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switch-key",
        abstract: "Move the gateway to the other key safely, and optionally regenerate the old one.",
        discussion: """
            Token from the other key -> Secret -> restart -> rollout complete -> only then, with --regenerate-old, \
            regenerateKey on the key that was in use. The key that signed the token now in the Secret is never \
            regenerated, and nothing is regenerated when the rollout failed. Every other cluster that runs this \
            gateway with a token from the old key loses it when the key is regenerated: switch them all at once with \
            --contexts or --all-contexts. Then every cluster (among those contexts) that runs gateway -g of the \
            instance -a is found in every namespace (or -n's), each is switched and rolled out, and the old key is \
            regenerated once, only when all of them have finished.
            """)

    @Option(help: ArgumentHelp("The key to move to (default: the other one).", valueName: "primary|secondary"))
    var to: GatewayKeyType?

    @Flag(name: .customLong("regenerate-old"), help: "After a complete rollout, regenerate the key that was in use.")
    var regenerateOld = false

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @OptionGroup var rotation: RotationOptions

    @OptionGroup(title: "Target") var target: TargetOptions
    @OptionGroup(title: "Azure login") var login: LoginFlags
    @OptionGroup(title: "Kubernetes") var kube: KubeOptions
    @OptionGroup(title: "Clusters") var clusters: ContextOptions
    @OptionGroup(title: "Output") var global: GlobalOptions

    func validate() throws {
        if target.noRestart { throw ValidationError("switch-key restarts the gateway by design; --no-restart cannot be used") }
        guard clusters.isMultiCluster else { return }
        if kube.context != nil { throw ValidationError("--context cannot be used with --contexts or --all-contexts") }
        let single: [(Bool, String)] = [
            (target.tokenSecret != nil, "-t/--token-secret"), (target.tokenSecretKey != nil, "--token-secret-key"), (!target.restart.isEmpty, "--restart"),
        ]
        if let flag = single.first(where: \.0)?.1 {
            throw ValidationError("\(flag) names one cluster's object; with --contexts or --all-contexts each cluster's own is discovered")
        }
    }

    func run() async throws {
        let context = CommandContext(global: global)
        if clusters.isMultiCluster {
            try await runFleet(context)
        } else {
            try await runOne(context)
        }
    }

    /// `switch-key` in the current (or `--context`) cluster.
    private func runOne(_ context: CommandContext) async throws {
        var request = try RotateCommandSupport.request(
            target: target, tokenKey: nil, kube: kube, environment: context.environment, namespace: "", ifExpiresWithin: nil,
            validity: rotation.validity, createSecret: false, dryRun: false, wait: true, timeout: rotation.timeout)
        let session = try await ClusterSession.open(
            flags: kube.flags(environment: context.environment), requestTimeout: kube.timeout, dependencies: context.dependencies)
        request.namespace = session.connection.namespace
        let rotate = RotateCommandSupport.operation(session: session, context: context, target: target, login: login)
        let terminal = context.terminal
        let operation = SwitchKeyOperation(rotate: rotate) { [yes] plan in try Self.confirm(plan, yes: yes, terminal: terminal) }
        let (output, to, regenerateOld, pinned) = (rotation.output, to, regenerateOld, request)
        try await context.run(deadline: rotation.deadlineDuration) {
            let result = try await operation.run(pinned, to: to, regenerateOld: regenerateOld)
            terminal.endLive()
            try Renderer.render(result, as: output.format, terminal: terminal)
        }
    }
}

extension SwitchKey {
    /// The warning, then the question on a terminal (`--yes`: none; no terminal: a usage error before any write).
    static func confirm(_ plan: SwitchKeyPlan, yes: Bool, terminal: Terminal) throws -> Bool {
        terminal.err(plan.warning)
        if yes { return true }
        guard terminal.stdinIsTTY else { throw ConfigurationError("switch-key needs confirmation and stdin is not a terminal", remedy: "pass --yes") }
        let regenerate = plan.regenerate ? " and \(plan.resuming ? "" : "then ")regenerate the \(plan.from.rawValue) key" : ""
        if plan.resuming { return terminal.confirm("Finish the switch of gateway \(plan.gateway) to the \(plan.to.rawValue) key\(regenerate)?") }
        return terminal.confirm("Switch gateway \(plan.gateway) from the \(plan.from.rawValue) key to the \(plan.to.rawValue) key\(regenerate)?")
    }
}

extension SwitchKey {
    /// `switch-key -g G --contexts …`: every cluster's copy of gateway G moves to the other key; the old key is
    /// regenerated once, after the last rollout, or not at all.
    private func runFleet(_ context: CommandContext) async throws {
        let environment = context.environment
        let terminal = context.terminal
        guard let gatewayName = target.apimGateway ?? environment[.apimGateway] else {
            throw ConfigurationError(
                "switch-key --contexts needs the APIM gateway's name, to find it in every cluster", remedy: "pass -g/--apim-gateway [APIM_GATEWAY]")
        }
        guard let instance = target.azure.resolved(with: environment).serviceName else {
            throw ConfigurationError(
                "switch-key --contexts needs the APIM instance's name, to tell its gateway from another instance's of the same name",
                remedy: "pass -a/--apim-instance [APIM_INSTANCE]")
        }
        let request = try RotateCommandSupport.request(
            target: target, tokenKey: nil, kube: kube, environment: environment, namespace: "", ifExpiresWithin: nil,
            validity: rotation.validity, createSecret: false, dryRun: false, wait: true, timeout: rotation.timeout)
        let dependencies = context.dependencies
        let fleet = await FleetCluster.open(
            contexts: try clusters.names(kube: kube, environment: environment), flags: kube.flags(environment: environment),
            requestTimeout: kube.timeout, dependencies: dependencies)
        let issuers = ARMGatewayIssuers(target: target.azure, login: try login.options(), dependencies: dependencies)
        let yes = yes
        let operation = FleetSwitchKeyOperation(
            clusters: fleet, keys: FleetKeyAuthority(issuer: { try issuers.issuer(for: gatewayName) }),
            makeRotate: { client, prefix in
                let journal = RunJournal()
                ProcessSignals.shared.track(journal, label: prefix)
                return RotateOperation(
                    client: client, clock: dependencies.clock, issuer: { try issuers.issuer(for: $0) }, progress: { terminal.err("\(prefix): \($0)") },
                    rolloutProgress: { terminal.err("\(prefix): \($0)") }, journal: journal)
            },
            confirm: { plan in
                terminal.err(FleetSwitchTable.render(plan))
                if yes { return true }
                guard terminal.stdinIsTTY else {
                    throw ConfigurationError("switch-key needs confirmation and stdin is not a terminal", remedy: "pass --yes")
                }
                let regenerate = plan.regenerate ? " and then regenerate the \(plan.from.rawValue) key" : ""
                return terminal.confirm(
                    "\(plan.resuming ? "Finish switching" : "Switch") these \(plan.members.count) gateway(s) to the \(plan.to.rawValue) key\(regenerate)?")
            },
            progress: { terminal.err($0) }, journal: dependencies.journal)
        let (output, to, regenerateOld, scope) = (rotation.output, to, regenerateOld, kube.namespace)
        try await context.run(deadline: rotation.deadlineDuration) {
            let report = try await operation.run(
                gateway: gatewayName, instance: instance, scope: scope, request: request, to: to, regenerateOld: regenerateOld)
            try Renderer.render(report, as: output.format, terminal: terminal)
            if report.exitStatus != .success { throw ExitCode(report.exitStatus.rawValue) }
        }
    }
}

/// The tables of a fleet switch: the plan before confirmation, and the summary.
enum FleetSwitchTable {
    static func render(_ plan: FleetSwitchKeyPlan) -> String {
        let rows = plan.members.map { [$0.context, $0.namespace, $0.workloads, $0.key.rawValue] } + plan.unreachable.map { [$0, "-", "-", "unreachable"] }
        let regenerate = plan.regenerate ? ", then regenerating the \(plan.from.rawValue) key once every rollout is complete" : ""
        return "Gateway \(plan.gateway) of \(plan.instance) runs in:\n"
            + Table(headers: ["CONTEXT", "NAMESPACE", "WORKLOADS", "KEY"], rows: rows).render()
            + "\nMoving to the \(plan.to.rawValue) key\(regenerate)."
    }

    static func render(_ report: FleetSwitchKeyReport) -> String {
        let rows = report.clusters.map { entry -> [String] in
            [
                entry.context, entry.namespace.isEmpty ? "-" : entry.namespace, entry.gateway.isEmpty ? "-" : entry.gateway, entry.result.rawValue,
                entry.key?.rawValue ?? "-", entry.expiresAt.map(RFC3339.formatMinutes) ?? "-", entry.rollout?.rawValue ?? "-",
            ]
        }
        var text = Table(headers: ["CONTEXT", "NAMESPACE", "GATEWAY", "RESULT", "KEY", "EXPIRES", "ROLLOUT"], rows: rows).render()
        for entry in report.clusters {
            if let error = entry.error { text += "\ncontext \(entry.context): error: \(error)" }
        }
        return text
    }
}

extension GatewayKeyType: ExpressibleByArgument {}
