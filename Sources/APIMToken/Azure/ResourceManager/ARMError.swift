import FoundationEssentials

// MARK: - ARMOperation

/// The ARM operations the tool performs, with the role action each one needs (SPEC §2).
public enum ARMOperation: String, Sendable, CaseIterable {
    case getService = "get service"
    /// GET one gateway.
    case getGateway = "get gateway"
    case listGateways = "list gateways"
    /// POST generateToken.
    case generateToken = "generateToken"
    /// POST listKeys.
    case listKeys = "listKeys"
    /// POST regenerateKey.
    case regenerateKey = "regenerateKey"

    /// The Azure role action the caller needs.
    public var requiredAction: String {
        switch self {
        case .getService: return "Microsoft.ApiManagement/service/read"
        case .getGateway, .listGateways: return "Microsoft.ApiManagement/service/gateways/read"
        case .generateToken: return "Microsoft.ApiManagement/service/gateways/generateToken/action"
        case .listKeys: return "Microsoft.ApiManagement/service/gateways/listKeys/action"
        case .regenerateKey: return "Microsoft.ApiManagement/service/gateways/regenerateKey/action"
        }
    }
}

// MARK: - ARMError

/// An ARM call that failed with an HTTP error, decoded from the `{"error":{"code","message","details"}}` envelope.
public struct ARMError: APIMTokenError {
    /// Which level of the resource path a 404 refers to.
    public enum Missing: String, Sendable, Equatable {
        case subscription
        case resourceGroup = "resource group"
        case service, gateway
    }

    /// What was attempted.
    public var operation: ARMOperation
    /// The resource path.
    public var resource: String
    /// The HTTP status.
    public var status: Int
    /// The ARM error code (`AuthorizationFailed`, `ResourceNotFound`, …).
    public var code: String?
    /// The ARM error message.
    public var message: String?
    /// Codes and messages of `details`.
    public var details: [String]
    /// `x-ms-request-id`.
    public var requestID: String?
    /// `x-ms-correlation-request-id`.
    public var correlationID: String?
    /// For a 404: what was not found.
    public var missing: Missing?

    /// Decodes a failed response for `operation` on the resource named by `target`.
    public init(operation: ARMOperation, target: ARMTarget, response: HTTPResponse) {
        struct Envelope: Decodable {
            struct Detail: Decodable {
                var code: String?
                var message: String?
            }
            struct Body: Decodable {
                var code: String?
                var message: String?
                var details: [Detail]?
            }
            var error: Body?
        }
        let body = (try? JSONDecoder().decode(Envelope.self, from: response.body))?.error
        self.operation = operation
        self.resource = target.path
        self.status = response.status
        self.code = body?.code.map { Self.clip($0, 100) }
        self.message = body?.message.map { Self.clip($0, 500) }
        self.details = (body?.details ?? []).map { Self.clip([$0.code, $0.message].compactMap { $0 }.joined(separator: ": "), 300) }
        self.requestID = response.headers["x-ms-request-id"]
        self.correlationID = response.headers["x-ms-correlation-request-id"]
        self.missing = response.status == 404 ? Self.classifyNotFound(code: body?.code, message: body?.message, target: target) : nil
    }

    /// 401 and 403 are authentication/authorization failures (exit 3); everything else is an API failure (exit 4).
    public var exitStatus: ExitStatus { status == 401 || status == 403 ? .azureAuthentication : .azureAPI }

    public var description: String {
        var text: String
        if let missing {
            text = "\(operation.rawValue) failed: the \(missing.rawValue) was not found (HTTP 404"
        } else if status == 403 {
            text = "\(operation.rawValue) was denied: the identity lacks \(operation.requiredAction) (HTTP 403"
        } else {
            text = "\(operation.rawValue) failed (HTTP \(status)"
        }
        if let code { text += ", \(code)" }
        text += ") on \(resource)"
        if let message { text += ": \(message)" }
        if !details.isEmpty { text += " [" + details.joined(separator: "; ") + "]" }
        if let requestID { text += " (x-ms-request-id \(requestID))" } else if let correlationID { text += " (x-ms-correlation-request-id \(correlationID))" }
        return text
    }

