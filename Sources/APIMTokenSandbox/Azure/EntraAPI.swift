import Crypto
import Foundation
import X509
import _CryptoExtras

/// The simulated Entra ID (v2.0) endpoints: OpenID configuration, instance discovery and the token endpoint with
/// client secrets, certificate client assertions (RS256/PS256, `x5t`/`x5t#S256`) and federated assertions.
final class EntraAPI: Sendable {
    /// The simulated directory.
    let state: AzureState
    /// Issues access tokens.
    let accessTokens: AccessTokens
    /// The service-account issuer whose tokens are accepted as federated assertions, and its verifier.
    let federatedIssuer: String
    /// Verifies federated assertions (the cluster issuer's public key).
    let federatedKey: _RSA.Signing.PublicKey
    /// This server's own base URL (known only once it listens).
    let publicBaseURL: @Sendable () -> String

    /// Entra over the given directory.
    init(
        state: AzureState, accessTokens: AccessTokens, federatedIssuer: String, federatedKey: _RSA.Signing.PublicKey,
        publicBaseURL: @escaping @Sendable () -> String
    ) {
        self.state = state
        self.accessTokens = accessTokens
        self.federatedIssuer = federatedIssuer
        self.federatedKey = federatedKey
        self.publicBaseURL = publicBaseURL
    }

    private func error(_ status: Int, _ code: String, _ aadsts: Int, _ description: String) -> HTTPResponse {
        .json(
            status,
            [
                "error": .string(code),
                "error_description": .string("AADSTS\(aadsts): \(description) Trace ID: \(UUID().uuidString.lowercased()) Timestamp: \(Timestamps.now())"),
                "error_codes": [.int(aadsts)], "timestamp": .string(Timestamps.now()), "trace_id": .string(UUID().uuidString.lowercased()),
                "correlation_id": .string(UUID().uuidString.lowercased()),
            ])
    }

