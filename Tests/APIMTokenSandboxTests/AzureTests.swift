import Foundation
import Testing

@testable import APIMTokenSandbox

/// Entra, IMDS and ARM behave like the real services where clients can tell.
@Suite struct AzureTests {
    @Test func gatewayTokenShape() throws {
        let expiry = try #require(Timestamps.parse("2026-12-21T03:00:59Z"))
        let token = GatewayToken.make(gateway: "demo", expiry: expiry, key: "k1")
        let parts = token.split(separator: "&").map(String.init)
        #expect(parts.count == 3 && parts[0] == "demo" && parts[1] == "202612210300")
        #expect(Data(base64Encoded: parts[2])?.count == 64, "an HMAC-SHA512 is 64 bytes")
        #expect(GatewayToken.parse(token)?.expiry == Timestamps.parse("2026-12-21T03:00:00Z"))
        #expect(GatewayToken.isSigned(token, by: "k1") && !GatewayToken.isSigned(token, by: "k2"))
        for bad in [
            "demo&20261221030&sig", "demo&2026122103000&sig", "demo&202602310300&sig", "demo&202612212400&sig", "demo&20261221030x&sig", "&202612210300&sig",
            "demo&202612210300&", "demo",
        ] {
            #expect(GatewayToken.parse(bad) == nil, "\(bad) parsed")
        }
        #expect(Timestamps.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamps.format(try #require(Timestamps.parse("2026-02-28T23:59:59.9Z"))) == "2026-02-28T23:59:59Z")
    }

