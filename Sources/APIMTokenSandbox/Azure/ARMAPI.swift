import Foundation

/// The simulated Azure Resource Manager for APIM gateways (api-version 2024-05-01 and other dated versions),
/// with ARM's error envelope, `x-ms-request-id` and per-principal RBAC.
final class ARMAPI: Sendable {
    /// The simulated Azure.
    let state: AzureState
    /// Verifies bearer tokens issued by the simulated Entra.
    let accessTokens: AccessTokens
    /// The Entra authority URL, for `WWW-Authenticate` challenges.
    let authorityHost: @Sendable () -> String

    /// The longest a gateway token may live.
    static let maximumTokenLifetime: TimeInterval = 30 * 86400

    /// ARM over the given state.
    init(state: AzureState, accessTokens: AccessTokens, authorityHost: @escaping @Sendable () -> String) {
        self.state = state
        self.accessTokens = accessTokens
        self.authorityHost = authorityHost
    }

    /// An ARM error response.
    static func error(_ status: Int, _ code: String, _ message: String, details: [JSON] = [], headers: [(String, String)] = []) -> HTTPResponse {
        var error: JSON = ["code": .string(code), "message": .string(message)]
        if !details.isEmpty { error["details"] = .array(details) }
        return .json(status, ["error": error], headers: headers)
    }

    private struct Failure: Error { var response: HTTPResponse }

