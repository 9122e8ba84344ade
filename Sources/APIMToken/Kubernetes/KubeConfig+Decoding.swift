import FoundationEssentials

extension KubeConfig {
    /// The key of the cluster extension that client-go passes to exec plugins as `spec.cluster.config`.
    static let execExtensionKey = "client.authentication.k8s.io/exec"

    /// Decodes one file's document. `path` names the file in errors and becomes each entry's `origin`;
    /// relative paths resolve against `directory` (the file's absolute directory).
    init(node: KubeConfigNode, path: String, directory: String) throws {
        self.init()
        let reader = Reader(path: path, directory: directory)
        guard case .mapping = node else {
            if node == .null { return }
            throw KubeConfigError.loading(path, "the document is not a mapping (a kubeconfig starts with apiVersion, kind, clusters, …)")
        }
        if let kind = node["kind"]?.text, !kind.isEmpty, kind != "Config" {
            throw KubeConfigError.loading(path, "kind \"\(kind)\" is not a kubeconfig (expected kind: Config)")
        }
        currentContext = try reader.string(node["current-context"], "current-context").flatMap { $0.isEmpty ? nil : $0 }
        for (name, entry) in try reader.namedList(node["clusters"], list: "clusters", field: "cluster") {
            clusters[name] = try reader.cluster(entry, name: name)
        }
        for (name, entry) in try reader.namedList(node["users"], list: "users", field: "user") {
            users[name] = try reader.authInfo(entry, name: name)
        }
        for (name, entry) in try reader.namedList(node["contexts"], list: "contexts", field: "context") {
            contexts[name] = Context(
                cluster: try reader.string(entry["cluster"], "context.cluster"),
                user: try reader.string(entry["user"], "context.user"),
                namespace: try reader.string(entry["namespace"], "context.namespace"),
                origin: path)
        }
    }

    // MARK: - Reader

    /// Field-by-field decoding with errors that name the file and field.
    private struct Reader {
        let path: String
        let directory: String

        func fail(_ reason: String) -> KubeConfigError { .loading(path, reason) }

        /// A scalar as text; `nil` for absent or null; an error for a collection, and for a plain number or boolean
        /// (`namespace: 123`, `token: yes`), which kubectl refuses too ("cannot unmarshal number into Go struct field
        /// … of type string"): quote such values.
        func string(_ node: KubeConfigNode?, _ field: String) throws -> String? {
            switch node {
            case nil, .null?: return nil
            case .scalar(let text, .string)?: return text
            case .scalar(_, let kind)?:
                throw fail("field \"\(field)\" must be a string, not a \(kind == .bool ? "boolean" : "number") (quote the value)")
            default: throw fail("field \"\(field)\" must be a string")
            }
        }

        func nonEmpty(_ node: KubeConfigNode?, _ field: String) throws -> String? {
            guard let text = try string(node, field), !text.isEmpty else { return nil }
            return text
        }

        func bool(_ node: KubeConfigNode?, _ field: String) throws -> Bool {
            switch node {
            case nil, .null?: return false
            case .scalar(let text, let kind)?:
                switch text.lowercased() {
                case "true" where kind == .bool, "yes" where kind == .bool, "on" where kind == .bool: return true
                case "false" where kind == .bool, "no" where kind == .bool, "off" where kind == .bool: return false
                default: throw fail("field \"\(field)\" must be true or false")
                }
            default: throw fail("field \"\(field)\" must be true or false")
            }
        }

        /// A `*-data` field: standard base64 (line breaks ignored, as Go's decoder ignores them).
        func base64(_ node: KubeConfigNode?, _ field: String, owner: String) throws -> Data? {
            guard let text = try nonEmpty(node, field) else { return nil }
            let compact = text.filter { $0 != "\n" && $0 != "\r" }
            guard let data = Data(base64Encoded: compact) else {
                throw fail("illegal base64 data in \(field) of \(owner)")
            }
            return data
        }

        /// A path field, made absolute against the file's directory (client-go `ResolveLocalPaths`).
        func path(_ node: KubeConfigNode?, _ field: String) throws -> String? {
            guard let value = try nonEmpty(node, field) else { return nil }
            return KubeConfigPath.resolve(value, against: directory)
        }

