import CCurl
import FoundationEssentials

// MARK: - CurlTransport

/// The one `HTTPTransport` that reaches the network, over libcurl (OpenSSL flavour).
///
/// FoundationNetworking on Linux cannot take a CA or a client certificate from memory, so every request
/// of the product goes through here. Blocking `curl_easy_perform` calls run on a dedicated dispatch queue,
/// never on Swift's cooperative pool. Retries and authentication are middleware around this transport.
public final class CurlTransport: HTTPTransport {
    /// How the transport connects: TLS material, proxy, timeouts.
    public struct Configuration: Sendable {
        /// Server verification and client certificate.
        public var tls: TLSMaterial
        /// Proxy choice.
        public var proxy: ProxySetting
        /// Time allowed to establish a connection (TCP + TLS).
        public var connectTimeout: Duration
        /// Time allowed for a whole request when the request sets none.
        public var requestTimeout: Duration
        /// The environment proxies are read from (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, lower-case too).
        public var environment: Environment
        /// Largest response body accepted; a larger one fails the request instead of exhausting memory.
        public var maximumResponseBytes: Int

        /// Creates a configuration.
        public init(
            tls: TLSMaterial = TLSMaterial(),
            proxy: ProxySetting = .environment,
            connectTimeout: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(60),
            environment: Environment = .process,
            maximumResponseBytes: Int = 32 << 20
        ) {
            self.tls = tls
            self.proxy = proxy
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.environment = environment
            self.maximumResponseBytes = maximumResponseBytes
        }
    }

    /// The configuration in use.
    public let configuration: Configuration
    private let pool = CurlHandlePool()
    private let combinedTrust: Data?

    /// Writes `warning: <text>` on standard error.
    public static func warnOnStandardError(_ text: String) {
        StandardStream.error.write("warning: " + text + "\n")
    }

