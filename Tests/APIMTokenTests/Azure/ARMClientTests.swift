import Foundation
import Testing

@testable import APIMToken

@Suite struct ARMClientTests {
    static let service = try! APIMServiceReference(subscriptionID: "sub-1", resourceGroup: "rg-1", serviceName: "apim-1")
    static let gateway = try! APIMGatewayReference(service: service, gatewayName: "gw-1")
    static let base = "https://management.azure.com/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.ApiManagement/service/apim-1"

    static func client(_ transport: FakeTransport, apiVersion: String = ARMClient.defaultAPIVersion, cloud: AzureCloud = .azurePublic) throws -> ARMClient {
        let clock = ManualClock()
        let source = ScriptedCredential { _ in AccessToken(token: Redacted("arm-bearer"), expiresOn: clock.now().addingTimeInterval(3600)) }
        return try ARMClient(
            transport: transport, tokenCache: TokenCache(credential: source, clock: clock), cloud: cloud,
            apiVersion: apiVersion, clock: clock, jitter: { 1 })
    }

    @Test func getServiceAndGateway() async throws {
        let transport = FakeTransport { request, _ in
            if request.url.path.hasSuffix("/gateways/gw-1") {
                return .json(
                    200,
                    [
                        "id": "\(Self.base)/gateways/gw-1", "name": "gw-1",
                        "properties": ["description": "edge", "locationData": ["name": "Berlin"]],
                    ])
            }
            return .json(
                200,
                [
                    "id": Self.base, "name": "apim-1", "location": "West Europe", "sku": ["name": "Developer", "capacity": 1],
                    "properties": ["gatewayUrl": "https://apim-1.azure-api.net"],
                ])
        }
        let client = try Self.client(transport)
        let service = try await client.getService(Self.service)
        #expect(service.name == "apim-1")
        #expect(service.skuName == "Developer")
        #expect(service.gatewayURL == "https://apim-1.azure-api.net")
        let gateway = try await client.getGateway(Self.gateway)
        #expect(gateway.name == "gw-1")
        #expect(gateway.locationName == "Berlin")
        #expect(gateway.gatewayDescription == "edge")

        let urls = transport.requests.map(\.url.absoluteString)
        #expect(urls == ["\(Self.base)?api-version=2024-05-01", "\(Self.base)/gateways/gw-1?api-version=2024-05-01"])
        for request in transport.requests {
            #expect(request.method == .get)
            #expect(request.headers["Authorization"] == "Bearer arm-bearer")
            #expect(request.headers["Accept"] == "application/json")
            #expect(request.headers["User-Agent"]?.hasPrefix("kubectl-apimtoken/") == true)
        }
    }

