import FoundationEssentials

// MARK: - Dependencies

/// Everything an operation needs from the outside world, passed in once (no globals).
public struct Dependencies: Sendable {
    /// The process environment.
    public var environment: Environment
    public var clock: any WallClock
    /// Runs exec plugins and `az`.
    public var processRunner: any ProcessRunner
    /// Where `-v` lines and warnings go (stderr in the CLI).
    public var log: @Sendable (String) -> Void
    /// The number of `-v` flags.
    public var verbosity: Int
    /// What the run has done, for a signal or the deadline.
    public var journal: RunJournal
    /// Makes the HTTP transport for a TLS/proxy setting (libcurl in production).
    public var makeTransport: @Sendable (CurlTransport.Configuration) throws -> any HTTPTransport

    /// Creates dependencies.
    public init(
        environment: Environment = .process, clock: any WallClock = SystemWallClock(),
        processRunner: any ProcessRunner = POSIXProcessRunner(), verbosity: Int = 0, journal: RunJournal = RunJournal(),
        log: @escaping @Sendable (String) -> Void,
        makeTransport: (@Sendable (CurlTransport.Configuration) throws -> any HTTPTransport)? = nil
    ) {
        self.environment = environment
        self.clock = clock
        self.processRunner = processRunner
        self.verbosity = verbosity
        self.journal = journal
        self.log = log
        self.makeTransport =
            makeTransport ?? { configuration in
                try CurlTransport(configuration, warn: { log("warning: \($0)") })
            }
    }

    /// The `-v` trace shared by Kubernetes and Azure calls.
    public var trace: VerboseTrace { VerboseTrace(verbosity: verbosity, sink: log) }
}

// MARK: - ClusterSession

/// From the kubectl flags to an authenticated, retrying `KubernetesClient`.
public struct ClusterSession: Sendable {
    /// The resolved connection.
    public let connection: ClusterConnection
    public let client: KubernetesClient

    /// Resolves the kubeconfig (or in-cluster config) and builds the client.
    public static func open(flags: KubeConfigFlags, requestTimeout: Duration?, dependencies: Dependencies) async throws -> ClusterSession {
        let connection = try KubeConfigResolver.resolve(flags: flags, environment: dependencies.environment)
        let auth = KubeAuthMiddleware(
            connection: connection, runner: dependencies.processRunner, clock: dependencies.clock, environment: dependencies.environment)
        var tls = connection.tls
        if let provider = auth.execProvider { tls = try await provider.effectiveTLS(base: tls) }
        var configuration = CurlTransport.Configuration(tls: tls, proxy: connection.proxy, environment: dependencies.environment)
        if let requestTimeout { configuration.requestTimeout = requestTimeout }
        let base = try dependencies.makeTransport(configuration)
        let transport = MiddlewareStacks.kubernetes(base, auth: auth, clock: dependencies.clock, trace: dependencies.trace)
        let origin: String
        switch connection.origin {
        case .context(let name, let cluster, let user): origin = "context \(name) (cluster \(cluster), user \(user))"
        case .inCluster: origin = "the pod's service account"
        }
        dependencies.trace.emit(1, "using \(origin) at \(connection.server.absoluteString), namespace \(connection.namespace)")
        return ClusterSession(connection: connection, client: KubernetesClient(server: connection.server, transport: transport, requestTimeout: requestTimeout))
    }
}

// MARK: - FleetCluster

/// One kubeconfig context of a run over several clusters: its client, or why none could be made. Contexts that reach
/// the same API server are the same cluster.
public struct FleetCluster: Sendable {
    public var context: String
    /// The API server URL; empty when the context could not be resolved.
    public var server: String
    /// The context's namespace (or `-n`).
    public var namespace: String
    public var client: Result<KubernetesClient, any Error>

    /// Creates the entry.
    public init(context: String, server: String, namespace: String, client: Result<KubernetesClient, any Error>) {
        self.context = context
        self.server = server
        self.namespace = namespace
        self.client = client
    }

    /// How many contexts are opened and worked on at once.
    public static let concurrency = 4

    /// Resolves each context as `--context` would be (`flags` with its `context` replaced), at most
    /// ``concurrency`` at a time; a context that cannot be resolved is kept, with its error.
    public static func open(
        contexts: [String], flags: KubeConfigFlags, requestTimeout: Duration?, dependencies: Dependencies
    ) async -> [FleetCluster] {
        let opened = try? await contexts.concurrentMap(limit: concurrency) { name -> FleetCluster in
            var contextFlags = flags
            contextFlags.context = name
            do {
                let session = try await ClusterSession.open(flags: contextFlags, requestTimeout: requestTimeout, dependencies: dependencies)
                return FleetCluster(
                    context: name, server: session.connection.server.absoluteString, namespace: session.connection.namespace,
                    client: .success(session.client))
            } catch {
                return FleetCluster(context: name, server: "", namespace: "", client: .failure(error))
            }
        }
        return opened ?? []
    }
}

// MARK: - AzureTarget

/// The APIM gateway resource and how to reach ARM (`-s -r -a -g`, `--cloud`, `--arm-endpoint`, `--api-version`).
public struct AzureTarget: Sendable {
    public var subscriptionID: String?
    public var resourceGroup: String?
    /// The APIM instance.
    public var serviceName: String?
    /// `--cloud`.
    public var cloud: String?
    /// `--arm-endpoint`.
    public var armEndpoint: String?
    /// `--api-version`.
    public var apiVersion: String?

