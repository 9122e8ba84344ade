import FoundationEssentials

/// Sends an OAuth 2.0 client-credentials request to a Microsoft Entra token endpoint and reads the answer.
/// Shared by the workload identity, client secret and client certificate credentials.
struct EntraTokenClient: Sendable {
    /// The transport, already wrapped in the Azure retry and user-agent middleware.
    let transport: any HTTPTransport
    /// `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`.
    let tokenEndpoint: URL
    /// The clock used to turn `expires_in` into a date.
    let clock: any WallClock
    /// The name of the credential using this client, for messages.
    let credentialName: String

    /// Builds the client, checking the tenant id and that the authority host is HTTPS (or loopback).
    init(
        credentialName: String, authorityHost: URL, tenantID: String, transport: any HTTPTransport,
        clock: any WallClock, retryOptions: AzureRetryOptions = .default
    ) throws {
        guard Self.isValidTenant(tenantID) else {
            throw ConfigurationError(
                "tenant id \"\(tenantID)\" is not valid (letters, digits, '.' and '-' only)",
                remedy: "pass --tenant or AZURE_TENANT_ID with the directory (tenant) id")
        }
        var base = authorityHost.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let endpoint = URL(string: "\(base)/\(tenantID)/oauth2/v2.0/token") else {
            throw ConfigurationError("authority host \(authorityHost.absoluteString) is not a valid URL")
        }
        try AzureEndpointPolicy.requireSecure(endpoint, for: "credentials for Microsoft Entra ID")
        self.credentialName = credentialName
        self.tokenEndpoint = endpoint
        self.clock = clock
        self.transport = MiddlewareStacks.tokenEndpoint(transport, retry: .azure(retryOptions), clock: clock)
    }

    /// Whether a tenant id is safe to put into the URL path.
    static func isValidTenant(_ tenant: String) -> Bool {
        !tenant.isEmpty && tenant.count <= 256
            && tenant.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "." || $0 == "-" }
    }

    /// Requests a token with `form` (client_id, scope, grant_type are added). `secrets` are scrubbed from any
    /// server text that ends up in an error.
    func requestToken(scope: String, clientID: String, form: [(String, String)], secrets: [String]) async throws -> AccessToken {
        let fields = [("client_id", clientID), ("scope", scope), ("grant_type", "client_credentials")] + form
        let body = FormEncoding.encode(fields)
        let request = HTTPRequest(
            method: .post, url: tokenEndpoint,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: Data(body.utf8))
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch let error as TransportError {
            throw AuthenticationFailedError(
                credential: credentialName, message: "could not reach \(tokenEndpoint.host ?? "the token endpoint"): \(error.message)",
                remedy: "check network access to \(tokenEndpoint.host ?? "Microsoft Entra ID") (proxy, firewall, SSL_CERT_FILE)")
        }
        let scrubber = SecretScrubber(secrets)
        guard response.status == 200 else {
            throw Self.decodeError(response, credential: credentialName, scrubber: scrubber)
        }
        return try TokenResponse.parse(response.body, now: clock.now(), credential: credentialName)
    }

    /// Turns an Entra error response (`error`, `error_description`, `error_codes`, `correlation_id`) into an error.
    static func decodeError(_ response: HTTPResponse, credential: String, scrubber: SecretScrubber) -> AuthenticationFailedError {
        struct Body: Decodable {
            var error: String?
            var error_description: String?
            var error_codes: [Int]?
            var correlation_id: String?
        }
        let body = try? JSONDecoder().decode(Body.self, from: response.body)
        let description = body?.error_description.map { firstLine(scrubber.scrub($0)) }
        let aadsts = body?.error_codes?.first.map { "AADSTS\($0)" }
        let message = description ?? "the token endpoint answered HTTP \(response.status) without an error description"
        return AuthenticationFailedError(
            credential: credential, message: message, status: response.status,
            errorCode: [body?.error.map { scrubber.scrub($0, limit: 80) }, aadsts].compactMap { $0 }.joined(separator: " ").nilIfEmpty,
            correlationID: body?.correlation_id.map { scrubber.scrub($0, limit: 80) },
            remedy: remedy(error: body?.error, codes: body?.error_codes ?? []))
    }

    /// A remedy for the common Entra failures.
    static func remedy(error: String?, codes: [Int]) -> String? {
        if codes.contains(where: { [7_000_215, 7_000_222].contains($0) }) {
            return "the client secret is wrong or expired; create a new one and update --client-secret / AZURE_CLIENT_SECRET"
        }
        if codes.contains(700016) { return "the application (client id) was not found in this tenant; check --client-id and --tenant" }
        if codes.contains(where: { [90002, 900023].contains($0) }) { return "the tenant was not found; check --tenant / AZURE_TENANT_ID" }
        if codes.contains(where: { [70021, 700211, 700212, 700213, 700024, 700238].contains($0) }) {
            return
                "the federated identity credential does not match: check its issuer (the cluster's OIDC issuer URL) and subject (system:serviceaccount:<namespace>:<serviceaccount>)"
        }
        if codes.contains(where: { [700027, 700023].contains($0) }) {
            return "the client certificate is not registered on the application, or the assertion is invalid; upload the certificate to the app registration"
        }
        if error == "invalid_client" { return "check the client id, tenant and client secret or certificate" }
        return nil
    }

    private static func firstLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }
}

