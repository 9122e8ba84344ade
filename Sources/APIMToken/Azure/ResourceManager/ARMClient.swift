import FoundationEssentials

/// Calls Azure Resource Manager for API Management gateways: service and gateway reads, `generateToken`,
/// `listKeys` and `regenerateKey`. Requests go through the user-agent, Azure retry and bearer-token middleware.
public struct ARMClient: Sendable {
    /// The default `api-version` (SPEC §2).
    public static let defaultAPIVersion = "2024-05-01"

    /// The cloud (ARM endpoint and token scope).
    public let cloud: AzureCloud
    /// The `api-version` query parameter.
    public let apiVersion: String
    /// The token cache the bearer middleware uses.
    public let tokenCache: TokenCache
    private let transport: any HTTPTransport

    /// Creates a client.
    /// - Parameters:
    ///   - transport: the raw transport (the libcurl one in production).
    ///   - tokenCache: the tokens (wrap the credential in a `TokenCache`).
    ///   - cloud: where ARM is; its endpoint must be HTTPS or loopback.
    ///   - apiVersion: `--api-version`, default `2024-05-01`.
    ///   - clock: sleeps between retries.
    ///   - retryOptions: the Azure SDK defaults unless overridden.
    ///   - jitter: the backoff jitter source (fixed in tests).
    public init(
        transport: any HTTPTransport, tokenCache: TokenCache, cloud: AzureCloud = .azurePublic,
        apiVersion: String = ARMClient.defaultAPIVersion, clock: any WallClock = SystemWallClock(),
        retryOptions: AzureRetryOptions = .default,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.8..<1.3) }
    ) throws {
        try AzureEndpointPolicy.requireSecure(cloud.resourceManagerEndpoint, for: "an Azure bearer token")
        guard !apiVersion.isEmpty, apiVersion.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else {
            throw ConfigurationError("--api-version \"\(apiVersion)\" is not a valid API version", remedy: "use a date such as \(Self.defaultAPIVersion)")
        }
        self.cloud = cloud
        self.apiVersion = apiVersion
        self.tokenCache = tokenCache
        self.transport = MiddlewareStacks.arm(
            transport, retry: .azure(retryOptions, jitter: jitter), tokenCache: tokenCache, scope: cloud.resourceManagerScope, clock: clock)
    }

    // MARK: Operations

    /// GET the API Management service.
    public func getService(_ service: APIMServiceReference) async throws -> APIMService {
        let response = try await send(.getService, .service(service), method: .get, path: service.path)
        return try decode(APIMService.self, response, .getService, service.path)
    }

    /// GET one gateway.
    public func getGateway(_ gateway: APIMGatewayReference) async throws -> APIMGateway {
        let response = try await send(.getGateway, .gateway(gateway), method: .get, path: gateway.path)
        return try decode(APIMGateway.self, response, .getGateway, gateway.path)
    }

    /// Lists every gateway of the service, following `nextLink` (only on the same ARM host).
    public func listGateways(_ service: APIMServiceReference) async throws -> [APIMGateway] {
        struct Page: Decodable {
            var value: [APIMGateway]
            var nextLink: String?
        }
        var gateways: [APIMGateway] = []
        var url = try makeURL(path: service.path + "/gateways")
        for _ in 0..<100 {
            let response = try await send(.listGateways, .service(service), request: HTTPRequest(method: .get, url: url))
            let page = try decode(Page.self, response, .listGateways, service.path)
            gateways += page.value
            guard let next = page.nextLink, !next.isEmpty else { return gateways }
            guard let nextURL = URL(string: next), nextURL.host?.lowercased() == cloud.resourceManagerEndpoint.host?.lowercased(),
                nextURL.scheme?.lowercased() == cloud.resourceManagerEndpoint.scheme?.lowercased(),
                Self.effectivePort(nextURL) == Self.effectivePort(cloud.resourceManagerEndpoint)
            else {
                throw ARMResponseError(
                    operation: .listGateways, resource: service.path,
                    reason: "nextLink points away from \(cloud.resourceManagerEndpoint.host ?? "ARM")", requestID: response.headers["x-ms-request-id"])
            }
            url = nextURL
        }
        throw ARMResponseError(operation: .listGateways, resource: service.path, reason: "more than 100 pages", requestID: nil)
    }

    /// POST `generateToken`: a token signed with `keyType` that expires at `expiry` (sent as `yyyy-MM-ddTHH:mm:ssZ`).
    /// Returns the raw value (no `GatewayKey ` prefix); validate it with `GatewayToken.validated` before writing it.
    public func generateToken(_ gateway: APIMGatewayReference, keyType: GatewayKeyType, expiry: Date) async throws -> Redacted<String> {
        let body = JSONValue.object(["keyType": .string(keyType.rawValue), "expiry": .string(GatewayToken.requestExpiryString(expiry))]).encoded
        let response = try await send(.generateToken, .gateway(gateway), method: .post, path: gateway.path + "/generateToken", body: body)
        struct Value: Decodable { var value: String? }
        let decoded = try decode(Value.self, response, .generateToken, gateway.path)
        guard let value = decoded.value else {
            throw ARMResponseError(
                operation: .generateToken, resource: gateway.path, reason: "the response has no value",
                requestID: response.headers["x-ms-request-id"])
        }
        return Redacted(value)
    }

    /// `generateToken`, then the checks SPEC §4 `rotate` step 4 asks for before any write: non-empty, not `null`,
    /// issued for this gateway, and expiring at the requested minute. Throws `GatewayTokenError` (exit 4) otherwise.
    public func generateValidatedToken(
        _ gateway: APIMGatewayReference, keyType: GatewayKeyType, expiry: Date, now: Date
    ) async throws -> GatewayToken {
        let raw = try await generateToken(gateway, keyType: keyType, expiry: expiry)
        return try GatewayToken.validated(raw, gateway: gateway.gatewayName, requestedExpiry: expiry, now: now)
    }

    /// POST `listKeys`.
    public func listKeys(_ gateway: APIMGatewayReference) async throws -> GatewayKeys {
        let response = try await send(.listKeys, .gateway(gateway), method: .post, path: gateway.path + "/listKeys", body: Data())
        struct Keys: Decodable {
            var primary: String?
            var secondary: String?
        }
        let keys = try decode(Keys.self, response, .listKeys, gateway.path)
        guard let primary = keys.primary, let secondary = keys.secondary else {
            throw ARMResponseError(
                operation: .listKeys, resource: gateway.path, reason: "the response lacks primary or secondary",
                requestID: response.headers["x-ms-request-id"])
        }
        return GatewayKeys(primary: Redacted(primary), secondary: Redacted(secondary))
    }

    /// POST `regenerateKey`. This invalidates every token signed with that key.
    public func regenerateKey(_ gateway: APIMGatewayReference, keyType: GatewayKeyType) async throws {
        let body = JSONValue.object(["keyType": .string(keyType.rawValue)]).encoded
        _ = try await send(.regenerateKey, .gateway(gateway), method: .post, path: gateway.path + "/regenerateKey", body: body)
    }

    // MARK: Plumbing

    /// The URL for an ARM path with the api-version.
    public func makeURL(path: String) throws -> URL {
        var base = cloud.resourceManagerEndpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + path + "?api-version=" + apiVersion) else {
            throw ConfigurationError("cannot build an ARM URL from \(base) and \(path)")
        }
        return url
    }

    private func send(_ operation: ARMOperation, _ target: ARMTarget, method: HTTPMethod, path: String, body: Data? = nil) async throws -> HTTPResponse {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        return try await send(operation, target, request: HTTPRequest(method: method, url: try makeURL(path: path), headers: headers, body: body))
    }

    private func send(_ operation: ARMOperation, _ target: ARMTarget, request: HTTPRequest) async throws -> HTTPResponse {
        var request = request
        if request.headers["Accept"] == nil { request.headers["Accept"] = "application/json" }
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch let error as TransportError {
            throw ARMTransportError(operation: operation, underlying: error)
        }
        guard (200...299).contains(response.status) else {
            throw ARMError(operation: operation, target: target, response: response)
        }
        return response
    }

    /// The port a URL connects to (ARM's `nextLink` may spell out `:443`).
    private static func effectivePort(_ url: URL) -> Int? {
        url.port ?? (url.scheme?.lowercased() == "https" ? 443 : url.scheme?.lowercased() == "http" ? 80 : nil)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, _ operation: ARMOperation, _ resource: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw ARMResponseError(
                operation: operation, resource: resource, reason: "the body is not the expected JSON",
                requestID: response.headers["x-ms-request-id"])
        }
    }
}
