import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A running sandbox: a Kubernetes API server, Entra ID, IMDS and ARM for APIM, all on 127.0.0.1, with simulated
/// controllers. Start one with ``Sandbox/start(_:)`` and always call ``Sandbox/shutdown()``.
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
    /// `apimtoken-sandbox-token` (bearer token); both are cluster admins.
    public let kubeconfigPath: String
    /// The Kubernetes API server, `https://127.0.0.1:PORT`.
    public let apiServerURL: String
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
    /// The JSON-lines request log.
    public let requestLogPath: String
    /// The Azure names and credentials the scenario created.
    public let azure: DemoAzure
    /// The export values of `DIR/env`: ARM_ENDPOINT, AZURE_AUTHORITY_HOST, AZURE_POD_IDENTITY_AUTHORITY_HOST,
    /// SSL_CERT_FILE, REQUESTS_CA_BUNDLE, KUBECONFIG, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_TENANT_ID,
    /// AZURE_SUBSCRIPTION_ID, RESOURCE_GROUP, APIM_INSTANCE.
    public let environment: [String: String]
    /// The admin bearer token (the token context's credential and the admin endpoint's password).
    public let adminToken: String

    /// The cluster state.
    let store: ObjectStore
    /// The simulated Azure.
    let azureState: AzureState
    /// The simulated controllers and kubelet.
    let controller: ClusterController
    /// Pending faults.
    let faults: FaultInjector
    /// The request log.
    let log: RequestLog
    /// Issues ServiceAccount tokens.
    let saTokens: ServiceAccountTokens
    private let servers: [HTTPServer]
    private let group: MultiThreadedEventLoopGroup

    /// The cluster's service-account token issuer (`iss`), also trusted by Entra for federated credentials.
    public static let issuerURL = "https://oidc.apimtoken-sandbox.invalid/"

    // MARK: Start

    /// Starts every server on ephemeral loopback ports, seeds the scenario, writes the files and starts the
    /// controllers. Fails if any server cannot start.
    public static func start(_ options: SandboxOptions = SandboxOptions()) async throws -> Sandbox {
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

        let store = ObjectStore()
        let azureState = AzureState()
        let faults = FaultInjector()
        let log = RequestLog(fileURL: directory.appendingPathComponent("requests.jsonl"))
        let saTokens = ServiceAccountTokens(issuer: issuerURL, key: pki.issuerKey)
        let accessTokens = AccessTokens(key: pki.issuerKey)
        let scenarios = Scenarios(store: store, azure: azureState, demo: demo, appCertificateDER: pki.appCertificate.der, issuer: issuerURL)
        scenarios.azureBase()
        switch options.scenario {
        case .empty: break
        case .demo: scenarios.seedDemo()
        case .many: scenarios.seedMany(gateways: options.gateways, namespaces: options.namespaces, noise: options.noiseObjects)
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

        let kubeAPI = KubernetesAPI(store: store, tokens: saTokens, adminToken: adminToken)
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
        do {
            let authorityBox = LockedBox("")
            let kube = try await HTTPServer.start(kind: .kubernetes, group: group, tls: kubeTLS, faults: faults, log: log, errorBody: kubeError) {
                await kubeAPI.handle($0)
            }
            started.append(kube)
            let entraAPI = EntraAPI(
                state: azureState, accessTokens: accessTokens, federatedIssuer: issuerURL, federatedKey: pki.issuerKey.publicKey,
                publicBaseURL: { authorityBox.current })
            let entra = try await HTTPServer.start(kind: .entra, group: group, tls: tls, faults: faults, log: log, errorBody: oauthError) {
                await entraAPI.handle($0)
            }
            started.append(entra)
            authorityBox.current = "https://127.0.0.1:\(entra.port)"
            let armAPI = ARMAPI(state: azureState, accessTokens: accessTokens, authorityHost: { authorityBox.current })
            let arm = try await HTTPServer.start(kind: .arm, group: group, tls: tls, faults: faults, log: log, errorBody: armError) {
                await armAPI.handle($0)
            }
            started.append(arm)
            let imdsAPI = IMDSAPI(state: azureState, accessTokens: accessTokens, tenantID: demo.tenantID)
            let imds = try await HTTPServer.start(kind: .imds, group: group, tls: nil, faults: faults, log: log, errorBody: oauthError) {
                await imdsAPI.handle($0)
            }
            started.append(imds)
        } catch {
            for s in started { await s.stop() }
            try? await group.shutdownGracefully()
            throw error
        }

        let controller = ClusterController(store: store, azure: azureState, options: options.controller)
        let apiServer = "https://127.0.0.1:\(started[0].port)"
        let kubeconfig = Self.kubeconfig(server: apiServer, pki: pki, adminToken: adminToken)
        let kubeconfigPath = try write("kubeconfig", kubeconfig)
        var env: [String: String] = [
            "ARM_ENDPOINT": "https://127.0.0.1:\(started[2].port)", "AZURE_AUTHORITY_HOST": "https://127.0.0.1:\(started[1].port)",
            "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:\(started[3].port)", "SSL_CERT_FILE": caPath, "REQUESTS_CA_BUNDLE": caPath,
            "KUBECONFIG": kubeconfigPath, "AZURE_CLIENT_ID": demo.clientID, "AZURE_CLIENT_SECRET": demo.clientSecret, "AZURE_TENANT_ID": demo.tenantID,
            "AZURE_SUBSCRIPTION_ID": demo.subscriptionID, "RESOURCE_GROUP": demo.resourceGroup, "APIM_INSTANCE": demo.serviceName,
        ]
        var adminURL: String?
        var allServers = started
        let sandbox: Sandbox
        if options.adminEndpoint {
            let adminBox = LockedBox<Sandbox?>(nil)
            let admin = try await HTTPServer.start(
                kind: .kubernetes, group: group, tls: nil, faults: FaultInjector(), log: RequestLog(fileURL: nil), errorBody: kubeError
            ) { request in
                guard let sandbox = adminBox.current else { return HTTPResponse(status: 503) }
                return await AdminAPI(sandbox: sandbox).handle(request)
            }
            allServers.append(admin)
            adminURL = "http://127.0.0.1:\(admin.port)"
            env["APIMTOKEN_SANDBOX_ADMIN"] = adminURL
            sandbox = Sandbox(
                directory: directory, kubeconfigPath: kubeconfigPath, apiServerURL: apiServer, env: env, adminEndpoint: adminURL, caPath: caPath,
                appCertPath: appCertPath, appKeyPath: appKeyPath, log: log, azure: demo, adminToken: adminToken, store: store, azureState: azureState,
                controller: controller, faults: faults, saTokens: saTokens, servers: allServers, group: group)
            adminBox.current = sandbox
        } else {
            sandbox = Sandbox(
                directory: directory, kubeconfigPath: kubeconfigPath, apiServerURL: apiServer, env: env, adminEndpoint: nil, caPath: caPath,
                appCertPath: appCertPath, appKeyPath: appKeyPath, log: log, azure: demo, adminToken: adminToken, store: store, azureState: azureState,
                controller: controller, faults: faults, saTokens: saTokens, servers: allServers, group: group)
        }
        let envText = env.keys.sorted().map { "export \($0)=\(Self.shellQuote(env[$0]!))" }.joined(separator: "\n") + "\n"
        _ = try write("env", envText)
        controller.start()
        return sandbox
    }

    private init(
        directory: URL, kubeconfigPath: String, apiServerURL: String, env: [String: String], adminEndpoint: String?, caPath: String,
        appCertPath: String, appKeyPath: String, log: RequestLog, azure: DemoAzure, adminToken: String, store: ObjectStore, azureState: AzureState,
        controller: ClusterController, faults: FaultInjector, saTokens: ServiceAccountTokens, servers: [HTTPServer], group: MultiThreadedEventLoopGroup
    ) {
        self.directory = directory
        self.kubeconfigPath = kubeconfigPath
        self.apiServerURL = apiServerURL
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
        self.servers = servers
        self.group = group
    }

    /// Stops the controllers and every server, and ends open watches. The directory stays.
    public func shutdown() async {
        controller.stop()
        store.finishAllWatches()
        for server in servers { await server.stop() }
        try? await group.shutdownGracefully()
    }

    /// Single-quotes a value for a POSIX shell.
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    private static func kubeconfig(server: String, pki: SandboxPKI, adminToken: String) -> String {
        func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: apimtoken-sandbox
              cluster:
                server: \(server)
                certificate-authority-data: \(b64(pki.ca.certificatePEM))
            users:
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
            current-context: apimtoken-sandbox

            """
    }
}