    /// Creates a target.
    public init(subscriptionID: String?, resourceGroup: String?, serviceName: String?, cloud: String?, armEndpoint: String?, apiVersion: String?) {
        self.subscriptionID = subscriptionID
        self.resourceGroup = resourceGroup
        self.serviceName = serviceName
        self.cloud = cloud
        self.armEndpoint = armEndpoint
        self.apiVersion = apiVersion
    }

    /// Fills unset values from the environment (SPEC §4 names).
    public func resolved(with environment: Environment) -> AzureTarget {
        var result = self
        result.subscriptionID = subscriptionID ?? environment[.subscriptionID]
        result.resourceGroup = resourceGroup ?? environment[.resourceGroup]
        result.serviceName = serviceName ?? environment[.apimInstance]
        result.apiVersion = apiVersion ?? environment[.apiVersion]
        return result
    }

    /// The gateway reference, or a usage error naming every missing flag.
    public func gateway(named name: String) throws -> APIMGatewayReference {
        var missing: [String] = []
        if subscriptionID == nil { missing.append("-s/--subscription-id [SUBSCRIPTION_ID]") }
        if resourceGroup == nil { missing.append("-r/--resource-group [RESOURCE_GROUP]") }
        if serviceName == nil { missing.append("-a/--apim-instance [APIM_INSTANCE]") }
        guard missing.isEmpty, let subscriptionID, let resourceGroup, let serviceName else {
            throw ConfigurationError(
                "the APIM gateway's Azure resource is not fully named: missing \(missing.joined(separator: ", "))",
                remedy: "pass the flags or set the environment variables (they are the ones apim-shg-rotate uses)")
        }
        return try APIMGatewayReference(
            service: APIMServiceReference(subscriptionID: subscriptionID, resourceGroup: resourceGroup, serviceName: serviceName),
            gatewayName: name)
    }
}

// MARK: - ARMGatewayIssuer

/// `GatewayTokenIssuer` over the ARM client.
public struct ARMGatewayIssuer: GatewayTokenIssuer {
    public let client: ARMClient
    public let gateway: APIMGatewayReference

    public var gatewayName: String { gateway.gatewayName }

    public func generateToken(keyType: GatewayKeyType, expiry: Date) async throws -> Redacted<String> {
        try await client.generateToken(gateway, keyType: keyType, expiry: expiry)
    }

    public func regenerateKey(_ keyType: GatewayKeyType) async throws {
        try await client.regenerateKey(gateway, keyType: keyType)
    }

    /// Builds the credential and the ARM client for `target` and `login`; nothing is sent yet.
    public static func make(
        target: AzureTarget, gatewayName: String, login: LoginOptions, dependencies: Dependencies
    ) throws -> ARMGatewayIssuer {
        let environment = dependencies.environment
        let target = target.resolved(with: environment)
        let reference = try target.gateway(named: gatewayName)
        let cloud = try AzureCloud.resolve(cloud: target.cloud, armEndpoint: target.armEndpoint, environment: environment)
        let trace = dependencies.trace
        let base = try dependencies.makeTransport(
            CurlTransport.Configuration(tls: AzureEndpointPolicy.tlsMaterial(environment: environment), environment: environment))
        let transport = MiddlewareStacks.azureBase(base, trace: trace)
        let credential = try CredentialFactory(
            transport: transport, environment: environment, clock: dependencies.clock,
            processRunner: ProcessTrace(base: dependencies.processRunner, trace: trace), cloud: cloud
        ).makeCredential(login)
        let client = try ARMClient(
            transport: transport, tokenCache: TokenCache(credential: credential, clock: dependencies.clock), cloud: cloud,
            apiVersion: target.apiVersion ?? ARMClient.defaultAPIVersion, clock: dependencies.clock)
        return ARMGatewayIssuer(client: client, gateway: reference)
    }
}

// MARK: - ARMGatewayIssuers

/// One ARM client (one credential, one token cache) for every gateway a run rotates, made on first use: a run over
/// fifty gateways signs in once.
///
/// `@unchecked Sendable`: `client` is set once under `lock`.
public final class ARMGatewayIssuers: @unchecked Sendable {
    private let target: AzureTarget
    private let login: LoginOptions
    private let dependencies: Dependencies
    private let lock = Lock()
    private var client: ARMClient?

    /// Creates the factory; nothing is built or sent yet.
    public init(target: AzureTarget, login: LoginOptions, dependencies: Dependencies) {
        self.target = target.resolved(with: dependencies.environment)
        self.login = login
        self.dependencies = dependencies
    }

    /// The issuer for one gateway of the target's APIM instance.
    public func issuer(for gatewayName: String) throws -> ARMGatewayIssuer {
        let reference = try target.gateway(named: gatewayName)
        let shared = try lock.withLock { () throws -> ARMClient in
            if let client { return client }
            let made = try ARMGatewayIssuer.make(target: target, gatewayName: gatewayName, login: login, dependencies: dependencies).client
            client = made
            return made
        }
        return ARMGatewayIssuer(client: shared, gateway: reference)
    }
}
