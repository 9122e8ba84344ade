import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A running sandbox: a Kubernetes API server, Entra ID, IMDS and ARM for APIM, all on 127.0.0.1, with simulated
/// controllers. Start one with ``Sandbox/start(_:)`` and always call ``Sandbox/shutdown()``.
///
/// With ``SandboxOptions/clusters`` N > 1 it is a fleet: N Kubernetes clusters, each with its own API server,
/// objects, controllers, faults and request log, sharing one Azure (one Entra, ARM and IMDS, one set of gateway
/// keys). The value that ``start(_:)`` returns is cluster 1, the primary, which owns the Azure servers;
/// ``clusters`` lists every cluster, and each one's methods act on that cluster.
///
/// ```swift
/// let sandbox = try await Sandbox.start(SandboxOptions(scenario: .demo))
/// defer { Task { await sandbox.shutdown() } }
/// // run kubectl with KUBECONFIG=sandbox.kubeconfigPath, or the plugin with sandbox.environment
/// ```
public final class Sandbox: Sendable {
    /// The directory holding `kubeconfig`, `env`, `ca.crt`, the client certificates and `requests.jsonl`.
    public let directory: URL
    /// `DIR/kubeconfig`: context `apimtoken-sandbox` (client certificate, namespace `apim`) and
    /// `apimtoken-sandbox-token` (bearer token); both are cluster admins. In a fleet it also has the context
    /// `apimtoken-sandbox-K` (client certificate, namespace `apim`) for each further cluster K. On cluster K ≥ 2 this
    /// is `DIR/kubeconfig-apimtoken-sandbox-K`: the same clusters, users and contexts, with `apimtoken-sandbox-K`
    /// as the current context.
    public let kubeconfigPath: String
    /// This cluster's Kubernetes API server, `https://127.0.0.1:PORT`.
    public let apiServerURL: String
    /// The name of the context that reaches this cluster: `apimtoken-sandbox` for cluster 1, `apimtoken-sandbox-K`
    /// for cluster K ≥ 2.
    public let contextName: String
    /// ARM, `https://127.0.0.1:PORT`.
    public let armEndpoint: String
    /// The Entra authority host, `https://127.0.0.1:PORT`.
    public let authorityHost: String
    /// IMDS, `http://127.0.0.1:PORT` (the value of `AZURE_POD_IDENTITY_AUTHORITY_HOST`).
    public let imdsEndpoint: String
    /// The admin endpoint (`http://127.0.0.1:PORT`), when enabled in the options.
    public let adminEndpoint: String?
    /// The CA certificate (PEM) that signed every server certificate.
    public let caCertificatePath: String
    /// The demo service principal's certificate and key (PEM), registered for client-assertion logins.
    public let appCertificatePath: String
    /// The key of ``appCertificatePath``.
    public let appKeyPath: String
    /// The JSON-lines request log, one file for every cluster and Azure (in a fleet, each Kubernetes entry names its
    /// cluster's context in `cluster`).
    public let requestLogPath: String
    /// The Azure names and credentials the scenario created.
    public let azure: DemoAzure
    /// The export values of `DIR/env`: ARM_ENDPOINT, AZURE_AUTHORITY_HOST, AZURE_POD_IDENTITY_AUTHORITY_HOST,
    /// SSL_CERT_FILE, REQUESTS_CA_BUNDLE, KUBECONFIG, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_TENANT_ID,
    /// AZURE_SUBSCRIPTION_ID, RESOURCE_GROUP, APIM_INSTANCE. The same on every cluster (KUBECONFIG is the primary's
    /// kubeconfig).
    public let environment: [String: String]
    /// The admin bearer token (the token context's credential and the admin endpoint's password), valid on every
    /// cluster.
    public let adminToken: String

    /// The cluster state.
    let store: ObjectStore
    /// The simulated Azure, shared by every cluster.
    let azureState: AzureState
    /// The simulated controllers and kubelet.
    let controller: ClusterController
    /// Pending faults (on the primary: its API server's and Azure's; on another cluster: its API server's).
    let faults: FaultInjector
    /// The request log (on the primary: its API server and Azure; on another cluster: its API server).
    let log: RequestLog
    /// Issues ServiceAccount tokens.
    let saTokens: ServiceAccountTokens
    /// This cluster's Kubernetes API server.
    private let apiServer: APIServerSlot
    /// Entra, ARM, IMDS and the admin endpoint (the primary's only).
    private let azureServers: [HTTPServer]
    /// Shared by every cluster; shut down by the primary.
    private let group: MultiThreadedEventLoopGroup
    /// Clusters 2…N (the primary's only).
    private let others: [Sandbox]
    /// The primary, on clusters 2…N.
    private let primary: PrimaryReference

