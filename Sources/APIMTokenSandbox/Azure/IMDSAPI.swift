import Foundation

/// The simulated instance metadata service (managed identity tokens), plain HTTP, with the real quirks: the
/// `Metadata: true` header is required and every number in the answer is a string.
final class IMDSAPI: Sendable {
    /// The simulated directory (managed identities).
    let state: AzureState
    /// Issues access tokens.
    let accessTokens: AccessTokens
    /// The tenant the identities belong to.
    let tenantID: String

    /// IMDS over the given directory.
    init(state: AzureState, accessTokens: AccessTokens, tenantID: String) {
        self.state = state
        self.accessTokens = accessTokens
        self.tenantID = tenantID
    }

    /// Handles one request.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        guard request.path == "/metadata/identity/oauth2/token" else {
            return .json(404, ["error": "not_found", "error_description": .string("no such endpoint: \(request.path)")])
        }
        guard request.header("Metadata")?.lowercased() == "true" else {
            return .json(400, ["error": "invalid_request", "error_description": "Required metadata header not specified"])
        }
        guard request.queryValue("api-version") != nil else {
            return .json(400, ["error": "invalid_request", "error_description": "Required query variable 'api-version' is missing"])
        }
        guard let resource = request.queryValue("resource"), !resource.isEmpty else {
            return .json(400, ["error": "invalid_request", "error_description": "Required query variable 'resource' is missing"])
        }
        let resourceID = request.queryValue("mi_res_id") ?? request.queryValue("msi_res_id")
        guard let identity = state.managedIdentity(clientID: request.queryValue("client_id"), objectID: request.queryValue("object_id"), resourceID: resourceID)
        else {
            return .json(400, ["error": "invalid_request", "error_description": "Identity not found"])
        }
        do {
            let issued = try accessTokens.issue(clientID: identity.clientID, objectID: identity.objectID, tenantID: tenantID, audience: resource)
            let now = Int(Date().timeIntervalSince1970)
            var response = HTTPResponse.json(
                200,
                [
                    "access_token": .string(issued.token), "client_id": .string(identity.clientID), "expires_in": .string(String(issued.expiresIn)),
                    "expires_on": .string(String(issued.expiresOn)), "ext_expires_in": .string(String(issued.expiresIn)),
                    "not_before": .string(String(now)), "resource": .string(resource), "token_type": "Bearer",
                ])
            response.principal = identity.clientID
            return response
        } catch {
            return .json(500, ["error": "server_error", "error_description": "token signing failed"])
        }
    }
}