// MARK: - TokenResponse

/// Reads an OAuth token response: `access_token` plus `expires_in` (seconds) or `expires_on` (epoch seconds);
/// each number may arrive as a JSON number or a string (IMDS sends strings).
enum TokenResponse {
    private struct Body: Decodable {
        var access_token: String?
        var expires_in: FlexibleNumber?
        var expires_on: FlexibleNumber?
    }

    /// Parses the body, or throws an `AuthenticationFailedError` that does not quote the body.
    static func parse(_ body: Data, now: Date, credential: String) throws -> AccessToken {
        guard let decoded = try? JSONDecoder().decode(Body.self, from: body),
            let token = decoded.access_token, !token.isEmpty
        else {
            throw AuthenticationFailedError(
                credential: credential, message: "the token response was not JSON with an access_token")
        }
        if let seconds = decoded.expires_in?.value, seconds > 0 {
            return AccessToken(token: Redacted(token), expiresOn: now.addingTimeInterval(seconds))
        }
        if let epoch = decoded.expires_on?.value, epoch > 0 {
            return AccessToken(token: Redacted(token), expiresOn: Date(timeIntervalSince1970: epoch))
        }
        throw AuthenticationFailedError(
            credential: credential, message: "the token response has neither expires_in nor expires_on")
    }
}

// MARK: - FlexibleNumber

/// A JSON number, or a string holding one; anything else decodes as `nil` value.
struct FlexibleNumber: Decodable, Sendable {
    /// The number, when there was one.
    var value: Double?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self), number.isFinite {
            value = number
        } else if let string = try? container.decode(String.self),
            let number = Double(string.trimmingWhitespace()), number.isFinite
        {
            value = number
        } else {
            value = nil
        }
    }
}

// MARK: - FormEncoding

/// `application/x-www-form-urlencoded` encoding.
enum FormEncoding {
    /// The characters left as they are (RFC 3986 unreserved).
    static func isUnreserved(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIIAlphanumeric || scalar == "-" || scalar == "." || scalar == "_" || scalar == "~"
    }

    /// Encodes name/value pairs in order.
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes one name or value.
    static func escape(_ text: String) -> String {
        text.percentEncoded(allowing: isUnreserved)
    }

    /// Decodes a form body into pairs (for tests and the sandbox).
    static func decode(_ text: String) -> [(String, String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacing("+", with: " ").percentDecoded ?? ""
            let value = parts.count > 1 ? (String(parts[1]).replacing("+", with: " ").percentDecoded ?? "") : ""
            return (name, value)
        }
    }
}

extension String {
    /// `nil` when the string is empty.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