    /// The cluster's service-account token issuer (`iss`), also trusted by Entra for federated credentials.
    public static let issuerURL = "https://oidc.apimtoken-sandbox.invalid/"

    /// Every cluster of the sandbox, cluster 1 (the primary, which owns the Azure servers) first; one element
    /// unless ``SandboxOptions/clusters`` was more than 1. The same list from any cluster.
    public var clusters: [Sandbox] {
        if let primary = primary.sandbox { return primary.clusters }
        return [self] + others
    }

    /// The context name of cluster `number` (1-based): `apimtoken-sandbox`, `apimtoken-sandbox-2`, …
    public static func contextName(cluster number: Int) -> String {
        number == 1 ? "apimtoken-sandbox" : "apimtoken-sandbox-\(number)"
    }

    // MARK: Start

    /// Starts every server on ephemeral loopback ports, seeds the scenario, writes the files and starts the
    /// controllers. Fails if any server cannot start.
    public static func start(_ options: SandboxOptions = SandboxOptions()) async throws -> Sandbox {
        guard options.clusters >= 1 else { throw SandboxError("clusters must be at least 1, not \(options.clusters)") }
        if let expiring = options.expiring, expiring < 0 || expiring > options.gateways {
            throw SandboxError("expiring must be between 0 and the number of gateways (\(options.gateways)), not \(expiring)")
        }
        let fm = FileManager.default
        let directory = options.directory ?? fm.temporaryDirectory.appendingPathComponent("apimtoken-sandbox-\(UUID().uuidString.prefix(8))")
        try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let pki = try SandboxPKI.generate()
        func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            try fm.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
            return url.path
        }
        let caPath = try write("ca.crt", pki.ca.certificatePEM, mode: 0o644)
        _ = try write("admin.crt", pki.adminClient.certificatePEM)
        _ = try write("admin.key", pki.adminClient.privateKeyPEM)
        let appCertPath = try write("app.crt", pki.appCertificate.certificatePEM)
        let appKeyPath = try write("app.key", pki.appCertificate.privateKeyPEM)
        let adminToken = "sandbox-admin-" + Names.suffix(32)
        let demo = DemoAzure(clientSecret: "sbx~" + Names.suffix(36), unprivilegedClientSecret: "sbx~" + Names.suffix(36))

        // Azure once; then every cluster's objects, with tokens from the shared keys. Every cluster's service-account
        // tokens come from the one issuer that Entra trusts for workload identity.
        let azureState = AzureState()
        let contexts = (1...options.clusters).map { contextName(cluster: $0) }
        // One file; in a fleet each Kubernetes entry names its cluster, so that the file tells them apart.
        let primaryLog = RequestLog(fileURL: directory.appendingPathComponent("requests.jsonl"), cluster: options.clusters > 1 ? contexts[0] : nil)
        let saTokens = ServiceAccountTokens(issuer: issuerURL, key: pki.issuerKey)
        let accessTokens = AccessTokens(key: pki.issuerKey)
        var parts: [ClusterParts] = []
        for (index, context) in contexts.enumerated() {
            let store = ObjectStore()
            let scenarios = Scenarios(store: store, azure: azureState, demo: demo, appCertificateDER: pki.appCertificate.der, issuer: issuerURL)
            if index == 0 { scenarios.seedAzure(options) }
            scenarios.seedCluster(options)
            let log = index == 0 ? primaryLog : RequestLog(sharingFileOf: primaryLog, cluster: context)
            parts.append(ClusterParts(context: context, store: store, faults: FaultInjector(), log: log))
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let trust = try NIOSSLCertificate(bytes: Array(pki.ca.certificatePEM.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(pki.server.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.server.privateKeyPEM.utf8), format: .pem)))
        var kubeTLS = tls
        kubeTLS.certificateVerification = .optionalVerification
        kubeTLS.trustRoots = .certificates([trust])
        tls.certificateVerification = .none

