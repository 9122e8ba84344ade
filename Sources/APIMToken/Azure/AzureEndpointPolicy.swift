import FoundationEssentials

/// Decides where Azure credentials may travel: bearer tokens and client secrets go only over HTTPS,
/// except to a loopback address (the sandbox, a local proxy). IMDS is plain HTTP by design and is
/// allowed separately by the managed identity credential.
public enum AzureEndpointPolicy {
    /// Whether `host` is a loopback name or address: `localhost`, `127.0.0.0/8` or `::1`.
    public static func isLoopback(host: String) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host == "0:0:0:0:0:0:0:1" {
            return true
        }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) }),
            let values = Optional(octets.compactMap { UInt8($0) }), values.count == 4
        else { return false }
        return values[0] == 127
    }

    /// Throws a `ConfigurationError` unless `url` is HTTPS, or HTTP to a loopback host.
    /// - Parameter purpose: what would be sent, for the message (for example "the ARM bearer token").
    public static func requireSecure(_ url: URL, for purpose: String) throws {
        let scheme = url.scheme?.lowercased() ?? ""
        guard let host = url.host, !host.isEmpty else {
            throw ConfigurationError("\(url.absoluteString) is not an absolute URL; \(purpose) needs one")
        }
        if scheme == "https" { return }
        if scheme == "http" && isLoopback(host: host) { return }
        throw ConfigurationError(
            "refusing to send \(purpose) to \(url.absoluteString): only https:// is allowed (plain http only to a loopback address)",
            remedy: "use an https:// endpoint")
    }

    /// TLS settings for Azure endpoints (Microsoft Entra ID, ARM): the system trust store, plus the bundle named
    /// by `SSL_CERT_FILE` when it is set (for a TLS-inspecting proxy or a private cloud). IMDS is plain HTTP.
    public static func tlsMaterial(environment: Environment) -> TLSMaterial {
        TLSMaterial(extraCAFile: environment["SSL_CERT_FILE"])
    }

    /// Parses an endpoint given by a flag or variable (`--arm-endpoint`, `AZURE_AUTHORITY_HOST`), adding
    /// `https://` when no scheme is given and dropping a trailing slash.
    public static func parseEndpoint(_ text: String, name: String) throws -> URL {
        var text = text.trimmingWhitespace()
        if !text.contains("://") { text = "https://" + text }
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            throw ConfigurationError("\(name) \"\(text)\" is not a valid http(s) URL", remedy: "give a URL such as https://management.azure.com")
        }
        return url
    }
}