    @Test func generateTokenValidation() async throws {
        let sandbox = try await TestSupport.start()
        let token = try #require(await TestSupport.armToken(sandbox, clientID: sandbox.azure.clientID, secret: sandbox.azure.clientSecret))
        let url = TestSupport.gatewayURL(sandbox, "demo", "/generateToken")
        func expiry(_ days: Double) -> String { Timestamps.format(Date().addingTimeInterval(days * 86400)) }
        // (body, status, error code, key and days of a successful token)
        let cases: [(String, Int, String?)] = [
            (#"{"keyType":"primary","expiry":"\#(expiry(29))"}"#, 200, nil),
            // The .NET form the Azure SDKs send, seven fractional digits, is accepted too.
            (#"{"keyType":"secondary","expiry":"\#(expiry(29).replacingOccurrences(of: "Z", with: ".0000000Z"))"}"#, 200, nil),
            (#"{"keyType":"tertiary","expiry":"\#(expiry(1))"}"#, 400, "ValidationError"),
            (#"{"keyType":"primary"}"#, 400, "ValidationError"),
            (#"{"keyType":"primary","expiry":"\#(expiry(-1))"}"#, 400, "ValidationError"),
            (#"{"keyType":"primary","expiry":"\#(expiry(31))"}"#, 400, "ValidationError"),
            ("not json", 400, "InvalidRequestContent"),
        ]
        for (body, status, code) in cases {
            let r = await TestSupport.curl(url, sandbox: sandbox, method: "POST", bearer: token, body: body)
            #expect(r.status == status, "\(body) → \(r.status) \(r.body)")
            if let code { #expect((try? JSON.parse(r.body))?[path: ["error", "code"]]?.stringValue == code, "\(body) → \(r.body)") }
            if status == 200 {
                let value = try #require((try? JSON.parse(r.body))?["value"]?.stringValue)
                let signer = try #require(sandbox.tokenSigner(of: value))
                #expect(signer.gateway == "demo" && signer.key == (body.contains("secondary") ? .secondary : .primary))
                #expect(abs(signer.expiresAt.timeIntervalSinceNow - 29 * 86400) < 120)
            }
            #expect(r.headers.lowercased().contains("x-ms-request-id:"))
        }
        let noVersion = await TestSupport.curl(
            url.replacingOccurrences(of: "?api-version=2024-05-01", with: ""), sandbox: sandbox, method: "POST", bearer: token, body: "{}")
        #expect((try? JSON.parse(noVersion.body))?[path: ["error", "code"]]?.stringValue == "MissingApiVersionParameter")
        let missing = await TestSupport.curl(TestSupport.gatewayURL(sandbox, "nope"), sandbox: sandbox, bearer: token)
        #expect(missing.status == 404)
        let anonymous = await TestSupport.curl(url, sandbox: sandbox, method: "POST", body: "{}")
        #expect(anonymous.status == 401)
        #expect(anonymous.headers.contains("WWW-Authenticate"))
        await sandbox.shutdown()
    }

    @Test func azureRBACDeniesWithAuthorizationFailed() async throws {
        let sandbox = try await TestSupport.start()
        let token = try #require(
            await TestSupport.armToken(sandbox, clientID: sandbox.azure.unprivilegedClientID, secret: sandbox.azure.unprivilegedClientSecret))
        let r = await TestSupport.curl(TestSupport.gatewayURL(sandbox, "demo", "/generateToken"), sandbox: sandbox, method: "POST", bearer: token, body: "{}")
        #expect(r.status == 403)
        let error = try JSON.parse(r.body)["error"]
        #expect(error?["code"]?.stringValue == "AuthorizationFailed")
        #expect(error?["message"]?.stringValue?.contains("Microsoft.ApiManagement/service/gateways/generateToken/action") == true)
        sandbox.setAzureActions(
            [
                "Microsoft.ApiManagement/service/read", "Microsoft.ApiManagement/service/gateways/read",
                "Microsoft.ApiManagement/service/gateways/generateToken/action",
            ], forClientID: sandbox.azure.unprivilegedClientID)
        let read = await TestSupport.curl(TestSupport.gatewayURL(sandbox, "demo"), sandbox: sandbox, bearer: token)
        #expect(read.status == 200)
        let regenerate = await TestSupport.curl(
            TestSupport.gatewayURL(sandbox, "demo", "/regenerateKey"), sandbox: sandbox, method: "POST", bearer: token, body: #"{"keyType":"primary"}"#)
        #expect(regenerate.status == 403)
        await sandbox.shutdown()
    }

    @Test(arguments: [("RS256", false), ("PS256", false), ("RS256", true), ("PS256", true)])
    func clientAssertionsVerifiedAgainstTheRegisteredCertificate(algorithm: String, sha256Thumbprint: Bool) async throws {
        let sandbox = try await TestSupport.start(.empty)
        let endpoint = "\(sandbox.authorityHost)/\(sandbox.azure.tenantID)/oauth2/v2.0/token"
        let assertion = try sandbox.makeClientAssertion(algorithm: algorithm, thumbprint: sha256Thumbprint ? .sha256 : .sha1)
        func form(_ a: String) -> String {
            "grant_type=client_credentials&client_id=\(sandbox.azure.clientID)&scope=https%3A%2F%2Fmanagement.azure.com%2F.default&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=\(a)"
        }
        let ok = await TestSupport.curl(endpoint, sandbox: sandbox, method: "POST", body: form(assertion), contentType: "application/x-www-form-urlencoded")
        #expect(ok.status == 200, "\(ok.body)")
        #expect((try? JSON.parse(ok.body))?["token_type"]?.stringValue == "Bearer")
        // A tampered signature is rejected.
        var parts = assertion.split(separator: ".").map(String.init)
        let other = try sandbox.makeClientAssertion(algorithm: algorithm, thumbprint: sha256Thumbprint ? .sha256 : .sha1, claims: ["sub": "someone-else"])
        parts[1] = String(other.split(separator: ".")[1])
        let bad = await TestSupport.curl(
            endpoint, sandbox: sandbox, method: "POST", body: form(parts.joined(separator: ".")), contentType: "application/x-www-form-urlencoded")
        #expect(bad.status == 401)
        #expect((try? JSON.parse(bad.body))?["error"]?.stringValue == "invalid_client")
        await sandbox.shutdown()
    }

    @Test func federatedTokenAndIMDS() async throws {
        let sandbox = try await TestSupport.start()
        let file = try sandbox.writeFederatedTokenFile(namespace: "apim", name: "apimtoken-rotator")
        let assertion = try String(contentsOfFile: file, encoding: .utf8)
        let endpoint = "\(sandbox.authorityHost)/\(sandbox.azure.tenantID)/oauth2/v2.0/token"
        let form =
            "grant_type=client_credentials&client_id=\(sandbox.azure.clientID)&scope=https%3A%2F%2Fmanagement.azure.com%2F.default&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=\(assertion)"
        let ok = await TestSupport.curl(endpoint, sandbox: sandbox, method: "POST", body: form, contentType: "application/x-www-form-urlencoded")
        #expect(ok.status == 200, "\(ok.body)")
        let wrongFile = try sandbox.writeFederatedTokenFile(namespace: "apim", name: "default")
        let wrong = await TestSupport.curl(
            endpoint, sandbox: sandbox, method: "POST",
            body: form.replacingOccurrences(of: assertion, with: try String(contentsOfFile: wrongFile, encoding: .utf8)),
            contentType: "application/x-www-form-urlencoded")
        #expect(wrong.status == 400)

        let imds = "\(sandbox.imdsEndpoint)/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F"
        let noHeader = await TestSupport.curl(imds, sandbox: sandbox)
        #expect(noHeader.status == 400)
        let system = await TestSupport.curl(imds, sandbox: sandbox, extraHeaders: ["Metadata: true"])
        #expect(system.status == 200)
        let doc = try JSON.parse(system.body)
        #expect(doc["expires_in"]?.stringValue != nil, "IMDS numbers are strings")
        #expect(doc["expires_on"]?.stringValue != nil)
        #expect(doc["client_id"]?.stringValue == sandbox.azure.systemIdentityClientID)
        let user = await TestSupport.curl(imds + "&client_id=\(sandbox.azure.managedIdentityClientID)", sandbox: sandbox, extraHeaders: ["Metadata: true"])
        #expect((try? JSON.parse(user.body))?["client_id"]?.stringValue == sandbox.azure.managedIdentityClientID)
        let unknown = await TestSupport.curl(imds + "&client_id=nobody", sandbox: sandbox, extraHeaders: ["Metadata: true"])
        #expect(unknown.status == 400)
        await sandbox.shutdown()
    }
}
