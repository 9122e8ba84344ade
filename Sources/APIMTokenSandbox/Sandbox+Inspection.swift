import Foundation
import _CryptoExtras

/// Which key signed a gateway token, as the simulated APIM sees it.
public struct TokenSigner: Sendable, Equatable {
    /// The gateway named in the token.
    public var gateway: String
    /// When the token expires.
    public var expiresAt: Date
    /// The key that signed it, or nil when no current key did (regenerated since, or forged).
    public var key: GatewayKeyType?
}

/// One gateway pod as the simulated kubelet sees it.
public struct GatewayPodState: Sendable, Equatable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var name: String
    /// `Ready` condition.
    public var ready: Bool
    /// The gateway-authenticated condition (nil for pods that are not gateways or have not started).
    public var authenticated: Bool?
    /// Its reason (`Authenticated`, `KeyNotCurrent`, `Expired`, …).
    public var reason: String?
    /// When the pod started (`status.startTime`).
    public var startTime: Date?
}

extension Sandbox {
    // MARK: Objects

    /// One object, by apiVersion and kind (`"apps/v1"`, `"Deployment"`); nil if absent or of an unknown kind.
    public func object(apiVersion: String, kind: String, namespace: String?, name: String) -> JSON? {
        guard let type = ResourceType.find(apiVersion: apiVersion, kind: kind) else { return nil }
        return store.get(type, namespace: type.namespaced ? (namespace ?? "") : "", name: name)
    }

    /// Every object of a kind (in one namespace, or all), sorted by namespace and name.
    public func objects(apiVersion: String, kind: String, namespace: String? = nil) -> [JSON] {
        guard let type = ResourceType.find(apiVersion: apiVersion, kind: kind) else { return [] }
        return store.list(type, namespace: namespace).items.map(\.json)
    }

    /// Creates or replaces an object as the admin would (validation applies; no RBAC; managedFields record the
    /// manager `apimtoken-sandbox`). Returns the stored object.
    @discardableResult
    public func put(_ object: JSON) throws -> JSON {
        guard let type = ResourceType.find(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? ""),
            let name = object[path: ["metadata", "name"]]?.stringValue
        else { throw SandboxError("put: object needs a served apiVersion/kind and metadata.name") }
        let ns = type.namespaced ? (object[path: ["metadata", "namespace"]]?.stringValue ?? "default") : ""
        let (_, stored) = try store.write(type, namespace: ns, name: name, manager: FieldManager(name: "apimtoken-sandbox", operation: "Update")) { current in
            var proposed = object
            if let current, type.subresources.contains("status"), proposed["status"] == nil { proposed["status"] = current["status"] }
            proposed.set(["metadata", "resourceVersion"], nil)
            return .put(try Validation.normalize(proposed, type: type, name: name, old: current))
        }
        return stored ?? object
    }

    /// Deletes an object; returns whether it existed.
    @discardableResult
    public func delete(apiVersion: String, kind: String, namespace: String?, name: String) -> Bool {
        guard let type = ResourceType.find(apiVersion: apiVersion, kind: kind) else { return false }
        let (old, _) = (try? store.write(type, namespace: type.namespaced ? (namespace ?? "") : "", name: name) { _ in .delete }) ?? (nil, nil)
        return old != nil
    }