        let kubeError: @Sendable (Int, String) -> (String, [UInt8]) = { status, message in
            let reason = [409: "Conflict", 429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"][status] ?? "InternalError"
            return ("application/json", APIError(code: status, reason: reason, message: message).status.encoded())
        }
        let armError: @Sendable (Int, String) -> (String, [UInt8]) = { status, message in
            let code = [429: "TooManyRequests", 409: "Conflict", 500: "InternalServerError", 503: "ServiceUnavailable"][status] ?? "InjectedFault"
            return ("application/json", JSON.object(["error": ["code": .string(code), "message": .string(message)]]).encoded())
        }
        let oauthError: @Sendable (Int, String) -> (String, [UInt8]) = { status, message in
            (
                "application/json",
                JSON.object(["error": status == 429 ? "temporarily_unavailable" : "server_error", "error_description": .string(message)]).encoded()
            )
        }
        var started: [HTTPServer] = []
        var slots: [APIServerSlot] = []
        do {
            let authorityBox = LockedBox("")
            // The primary's Azure servers answer to the primary's faults and log.
            let primaryFaults = parts[0].faults
            slots.append(try await APIServerSlot.start(parts[0], saTokens: saTokens, adminToken: adminToken, group: group, tls: kubeTLS, errorBody: kubeError))
            let entraAPI = EntraAPI(
                state: azureState, accessTokens: accessTokens, federatedIssuer: issuerURL, federatedKey: pki.issuerKey.publicKey,
                publicBaseURL: { authorityBox.current })
            let entra = try await HTTPServer.start(kind: .entra, group: group, tls: tls, faults: primaryFaults, log: primaryLog, errorBody: oauthError) {
                await entraAPI.handle($0)
            }
            started.append(entra)
            authorityBox.current = "https://127.0.0.1:\(entra.port)"
            let armAPI = ARMAPI(state: azureState, accessTokens: accessTokens, authorityHost: { authorityBox.current })
            let arm = try await HTTPServer.start(kind: .arm, group: group, tls: tls, faults: primaryFaults, log: primaryLog, errorBody: armError) {
                await armAPI.handle($0)
            }
            started.append(arm)
            let imdsAPI = IMDSAPI(state: azureState, accessTokens: accessTokens, tenantID: demo.tenantID)
            let imds = try await HTTPServer.start(kind: .imds, group: group, tls: nil, faults: primaryFaults, log: primaryLog, errorBody: oauthError) {
                await imdsAPI.handle($0)
            }
            started.append(imds)
            for cluster in parts.dropFirst() {
                slots.append(
                    try await APIServerSlot.start(cluster, saTokens: saTokens, adminToken: adminToken, group: group, tls: kubeTLS, errorBody: kubeError))
            }
        } catch {
            for slot in slots { await slot.stop() }
            for s in started { await s.stop() }
            try? await group.shutdownGracefully()
            throw error
        }

        let servers = zip(contexts, slots).map { (context: $0, url: "https://127.0.0.1:\($1.port)") }
        let kubeconfigPath = try write("kubeconfig", Self.kubeconfig(servers: servers, current: contexts[0], pki: pki, adminToken: adminToken))
        var env: [String: String] = [
            "ARM_ENDPOINT": "https://127.0.0.1:\(started[1].port)", "AZURE_AUTHORITY_HOST": "https://127.0.0.1:\(started[0].port)",
            "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:\(started[2].port)", "SSL_CERT_FILE": caPath, "REQUESTS_CA_BUNDLE": caPath,
            "KUBECONFIG": kubeconfigPath, "AZURE_CLIENT_ID": demo.clientID, "AZURE_CLIENT_SECRET": demo.clientSecret, "AZURE_TENANT_ID": demo.tenantID,
            "AZURE_SUBSCRIPTION_ID": demo.subscriptionID, "RESOURCE_GROUP": demo.resourceGroup, "APIM_INSTANCE": demo.serviceName,
        ]
        let primaryReference = PrimaryReference()
        let adminBox = LockedBox<Sandbox?>(nil)
        var adminURL: String?
        if options.adminEndpoint {
            let admin = try await HTTPServer.start(
                kind: .kubernetes, group: group, tls: nil, faults: FaultInjector(), log: RequestLog(fileURL: nil), errorBody: kubeError
            ) { request in
                guard let sandbox = adminBox.current else { return HTTPResponse(status: 503) }
                return await AdminAPI(primary: sandbox).handle(request)
            }
            started.append(admin)
            adminURL = "http://127.0.0.1:\(admin.port)"
            env["APIMTOKEN_SANDBOX_ADMIN"] = adminURL
        }
        var others: [Sandbox] = []
        for (index, cluster) in parts.enumerated().dropFirst() {
            let path = try write(
                "kubeconfig-\(cluster.context)", Self.kubeconfig(servers: servers, current: cluster.context, pki: pki, adminToken: adminToken))
            others.append(
                Sandbox(
                    directory: directory, kubeconfigPath: path, contextName: cluster.context, env: env, adminEndpoint: adminURL, caPath: caPath,
                    appCertPath: appCertPath, appKeyPath: appKeyPath, log: cluster.log, azure: demo, adminToken: adminToken, store: cluster.store,
                    azureState: azureState, controller: ClusterController(store: cluster.store, azure: azureState, options: options.controller),
                    faults: cluster.faults, saTokens: saTokens, apiServer: slots[index], azureServers: [], group: group, others: [],
                    primary: primaryReference))
        }
        let sandbox = Sandbox(
            directory: directory, kubeconfigPath: kubeconfigPath, contextName: contexts[0], env: env, adminEndpoint: adminURL, caPath: caPath,
            appCertPath: appCertPath, appKeyPath: appKeyPath, log: parts[0].log, azure: demo, adminToken: adminToken, store: parts[0].store,
            azureState: azureState, controller: ClusterController(store: parts[0].store, azure: azureState, options: options.controller),
            faults: parts[0].faults, saTokens: saTokens, apiServer: slots[0], azureServers: started, group: group, others: others,
            primary: PrimaryReference())
        primaryReference.sandbox = sandbox
        adminBox.current = sandbox
        let envText = env.keys.sorted().map { "export \($0)=\(Self.shellQuote(env[$0]!))" }.joined(separator: "\n") + "\n"
        _ = try write("env", envText)
        for cluster in sandbox.clusters { cluster.controller.start() }
        return sandbox
    }

