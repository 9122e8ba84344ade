import FoundationEssentials

// MARK: - GatewayDiscovery

/// Finds self-hosted gateways in workloads and where their tokens live (SPEC §3).
///
/// A gateway workload is a Deployment, StatefulSet or DaemonSet with a container that has the env var
/// `config.service.auth`, or whose image path contains `azure-api-management/gateway`.
public enum GatewayDiscovery {
    /// The env var that carries the token (or `azureAdApp` / `workloadIdentity`).
    public static let authVariable = "config.service.auth"
    /// The image path of Microsoft's gateway image.
    public static let imageMarker = "azure-api-management/gateway"
    /// Secret keys that `envFrom` turns into the token variable.
    public static let envFromSecretKeys = ["config.service.auth", "config.service.auth.key"]
    /// `config.service.auth` values meaning the gateway authenticates with Entra ID and has no token.
    public static let entraModes: Set<String> = ["azureadapp", "workloadidentity"]

    /// What one workload says about its gateway before anything else is read.
    public struct Inspection: Sendable, Equatable {
        public var workload: Workload
        /// The gateway container's name.
        public var container: String
        /// How `config.service.auth` is set, if it is set directly.
        public var auth: AuthReference?
        /// Secrets pulled in whole by `envFrom`, with their prefixes.
        public var envFromSecrets: [(name: String, prefix: String)]
        /// ConfigMaps the container reads (for `gateway.name`, and `config.service.auth` from a ConfigMap);
        /// `prefix` is nil when only single keys are referenced, not the whole map through `envFrom`.
        public var configMaps: [(name: String, prefix: String?)]

        public static func == (lhs: Inspection, rhs: Inspection) -> Bool {
            lhs.workload == rhs.workload && lhs.container == rhs.container && lhs.auth == rhs.auth
                && lhs.envFromSecrets.map { "\($0.name)|\($0.prefix)" } == rhs.envFromSecrets.map { "\($0.name)|\($0.prefix)" }
                && lhs.configMaps.map { "\($0.name)|\($0.prefix ?? "-")" } == rhs.configMaps.map { "\($0.name)|\($0.prefix ?? "-")" }
        }
    }

    /// How the env var `config.service.auth` is set.
    public enum AuthReference: Sendable, Equatable {
        /// A literal value (Entra modes, or a token pasted into the manifest).
        case literal(String)
        /// `valueFrom.secretKeyRef`.
        case secretKey(name: String, key: String)
        /// `valueFrom.configMapKeyRef`.
        case configMapKey(name: String, key: String)
    }

    /// Inspects a workload; nil when it is not a gateway.
    public static func inspect(_ workload: Workload) -> Inspection? {
        let containers = workload.template.spec.containers
        let gateway =
            containers.first { container in
                (container.env ?? []).contains { $0.name == authVariable }
            } ?? containers.first { ($0.image ?? "").contains(imageMarker) }
        guard let container = gateway else { return nil }
        var auth: AuthReference?
        if let variable = (container.env ?? []).last(where: { $0.name == authVariable }) {
            if let ref = variable.valueFrom?.secretKeyRef, let name = ref.name {
                auth = .secretKey(name: name, key: ref.key)
            } else if let ref = variable.valueFrom?.configMapKeyRef, let name = ref.name {
                auth = .configMapKey(name: name, key: ref.key)
            } else if let value = variable.value {
                auth = .literal(value)
            }
        }
        var secrets: [(String, String)] = []
        var configMaps: [(String, String?)] = []
        for source in container.envFrom ?? [] {
            if let name = source.secretRef?.name { secrets.append((name, source.prefix ?? "")) }
            if let name = source.configMapRef?.name { configMaps.append((name, source.prefix ?? "")) }
        }
        for variable in container.env ?? [] {
            if let ref = variable.valueFrom?.configMapKeyRef, let name = ref.name, !configMaps.contains(where: { $0.0 == name }) {
                configMaps.append((name, nil))
            }
        }
        return Inspection(
            workload: workload, container: container.name, auth: auth,
            envFromSecrets: secrets.map { (name: $0.0, prefix: $0.1) }, configMaps: configMaps.map { (name: $0.0, prefix: $0.1) })
    }