    @Test func apiVersionAndEndpointOverrides() async throws {
        var cloud = AzureCloud.azurePublic
        cloud.resourceManagerEndpoint = URL(string: "http://127.0.0.1:8443")!
        let transport = FakeTransport { _, _ in .json(200, ["id": "/x", "name": "gw-1"]) }
        _ = try await Self.client(transport, apiVersion: "2022-08-01", cloud: cloud).getGateway(Self.gateway)
        #expect(
            transport.requests.first?.url.absoluteString
                == "http://127.0.0.1:8443/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.ApiManagement/service/apim-1/gateways/gw-1?api-version=2022-08-01"
        )
        #expect(throws: ConfigurationError.self) { try Self.client(transport, apiVersion: "2024&x=1") }
    }

    @Test func listGatewaysFollowsNextLinkOnTheSameHostOnly() async throws {
        let transport = FakeTransport { _, index in
            index == 0
                ? .json(200, ["value": [["id": "/a", "name": "a"]], "nextLink": "\(Self.base)/gateways?api-version=2024-05-01&$skiptoken=2"])
                : .json(200, ["value": [["id": "/b", "name": "b"]]])
        }
        let names = try await Self.client(transport).listGateways(Self.service).map(\.name)
        #expect(names == ["a", "b"])
        #expect(transport.requests.count == 2)
        #expect(transport.requests[1].url.absoluteString.contains("skiptoken=2"))

        let hostile = FakeTransport { _, _ in
            .json(200, ["value": [], "nextLink": "https://evil.example.test/steal"])
        }
        await #expect(throws: ARMResponseError.self) { try await Self.client(hostile).listGateways(Self.service) }
        #expect(hostile.requests.count == 1, "no bearer token goes to another host")
    }

    @Test func generateTokenSendsKeyTypeAndExpiry() async throws {
        let transport = FakeTransport { _, _ in .json(200, ["value": "gw-1&202612210300&c2lnbmF0dXJl"]) }
        let expiry = try #require(ISO8601DateFormatter().date(from: "2026-12-21T03:00:42Z"))
        let value = try await Self.client(transport).generateToken(Self.gateway, keyType: .secondary, expiry: expiry)
        #expect(value.value == "gw-1&202612210300&c2lnbmF0dXJl")
        #expect("\(value)" == "<redacted>")
        let request = try #require(transport.requests.first)
        #expect(request.method == .post)
        #expect(request.url.absoluteString == "\(Self.base)/gateways/gw-1/generateToken?api-version=2024-05-01")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.jsonBody["keyType"] as? String == "secondary")
        #expect(request.jsonBody["expiry"] as? String == "2026-12-21T03:00:00Z")
    }

    @Test func generateValidatedTokenChecksWhatCameBack() async throws {
        let expiry = try #require(ISO8601DateFormatter().date(from: "2026-12-21T03:00:00Z"))
        let now = expiry.addingTimeInterval(-29 * 86400)
        let good = FakeTransport { _, _ in .json(200, ["value": "gw-1&202612210300&c2lnbmF0dXJl"]) }
        let token = try await Self.client(good).generateValidatedToken(Self.gateway, keyType: .primary, expiry: expiry, now: now)
        #expect(token.gatewayID == "gw-1")
        #expect(token.secretValue.value == "GatewayKey gw-1&202612210300&c2lnbmF0dXJl")
        for (value, expected) in [
            ("null", GatewayTokenError.literalNull), ("", .empty),
            ("gw-2&202612210300&c2ln", .wrongGateway(expected: "gw-1", found: "gw-2")),
        ] {
            let bad = FakeTransport { _, _ in .json(200, ["value": value]) }
            let error = try await #require(throws: GatewayTokenError.self) {
                try await Self.client(bad).generateValidatedToken(Self.gateway, keyType: .primary, expiry: expiry, now: now)
            }
            #expect(error == expected)
            #expect(error.exitStatus == .azureAPI)
        }
    }

    @Test func listKeysAndRegenerateKey() async throws {
        let transport = FakeTransport { request, _ in
            request.url.path.hasSuffix("/listKeys")
                ? .json(200, ["primary": "primary-key-value", "secondary": "secondary-key-value"])
                : HTTPResponse(status: 204)
        }
        let client = try Self.client(transport)
        let keys = try await client.listKeys(Self.gateway)
        #expect(keys[.primary].value == "primary-key-value")
        #expect(keys[.secondary].value == "secondary-key-value")
        #expect(!"\(keys)".contains("key-value"))
        try await client.regenerateKey(Self.gateway, keyType: .primary)
        #expect(transport.requests[1].url.absoluteString == "\(Self.base)/gateways/gw-1/regenerateKey?api-version=2024-05-01")
        #expect(transport.requests[1].jsonBody["keyType"] as? String == "primary")
        #expect(transport.requests.allSatisfy { $0.method == .post })
    }

    @Test(arguments: ARMOperation.allCases)
    func forbiddenNamesTheMissingAction(operation: ARMOperation) async throws {
        let transport = FakeTransport { _, _ in
            .json(
                403,
                [
                    "error": [
                        "code": "AuthorizationFailed",
                        "message": "The client 'x' does not have authorization to perform action.",
                    ]
                ],
                headers: ["x-ms-request-id": "req-403", "x-ms-correlation-request-id": "corr-403"])
        }
        let client = try Self.client(transport)
        let error = try await #require(throws: ARMError.self) {
            switch operation {
            case .getService: _ = try await client.getService(Self.service)
            case .getGateway: _ = try await client.getGateway(Self.gateway)
            case .listGateways: _ = try await client.listGateways(Self.service)
            case .generateToken: _ = try await client.generateToken(Self.gateway, keyType: .primary, expiry: Date())
            case .listKeys: _ = try await client.listKeys(Self.gateway)
            case .regenerateKey: try await client.regenerateKey(Self.gateway, keyType: .primary)
            }
        }
        #expect(error.exitStatus == .azureAuthentication)
        #expect(error.description.contains(operation.requiredAction))
        #expect(error.description.contains("AuthorizationFailed"))
        #expect(error.description.contains("req-403"))
        #expect(error.description.contains("/service/apim-1"))
        #expect(error.remedy?.contains(operation.requiredAction) == true)
    }

    @Test func spec2ActionsAreTheOnesNamed() {
        #expect(ARMOperation.getService.requiredAction == "Microsoft.ApiManagement/service/read")
        #expect(ARMOperation.getGateway.requiredAction == "Microsoft.ApiManagement/service/gateways/read")
        #expect(ARMOperation.generateToken.requiredAction == "Microsoft.ApiManagement/service/gateways/generateToken/action")
        #expect(ARMOperation.regenerateKey.requiredAction == "Microsoft.ApiManagement/service/gateways/regenerateKey/action")
    }

    @Test(arguments: [
        ("SubscriptionNotFound", "The subscription 'sub-1' could not be found.", ARMError.Missing.subscription, "--subscription-id"),
        ("ResourceGroupNotFound", "Resource group 'rg-1' could not be found.", .resourceGroup, "--resource-group"),
        ("ResourceNotFound", "The Resource 'Microsoft.ApiManagement/service/apim-1' under resource group 'rg-1' was not found.", .service, "--apim-instance"),
        ("ParentResourceNotFound", "Can not perform requested operation on nested resource. Parent resource 'apim-1' not found.", .service, "--apim-instance"),
        ("ResourceNotFound", "Gateway not found.", .gateway, "--apim-gateway"),
        (
            "ResourceNotFound", "The Resource 'Microsoft.ApiManagement/service/apim-1/gateways/gw-1' under resource group 'rg-1' was not found.", .gateway,
            "--apim-gateway"
        ),
        (
            "ResourceNotFound",
            "The Resource 'Microsoft.ApiManagement/service/edge-gateway-prod' under resource group 'rg-1' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
            .service, "--apim-instance"
        ),
        ("ResourceNotFound", "Api Management service 'apim-1' not found.", .service, "--apim-instance"),
        ("NotFound", "", .gateway, "--apim-gateway"),
    ])
    func notFoundSaysWhatWasMissing(code: String, message: String, missing: ARMError.Missing, flag: String) async throws {
        let transport = FakeTransport { _, _ in
            .json(404, ["error": ["code": code, "message": message]], headers: ["x-ms-request-id": "req-404"])
        }
        let error = try await #require(throws: ARMError.self) { try await Self.client(transport).getGateway(Self.gateway) }
        #expect(error.missing == missing)
        #expect(error.exitStatus == .azureAPI)
        #expect(error.description.contains("the \(missing.rawValue) was not found"))
        #expect(error.description.contains(code))
        if !message.isEmpty { #expect(error.description.contains(message)) }
        #expect(error.description.contains("req-404"))
        #expect(error.remedy?.contains(flag) == true)
    }

    @Test func notFoundOnAServiceCallIsTheServiceUnlessARMSaysOtherwise() async throws {
        for (code, missing) in [
            ("ResourceNotFound", ARMError.Missing.service), ("ResourceGroupNotFound", .resourceGroup),
            ("SubscriptionNotFound", .subscription),
        ] {
            let transport = FakeTransport { _, _ in .json(404, ["error": ["code": code, "message": "gateway words do not matter here"]]) }
            let error = try await #require(throws: ARMError.self) { try await Self.client(transport).getService(Self.service) }
            #expect(error.missing == missing, "\(code)")
        }
    }

    @Test func nextLinkMaySpellOutTheDefaultPortButNotAnotherOne() async throws {
        let transport = FakeTransport { request, index in
            index == 0
                ? .json(
                    200,
                    [
                        "value": [["id": "/a", "name": "a"]],
                        "nextLink": "https://management.azure.com:443/subscriptions/sub-1/x?$skiptoken=2",
                    ])
                : .json(200, ["value": [["id": "/b", "name": "b"]]])
        }
        #expect(try await Self.client(transport).listGateways(Self.service).map(\.name) == ["a", "b"])
        let otherPort = FakeTransport { _, _ in
            .json(200, ["value": [], "nextLink": "https://management.azure.com:8443/subscriptions/sub-1/x"])
        }
        await #expect(throws: ARMResponseError.self) { try await Self.client(otherPort).listGateways(Self.service) }
        #expect(otherPort.requests.count == 1)
    }

    @Test func nonJSONErrorBodiesAndDetailsAreHandled() async throws {
        let html = FakeTransport { _, _ in HTTPResponse(status: 400, body: Data("<html>bad</html>".utf8)) }
        let plain = try await #require(throws: ARMError.self) { try await Self.client(html).getGateway(Self.gateway) }
        #expect(plain.code == nil)
        #expect(plain.description.contains("HTTP 400"))

        let detailed = FakeTransport { _, _ in
            .json(
                400,
                [
                    "error": [
                        "code": "ValidationError", "message": "One or more fields contain incorrect values:",
                        "details": [["code": "ValidationError", "message": "Expiry must be within 30 days."]],
                    ]
                ])
        }
        let error = try await #require(throws: ARMError.self) {
            try await Self.client(detailed).generateToken(Self.gateway, keyType: .primary, expiry: Date())
        }
        #expect(error.description.contains("Expiry must be within 30 days."))
    }

    @Test func malformedSuccessBodiesDoNotQuoteTheBody() async throws {
        let transport = FakeTransport { _, _ in HTTPResponse(status: 200, body: Data(#"{"notvalue":"secret-looking-thing"}"#.utf8)) }
        let error = try await #require(throws: ARMResponseError.self) {
            try await Self.client(transport).generateToken(Self.gateway, keyType: .primary, expiry: Date())
        }
        #expect(!error.description.contains("secret-looking-thing"))
    }

    @Test(arguments: ["", "a/b", "..", "x?y", "a#b"])
    func unsafeNamesAreRefused(name: String) {
        #expect(throws: ConfigurationError.self) { try APIMGatewayReference(service: Self.service, gatewayName: name) }
        #expect(throws: ConfigurationError.self) { try APIMServiceReference(subscriptionID: "s", resourceGroup: name, serviceName: "a") }
    }

    @Test func namesArePercentEncodedInThePath() throws {
        let service = try APIMServiceReference(subscriptionID: "s", resourceGroup: "rg (prod)", serviceName: "a")
        #expect(service.path == "/subscriptions/s/resourceGroups/rg%20(prod)/providers/Microsoft.ApiManagement/service/a")
    }
}