    /// Creates a transport. Refuses `insecureSkipVerify` combined with a CA, as client-go does, and
    /// warns on `warn` (standard error by default) whenever server verification is off.
    public init(
        _ configuration: Configuration = Configuration(),
        warn: (String) -> Void = CurlTransport.warnOnStandardError
    ) throws {
        if configuration.tls.insecureSkipVerify && configuration.tls.certificateAuthority != nil {
            throw ConfigurationError(
                "specifying a root certificates file with the insecure flag is not allowed",
                remedy: "remove either certificate-authority(-data) or insecure-skip-tls-verify from the kubeconfig cluster")
        }
        if configuration.tls.insecureSkipVerify {
            warn("insecure-skip-tls-verify is set: the server's certificate is not verified, so anyone on the path can read the credentials sent")
        }
        self.configuration = configuration
        self.combinedTrust = try Self.combinedTrust(for: configuration.tls)
        CurlGlobal.initialize()
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let host = request.url.host ?? request.url.absoluteString
        if request.headers["Authorization"] != nil, request.url.scheme?.lowercased() != "https", !Self.isLoopback(host) {
            throw TransportError(
                kind: .configuration, host: host,
                message: "refusing to send credentials over plain HTTP to \(host); use an https:// URL")
        }
        let context = CurlTransferContext(limit: configuration.maximumResponseBytes)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
                // A blocking transfer on a thread of its own: off the cooperative pool, and not on a dispatch queue,
                // whose workers on Linux grow past the core count only slowly (status's 8 GETs in flight ran 2 at a
                // time there).
                detachThread { [self] in
                    continuation.resume(with: Result { try perform(request, context: context, host: host) })
                }
            }
        } onCancel: {
            context.cancel()
        }
    }

    // MARK: - Transfer

    private func perform(_ request: HTTPRequest, context: CurlTransferContext, host: String) throws -> HTTPResponse {
        if context.isCancelled { throw CancellationError() }
        let handle = try pool.take()
        var headerList: UnsafeMutablePointer<curl_slist>?
        var connectTo: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(headerList)
            curl_slist_free_all(connectTo)
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        var url = request.url
        var headers = request.headers
        if let serverName = configuration.tls.serverName, let originalHost = url.host, serverName != originalHost,
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        {
            // tls-server-name: verify and send SNI for `serverName` while connecting to the URL's host.
            let port = url.port ?? (url.scheme == "http" ? 80 : 443)
            components.host = serverName
            if let rewritten = components.url { url = rewritten }
            let target = originalHost.contains(":") ? "[\(originalHost)]" : originalHost
            connectTo = curl_slist_append(nil, "\(serverName):\(port):\(target):\(port)")
            if headers["Host"] == nil { headers["Host"] = url.port.map { "\(originalHost):\($0)" } ?? originalHost }
        }

        try handle.set(CURLOPT_URL, url.absoluteString)
        try handle.set(CURLOPT_NOSIGNAL, 1)
        try handle.set(CURLOPT_FOLLOWLOCATION, 0)
        try handle.set(CURLOPT_ACCEPT_ENCODING, "")
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, Int(configuration.connectTimeout.seconds * 1000))
        try handle.set(CURLOPT_TIMEOUT_MS, Int((request.timeout ?? configuration.requestTimeout).seconds * 1000))
        try handle.set(CURLOPT_PROTOCOLS_STR, "http,https")
        if let connectTo { _ = apim_setopt_slist(handle.raw, CURLOPT_CONNECT_TO, connectTo) }
        _ = errorBuffer.withUnsafeMutableBufferPointer { apim_setopt_pointer(handle.raw, CURLOPT_ERRORBUFFER, $0.baseAddress) }

        switch request.method {
        case .get: try handle.set(CURLOPT_HTTPGET, 1)
        case .head: try handle.set(CURLOPT_NOBODY, 1)
        case .post: try handle.setBody(request.body ?? Data())
        case .put, .patch, .delete:
            try handle.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            if let body = request.body { try handle.setBody(body) }
        }

        for field in headers {
            // "Name:" removes a header libcurl would add; "Name;" sends it with an empty value.
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            headerList = curl_slist_append(headerList, line)
        }
        if headers["Expect"] == nil { headerList = curl_slist_append(headerList, "Expect:") }
        _ = apim_setopt_slist(handle.raw, CURLOPT_HTTPHEADER, headerList)

        try applyTLS(to: handle)
        try applyProxy(to: handle, url: url, host: host)

        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        let pointer = unmanaged.toOpaque()
        _ = apim_setopt_pointer(handle.raw, CURLOPT_WRITEDATA, pointer)
        _ = apim_setopt_pointer(handle.raw, CURLOPT_HEADERDATA, pointer)
        _ = apim_setopt_pointer(handle.raw, CURLOPT_XFERINFODATA, pointer)
        _ = apim_setopt_write_function(handle.raw) { data, size, count, user in
            let context = Unmanaged<CurlTransferContext>.fromOpaque(user!).takeUnretainedValue()
            return context.appendBody(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }
        _ = apim_setopt_header_function(handle.raw) { data, size, count, user in
            let context = Unmanaged<CurlTransferContext>.fromOpaque(user!).takeUnretainedValue()
            context.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }
        try handle.set(CURLOPT_NOPROGRESS, 0)
        _ = apim_setopt_xferinfo_function(handle.raw) { user, _, _, _, _ in
            Unmanaged<CurlTransferContext>.fromOpaque(user!).takeUnretainedValue().isCancelled ? 1 : 0
        }

        let code = curl_easy_perform(handle.raw)
        let status = handle.responseCode()
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The handle keeps its connection cache for the next request; its options are reset on reuse.
        pool.give(handle)
        guard code == CURLE_OK else {
            if code == CURLE_ABORTED_BY_CALLBACK { throw CancellationError() }
            if code == CURLE_WRITE_ERROR && context.exceededLimit {
                throw TransportError(
                    kind: .other, host: host,
                    message: "the response was larger than \(configuration.maximumResponseBytes >> 20) MiB", curlCode: Int(code.rawValue))
            }
            throw Self.error(
                for: code, detail: detail, host: host, tls: configuration.tls,
                sawResponse: !context.headers.fields.isEmpty, secure: request.url.scheme == "https")
        }
        return HTTPResponse(status: status, headers: context.headers, body: context.body)
    }

    // MARK: - TLS and proxy options

    private func applyTLS(to handle: CurlEasyHandle) throws {
        let tls = configuration.tls
        if tls.insecureSkipVerify {
            try handle.set(CURLOPT_SSL_VERIFYPEER, 0)
            try handle.set(CURLOPT_SSL_VERIFYHOST, 0)
        } else {
            try handle.set(CURLOPT_SSL_VERIFYPEER, 1)
            try handle.set(CURLOPT_SSL_VERIFYHOST, 2)
            if let extra = tls.extraCAFile, tls.certificateAuthority == nil, let directory = Self.systemCertificateDirectory {
                // The extra bundle as the CA file, the system store as a hashed directory that OpenSSL reads lazily:
                // far cheaper per connection than parsing the whole system bundle joined in memory.
                try handle.set(CURLOPT_CAINFO, extra)
                try handle.set(CURLOPT_CAPATH, directory)
            } else if let combinedTrust {
                try handle.set(CURLOPT_CAINFO_BLOB, blob: combinedTrust)
            } else {
                switch tls.certificateAuthority {
                case .data(let pem): try handle.set(CURLOPT_CAINFO_BLOB, blob: pem)
                case .file(let path): try handle.set(CURLOPT_CAINFO, path)
                case nil: break
                }
            }
        }
        switch tls.clientCertificate {
        case .data(let pem):
            try handle.set(CURLOPT_SSLCERTTYPE, "PEM")
            try handle.set(CURLOPT_SSLCERT_BLOB, blob: pem)
        case .file(let path):
            try handle.set(CURLOPT_SSLCERTTYPE, "PEM")
            try handle.set(CURLOPT_SSLCERT, path)
        case nil: break
        }
        switch tls.clientKey {
        case .data(let pem):
            try handle.set(CURLOPT_SSLKEYTYPE, "PEM")
            try handle.set(CURLOPT_SSLKEY_BLOB, blob: pem)
        case .file(let path):
            try handle.set(CURLOPT_SSLKEYTYPE, "PEM")
            try handle.set(CURLOPT_SSLKEY, path)
        case nil: break
        }
    }

    private func applyProxy(to handle: CurlEasyHandle, url: URL, host: String) throws {
        switch configuration.proxy {
        case .none:
            try handle.set(CURLOPT_PROXY, "")
        case .url(let proxy):
            try handle.set(CURLOPT_PROXY, proxy)
            try handle.set(CURLOPT_NOPROXY, "")
        case .environment:
            // Go's rules (net/http ProxyFromEnvironment): loopback is never proxied; HTTPS_PROXY for https,
            // HTTP_PROXY for http, NO_PROXY exceptions. Read from the injected environment, not libcurl's.
            let environment = configuration.environment
            let names = url.scheme?.lowercased() == "https" ? ["HTTPS_PROXY", "https_proxy"] : ["HTTP_PROXY", "http_proxy"]
            guard !Self.isLoopback(host), let proxy = environment.first(names)?.value else {
                try handle.set(CURLOPT_PROXY, "")
                return
            }
            try handle.set(CURLOPT_PROXY, proxy)
            try handle.set(CURLOPT_NOPROXY, environment.first(["NO_PROXY", "no_proxy"])?.value ?? "")
        }
    }

    /// The hashed directory of the system trust store (`c_rehash` layout), when there is one.
    static let systemCertificateDirectory: String? = ["/etc/ssl/certs", "/etc/pki/tls/certs"].first { directory in
        (try? FileManager.default.contentsOfDirectory(atPath: directory))?.contains { $0.hasSuffix(".0") } ?? false
    }

    /// The system trust store plus `extraCAFile`, when an extra bundle is configured and no explicit CA is, for
    /// systems without a hashed certificate directory.
    /// `CAINFO_BLOB` replaces the default store, so the two are joined in memory once.
    private static func combinedTrust(for tls: TLSMaterial) throws -> Data? {
        guard let extra = tls.extraCAFile, tls.certificateAuthority == nil, !tls.insecureSkipVerify else { return nil }
        if systemCertificateDirectory != nil {
            guard FileManager.default.isReadableFile(atPath: extra) else {
                throw ConfigurationError("cannot read the CA bundle \(extra) (SSL_CERT_FILE)", remedy: "point SSL_CERT_FILE at a readable PEM file")
            }
            return nil
        }
        guard let extraData = FileManager.default.contents(atPath: extra) else {
            throw ConfigurationError("cannot read the CA bundle \(extra) (SSL_CERT_FILE)", remedy: "point SSL_CERT_FILE at a readable PEM file")
        }
        var bundle = Data()
        for system in ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"] {
            if let data = FileManager.default.contents(atPath: system) {
                bundle.append(data)
                bundle.append(0x0A)
                break
            }
        }
        bundle.append(extraData)
        return bundle
    }

    /// Whether `host` is a loopback name or address (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimming(while: { $0 == "[" || $0 == "]" }).lowercased()
        if bare == "localhost" || bare.hasSuffix(".localhost") || bare == "::1" { return true }
        let parts = bare.split(separator: ".")
        return parts.count == 4 && parts.first == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    // MARK: - Errors

    /// Turns a libcurl result into an error that says what failed and what to check.
    ///
    /// With TLS 1.3 a server that rejects (or misses) the client certificate does so after the handshake, and the
    /// alert may be lost behind a connection reset; `sawResponse` and `secure` let that case carry a hint.
    static func error(
        for code: CURLcode, detail: String, host: String, tls: TLSMaterial,
        sawResponse: Bool = false, secure: Bool = false
    ) -> TransportError {
        let summary = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let lower = summary.lowercased()
        let kind: TransportError.Kind
        var message: String
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .connect
            message = "cannot connect: \(summary)"
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
            message = "timed out: \(summary)"
        case CURLE_PEER_FAILED_VERIFICATION:
            kind = .serverCertificate
            message = "the server's certificate is not trusted: \(summary); check certificate-authority(-data) and tls-server-name"
        case CURLE_SSL_CERTPROBLEM:
            kind = .clientCertificate
            message = "the client certificate or key could not be used: \(summary)"
        case CURLE_SSL_CACERT_BADFILE:
            kind = .tlsMaterial
            message = "the CA certificate could not be loaded: \(summary)"
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            kind = .configuration
            message = "bad URL: \(summary)"
        default:
            if lower.contains("certificate required") || lower.contains("bad certificate")
                || lower.contains("unknown ca") || lower.contains("handshake failure") && tls.clientCertificate == nil
            {
                kind = .clientCertificate
                message =
                    tls.clientCertificate == nil
                    ? "the server requires a client certificate and none was configured: \(summary)"
                    : "the server rejected the client certificate: \(summary)"
            } else if code == CURLE_SSL_CONNECT_ERROR {
                kind = .connect
                message = "TLS handshake failed: \(summary)"
            } else if secure && !sawResponse && tls.clientCertificate == nil
                && (code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_GOT_NOTHING)
            {
                kind = .connectionLost
                message =
                    "connection lost right after the TLS handshake: \(summary); if the server requires a client certificate, none was configured (set client-certificate-data and client-key-data)"
            } else {
                kind = .connectionLost
                message = "connection lost: \(summary)"
            }
        }
        return TransportError(kind: kind, host: host, message: message, curlCode: Int(code.rawValue))
    }
}

// MARK: - CurlTransferContext

/// What the libcurl callbacks of one transfer write into; also carries the cancellation flag.
final class CurlTransferContext: @unchecked Sendable {
    // `body`, `headers` and `exceededLimit` are touched only by the transfer's thread; `cancelled` is guarded by `lock`.
    private(set) var body = Data()
    private(set) var headers = HTTPHeaders()
    private(set) var exceededLimit = false
    private var cancelled = false
    private let lock = Lock()
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    var isCancelled: Bool { lock.withLock { cancelled } }

    func cancel() { lock.withLock { cancelled = true } }

    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= limit else {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        guard let line = String(bytes: bytes, encoding: .utf8)?.trimmingWhitespaceAndNewlines(),
            !line.isEmpty
        else { return }
        if line.hasPrefix("HTTP/") {
            // A new status line (after 100 Continue or a proxy CONNECT): only the final response's headers count.
            headers = HTTPHeaders()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon]).trimmingWhitespace()
        let value = String(line[line.index(after: colon)...]).trimmingWhitespace()
        headers.add(name, value)
    }
}
