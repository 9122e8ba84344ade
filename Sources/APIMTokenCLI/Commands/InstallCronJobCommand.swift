import APIMToken
import ArgumentParser
import FoundationEssentials

/// `kubectl apimtoken install-cronjob`.
struct InstallCronJobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-cronjob",
        abstract: "Install a least-privilege CronJob that runs rotate in the cluster.",
        discussion: """
            Applies, with server-side apply (field manager kubectl-apimtoken), in this order: ServiceAccount, Role, \
            RoleBinding, the identity objects, the CronJob. The Role allows get,patch on the one Secret and the one \
            workload by name and create on events; nothing cluster-wide, no wildcards. The pod passes the Pod \
            Security "restricted" profile. --dry-run=client -o yaml prints the manifests instead. With GATEWAY… or \
            -A, one such set per token gateway (Entra gateways and those that read no Secret are skipped), each \
            applied or uninstalled on its own; a summary, and the most severe exit code.
            """)

    @Argument(help: ArgumentHelp("Install for these gateways (by gateway or workload name), one set each.", valueName: "gateway"))
    var gateways: [String] = []

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Every token gateway in every namespace you can list, one set each.")
    var allNamespaces = false

    @OptionGroup(title: "Target") var target: TargetOptions

    @Option(help: ArgumentHelp("workload-identity, aad-pod-identity or service-principal.", valueName: "kind"))
    var identity: CronJobIdentityKind = .workloadIdentity

    @Option(name: .long, help: ArgumentHelp("Client id of the workload identity, managed identity or service principal [AZURE_CLIENT_ID].", valueName: "id"))
    var clientId: String?

    @Option(name: .long, help: ArgumentHelp("Tenant id [AZURE_TENANT_ID].", valueName: "id"))
    var tenant: String?

    @Option(name: .customLong("identity-resource-id"), help: ArgumentHelp("ARM id of the user-assigned managed identity (aad-pod-identity).", valueName: "id"))
    var identityResourceID: String?

    @Option(
        name: .customLong("sp-secret"),
        help: ArgumentHelp("Existing Secret with AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID (service-principal).", valueName: "name"))
    var spSecret: String?

    @Option(
        name: .customLong("client-secret"),
        help: ArgumentHelp("Create the service principal's Secret with this secret [AZURE_CLIENT_SECRET]; never printed.", valueName: "secret"))
    var clientSecret: String?

    @Option(name: [.customShort("k"), .long], help: ArgumentHelp("The key mode the job uses (default last).", valueName: "mode"))
    var tokenKey: TokenKeyMode?

    @Option(help: ArgumentHelp("Cron schedule.", valueName: "cron"))
    var schedule = "0 3 * * *"

    @Option(name: .customLong("time-zone"), help: ArgumentHelp("IANA time zone of the schedule.", valueName: "zone"))
    var timeZone: String?

    @Option(
        name: .customLong("if-expires-within"),
        help: ArgumentHelp(
            "The job rotates only when the token expires within this (default \(DurationText.format(CronJobInstallConfiguration.defaultIfExpiresWithin))).",
            valueName: "duration"),
        transform: DurationArgument.parser("--if-expires-within"))
    var ifExpiresWithin = DurationArgument(seconds: CronJobInstallConfiguration.defaultIfExpiresWithin)

    @Option(help: ArgumentHelp("The image (default \(CronJobInstallConfiguration.defaultImage)).", valueName: "ref"))
    var image: String?

    @Option(name: .customLong("successful-jobs-history-limit"), help: "Finished jobs kept.")
    var successfulJobsHistoryLimit = 3

    @Option(name: .customLong("failed-jobs-history-limit"), help: "Failed jobs kept.")
    var failedJobsHistoryLimit = 3

    @Option(name: .customLong("active-deadline-seconds"), help: "Time limit of one run.")
    var activeDeadlineSeconds = 1200

    @Option(name: .customLong("backoff-limit"), help: "Retries of a failed run.")
    var backoffLimit = 2

    @Option(
        name: .customLong("dry-run"),
        help: ArgumentHelp("client: print the manifests; server: let the API server validate them (dryRun=All).", valueName: "mode"))
    var dryRun: DryRunMode?

    @Option(
        name: [.short, .customLong("output")], help: ArgumentHelp("yaml or json (with --dry-run=client), text or json otherwise.", valueName: "format"))
    var output: InstallOutput?

    @Flag(help: "Delete what install-cronjob installed for this gateway (by label); with GATEWAY… or -A, for each one.")
    var uninstall = false

    @Flag(name: .customLong("run-now"), help: "Create a Job from the CronJob now.")
    var runNow = false

    @Flag(name: .customLong("print-azure-role"), help: "Print the least-privilege Azure custom role JSON and exit.")
    var printAzureRole = false

    @Flag(name: .customLong("allow-key-regeneration"), help: "Include regenerateKey in the Azure role (for switch-key --regenerate-old).")
    var allowKeyRegeneration = false

    @OptionGroup(title: "Kubernetes") var kube: KubeOptions
    @OptionGroup(title: "Output") var global: GlobalOptions

    enum DryRunMode: String, ExpressibleByArgument, CaseIterable { case client, server, none }

    /// `-o`: the manifests' format with `--dry-run=client`, the result's otherwise (`yaml` then prints text).
    enum InstallOutput: String, ExpressibleByArgument, CaseIterable {
        case yaml, json, text

        /// The format of a result (not of `--dry-run=client`'s manifests): a table unless JSON.
        var format: OutputFormat {
            switch self {
            case .json: .json
            case .yaml, .text: .table
            }
        }
    }

    func validate() throws {
        do {
            _ = try CronSchedule(parsing: schedule)
        } catch {
            throw ValidationError("--schedule: \(error)")
        }
        if let timeZone, ZoneInfo(identifier: timeZone) == nil {
            throw ValidationError("--time-zone \"\(timeZone)\" is not a known IANA time zone (e.g. Europe/Berlin)")
        }
        if uninstall && runNow { throw ValidationError("--uninstall and --run-now cannot be used together") }
        if spSecret != nil && clientSecret != nil { throw ValidationError("--sp-secret and --client-secret cannot be used together") }
        if allNamespaces && kube.namespace != nil { throw ValidationError("-A/--all-namespaces and -n/--namespace cannot be used together") }
        guard isFleet else { return }
        // These name one gateway's parts; with GATEWAY… or -A each gateway's own are discovered.
        let single: [(Bool, String)] = [
            (target.apimGateway != nil, "-g/--apim-gateway"), (target.tokenSecret != nil, "-t/--token-secret"),
            (target.tokenSecretKey != nil, "--token-secret-key"), (!target.restart.isEmpty, "--restart"),
        ]
        if let flag = single.first(where: \.0)?.1 {
            throw ValidationError(
                "\(flag) names one gateway; it cannot be used with GATEWAY… or -A, which discover each gateway's own. "
                    + "To set it, install that gateway alone: install-cronjob -n NAMESPACE \(flag.split(separator: "/").last ?? "") …")
        }
    }

    /// Whether this is a run over several gateways.
    private var isFleet: Bool { allNamespaces || !gateways.isEmpty }

    private var mode: DryRunMode { dryRun ?? .none }

    func run() async throws {
        let context = CommandContext(global: global)
        if printAzureRole { return try printRole(context) }
        let session = try await ClusterSession.open(
            flags: kube.flags(environment: context.environment), requestTimeout: kube.timeout, dependencies: context.dependencies)
        if isFleet {
            try await runFleet(session, context)
        } else if uninstall {
            try await runUninstall(session, context)
        } else {
            try await runInstall(session, context)
        }
    }
}