    private init(
        directory: URL, kubeconfigPath: String, contextName: String, env: [String: String], adminEndpoint: String?, caPath: String,
        appCertPath: String, appKeyPath: String, log: RequestLog, azure: DemoAzure, adminToken: String, store: ObjectStore, azureState: AzureState,
        controller: ClusterController, faults: FaultInjector, saTokens: ServiceAccountTokens, apiServer: APIServerSlot, azureServers: [HTTPServer],
        group: MultiThreadedEventLoopGroup, others: [Sandbox], primary: PrimaryReference
    ) {
        self.directory = directory
        self.kubeconfigPath = kubeconfigPath
        self.apiServerURL = "https://127.0.0.1:\(apiServer.port)"
        self.contextName = contextName
        self.armEndpoint = env["ARM_ENDPOINT"]!
        self.authorityHost = env["AZURE_AUTHORITY_HOST"]!
        self.imdsEndpoint = env["AZURE_POD_IDENTITY_AUTHORITY_HOST"]!
        self.adminEndpoint = adminEndpoint
        self.caCertificatePath = caPath
        self.appCertificatePath = appCertPath
        self.appKeyPath = appKeyPath
        self.requestLogPath = log.fileURL?.path ?? ""
        self.azure = azure
        self.environment = env
        self.adminToken = adminToken
        self.store = store
        self.azureState = azureState
        self.controller = controller
        self.faults = faults
        self.log = log
        self.saTokens = saTokens
        self.apiServer = apiServer
        self.azureServers = azureServers
        self.group = group
        self.others = others
        self.primary = primary
    }

    /// Stops the controllers and every server, and ends open watches. The directory stays. On the primary this
    /// stops every cluster and Azure; on another cluster, only that cluster.
    public func shutdown() async {
        for cluster in [self] + others {
            cluster.controller.stop()
            cluster.store.finishAllWatches()
            await cluster.apiServer.stop()
        }
        for server in azureServers { await server.stop() }
        if primary.sandbox == nil { try? await group.shutdownGracefully() }
    }

    // MARK: Reachability

    /// Makes this cluster's API server unreachable, as a stopped kube-apiserver is: open connections (watches
    /// included) are closed and new ones are refused, until ``startAPIServer()``. Objects and controllers carry on.
    public func stopAPIServer() async {
        // Watches end first, so that their handlers do not hold the server's stop; a watch opened meanwhile ends after.
        store.finishAllWatches()
        await apiServer.stop()
        store.finishAllWatches()
    }

