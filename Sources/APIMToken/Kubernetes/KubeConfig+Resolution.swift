import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension KubeConfig {
    /// Why a kubeconfig selects nothing, so the caller may fall back to in-cluster configuration
    /// (client-go's `IsEmptyConfig` case).
    enum Emptiness: Error, Equatable {
        /// No file defined anything.
        case nothingConfigured
        /// Entries exist but no context is chosen (no `current-context`, no `--context`).
        case noContextChosen
    }

    /// Resolves one context into a connection, validating it as client-go's `DirectClientConfig` does.
    ///
    /// - Parameters:
    ///   - contextOverride: `--context`; otherwise `current-context`.
    ///   - namespaceOverride: `-n`; otherwise the context's namespace, else `default`.
    /// - Throws: `KubeConfigError` with kubectl's wording, or `Emptiness` when nothing is selected.
    func connection(contextOverride: String?, namespaceOverride: String?) throws -> ClusterConnection {
        if contextOverride == nil && isEmpty { throw Emptiness.nothingConfigured }
        guard let contextName = contextOverride ?? currentContext else { throw Emptiness.noContextChosen }
        guard let context = contexts[contextName] else {
            throw KubeConfigError.invalidConfiguration(
                ["context was not found for specified context: \(contextName)"],
                remedy: contextRemedy)
        }
        var problems: [String] = []

        // The user (client-go validateAuthInfo, plus validateContext's "not found").
        let userName = context.user ?? ""
        var user = AuthInfo()
        if !userName.isEmpty {
            if let found = users[userName] { user = found } else { problems.append("user \"\(userName)\" was not found for context \"\(contextName)\"") }
        }
        problems += Self.validate(user: user, name: userName)

        // The cluster (validateContext's "not found", validateClusterInfo).
        let clusterName = context.cluster ?? ""
        var cluster = Cluster()
        if clusterName.isEmpty {
            problems.append("cluster was not specified for context \"\(contextName)\"")
        } else if let found = clusters[clusterName] {
            cluster = found
            problems += Self.validate(cluster: cluster, name: clusterName)
        } else {
            problems.append("cluster \"\(clusterName)\" was not found for context \"\(contextName)\"")
        }
        guard problems.isEmpty else {
            throw KubeConfigError.invalidConfiguration(
                problems, remedy: "Fix context \"\(contextName)\" in \(context.origin) (see `kubectl config view --minify --context \(contextName)`).")
        }
        guard let serverText = cluster.server else {
            throw KubeConfigError("cluster has no server defined", remedy: "Set clusters[].cluster.server for \"\(clusterName)\" in \(cluster.origin).")
        }

        // TLS (client-go transport.TLSConfigFor).
        var tls = TLSMaterial()
        if let data = cluster.certificateAuthorityData {
            tls.certificateAuthority = .data(data)
        } else if let file = cluster.certificateAuthority {
            tls.certificateAuthority = .file(file)
        }
        tls.insecureSkipVerify = cluster.insecureSkipTLSVerify
        tls.serverName = cluster.tlsServerName
        if tls.insecureSkipVerify && tls.certificateAuthority != nil {
            throw KubeConfigError(
                "specifying a root certificates file with the insecure flag is not allowed",
                remedy: "Remove either insecure-skip-tls-verify or certificate-authority(-data) from cluster \"\(clusterName)\" in \(cluster.origin).")
        }
        if let data = user.clientCertificateData {
            tls.clientCertificate = .data(data)
        } else if let file = user.clientCertificate {
            tls.clientCertificate = .file(file)
        }
        if let data = user.clientKeyData { tls.clientKey = .data(data.value) } else if let file = user.clientKey { tls.clientKey = .file(file) }

        let hasTLSSettings = tls.certificateAuthority != nil || tls.clientCertificate != nil || tls.insecureSkipVerify || tls.serverName != nil
        let server = try Self.serverURL(serverText, defaultTLS: hasTLSSettings, clusterName: clusterName)

        var proxy = ProxySetting.environment
        if let proxyURL = cluster.proxyURL { proxy = .url(proxyURL) }

        // Credentials are only ever sent over TLS (client-go IsConfigTransportTLS).
        var credential = KubeCredential.none
        if server.scheme == "https" {
            if let token = user.token {
                credential = .bearerToken(token)
            } else if let file = user.tokenFile {
                credential = .tokenFile(file)
            } else if let username = user.username {
                credential = .basic(username: username, password: user.password ?? Redacted(""))
            } else if var exec = user.exec, tls.clientCertificate == nil {
                exec.clusterConfig = cluster.execExtensionJSON
                exec.userName = userName
                credential = .exec(exec)
            } else if let provider = user.authProviderName {
                throw KubeConfigError(
                    "the \(provider) auth-provider of user \"\(userName)\" has been removed from kubectl and is not supported",
                    remedy: provider == "azure"
                        ? "Convert the kubeconfig with `kubelogin convert-kubeconfig` (https://github.com/Azure/kubelogin)."
                        : "Use an exec credential plugin instead.")
            }
        }

        return ClusterConnection(
            server: server,
            tls: tls,
            proxy: proxy,
            namespace: namespaceOverride ?? context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            origin: .context(name: contextName, cluster: clusterName, user: userName),
            credential: credential)
    }

    /// The remedy for an unknown context: the names that do exist.
    var contextRemedy: String {
        let names = contexts.keys.sorted()
        if names.isEmpty { return "The kubeconfig defines no contexts; check --kubeconfig/KUBECONFIG." }
        return "Use one of the contexts in the kubeconfig: \(names.joined(separator: ", ")) (`kubectl config get-contexts`)."
    }

    // MARK: - Validation (client-go validation.go wording)

    static func validate(user: AuthInfo, name: String) -> [String] {
        var problems: [String] = []
        var methods: [String] = []
        if user.token != nil { methods.append("token") }
        if user.username != nil || user.password != nil { methods.append("basicAuth") }
        if user.clientCertificate != nil || user.clientCertificateData != nil {
            if user.clientCertificate != nil && user.clientCertificateData != nil {
                problems.append("client-cert-data and client-cert are both specified for \(name). client-cert-data will override.")
            }
            if user.clientKey != nil && user.clientKeyData != nil {
                problems.append("client-key-data and client-key are both specified for \(name); client-key-data will override")
            }
            if user.clientKey == nil && user.clientKeyData == nil {
                problems.append("client-key-data or client-key must be specified for \(name) to use the clientCert authentication method.")
            }
            if let file = user.clientCertificate, let reason = unreadable(file) {
                problems.append("unable to read client-cert \(file) for \(name) due to \(reason)")
            }
            if let file = user.clientKey, let reason = unreadable(file) {
                problems.append("unable to read client-key \(file) for \(name) due to \(reason)")
            }
        }
        if let exec = user.exec {
            if user.authProviderName != nil {
                problems.append("authProvider cannot be provided in combination with an exec plugin for \(name)")
            }
            if exec.command.isEmpty { problems.append("command must be specified for \(name) to use exec authentication plugin") }
            if exec.apiVersion.isEmpty {
                problems.append("apiVersion must be specified for \(name) to use exec authentication plugin")
            } else if !ExecConfig.supportedAPIVersions.contains(exec.apiVersion) {
                problems.append("exec plugin: invalid apiVersion \"\(exec.apiVersion)\"")
            }
            if exec.env.contains(where: { $0.name.isEmpty }) {
                problems.append("env variable name must be specified for \(name) to use exec authentication plugin")
            }
            switch exec.effectiveInteractiveMode {
            case nil: problems.append("interactiveMode must be specified for \(name) to use exec authentication plugin")
            case "Never"?, "IfAvailable"?, "Always"?: break
            case let other?: problems.append("invalid interactiveMode for \(name): \"\(other)\"")
            }
        }
        if methods.count > 1 {
            problems.append("more than one authentication method found for \(name); found [\(methods.joined(separator: " "))], only one is allowed")
        }
        return problems
    }

    static func validate(cluster: Cluster, name: String) -> [String] {
        var problems: [String] = []
        if cluster.server == nil { problems.append("no server found for cluster \"\(name)\"") }
        if let proxy = cluster.proxyURL {
            if let reason = proxyProblem(proxy) { problems.append("invalid 'proxy-url' \"\(proxy)\" for cluster \"\(name)\": \(reason)") }
        }
        if cluster.certificateAuthority != nil && cluster.certificateAuthorityData != nil {
            problems.append("certificate-authority-data and certificate-authority are both specified for \(name). certificate-authority-data will override.")
        }
        if let file = cluster.certificateAuthority, let reason = unreadable(file) {
            problems.append("unable to read certificate-authority \(file) for \(name) due to \(reason)")
        }
        return problems
    }

    /// client-go `parseProxyURL`.
    static func proxyProblem(_ text: String) -> String? {
        guard let url = URLComponents(string: text) else { return "could not parse: \(text)" }
        switch url.scheme {
        case "http"?, "https"?, "socks5"?: return nil
        default: return "unsupported scheme \"\(url.scheme ?? "")\", must be http, https, or socks5"
        }
    }

    /// Go's `os.Open` error text for an unreadable file, `nil` when it opens.
    static func unreadable(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            close(fd)
            return nil
        }
        return "open \(path): \(goErrorText(errno))"
    }

    /// An errno as Go prints it (lower case, e.g. `no such file or directory`).
    static func goErrorText(_ code: Int32) -> String {
        let text = systemErrorText(code)
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// client-go `DefaultServerURL`: a host without a scheme gets `https://` when TLS is configured, else `http://`;
    /// a query or fragment is dropped.
    static func serverURL(_ text: String, defaultTLS: Bool, clusterName: String) throws -> URL {
        var candidate = text
        if let parsed = URLComponents(string: text), parsed.scheme == nil || parsed.host == nil || parsed.host?.isEmpty == true {
            candidate = (defaultTLS ? "https://" : "http://") + text
        } else if URLComponents(string: text) == nil {
            candidate = (defaultTLS ? "https://" : "http://") + text
        }
        guard var components = URLComponents(string: candidate), let scheme = components.scheme,
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else {
            throw KubeConfigError(
                "invalid server URL \"\(text)\" for cluster \"\(clusterName)\"",
                remedy: "Set clusters[].cluster.server to a URL like https://host:6443.")
        }
        components.query = nil
        components.fragment = nil
        guard let url = components.url else {
            throw KubeConfigError("invalid server URL \"\(text)\" for cluster \"\(clusterName)\"")
        }
        return url
    }
}