// MARK: - One gateway

extension InstallCronJobCommand {
    private func printRole(_ context: CommandContext) throws {
        let azure = target.azure.resolved(with: context.environment)
        guard let subscription = azure.subscriptionID, let group = azure.resourceGroup else {
            throw ConfigurationError("--print-azure-role needs -s/--subscription-id and -r/--resource-group", remedy: "or SUBSCRIPTION_ID and RESOURCE_GROUP")
        }
        context.terminal.out(try InstallCronJob.printAzureRole(subscription: subscription, resourceGroup: group, allowKeyRegeneration: allowKeyRegeneration))
    }

    private func runInstall(_ session: ClusterSession, _ context: CommandContext) async throws {
        let discovered = try await discover(session, environment: context.environment)
        let manifests = try InstallManifests(try configuration(for: discovered, environment: context.environment))
        if mode == .client { return try printManifests(manifests.objects, terminal: context.terminal) }
        let result = try await InstallCronJob.apply(manifests, client: session.client, dryRun: mode == .server, runNow: runNow)
        try render(result, terminal: context.terminal, verb: mode == .server ? "validated (server dry run)" : "applied")
    }

    private func runUninstall(_ session: ClusterSession, _ context: CommandContext) async throws {
        var gateway = target.apimGateway ?? context.environment[.apimGateway]
        if gateway == nil { gateway = try await discover(session, environment: context.environment).gateway }
        guard let gateway else { throw ConfigurationError("--uninstall needs the gateway", remedy: "pass -g/--apim-gateway") }
        let result = try await InstallCronJob.uninstall(
            gateway: gateway, namespace: session.connection.namespace, client: session.client, dryRun: mode != .none)
        try render(result, terminal: context.terminal, verb: "deleted")
    }

