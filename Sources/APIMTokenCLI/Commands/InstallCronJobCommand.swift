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
            Security "restricted" profile. --dry-run=client -o yaml prints the manifests instead.
            """)

    @OptionGroup(title: "Target") var target: TargetOptions

    @Option(help: ArgumentHelp("workload-identity, aad-pod-identity or service-principal.", valueName: "kind"), completion: .list(CronJobIdentity.flagValues))
    var identity: String = "workload-identity"

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

    @Option(name: .customLong("if-expires-within"), help: ArgumentHelp("The job rotates only when the token expires within this.", valueName: "duration"))
    var ifExpiresWithin = "10d"

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
        name: [.short, .customLong("output")], help: ArgumentHelp("yaml or json (with --dry-run=client), text or json otherwise.", valueName: "format"),
        completion: .list(["yaml", "json", "text"]))
    var output: String?

    @Flag(help: "Delete what install-cronjob installed for this gateway (by label).")
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

    func validate() throws {
        guard CronJobIdentity.flagValues.contains(identity) else {
            throw ValidationError("--identity \"\(identity)\" is not one of \(CronJobIdentity.flagValues.joined(separator: ", "))")
        }
        do {
            _ = try CronSchedule(parsing: schedule)
        } catch {
            throw ValidationError("--schedule: \(error)")
        }
        if let timeZone, ZoneInfo(identifier: timeZone) == nil {
            throw ValidationError("--time-zone \"\(timeZone)\" is not a known IANA time zone (e.g. Europe/Berlin)")
        }
        _ = try parseDuration(ifExpiresWithin, flag: "--if-expires-within")
        if let output, !["yaml", "json", "text"].contains(output) { throw ValidationError("-o \"\(output)\" must be yaml, json or text") }
        if uninstall && runNow { throw ValidationError("--uninstall and --run-now cannot be used together") }
        if spSecret != nil && clientSecret != nil { throw ValidationError("--sp-secret and --client-secret cannot be used together") }
    }

    func run() async throws {
        let context = CommandContext(global: global)
        let environment = context.environment
        let azure = target.azure.resolved(with: environment)
        if printAzureRole {
            guard let subscription = azure.subscriptionID, let group = azure.resourceGroup else {
                throw ConfigurationError(
                    "--print-azure-role needs -s/--subscription-id and -r/--resource-group", remedy: "or SUBSCRIPTION_ID and RESOURCE_GROUP")
            }
            context.terminal.out(
                try InstallCronJob.printAzureRole(subscription: subscription, resourceGroup: group, allowKeyRegeneration: allowKeyRegeneration))
            return
        }
        let session = try await ClusterSession.open(
            flags: kube.flags(environment: environment), requestTimeout: kube.timeout, dependencies: context.dependencies)
        let namespace = session.connection.namespace
        let mode = dryRun ?? .none

        if uninstall {
            var gateway = target.apimGateway ?? environment["APIM_GATEWAY"]
            if gateway == nil { gateway = try await discover(session, namespace: namespace, environment: environment).gateway }
            guard let gateway else { throw ConfigurationError("--uninstall needs the gateway", remedy: "pass -g/--apim-gateway") }
            let result = try await InstallCronJob.uninstall(gateway: gateway, namespace: namespace, client: session.client, dryRun: mode != .none)
            render(result, terminal: context.terminal, verb: "deleted")
            return
        }

        let discovered = try await discover(session, namespace: namespace, environment: environment)
        guard let workload = discovered.workloads.first?.reference else {
            throw ConfigurationError(
                "no workload uses Secret \(discovered.secretName) in namespace \"\(namespace)\", so the CronJob would have nothing to restart",
                remedy: "name it with --restart TYPE/NAME")
        }
        guard discovered.workloads.count == 1 else {
            throw ConfigurationError(
                "several workloads use Secret \(discovered.secretName): \(discovered.workloads.map { $0.reference.description }.joined(separator: ", "))",
                remedy: "install one CronJob per workload, naming it with --restart TYPE/NAME")
        }
        var missing: [String] = []
        if azure.subscriptionID == nil { missing.append("-s/--subscription-id") }
        if azure.resourceGroup == nil { missing.append("-r/--resource-group") }
        if azure.serviceName == nil { missing.append("-a/--apim-instance") }
        guard missing.isEmpty else {
            throw ConfigurationError(
                "install-cronjob needs \(missing.joined(separator: ", "))", remedy: "the CronJob carries the Azure target in its environment")
        }
        var configuration = CronJobInstallConfiguration(
            namespace: namespace, subscriptionID: azure.subscriptionID ?? "", resourceGroup: azure.resourceGroup ?? "",
            apimInstance: azure.serviceName ?? "", gateway: discovered.gateway, tokenSecret: discovered.secretName, workload: workload,
            identity: try identityValue(environment: environment), tokenSecretKey: discovered.secretKey, tokenKey: tokenKey?.rawValue,
            cloud: target.cloud ?? environment["AZURE_CLOUD"], armEndpoint: target.armEndpoint ?? environment["ARM_ENDPOINT"])
        configuration.schedule = schedule
        configuration.timeZone = timeZone
        configuration.ifExpiresWithin = ifExpiresWithin
        if let image { configuration.image = image }
        configuration.successfulJobsHistoryLimit = successfulJobsHistoryLimit
        configuration.failedJobsHistoryLimit = failedJobsHistoryLimit
        configuration.activeDeadlineSeconds = activeDeadlineSeconds
        configuration.backoffLimit = backoffLimit
        try configuration.validate()
        let manifests = try InstallManifests(configuration)

        if mode == .client {
            for note in ManifestRenderer.notes(for: manifests.objects) { context.terminal.err("note: \(note)") }
            context.terminal.out(try ManifestRenderer.render(manifests.objects, format: output == "json" ? .json : .yaml))
            return
        }
        let result = try await InstallCronJob.apply(manifests, client: session.client, dryRun: mode == .server, runNow: runNow)
        render(result, terminal: context.terminal, verb: mode == .server ? "validated (server dry run)" : "applied")
    }

    /// The Secret, key, gateway and workload, from flags or discovery (as `rotate` finds them).
    private func discover(_ session: ClusterSession, namespace: String, environment: Environment) async throws -> LocatedGateway {
        let query = GatewayQuery(
            namespace: namespace, secretName: target.tokenSecret ?? environment["TOKEN_SECRET"],
            secretKey: target.tokenSecretKey ?? environment["TOKEN_SECRET_KEY"], gatewayName: target.apimGateway ?? environment["APIM_GATEWAY"],
            restart: try target.restartTargets(environment: environment))
        return try await GatewayLocator(client: session.client).locate(query)
    }

    private func identityValue(environment: Environment) throws -> CronJobIdentity {
        let clientID = clientId ?? environment["AZURE_CLIENT_ID"] ?? ""
        let tenantID = tenant ?? environment["AZURE_TENANT_ID"]
        switch identity {
        case "aad-pod-identity":
            return .aadPodIdentity(resourceID: identityResourceID ?? "", clientID: clientID)
        case "service-principal":
            if let spSecret { return .servicePrincipal(.existingSecret(name: spSecret)) }
            guard let secret = clientSecret ?? environment["AZURE_CLIENT_SECRET"] else {
                throw ConfigurationError("--identity service-principal needs --sp-secret NAME, or --client-id, --client-secret and --tenant to create one")
            }
            return .servicePrincipal(.newSecret(clientID: clientID, clientSecret: Redacted(secret), tenantID: tenantID ?? ""))
        default:
            return .workloadIdentity(clientID: clientID, tenantID: tenantID)
        }
    }

    private func render(_ result: InstallCronJobResult, terminal: Terminal, verb: String) {
        for note in result.notes { terminal.err("note: \(note)") }
        if output == "json" {
            terminal.out((try? OutputFormat.document(result, as: .json)) ?? "{}")
            return
        }
        for object in result.applied { terminal.out("\(object) \(verb)") }
        for object in result.deleted { terminal.out("\(object) \(verb)") }
        if let job = result.job { terminal.out("\(job) created") }
        if result.applied.isEmpty && result.deleted.isEmpty && result.job == nil { terminal.out("nothing to do") }
    }
}
