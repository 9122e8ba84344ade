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
            gateway with a token from the old key loses it when the key is regenerated: rotate those first.
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
    @OptionGroup(title: "Output") var global: GlobalOptions

    func validate() throws {
        if target.noRestart { throw ValidationError("switch-key restarts the gateway by design; --no-restart cannot be used") }
    }

    func run() async throws {
        let context = CommandContext(global: global)
        var request = try RotateCommandSupport.request(
            target: target, tokenKey: nil, kube: kube, environment: context.environment, namespace: "", ifExpiresWithin: nil,
            validity: rotation.validity, createSecret: false, dryRun: false, wait: true, timeout: rotation.timeout)
        let session = try await ClusterSession.open(
            flags: kube.flags(environment: context.environment), requestTimeout: kube.timeout, dependencies: context.dependencies)
        request.namespace = session.connection.namespace
        let rotate = RotateCommandSupport.operation(session: session, context: context, target: target, login: login)
        let terminal = context.terminal
        let yes = yes
        let operation = SwitchKeyOperation(rotate: rotate) { plan in
            terminal.err(plan.warning)
            if yes { return true }
            guard terminal.stdinIsTTY else {
                throw ConfigurationError("switch-key needs confirmation and stdin is not a terminal", remedy: "pass --yes")
            }
            if plan.resuming {
                return terminal.confirm(
                    "Finish the switch of gateway \(plan.gateway) to the \(plan.to.rawValue) key\(plan.regenerate ? " and regenerate the \(plan.from.rawValue) key" : "")?"
                )
            }
            return terminal.confirm(
                "Switch gateway \(plan.gateway) from the \(plan.from.rawValue) key to the \(plan.to.rawValue) key\(plan.regenerate ? " and then regenerate the \(plan.from.rawValue) key" : "")?"
            )
        }
        let (output, to, regenerateOld, pinned) = (rotation.output, to, regenerateOld, request)
        try await context.run(deadline: try rotation.deadlineDuration) {
            let result = try await operation.run(pinned, to: to, regenerateOld: regenerateOld)
            terminal.endLive()
            switch output {
            case .json: terminal.out((try? OutputFormat.document(result, as: .json)) ?? "{}")
            case .text: terminal.out(result.summary)
            }
        }
    }
}

extension GatewayKeyType: ExpressibleByArgument {}