    /// Where a gateway's token lives, or why it has none.
    public enum TokenLocation: Sendable, Equatable {
        /// In this Secret under this key.
        case secret(name: String, key: String)
        /// The gateway authenticates with Entra ID (`azureAdApp` or `workloadIdentity`); never touched.
        case entra(mode: String)
        /// The token is a literal in the workload spec; it cannot be rotated in a Secret.
        case literal
        /// No token source could be found.
        case unknown
    }

    /// A gateway with its token source resolved.
    public struct Gateway: Sendable {
        /// The inspection it came from.
        public var inspection: Inspection
        /// Where the token lives.
        public var location: TokenLocation
        /// `gateway.name` from one of the container's ConfigMaps, if any.
        public var configuredName: String?
        /// The Secret that holds the token, when it exists.
        public var secret: Secret?

        public var namespace: String { inspection.workload.metadata.namespace ?? "" }
        /// The workload's reference.
        public var workload: WorkloadReference { inspection.workload.reference }

        /// The token read from the Secret, parsed; nil when missing.
        public var tokenText: Redacted<String>? {
            guard case .secret(_, let key) = location, let value = secret?.string(key) else { return nil }
            return value.value.isEmpty ? nil : value
        }

        /// The gateway name: the token's first segment, else ConfigMap `gateway.name`, else the workload name.
        public var name: String {
            if let text = tokenText, let token = try? GatewayToken.parse(text.value) { return token.gatewayID }
            return configuredName ?? inspection.workload.metadata.name ?? ""
        }
    }

    /// Reads Secrets and ConfigMaps by name (cached by the caller as needed).
    public protocol ObjectReader: Sendable {
        /// The Secret, or nil when it does not exist.
        func secret(namespace: String, name: String) async throws -> Secret?
        /// The ConfigMap, or nil when it does not exist.
        func configMap(namespace: String, name: String) async throws -> ConfigMap?
    }

    /// Resolves where the token of an inspected gateway lives, reading only what the rules need.
    ///
    /// With `configMapsWhenNeeded`, a gateway whose token comes from a `secretKeyRef` reads its ConfigMaps only when
    /// the token cannot name the gateway (rotate needs no more); `status` reads them always, to catch a token issued
    /// for another gateway than the ConfigMap's `gateway.name`.
    public static func resolve(_ inspection: Inspection, reader: any ObjectReader, configMapsWhenNeeded: Bool = false) async throws -> Gateway {
        let namespace = inspection.workload.metadata.namespace ?? ""
        if configMapsWhenNeeded, case .secretKey(let name, let key) = inspection.auth {
            var gateway = Gateway(inspection: inspection, location: .secret(name: name, key: key), configuredName: nil, secret: nil)
            gateway.secret = try await reader.secret(namespace: namespace, name: name)
            if gateway.tokenText.flatMap({ try? GatewayToken.parse($0.value) }) == nil {
                for reference in inspection.configMaps where gateway.configuredName == nil {
                    gateway.configuredName = try await reader.configMap(namespace: namespace, name: reference.name)?.data?["gateway.name"]
                }
            }
            return gateway
        }
        var configMaps: [(ConfigMap, String?)] = []
        for reference in inspection.configMaps {
            if let map = try await reader.configMap(namespace: namespace, name: reference.name) { configMaps.append((map, reference.prefix)) }
        }
        let configuredName = configMaps.lazy.compactMap { $0.0.data?["gateway.name"] }.first
        var gateway = Gateway(inspection: inspection, location: .unknown, configuredName: configuredName, secret: nil)

        // A literal or ConfigMap value decides Entra mode first: such a gateway has no token at all.
        func entra(_ value: String?) -> Bool {
            guard let value = value?.trimmingWhitespace(), entraModes.contains(value.lowercased()) else { return false }
            gateway.location = .entra(mode: value)
            return true
        }
        switch inspection.auth {
        case .literal(let value):
            if !entra(value) { gateway.location = .literal }
            return gateway
        case .configMapKey(let name, let key):
            let value = configMaps.first { $0.0.metadata.name == name }?.0.data?[key]
            if !entra(value) { gateway.location = value == nil ? .unknown : .literal }
            return gateway
        case .secretKey(let name, let key):
            gateway.location = .secret(name: name, key: key)
            gateway.secret = try await reader.secret(namespace: namespace, name: name)
            return gateway
        case nil:
            break
        }
        // envFrom ConfigMaps may carry an Entra mode; envFrom Secrets may carry the token.
        for (map, prefix) in configMaps {
            guard let prefix, authVariable.hasPrefix(prefix) else { continue }
            if entra(map.data?[String(authVariable.dropFirst(prefix.count))]) { return gateway }
        }
        for reference in inspection.envFromSecrets {
            guard let secret = try await reader.secret(namespace: namespace, name: reference.name) else { continue }
            for key in envFromSecretKeys {
                guard key.hasPrefix(reference.prefix) else { continue }
                let stripped = String(key.dropFirst(reference.prefix.count))
                if secret.data?[stripped] != nil {
                    gateway.location = .secret(name: reference.name, key: stripped)
                    gateway.secret = secret
                    return gateway
                }
            }
        }
        // A single envFrom Secret that does not exist yet is still where the token belongs.
        if inspection.envFromSecrets.count == 1, let only = inspection.envFromSecrets.first {
            gateway.location = .secret(name: only.name, key: authVariable)
        }
        return gateway
    }