    /// A Secret's value for a key, decoded (test use only: this is a secret).
    public func secretValue(namespace: String, name: String, key: String) -> String? {
        guard let b64 = store.get(.secrets, namespace: namespace, name: name)?[path: ["data", key]]?.stringValue,
            let data = Data(base64Encoded: b64)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Which APIM key signed the token in a Secret (`GatewayKey <token>` or a bare token); nil when the value is
    /// missing or not a token.
    public func tokenSigner(namespace: String, secret: String, key: String) -> TokenSigner? {
        guard var value = secretValue(namespace: namespace, name: secret, key: key) else { return nil }
        if value.hasPrefix("GatewayKey ") { value = String(value.dropFirst("GatewayKey ".count)) }
        return tokenSigner(of: value)
    }

    /// Which APIM key signed a token.
    public func tokenSigner(of token: String) -> TokenSigner? {
        guard let parsed = GatewayToken.parse(token) else { return nil }
        return TokenSigner(gateway: parsed.gateway, expiresAt: parsed.expiry, key: azureState.signer(of: token)?.key)
    }

    /// The gateway pods (and other pods) of a namespace, with readiness and authentication.
    public func pods(namespace: String? = nil) -> [GatewayPodState] {
        store.list(.pods, namespace: namespace).items.map { item in
            let conditions = item.json[path: ["status", "conditions"]]?.arrayValue ?? []
            let ready = conditions.first { $0["type"]?.stringValue == "Ready" }?["status"]?.stringValue == "True"
            let auth = conditions.first { $0["type"]?.stringValue == GatewayAuthentication.conditionType }
            return GatewayPodState(
                namespace: item.namespace, name: item.name, ready: ready, authenticated: auth.map { $0["status"]?.stringValue == "True" },
                reason: auth?["reason"]?.stringValue, startTime: item.json[path: ["status", "startTime"]]?.stringValue.flatMap(Timestamps.parse))
        }
    }

    /// Waits until `condition` holds, checking every 50 ms, for at most `timeout` seconds. Returns whether it held.
    public func wait(timeout: TimeInterval, until condition: @Sendable () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return condition()
    }

    // MARK: Behaviour switches

    /// Makes a workload (`Deployment`, `StatefulSet`, `DaemonSet`) never become Ready, or undoes it.
    public func setNeverReady(kind: String, namespace: String, name: String, _ value: Bool = true) {
        controller.setNeverReady(kind: kind, namespace: namespace, name: name, value)
    }

    /// Reproduces the real gateway bug: pods report Ready even when their token does not authenticate.
    public func setReadyDespiteBadToken(_ value: Bool) { controller.setReadyDespiteBadToken(value) }

    /// Sets the Azure RBAC actions a principal (client id) may perform (`*` wildcards allowed; empty denies all).
    public func setAzureActions(_ actions: [String], forClientID clientID: String) {
        azureState.setAllowedActions(actions, forClientID: clientID)
    }

    // MARK: Credentials

    /// A bearer token for a ServiceAccount (which must exist), accepted by the API server. RBAC applies to it.
    ///
    /// With `audiences: ["api://AzureADTokenExchange"]` it is the projected token workload identity uses, which the
    /// simulated Entra accepts as a federated client assertion (for ``DemoAzure/workloadIdentityServiceAccount``).
    public func serviceAccountToken(
        namespace: String, name: String, lifetime: TimeInterval = 3600, audiences: [String] = ["https://kubernetes.default.svc.cluster.local"]
    ) throws -> String {
        guard let sa = store.get(.serviceAccounts, namespace: namespace, name: name) else {
            throw SandboxError("serviceaccount \(namespace)/\(name) does not exist")
        }
        return try saTokens.issue(
            namespace: namespace, name: name, uid: sa[path: ["metadata", "uid"]]?.stringValue ?? "",
            audiences: audiences, lifetime: lifetime
        ).token
    }

    /// Writes a kubeconfig that authenticates as a ServiceAccount (bearer token only, no client certificate, so RBAC
    /// applies) to `DIR/kubeconfig-<ns>-<name>` and returns its path. Context `<ns>-<name>`, default namespace `ns`.
    /// On cluster K ≥ 2 the file is `DIR/kubeconfig-apimtoken-sandbox-K-<ns>-<name>`.
    public func writeServiceAccountKubeconfig(namespace: String, name: String, lifetime: TimeInterval = 3600) throws -> String {
        let token = try serviceAccountToken(namespace: namespace, name: name, lifetime: lifetime)
        let text = Self.tokenKubeconfig(server: apiServerURL, caPath: caCertificatePath, token: token, context: "\(namespace)-\(name)", namespace: namespace)
        let url = directory.appendingPathComponent("kubeconfig-\(fileNamePrefix)\(namespace)-\(name)")
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return url.path
    }

    /// Empty on cluster 1; `apimtoken-sandbox-K-` on cluster K, so that the clusters' files do not collide.
    private var fileNamePrefix: String { contextName == Self.contextName(cluster: 1) ? "" : "\(contextName)-" }

    /// A kubeconfig with one context that sends `token` to `server`, trusting the CA in `caPath`.
    public static func tokenKubeconfig(server: String, caPath: String, token: String, context: String, namespace: String) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: apimtoken-sandbox
          cluster:
            server: \(server)
            certificate-authority: \(caPath)
        users:
        - name: \(context)
          user:
            token: \(token)
        contexts:
        - name: \(context)
          context:
            cluster: apimtoken-sandbox
            user: \(context)
            namespace: \(namespace)
        current-context: \(context)

        """
    }

    /// Writes a projected workload-identity token for a ServiceAccount (audience `api://AzureADTokenExchange`) to
    /// `DIR/federated-token-<ns>-<name>` (on cluster K ≥ 2, `…-apimtoken-sandbox-K-<ns>-<name>`) and returns the path (for `AZURE_FEDERATED_TOKEN_FILE`). Entra accepts it
    /// for the demo principal when the account is ``DemoAzure/workloadIdentityServiceAccount``.
    public func writeFederatedTokenFile(namespace: String, name: String, lifetime: TimeInterval = 3600) throws -> String {
        let token = try saTokens.issue(
            namespace: namespace, name: name, uid: UUID().uuidString.lowercased(), audiences: ["api://AzureADTokenExchange"], lifetime: lifetime
        ).token
        let url = directory.appendingPathComponent("federated-token-\(fileNamePrefix)\(namespace)-\(name)")
        try Data(token.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return url.path
    }

    // MARK: APIM

    /// A token as the simulated `generateToken` would make it (for seeding Secrets in tests).
    public func makeGatewayToken(gateway: String, key: GatewayKeyType = .primary, expiry: Date) -> String? {
        azureState.token(azure.subscriptionID, azure.resourceGroup, azure.serviceName, gateway: gateway, key: key, expiry: expiry)
    }

    /// Regenerates a gateway key directly (as someone else would in the portal).
    @discardableResult
    public func regenerateGatewayKey(gateway: String, key: GatewayKeyType) -> Bool {
        azureState.regenerate(azure.subscriptionID, azure.resourceGroup, azure.serviceName, gateway: gateway, key: key)
    }

    /// Adds a gateway resource to the demo APIM service.
    public func addGateway(_ name: String) {
        azureState.addGateway(
            subscription: azure.subscriptionID, resourceGroup: azure.resourceGroup, service: azure.serviceName, name: name, location: "edge-site")
    }

    // MARK: Faults and log

    /// Injects a fault. On the primary it applies to its API server and to Azure; on cluster K ≥ 2, to that
    /// cluster's API server only (inject Azure faults on the primary).
    public func inject(_ fault: Fault) { faults.inject(fault) }

    /// Removes every pending fault.
    public func clearFaults() { faults.clear() }

    /// Faults not yet used up.
    public var pendingFaults: [Fault] { faults.pending }

    /// Every request so far (since the last ``clearRequestLog()``): on the primary, its API server's and Azure's;
    /// on cluster K ≥ 2, that cluster's API server's.
    public var requestLog: [RequestLogEntry] { log.entries }

    /// Forgets the in-memory request log (the file keeps everything).
    public func clearRequestLog() { log.reset() }
}

// MARK: - SandboxError

/// A misuse of the sandbox API.
public struct SandboxError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// An error with a description.
    init(_ description: String) { self.description = description }
}

// MARK: - Client assertions

extension Sandbox {
    /// Which certificate thumbprint header a client assertion carries.
    public enum ThumbprintHeader: Sendable {
        /// `x5t`, base64url SHA-1.
        case sha1
        /// `x5t#S256`, base64url SHA-256.
        case sha256
    }

    /// A client-assertion JWT for the demo principal, signed with its registered certificate's key (`RS256` or
    /// `PS256`), valid for ten minutes, for the token endpoint of ``authorityHost``.
    public func makeClientAssertion(algorithm: String = "RS256", thumbprint: ThumbprintHeader = .sha1, claims extra: [String: JSON] = [:]) throws -> String {
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: appKeyPath, encoding: .utf8))
        let pem = try String(contentsOfFile: appCertificatePath, encoding: .utf8)
        guard let der = Data(base64Encoded: pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()) else {
            throw SandboxError("cannot read \(appCertificatePath)")
        }
        let cert = CertificateAndKey(certificatePEM: pem, privateKeyPEM: "", der: Array(der))
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: JSON] = [
            "aud": .string("\(authorityHost)/\(azure.tenantID)/oauth2/v2.0/token"), "iss": .string(azure.clientID), "sub": .string(azure.clientID),
            "jti": .string(UUID().uuidString), "nbf": .int(now), "exp": .int(now + 600),
        ]
        claims.merge(extra) { _, b in b }
        let header: [String: JSON] = thumbprint == .sha1 ? ["x5t": .string(cert.x5t)] : ["x5t#S256": .string(cert.x5tS256)]
        return try JWT.sign(claims: .object(claims), key: key, algorithm: algorithm, extraHeader: header)
    }
}
