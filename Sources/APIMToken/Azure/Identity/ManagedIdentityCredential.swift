import FoundationEssentials

/// A managed identity through the Azure Instance Metadata Service (IMDS), which also serves aad-pod-identity
/// (its NMI answers on the IMDS address, or on `AZURE_POD_IDENTITY_AUTHORITY_HOST`).
public struct ManagedIdentityCredential: TokenCredential {
    /// Which identity to ask for.
    public enum Identity: Sendable, Equatable, CustomStringConvertible {
        /// The system-assigned identity (or the only user-assigned one).
        case systemAssigned
        /// A user-assigned identity by client id (`client_id`).
        case clientID(String)
        /// A user-assigned identity by ARM resource id (`mi_res_id`).
        case resourceID(String)

        /// `--client-id` value: a resource id when it starts with `/subscriptions/`, else a client id.
        public static func from(clientIDOrResourceID value: String?) -> Identity {
            guard let value, !value.isEmpty else { return .systemAssigned }
            return value.lowercased().hasPrefix("/subscriptions/") ? .resourceID(value) : .clientID(value)
        }

        public var description: String {
            switch self {
            case .systemAssigned: return "system-assigned identity"
            case .clientID(let id): return "user-assigned identity with client id \(id)"
            case .resourceID(let id): return "user-assigned identity \(id)"
            }
        }
    }

    /// Settings of the credential.
    public struct Options: Sendable, Equatable {
        public var identity: Identity
        /// The IMDS base URL, `http://169.254.169.254` unless overridden.
        public var endpoint: URL
        /// When set, the first request is a probe with this timeout and no retries; no answer means the credential
        /// is unavailable (used by `auto`).
        public var probeTimeout: Duration?
        /// Set when part of a chain: a response that does not look like IMDS counts as unavailable.
        public var chained: Bool

        /// Creates options.
        public init(
            identity: Identity = .systemAssigned, endpoint: URL = ManagedIdentityCredential.defaultEndpoint,
            probeTimeout: Duration? = nil, chained: Bool = false
        ) {
            self.identity = identity
            self.endpoint = endpoint
            self.probeTimeout = probeTimeout
            self.chained = chained
        }

        /// The endpoint from `AZURE_POD_IDENTITY_AUTHORITY_HOST`, or the IMDS address.
        public static func endpoint(from environment: Environment) throws -> URL {
            guard var text = environment[AzureEnvironmentVariables.podIdentityAuthorityHost] else { return defaultEndpoint }
            if !text.contains("://") { text = "http://" + text }
            while text.hasSuffix("/") { text.removeLast() }
            guard let url = URL(string: text), let host = url.host, !host.isEmpty,
                ["http", "https"].contains(url.scheme?.lowercased() ?? "")
            else {
                throw ConfigurationError("\(AzureEnvironmentVariables.podIdentityAuthorityHost) \"\(text)\" is not a valid URL")
            }
            return url
        }
    }

    /// `http://169.254.169.254`.
    public static let defaultEndpoint = URL(string: "http://169.254.169.254")!
    /// The IMDS token API version.
    public static let apiVersion = "2018-02-01"
    /// The probe timeout used by `auto`.
    public static let defaultProbeTimeout: Duration = .seconds(1)
    /// The name used in messages.
    public static let credentialName = "ManagedIdentityCredential"

    /// The settings in use.
    public let options: Options
    private let transport: any HTTPTransport
    private let rawTransport: any HTTPTransport
    private let clock: any WallClock
    private let probe: ProbeState

    /// Creates the credential. IMDS is plain HTTP by design, so no HTTPS check applies to `options.endpoint`.
    public init(
        options: Options = Options(), transport: any HTTPTransport, clock: any WallClock = SystemWallClock(),
        retry: RetryPolicy = .imds()
    ) {
        self.options = options
        self.clock = clock
        self.rawTransport = MiddlewareStacks.probe(transport)
        self.transport = MiddlewareStacks.tokenEndpoint(transport, retry: retry, clock: clock)
        self.probe = ProbeState(needed: options.probeTimeout != nil)
    }

    public var name: String { Self.credentialName }