    /// The Secret, key, gateway and workload, from flags or discovery (as `rotate` finds them).
    private func discover(_ session: ClusterSession, environment: Environment) async throws -> LocatedGateway {
        let query = GatewayQuery(
            namespace: session.connection.namespace, secretName: target.tokenSecret ?? environment[.tokenSecret],
            secretKey: target.tokenSecretKey ?? environment[.tokenSecretKey], gatewayName: target.apimGateway ?? environment[.apimGateway],
            restart: try target.restartTargets(environment: environment))
        return try await GatewayLocator(client: session.client).locate(query)
    }

    /// `gateway`'s set: its namespace, Secret and workload; the Azure target, identity and schedule from the flags.
    private func configuration(for gateway: LocatedGateway, environment: Environment) throws -> CronJobInstallConfiguration {
        let workload = try gateway.cronJobWorkload()
        let (azure, identity) = try sharedSettings(environment: environment)
        var configuration = CronJobInstallConfiguration(
            namespace: gateway.namespace, subscriptionID: azure.subscriptionID ?? "", resourceGroup: azure.resourceGroup ?? "",
            apimInstance: azure.serviceName ?? "", gateway: gateway.gateway, tokenSecret: gateway.secretName, workload: workload,
            identity: identity, tokenSecretKey: gateway.secretKey, tokenKey: tokenKey?.rawValue,
            cloud: target.cloud ?? environment[.cloud], armEndpoint: target.armEndpoint ?? environment[.armEndpoint])
        configuration.schedule = schedule
        configuration.timeZone = timeZone
        configuration.ifExpiresWithin = ifExpiresWithin.seconds
        if let image { configuration.image = image }
        configuration.successfulJobsHistoryLimit = successfulJobsHistoryLimit
        configuration.failedJobsHistoryLimit = failedJobsHistoryLimit
        configuration.activeDeadlineSeconds = activeDeadlineSeconds
        configuration.backoffLimit = backoffLimit
        try configuration.validate()
        return configuration
    }

    /// What every gateway's set shares: the Azure target (which the CronJob carries in its environment) and the identity.
    private func sharedSettings(environment: Environment) throws -> (AzureTarget, CronJobIdentity) {
        let azure = target.azure.resolved(with: environment)
        var missing: [String] = []
        if azure.subscriptionID == nil { missing.append("-s/--subscription-id") }
        if azure.resourceGroup == nil { missing.append("-r/--resource-group") }
        if azure.serviceName == nil { missing.append("-a/--apim-instance") }
        guard missing.isEmpty else {
            throw ConfigurationError(
                "install-cronjob needs \(missing.joined(separator: ", "))", remedy: "the CronJob carries the Azure target in its environment")
        }
        let clientID = clientId ?? environment["AZURE_CLIENT_ID"] ?? ""
        let tenantID = tenant ?? environment["AZURE_TENANT_ID"]
        switch identity {
        case .workloadIdentity:
            return (azure, .workloadIdentity(clientID: clientID, tenantID: tenantID))
        case .aadPodIdentity:
            return (azure, .aadPodIdentity(resourceID: identityResourceID ?? "", clientID: clientID))
        case .servicePrincipal:
            if let spSecret { return (azure, .servicePrincipal(.existingSecret(name: spSecret))) }
            guard let secret = clientSecret ?? environment["AZURE_CLIENT_SECRET"] else {
                throw ConfigurationError("--identity service-principal needs --sp-secret NAME, or --client-id, --client-secret and --tenant to create one")
            }
            return (azure, .servicePrincipal(.newSecret(clientID: clientID, clientSecret: Redacted(secret), tenantID: tenantID ?? "")))
        }
    }