    public var remedy: String? {
        switch (status, missing) {
        case (403, _):
            return
                "grant the identity a role with \(operation.requiredAction) on the API Management instance (kubectl apimtoken install-cronjob --print-azure-role prints a least-privilege role)"
        case (401, _) where code?.lowercased().contains("tenant") == true:
            return "the Azure token was issued by another tenant than the subscription's; pass --tenant (AZURE_TENANT_ID) with the subscription's tenant"
        case (401, _): return "the Azure token was refused; log in again or check --cloud / --arm-endpoint"
        case (_, .subscription?): return "check --subscription-id and that the identity has a role in that subscription"
        case (_, .resourceGroup?): return "check --resource-group"
        case (_, .service?): return "check --apim-instance"
        case (_, .gateway?): return "check --apim-gateway; the gateway must exist on the API Management instance"
        default: return status == 429 || status >= 500 ? "Azure is busy or failing; run the command again later (nothing was changed)" : nil
        }
    }

    /// Decides which part of the path a 404 refers to, from the ARM code and message.
    ///
    /// ARM answers `SubscriptionNotFound` and `ResourceGroupNotFound` for the outer levels. For the service and the
    /// gateway it answers `ResourceNotFound` with the resource type in the message ("The Resource
    /// 'Microsoft.ApiManagement/service/apim-1' under resource group 'rg-1' was not found"), or
    /// `ParentResourceNotFound` when the service is missing under a gateway path; APIM itself may answer a short
    /// "Gateway not found.". Names are not matched, so a service called `my-gateway` is still a service.
    static func classifyNotFound(code: String?, message: String?, target: ARMTarget) -> Missing {
        let code = code?.lowercased() ?? ""
        let message = message?.lowercased() ?? ""
        if code.contains("subscriptionnotfound") || code == "invalidsubscriptionid" { return .subscription }
        if code.contains("resourcegroupnotfound") { return .resourceGroup }
        guard target.gatewayName != nil else { return .service }
        if code == "parentresourcenotfound" { return .service }
        if let range = message.firstRange(of: "microsoft.apimanagement/service/") {
            let resource = message[range.upperBound...].prefix { $0 != "'" && $0 != "\"" && $0 != " " }
            return resource.contains("/gateways/") ? .gateway : .service
        }
        if message.contains(#/\bservice\b.*\bnot (be )?found/#)
            && !message.contains("gateway")
        {
            return .service
        }
        return .gateway
    }

    private static func clip(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}

// MARK: - ARMTarget

/// The resource an ARM call addresses: a service, or a gateway of it.
public enum ARMTarget: Sendable, Hashable {
    case service(APIMServiceReference)
    case gateway(APIMGatewayReference)

    /// The ARM path.
    public var path: String {
        switch self {
        case .service(let service): return service.path
        case .gateway(let gateway): return gateway.path
        }
    }

    /// The gateway name, when the target is a gateway.
    public var gatewayName: String? {
        if case .gateway(let gateway) = self { return gateway.gatewayName }
        return nil
    }
}

// MARK: - ARMResponseError

/// A successful ARM status with a body that could not be read.
public struct ARMResponseError: APIMTokenError {
    /// What was attempted.
    public var operation: ARMOperation
    /// The resource path.
    public var resource: String
    /// What was wrong, never quoting a body that might hold a secret.
    public var reason: String
    /// `x-ms-request-id`.
    public var requestID: String?

    /// Creates the error.
    public init(operation: ARMOperation, resource: String, reason: String, requestID: String?) {
        self.operation = operation
        self.resource = resource
        self.reason = reason
        self.requestID = requestID
    }

    public var exitStatus: ExitStatus { .azureAPI }
    public var description: String {
        "\(operation.rawValue) on \(resource) returned an unexpected response: \(reason)" + (requestID.map { " (x-ms-request-id \($0))" } ?? "")
    }
}

// MARK: - ARMTransportError

/// An ARM call that got no HTTP response after the retries.
public struct ARMTransportError: APIMTokenError {
    /// What was attempted.
    public var operation: ARMOperation
    /// The underlying failure.
    public var underlying: TransportError

    /// Creates the error.
    public init(operation: ARMOperation, underlying: TransportError) {
        self.operation = operation
        self.underlying = underlying
    }

    public var exitStatus: ExitStatus { .azureAPI }
    public var description: String { "\(operation.rawValue) failed: \(underlying.description)" }
    public var remedy: String? { "check network access to \(underlying.host) (proxy, firewall, SSL_CERT_FILE); nothing was changed" }
}