    /// The token request URL for `scope`.
    public func tokenURL(scope: String) throws -> URL {
        guard var components = URLComponents(url: options.endpoint, resolvingAgainstBaseURL: false) else {
            throw ConfigurationError("IMDS endpoint \(options.endpoint.absoluteString) is not a valid URL")
        }
        components.path = "/metadata/identity/oauth2/token"
        var query = [
            URLQueryItem(name: "api-version", value: Self.apiVersion),
            URLQueryItem(name: "resource", value: AzureScope.resource(for: scope)),
        ]
        switch options.identity {
        case .systemAssigned: break
        case .clientID(let id): query.append(URLQueryItem(name: "client_id", value: id))
        case .resourceID(let id): query.append(URLQueryItem(name: "mi_res_id", value: id))
        }
        components.percentEncodedQuery =
            query
            .map { "\(FormEncoding.escape($0.name))=\(FormEncoding.escape($0.value ?? ""))" }
            .joined(separator: "&")
        guard let url = components.url else {
            throw ConfigurationError("IMDS endpoint \(options.endpoint.absoluteString) is not a valid URL")
        }
        return url
    }

    public func getToken(scope: String) async throws -> AccessToken {
        guard AzureScope.isValid(scope) else { throw ConfigurationError("invalid scope \"\(scope)\"") }
        let url = try tokenURL(scope: scope)
        if let timeout = options.probeTimeout, probe.isNeeded {
            try await runProbe(url: url, timeout: timeout)
            probe.markDone()
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: .get, url: url, headers: ["Metadata": "true"]))
        } catch let error as TransportError {
            if options.chained {
                throw CredentialUnavailableError(credential: name, message: "IMDS at \(error.host) did not answer: \(error.message)")
            }
            throw AuthenticationFailedError(
                credential: name, message: "IMDS at \(error.host) did not answer: \(error.message)",
                remedy: "run on an Azure VM, VM scale set or AKS node with a managed identity, or set \(AzureEnvironmentVariables.podIdentityAuthorityHost)")
        }
        if response.status == 200 {
            do {
                return try TokenResponse.parse(response.body, now: clock.now(), credential: name)
            } catch let error as AuthenticationFailedError where options.chained {
                throw CredentialUnavailableError(credential: name, message: "the endpoint did not answer like IMDS: \(error.message)")
            }
        }
        throw failure(for: response)
    }

    private func runProbe(url: URL, timeout: Duration) async throws {
        // A request without the Metadata header: IMDS answers 400 at once; no answer means no IMDS here.
        do {
            _ = try await rawTransport.send(HTTPRequest(method: .get, url: url, timeout: timeout))
        } catch let error as TransportError {
            throw CredentialUnavailableError(
                credential: name,
                message:
                    "no managed identity endpoint answered at \(options.endpoint.absoluteString) within \(Int(timeout.seconds * 1000)) ms (\(error.message))")
        }
    }

    private func failure(for response: HTTPResponse) -> any Error {
        struct Body: Decodable {
            var error: String?
            var error_description: String?
        }
        let body = try? JSONDecoder().decode(Body.self, from: response.body)
        let detail = SecretScrubber([]).scrub(
            [body?.error, body?.error_description].compactMap { $0 }.joined(separator: ": "), limit: 300)
        switch response.status {
        case 400 where options.identity != .systemAssigned:
            return AuthenticationFailedError(
                credential: name, message: "the \(options.identity) is not assigned to this resource" + (detail.isEmpty ? "" : " (\(detail))"),
                status: 400, errorCode: body?.error,
                remedy: "assign the identity to the VM/VMSS (or node pool), or check --client-id")
        case 400 where options.chained:
            return CredentialUnavailableError(
                credential: name, message: "no system-assigned identity is available" + (detail.isEmpty ? "" : " (\(detail))"))
        case 403 where options.chained && String(decoding: response.body, as: UTF8.self).contains("unreachable"):
            return CredentialUnavailableError(credential: name, message: "a proxy answered for IMDS: the network is unreachable")
        default:
            return AuthenticationFailedError(
                credential: name,
                message: detail.isEmpty ? "IMDS answered HTTP \(response.status)" : detail,
                status: response.status, errorCode: body?.error,
                remedy: response.status == 400 ? "enable a system-assigned identity, or pass --client-id for a user-assigned one" : nil)
        }
    }
}

// MARK: - ProbeState

/// Remembers whether the IMDS probe still has to run (it runs once per credential).
final class ProbeState: @unchecked Sendable {
    private let lock = Lock()
    private var needed: Bool

    init(needed: Bool) { self.needed = needed }

    var isNeeded: Bool { lock.withLock { needed } }
    func markDone() { lock.withLock { needed = false } }
}