    /// The env var naming the APIM instance's configuration endpoint (`<instance>.configuration.azure-api.net`).
    public static let endpointVariable = "config.service.endpoint"

    /// The host of the gateway's configuration endpoint, lower-cased: `config.service.endpoint` as the container sees
    /// it (a literal, a ConfigMap key, or an `envFrom` ConfigMap; `env` wins over `envFrom`, as in Kubernetes). Nil
    /// when it cannot be read.
    public static func configurationEndpointHost(_ inspection: Inspection, reader: any ObjectReader) async throws -> String? {
        let namespace = inspection.workload.metadata.namespace ?? ""
        guard let container = inspection.workload.template.spec.containers.first(where: { $0.name == inspection.container }) else { return nil }
        var value: String?
        if let variable = (container.env ?? []).last(where: { $0.name == endpointVariable }) {
            if let literal = variable.value {
                value = literal
            } else if let ref = variable.valueFrom?.configMapKeyRef, let name = ref.name {
                value = try await reader.configMap(namespace: namespace, name: name)?.data?[ref.key]
            }
        } else {
            for reference in inspection.configMaps where value == nil {
                guard let prefix = reference.prefix, endpointVariable.hasPrefix(prefix) else { continue }
                value = try await reader.configMap(namespace: namespace, name: reference.name)?.data?[String(endpointVariable.dropFirst(prefix.count))]
            }
        }
        return value.flatMap(host(ofEndpoint:))
    }

    /// `demo.configuration.azure-api.net`, from that or from `https://demo.configuration.azure-api.net:443/path`.
    static func host(ofEndpoint value: String) -> String? {
        var text = Substring(value.drop { $0.isWhitespace })
        if let range = text.firstRange(of: "://") { text = text[range.upperBound...] }
        let host = text.prefix { !$0.isWhitespace && $0 != "/" && $0 != ":" && $0 != "?" }
        return host.isEmpty ? nil : host.lowercased()
    }

    /// Every workload among `workloads` whose pods read the Secret `name` (as env, envFrom or a volume is not
    /// considered: the gateway reads its token from env only).
    public static func consumers(of secretName: String, among workloads: [Workload]) -> [Workload] {
        workloads.filter { workload in
            workload.template.spec.containers.contains { container in
                (container.env ?? []).contains { $0.valueFrom?.secretKeyRef?.name == secretName }
                    || (container.envFrom ?? []).contains { $0.secretRef?.name == secretName }
            }
        }
    }
}