    /// Handles one request; every answer carries request ids.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        var response: HTTPResponse
        var principal: String?
        do {
            (response, principal) = try route(request)
        } catch let f as Failure {
            response = f.response
        } catch {
            response = Self.error(500, "InternalServerError", "\(error)")
        }
        let id = UUID().uuidString.lowercased()
        response.headers += [
            ("x-ms-request-id", id), ("x-ms-correlation-request-id", request.header("x-ms-client-request-id") ?? id),
            ("x-ms-routing-request-id", "SANDBOX:\(id)"),
        ]
        response.principal = response.principal ?? principal
        return response
    }

    private func route(_ request: HTTPRequest) throws -> (HTTPResponse, String?) {
        guard let auth = request.header("Authorization"), auth.hasPrefix("Bearer ") else {
            throw Failure(
                response: Self.error(
                    401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                    headers: [
                        (
                            "WWW-Authenticate",
                            "Bearer authorization_uri=\"\(authorityHost())/\", error=\"invalid_token\", error_description=\"Authentication failed.\""
                        )
                    ]))
        }
        guard let claims = accessTokens.verify(String(auth.dropFirst(7))) else {
            throw Failure(
                response: Self.error(
                    401, "InvalidAuthenticationToken", "The access token is invalid or has expired.",
                    headers: [
                        (
                            "WWW-Authenticate",
                            "Bearer authorization_uri=\"\(authorityHost())/\", error=\"invalid_token\", error_description=\"The access token is invalid.\""
                        )
                    ]))
        }
        guard AccessTokens.armAudiences.contains(claims["aud"]?.stringValue ?? "") else {
            throw Failure(
                response: Self.error(
                    401, "InvalidAuthenticationTokenAudience",
                    "The access token has been obtained for wrong audience or resource '\(claims["aud"]?.stringValue ?? "")'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."
                ))
        }
        let clientID = claims["appid"]?.stringValue ?? ""
        let objectID = claims["oid"]?.stringValue ?? ""
        guard let apiVersion = request.queryValue("api-version"), !apiVersion.isEmpty else {
            throw Failure(
                response: Self.error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."))
        }
        guard apiVersion.range(of: #"^\d{4}-\d{2}-\d{2}(-preview)?$"#, options: .regularExpression) != nil else {
            throw Failure(
                response: Self.error(
                    400, "InvalidApiVersionParameter",
                    "The api-version '\(apiVersion)' is invalid. The supported versions are '2024-05-01,2023-05-01-preview,2022-08-01,2021-08-01'."))
        }
        let s = request.path.split(separator: "/").map(String.init)
        // subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{svc}[/gateways[/{gw}[/{action}]]]
        guard s.count >= 8, s[0].lowercased() == "subscriptions", s[2].lowercased() == "resourcegroups", s[4].lowercased() == "providers",
            s[5].lowercased() == "microsoft.apimanagement", s[6].lowercased() == "service"
        else {
            throw Failure(
                response: Self.error(404, "InvalidResourceType", "The resource type could not be found in the namespace for api version '\(apiVersion)'."))
        }
        let (sub, rg, svc) = (s[1], s[3], s[7])
        let scope = "/subscriptions/\(sub)/resourceGroups/\(rg)/providers/Microsoft.ApiManagement/service/\(svc)"
        guard state.knows(subscription: sub, resourceGroup: nil) else {
            throw Failure(response: Self.error(404, "SubscriptionNotFound", "The subscription '\(sub)' could not be found."))
        }
        let method = request.method
        var action: String
        var op: String
        switch (s.count, method) {
        case (8, "GET"): (action, op) = ("Microsoft.ApiManagement/service/read", "service")
        case (9, "GET") where s[8].lowercased() == "gateways": (action, op) = ("Microsoft.ApiManagement/service/gateways/read", "list")
        case (10, "GET") where s[8].lowercased() == "gateways": (action, op) = ("Microsoft.ApiManagement/service/gateways/read", "get")
        case (11, "POST") where s[8].lowercased() == "gateways":
            switch s[10].lowercased() {
            case "generatetoken": (action, op) = ("Microsoft.ApiManagement/service/gateways/generateToken/action", "generateToken")
            case "listkeys": (action, op) = ("Microsoft.ApiManagement/service/gateways/listKeys/action", "listKeys")
            case "regeneratekey": (action, op) = ("Microsoft.ApiManagement/service/gateways/regenerateKey/action", "regenerateKey")
            default: throw Failure(response: Self.error(404, "NotFound", "The requested operation '\(s[10])' was not found."))
            }
        default:
            throw Failure(response: Self.error(405, "MethodNotAllowed", "The method '\(method)' is not supported for '\(request.path)'."))
        }
        let target = s.count >= 10 ? "\(scope)/gateways/\(s[9])" : scope
        guard state.isAllowed(clientID: clientID, action: action) else {
            throw Failure(
                response: Self.error(
                    403, "AuthorizationFailed",
                    "The client '\(clientID)' with object id '\(objectID)' does not have authorization to perform action '\(action)' over scope '\(target)' or the scope is invalid. If access was recently granted, please refresh your credentials."
                ))
        }
        guard state.knows(subscription: sub, resourceGroup: rg) else {
            throw Failure(response: Self.error(404, "ResourceGroupNotFound", "Resource group '\(rg)' could not be found."))
        }
        guard let service = state.service(sub, rg, svc) else {
            throw Failure(
                response: Self.error(
                    404, "ResourceNotFound",
                    "The Resource 'Microsoft.ApiManagement/service/\(svc)' under resource group '\(rg)' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
                ))
        }
        let base = "/subscriptions/\(service.subscription)/resourceGroups/\(service.resourceGroup)/providers/Microsoft.ApiManagement/service/\(service.name)"
        func gatewayJSON(_ gw: APIMGateway) -> JSON {
            [
                "id": .string("\(base)/gateways/\(gw.name)"), "type": "Microsoft.ApiManagement/service/gateways", "name": .string(gw.name),
                "properties": ["locationData": ["name": .string(gw.location)], "description": .string(gw.description)],
            ]
        }
        if op == "service" {
            return (
                .json(
                    200,
                    [
                        "id": .string(base), "name": .string(service.name), "type": "Microsoft.ApiManagement/service", "location": .string(service.location),
                        "etag": "AAAAAAAAAAA=", "sku": ["name": "Developer", "capacity": 1],
                        "properties": [
                            "provisioningState": "Succeeded", "gatewayUrl": .string("https://\(service.name).azure-api.net"),
                            "publisherEmail": "admin@example.com", "publisherName": "apimtoken-sandbox", "targetProvisioningState": "",
                            "createdAtUtc": "2026-01-01T00:00:00.0000000Z",
                        ],
                    ]), clientID
            )
        }
        if op == "list" {
            let items = service.gateways.values.sorted { $0.name < $1.name }.map(gatewayJSON)
            return (.json(200, ["value": .array(items), "count": .int(items.count)]), clientID)
        }
        guard let gateway = service.gateways[s[9].lowercased()] else {
            throw Failure(response: Self.error(404, "ResourceNotFound", "Gateway not found.", details: []))
        }
        switch op {
        case "get":
            return (.json(200, gatewayJSON(gateway), headers: [("ETag", "\"AAAAAAAAAAA=\"")]), clientID)
        case "listKeys":
            return (
                .json(200, ["primary": .string(gateway.primaryKey), "secondary": .string(gateway.secondaryKey)], headers: [("ETag", "\"AAAAAAAAAAA=\"")]),
                clientID
            )
        case "regenerateKey":
            let body = try parseBody(request)
            let keyType = try parseKeyType(body)
            _ = state.regenerate(sub, rg, svc, gateway: gateway.name, key: keyType)
            return (HTTPResponse(status: 204), clientID)
        default:  // generateToken
            let body = try parseBody(request)
            let keyType = try parseKeyType(body)
            guard let expiryText = body["expiry"]?.stringValue, !expiryText.isEmpty else {
                throw Failure(response: Self.validation("expiry", "The expiry field is required."))
            }
            guard let expiry = Self.parseDate(expiryText) else {
                throw Failure(response: Self.validation("expiry", "Could not convert '\(expiryText)' to a date."))
            }
            let now = Date()
            guard expiry > now else { throw Failure(response: Self.validation("expiry", "Expiry must be in the future.")) }
            guard expiry.timeIntervalSince(now) <= Self.maximumTokenLifetime else {
                throw Failure(response: Self.validation("expiry", "Expiry cannot be more than 30 days from now."))
            }
            let token = state.token(sub, rg, svc, gateway: gateway.name, key: keyType, expiry: expiry) ?? ""
            return (.json(200, ["value": .string(token)]), clientID)
        }
    }

    private func parseBody(_ request: HTTPRequest) throws -> JSON {
        guard let body = try? JSON.parse(request.body), body.objectValue != nil else {
            throw Failure(response: Self.error(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized."))
        }
        return body
    }

    private func parseKeyType(_ body: JSON) throws -> GatewayKeyType {
        guard let text = body["keyType"]?.stringValue else {
            throw Failure(response: Self.validation("keyType", "The keyType field is required."))
        }
        guard let key = GatewayKeyType(rawValue: text) else {
            throw Failure(response: Self.validation("keyType", "Requested value '\(text)' was not found. Allowed values: primary, secondary."))
        }
        return key
    }

    private static func validation(_ target: String, _ message: String) -> HTTPResponse {
        error(
            400, "ValidationError", "One or more fields contain incorrect values:",
            details: [["code": "ValidationError", "target": .string(target), "message": .string(message)]])
    }

    /// ISO 8601 with or without fractional seconds, with `Z`, an offset, or no zone (read as UTC).
    static func parseDate(_ text: String) -> Date? {
        if let d = Timestamps.parse(text) { return d }
        for suffix in ["Z", "+00:00"] {
            if let d = Timestamps.parse(text + suffix) { return d }
        }
        // Seven-digit fractions (.NET style) and similar: trim the fraction.
        if let dot = text.firstIndex(of: ".") {
            var rest = text[text.index(after: dot)...]
            while let c = rest.first, c.isNumber { rest = rest.dropFirst() }
            return parseDate(String(text[..<dot]) + rest)
        }
        return nil
    }
}