    /// Handles a request on the authority host.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        let base = publicBaseURL()
        if segments.count >= 3, segments[1] == "discovery", segments[2] == "instance" || segments.last == "instance" {
            let tenantEndpoint =
                request.queryValue("authorization_endpoint").map {
                    $0.replacingOccurrences(of: "oauth2/v2.0/authorize", with: "v2.0/.well-known/openid-configuration")
                }
                ?? "\(base)/common/v2.0/.well-known/openid-configuration"
            return .json(
                200,
                [
                    "tenant_discovery_endpoint": .string(tenantEndpoint), "api-version": "1.1",
                    "metadata": [
                        [
                            "preferred_network": .string(String(base.dropFirst(8))), "preferred_cache": .string(String(base.dropFirst(8))),
                            "aliases": [.string(String(base.dropFirst(8)))],
                        ]
                    ],
                ])
        }
        if segments.count == 4, segments[1] == "v2.0", segments[2] == ".well-known", segments[3] == "openid-configuration" {
            let tenant = segments[0]
            return .json(
                200,
                [
                    "token_endpoint": .string("\(base)/\(tenant)/oauth2/v2.0/token"),
                    "authorization_endpoint": .string("\(base)/\(tenant)/oauth2/v2.0/authorize"),
                    "device_authorization_endpoint": .string("\(base)/\(tenant)/oauth2/v2.0/devicecode"),
                    "issuer": .string("\(base)/\(tenant)/v2.0"), "jwks_uri": .string("\(base)/\(tenant)/discovery/v2.0/keys"),
                    "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                    "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                    "scopes_supported": ["openid", "profile", "email", "offline_access"], "tenant_region_scope": "WW",
                ])
        }
        guard segments.count == 4, segments[1] == "oauth2", segments[2] == "v2.0", segments[3] == "token" else {
            return .json(404, ["error": "not_found", "error_description": .string("no such endpoint: \(request.path)")])
        }
        guard request.method == "POST" else { return error(405, "invalid_request", 900561, "The endpoint only accepts POST requests.") }
        let tenant = segments[0]
        let form = HTTPRequest.parseForm(String(decoding: request.body, as: UTF8.self)).mapValues { $0.first ?? "" }
        guard form["grant_type"] == "client_credentials" else {
            return error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '\(form["grant_type"] ?? "")'.")
        }
        guard let clientID = form["client_id"], !clientID.isEmpty else {
            return error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
        }
        guard let scope = form["scope"], !scope.isEmpty else {
            return error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.")
        }
        guard let app = state.application(clientID), app.tenantID == tenant || tenant == "organizations" else {
            return error(400, "unauthorized_client", 700016, "Application with identifier '\(clientID)' was not found in the directory '\(tenant)'.")
        }
        var response: HTTPResponse
        if let secret = form["client_secret"] {
            guard let expected = app.clientSecret, !secret.isEmpty, secret == expected else {
                return error(
                    401, "invalid_client", 7_000_215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(clientID)'."
                )
            }
        } else if let assertion = form["client_assertion"] {
            guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" else {
                return error(400, "invalid_request", 90001, "The client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.")
            }
            if let failure = verifyAssertion(assertion, app: app, tenant: tenant) { return failure }
        } else {
            return error(401, "invalid_client", 7_000_218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
        }
        do {
            let issued = try accessTokens.issue(
                clientID: app.clientID, objectID: app.objectID, tenantID: app.tenantID, audience: AccessTokens.resource(ofScope: scope))
            response = .json(
                200,
                ["token_type": "Bearer", "expires_in": .int(issued.expiresIn), "ext_expires_in": .int(issued.expiresIn), "access_token": .string(issued.token)])
        } catch {
            response = self.error(500, "server_error", 50000, "token signing failed")
        }
        response.principal = app.clientID
        return response
    }

    /// Verifies a client assertion; returns an error response, or nil when it is good.
    private func verifyAssertion(_ assertion: String, app: AzureApplication, tenant: String) -> HTTPResponse? {
        guard let jwt = JWT.decode(assertion) else {
            return error(400, "invalid_request", 50027, "JWT token is invalid or malformed.")
        }
        let now = Date()
        // Federated (workload identity): issued by the cluster's service-account issuer.
        if jwt.claims["iss"]?.stringValue == federatedIssuer {
            guard JWT.verify(jwt, key: federatedKey) else { return error(401, "invalid_client", 700027, "Client assertion failed signature validation.") }
            guard JWT.isCurrent(jwt.claims, now: now) else {
                return error(400, "invalid_client", 700024, "Client assertion is not within its valid time range.")
            }
            guard JWT.audiences(jwt.claims).contains("api://AzureADTokenExchange") else {
                return error(
                    400, "invalid_client", 700212,
                    "No matching federated identity record found for presented assertion audience '\(JWT.audiences(jwt.claims).joined(separator: ","))'.")
            }
            let subject = jwt.claims["sub"]?.stringValue ?? ""
            guard app.federatedCredentials.contains(where: { $0.issuer == federatedIssuer && $0.subject == subject }) else {
                return error(
                    400, "invalid_client", 70021,
                    "No matching federated identity record found for presented assertion. Assertion Issuer: '\(federatedIssuer)'. Assertion Subject: '\(subject)'."
                )
            }
            return nil
        }
        // Certificate credential.
        guard ["RS256", "PS256"].contains(jwt.header["alg"]?.stringValue ?? "") else {
            return error(
                400, "invalid_client", 5_002_730, "Invalid JWT token. Unsupported key for the signing algorithm \(jwt.header["alg"]?.stringValue ?? "none").")
        }
        let x5t = jwt.header["x5t"]?.stringValue
        let x5tS256 = jwt.header["x5t#S256"]?.stringValue
        guard x5t != nil || x5tS256 != nil else {
            return error(
                401, "invalid_client", 700027,
                "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '']")
        }
        let match = app.certificates.first { der in
            (x5t != nil && Base64URL.encode(Array(Insecure.SHA1.hash(data: der))) == x5t)
                || (x5tS256 != nil && Base64URL.encode(Array(SHA256.hash(data: der))) == x5tS256)
        }
        guard let der = match, let cert = try? Certificate(derEncoded: der), let key = _RSA.Signing.PublicKey(cert.publicKey) else {
            return error(
                401, "invalid_client", 700027,
                "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '\(x5t ?? x5tS256 ?? "")']"
            )
        }
        guard JWT.verify(jwt, key: key) else {
            return error(401, "invalid_client", 700027, "Client assertion failed signature validation.")
        }
        guard jwt.claims["iss"]?.stringValue == app.clientID, jwt.claims["sub"]?.stringValue == app.clientID else {
            return error(
                401, "invalid_client", 700023, "Client assertion audience claim does not match Realm issuer or the iss/sub claims are not the client id.")
        }
        let audiences = JWT.audiences(jwt.claims)
        let base = publicBaseURL()
        guard audiences.contains(where: { $0.hasPrefix(base) }) else {
            return error(
                401, "invalid_client", 700212, "The audience of the client assertion '\(audiences.joined(separator: ","))' is not this token endpoint.")
        }
        guard JWT.isCurrent(jwt.claims, now: now) else {
            return error(400, "invalid_client", 700024, "Client assertion is not within its valid time range.")
        }
        return nil
    }
}
