import APIMToken
import ArgumentParser
import FoundationEssentials

/// Which gateway and Secret to work on, and where it lives in Azure (SPEC §4; env vars as apim-shg-rotate).
struct TargetOptions: ParsableArguments {
    @Option(name: [.customShort("s"), .long], help: ArgumentHelp("Azure subscription id [SUBSCRIPTION_ID, AZURE_SUBSCRIPTION_ID].", valueName: "id"))
    var subscriptionId: String?

    @Option(name: [.customShort("r"), .long], help: ArgumentHelp("Resource group of the APIM instance [RESOURCE_GROUP].", valueName: "name"))
    var resourceGroup: String?

    @Option(name: [.customShort("a"), .long], help: ArgumentHelp("APIM instance name [APIM_INSTANCE].", valueName: "name"))
    var apimInstance: String?

    @Option(name: [.customShort("g"), .long], help: ArgumentHelp("Self-hosted gateway name [APIM_GATEWAY] (default: discovered).", valueName: "name"))
    var apimGateway: String?

    @Option(name: [.customShort("t"), .long], help: ArgumentHelp("Secret that holds the token [TOKEN_SECRET] (default: discovered).", valueName: "name"))
    var tokenSecret: String?

    @Option(name: .long, help: ArgumentHelp("Key in the Secret [TOKEN_SECRET_KEY] (default: discovered, else value).", valueName: "key"))
    var tokenSecretKey: String?

    @Option(name: .long, help: ArgumentHelp("Workload to restart, TYPE/NAME [K8S_OBJECT] (default: every workload using the Secret).", valueName: "type/name"))
    var restart: [String] = []

    @Flag(name: .long, help: "Do not restart any workload.")
    var noRestart = false

    @Option(
        name: .long, help: ArgumentHelp("Azure cloud: AzureCloud, AzureUSGovernment, AzureChinaCloud [AZURE_CLOUD].", valueName: "name"),
        completion: .list(AzureCloud.all.map(\.name)))
    var cloud: String?

    @Option(name: .long, help: ArgumentHelp("Azure Resource Manager endpoint [ARM_ENDPOINT].", valueName: "url"))
    var armEndpoint: String?

    @Option(name: .long, help: ArgumentHelp("ARM api-version (default \(ARMClient.defaultAPIVersion)).", valueName: "version"))
    var apiVersion: String?

    func validate() throws {
        if noRestart && !restart.isEmpty { throw ValidationError("--restart and --no-restart cannot be used together") }
        for value in restart where WorkloadReference(parsing: value) == nil {
            throw ValidationError("--restart \"\(value)\" is not TYPE/NAME; use deployment/NAME, statefulset/NAME or daemonset/NAME")
        }
    }

    /// The Azure side of the target.
    var azure: AzureTarget {
        AzureTarget(
            subscriptionID: subscriptionId, resourceGroup: resourceGroup, serviceName: apimInstance, cloud: cloud, armEndpoint: armEndpoint,
            apiVersion: apiVersion)
    }

    /// The restart targets from the flag or K8S_OBJECT.
    func restartTargets(environment: Environment) throws -> [WorkloadReference]? {
        if noRestart { return nil }
        let values = restart.isEmpty ? (environment[.restart].map { [$0] } ?? []) : restart
        guard !values.isEmpty else { return nil }
        return try values.map { value in
            guard let reference = WorkloadReference(parsing: value) else {
                throw ConfigurationError(
                    "\(TargetVariable.restart.rawValue) \"\(value)\" is not TYPE/NAME", remedy: "use deployment/NAME, statefulset/NAME or daemonset/NAME")
            }
            return reference
        }
    }
}

/// How to sign in to Azure (SPEC §4).
struct LoginFlags: ParsableArguments {
    @Option(
        name: [.customShort("l"), .long], help: ArgumentHelp("auto, workload-identity, identity, sp or azurecli [LOGIN_METHOD].", valueName: "method"),
        completion: .list(LoginMethod.allCases.map(\.rawValue)))
    var loginMethod: String?

    @Option(name: .long, help: ArgumentHelp("Application or user-assigned identity client id [AZURE_CLIENT_ID, SP_ID].", valueName: "id"))
    var clientId: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Client secret, or a path to a PEM certificate and key [AZURE_CLIENT_SECRET, SP_SECRET]. Prefer the env var: flags show in ps.", valueName: "secret"
        ))
    var clientSecret: String?

    @Option(name: .long, help: ArgumentHelp("PEM certificate and key of a service principal [AZURE_CLIENT_CERTIFICATE_PATH].", valueName: "path"))
    var clientCertificate: String?

    @Option(name: .long, help: ArgumentHelp("Tenant id [AZURE_TENANT_ID, TENANT_ID, TENANT].", valueName: "id"))
    var tenant: String?

    func validate() throws {
        if let loginMethod { _ = try LoginMethod.parse(loginMethod, source: "--login-method") }
    }

    /// The options for the credential factory.
    func options() throws -> LoginOptions {
        LoginOptions(
            method: try loginMethod.map { try LoginMethod.parse($0, source: "--login-method") }, clientID: clientId,
            clientSecret: clientSecret.map(Redacted.init), clientCertificatePath: clientCertificate, tenantID: tenant)
    }
}

extension TokenKeyMode: ExpressibleByArgument {}