    /// Serves this cluster's API again, on the same port (so every kubeconfig stays right). Throws if the port has
    /// been taken meanwhile; does nothing if it is serving.
    public func startAPIServer() async throws { try await apiServer.start() }

    /// Whether this cluster's API server is serving (see ``stopAPIServer()``).
    public var isAPIServerRunning: Bool { get async { await apiServer.isRunning } }

    /// Single-quotes a value for a POSIX shell.
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The kubeconfig that reaches every cluster: cluster 1 with a client-certificate and a bearer-token context,
    /// clusters 2…N with a client-certificate context each (one CA, one admin user for all).
    private static func kubeconfig(servers: [(context: String, url: String)], current: String, pki: SandboxPKI, adminToken: String) -> String {
        func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
        let clusters = servers.map {
            """
            - name: \($0.context)
              cluster:
                server: \($0.url)
                certificate-authority-data: \(b64(pki.ca.certificatePEM))

            """
        }
        let contexts = servers.dropFirst().map {
            """
            - name: \($0.context)
              context:
                cluster: \($0.context)
                user: sandbox-admin
                namespace: apim

            """
        }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            \(clusters.joined())users:
            - name: sandbox-admin
              user:
                client-certificate-data: \(b64(pki.adminClient.certificatePEM))
                client-key-data: \(b64(pki.adminClient.privateKeyPEM))
            - name: sandbox-token
              user:
                token: \(adminToken)
            contexts:
            - name: apimtoken-sandbox
              context:
                cluster: apimtoken-sandbox
                user: sandbox-admin
                namespace: apim
            - name: apimtoken-sandbox-token
              context:
                cluster: apimtoken-sandbox
                user: sandbox-token
                namespace: apim
            \(contexts.joined())current-context: \(current)

            """
    }
}

// MARK: - ClusterParts

/// What one cluster of a sandbox is made of before its servers start.
private struct ClusterParts {
    let context: String
    let store: ObjectStore
    let faults: FaultInjector
    let log: RequestLog
}

// MARK: - PrimaryReference

/// A secondary cluster's link to the primary (weak: the primary holds the secondaries).
///
/// `@unchecked Sendable`: set once under `lock` before the sandbox is returned, then only read under it.
private final class PrimaryReference: @unchecked Sendable {
    private let lock = NSLock()
    private weak var value: Sandbox?

    /// The primary, nil on the primary itself.
    var sandbox: Sandbox? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

// MARK: - APIServerSlot

/// One cluster's Kubernetes API server, which can be stopped and started again on the same port.
actor APIServerSlot {
    /// The port on 127.0.0.1, kept across restarts.
    nonisolated let port: Int
    private var server: HTTPServer?
    private let launch: @Sendable (Int) async throws -> HTTPServer

    private init(server: HTTPServer, launch: @escaping @Sendable (Int) async throws -> HTTPServer) {
        self.port = server.port
        self.server = server
        self.launch = launch
    }

    /// Starts a cluster's API server on an ephemeral port.
    fileprivate static func start(
        _ cluster: ClusterParts, saTokens: ServiceAccountTokens, adminToken: String, group: MultiThreadedEventLoopGroup, tls: TLSConfiguration,
        errorBody: @escaping @Sendable (Int, String) -> (String, [UInt8])
    ) async throws -> APIServerSlot {
        let api = KubernetesAPI(store: cluster.store, tokens: saTokens, adminToken: adminToken)
        let (faults, log) = (cluster.faults, cluster.log)
        let launch: @Sendable (Int) async throws -> HTTPServer = { port in
            try await HTTPServer.start(kind: .kubernetes, port: port, group: group, tls: tls, faults: faults, log: log, errorBody: errorBody) {
                await api.handle($0)
            }
        }
        return APIServerSlot(server: try await launch(0), launch: launch)
    }

    /// Whether it is serving.
    var isRunning: Bool { server != nil }

    /// Closes the listening socket and every connection.
    func stop() async {
        guard let server else { return }
        self.server = nil
        await server.stop()
    }

    /// Listens on the same port again.
    func start() async throws {
        guard server == nil else { return }
        server = try await launch(port)
    }
}