    /// `--dry-run=client`: the objects as one YAML stream or one JSON `List`.
    private func printManifests(_ objects: [Manifest], terminal: Terminal) throws {
        for note in ManifestRenderer.notes(for: objects) { terminal.err("note: \(note)") }
        guard !objects.isEmpty else { return }
        terminal.out(try ManifestRenderer.render(objects, format: output == .json ? .json : .yaml))
    }

    private func render(_ result: InstallCronJobResult, terminal: Terminal, verb: String) throws {
        for note in result.notes { terminal.err("note: \(note)") }
        try Renderer.render(InstallResultOutput(result: result, verb: verb), as: output?.format ?? .table, terminal: terminal)
    }
}

// MARK: - Many gateways

extension InstallCronJobCommand {
    /// `install-cronjob GATEWAY… | -A`: one set per gateway, as one install makes it; a summary and the most severe
    /// exit code.
    private func runFleet(_ session: ClusterSession, _ context: CommandContext) async throws {
        let (terminal, environment, client) = (context.terminal, context.environment, session.client)
        if !uninstall { _ = try sharedSettings(environment: environment) }  // once, before anything is read
        let scope = allNamespaces ? nil : session.connection.namespace
        let located = try await FleetInstall.locate(names: gateways, scope: scope, client: client, progress: { terminal.err($0) })
        let report: FleetInstallReport
        if uninstall {
            let targets =
                gateways.isEmpty
                ? try await FleetInstall.uninstallTargets(for: located, scope: scope, client: client)
                : located.map { FleetInstallTarget(namespace: $0.namespace, gateway: $0.gateway) }
            report = await FleetInstall.uninstall(targets, client: client, dryRun: mode != .none, progress: { terminal.err($0) })
        } else {
            let plan = FleetInstall.plan(located) { try configuration(for: $0, environment: environment) }
            if mode == .client {
                try printManifests(plan.objects, terminal: terminal)
                for entry in plan.refused { terminal.err("\(entry.namespace)/\(entry.gateway): error: \(entry.error ?? "refused")") }
                if plan.objects.isEmpty && plan.refused.isEmpty { terminal.err("No gateway with a token Secret was found.") }
                let status = ExitStatus.mostSevere(plan.refused.map(\.exitStatus))
                if status != .success { throw ExitCode(status.rawValue) }
                return
            }
            report = await FleetInstall.apply(plan, client: client, dryRun: mode == .server, runNow: runNow, progress: { terminal.err($0) })
        }
        try Renderer.render(report, as: output?.format ?? .table, terminal: terminal)
        if report.exitStatus != .success { throw ExitCode(report.exitStatus.rawValue) }
    }
}

/// The summary table of `install-cronjob GATEWAY… | -A`.
enum FleetInstallTable {
    static func render(_ report: FleetInstallReport) -> String {
        guard !report.results.isEmpty else { return "No gateway with a token Secret was found." }
        let jobs = report.results.contains { $0.job != nil }
        let rows = report.results.map { entry -> [String] in
            let objects = entry.applied.count + entry.deleted.count
            return [entry.namespace, entry.gateway, entry.result.rawValue, "\(objects)"] + (jobs ? [entry.job?.name ?? "-"] : [])
        }
        var text = Table(headers: ["NAMESPACE", "GATEWAY", "RESULT", "OBJECTS"] + (jobs ? ["JOB"] : []), rows: rows).render()
        for entry in report.results {
            if let error = entry.error { text += "\n\(entry.namespace)/\(entry.gateway): \(error)" }
        }
        return text
    }
}

extension CronJobIdentityKind: ExpressibleByArgument {}