        /// A `[{name: N, FIELD: {...}}]` list as (name, FIELD value) pairs; a repeated name is an error as in client-go.
        func namedList(_ node: KubeConfigNode?, list: String, field: String) throws -> [(String, KubeConfigNode)] {
            switch node {
            case nil, .null?: return []
            case .sequence(let items)?:
                var seen = Set<String>()
                var result: [(String, KubeConfigNode)] = []
                for item in items {
                    guard case .mapping = item else { throw fail("every entry of \"\(list)\" must be a mapping") }
                    let name = try string(item["name"], "\(list)[].name") ?? ""
                    guard seen.insert(name).inserted else { throw fail("duplicate name \"\(name)\" in list \"\(list)\"") }
                    let value = item[field] ?? .null
                    switch value {
                    case .mapping, .null: result.append((name, value))
                    default: throw fail("field \"\(list)[].\(field)\" of \"\(name)\" must be a mapping")
                    }
                }
                return result
            default:
                throw fail("field \"\(list)\" must be a list")
            }
        }

        func cluster(_ node: KubeConfigNode, name: String) throws -> Cluster {
            var cluster = Cluster(origin: path)
            cluster.server = try nonEmpty(node["server"], "cluster.server")
            cluster.certificateAuthority = try self.path(node["certificate-authority"], "certificate-authority")
            cluster.certificateAuthorityData = try base64(node["certificate-authority-data"], "certificate-authority-data", owner: "cluster \"\(name)\"")
            cluster.insecureSkipTLSVerify = try bool(node["insecure-skip-tls-verify"], "insecure-skip-tls-verify")
            cluster.tlsServerName = try nonEmpty(node["tls-server-name"], "tls-server-name")
            cluster.proxyURL = try nonEmpty(node["proxy-url"], "proxy-url")
            cluster.disableCompression = try bool(node["disable-compression"], "disable-compression")
            if case .sequence(let extensions)? = node["extensions"] {
                for case let ext in extensions where ext["name"]?.text == KubeConfig.execExtensionKey {
                    if let value = ext["extension"], value != .null {
                        cluster.execExtensionJSON = String(decoding: value.jsonValue.encoded, as: UTF8.self)
                    }
                }
            }
            return cluster
        }

        func authInfo(_ node: KubeConfigNode, name: String) throws -> AuthInfo {
            var user = AuthInfo(origin: path)
            let owner = "user \"\(name)\""
            user.clientCertificate = try path(node["client-certificate"], "client-certificate")
            user.clientCertificateData = try base64(node["client-certificate-data"], "client-certificate-data", owner: owner)
            user.clientKey = try path(node["client-key"], "client-key")
            user.clientKeyData = try base64(node["client-key-data"], "client-key-data", owner: owner).map(Redacted.init)
            user.token = try nonEmpty(node["token"], "token").map(Redacted.init)
            user.tokenFile = try path(node["tokenFile"], "tokenFile")
            user.username = try nonEmpty(node["username"], "username")
            user.password = try nonEmpty(node["password"], "password").map(Redacted.init)
            if case .mapping? = node["auth-provider"] {
                user.authProviderName = try string(node["auth-provider"]?["name"], "auth-provider.name") ?? ""
            }
            if let exec = node["exec"], exec != .null {
                user.exec = try execConfig(exec)
            }
            return user
        }

        func execConfig(_ node: KubeConfigNode) throws -> ExecConfig {
            guard case .mapping = node else { throw fail("field \"exec\" must be a mapping") }
            var command = try string(node["command"], "exec.command") ?? ""
            // Only a command with a path separator is file-relative; a bare name is looked up on PATH.
            if command.contains("/") { command = KubeConfigPath.resolve(command, against: directory) }
            var args: [String] = []
            switch node["args"] {
            case nil, .null?: break
            case .sequence(let items)?: args = try items.map { try string($0, "exec.args") ?? "" }
            default: throw fail("field \"exec.args\" must be a list")
            }
            var env: [ExecEnvVar] = []
            switch node["env"] {
            case nil, .null?: break
            case .sequence(let items)?:
                for item in items {
                    env.append(
                        ExecEnvVar(
                            name: try string(item["name"], "exec.env[].name") ?? "",
                            value: try string(item["value"], "exec.env[].value") ?? ""))
                }
            default: throw fail("field \"exec.env\" must be a list")
            }
            return ExecConfig(
                apiVersion: try string(node["apiVersion"], "exec.apiVersion") ?? "",
                command: command,
                args: args,
                env: env,
                installHint: try nonEmpty(node["installHint"], "exec.installHint"),
                provideClusterInfo: try bool(node["provideClusterInfo"], "exec.provideClusterInfo"),
                interactiveMode: try nonEmpty(node["interactiveMode"], "exec.interactiveMode"))
        }
    }
}
