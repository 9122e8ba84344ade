import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import APIMToken

@Suite struct EntraCredentialTests {
    static let authority = URL(string: "https://login.example.test")!
    static let scope = "https://management.azure.com/.default"
    static let tenant = "11111111-2222-3333-4444-555555555555"

    static func tokenResponse(_ token: String = "entra-access-token", expiresIn: Any = 3599) -> HTTPResponse {
        .json(200, ["token_type": "Bearer", "access_token": token, "expires_in": expiresIn, "ext_expires_in": expiresIn])
    }

    // MARK: Client secret

    @Test func clientSecretSendsTheClientCredentialsForm() async throws {
        let clock = ManualClock()
        let transport = FakeTransport { _, _ in Self.tokenResponse() }
        let credential = try ClientSecretCredential(
            tenantID: Self.tenant, clientID: "app-id", secret: Redacted("s3cr3t value&="), authorityHost: Self.authority,
            transport: transport, clock: clock)
        let token = try await credential.getToken(scope: Self.scope)

        #expect(token.token.value == "entra-access-token")
        #expect(token.expiresOn == clock.now().addingTimeInterval(3599))
        let request = try #require(transport.requests.first)
        #expect(request.method == .post)
        #expect(request.url.absoluteString == "https://login.example.test/\(Self.tenant)/oauth2/v2.0/token")
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(request.headers["User-Agent"]?.hasPrefix("kubectl-apimtoken/") == true)
        #expect(
            request.formFields == [
                "client_id": "app-id", "scope": Self.scope, "grant_type": "client_credentials", "client_secret": "s3cr3t value&=",
            ])
    }

    @Test func expiresInMayBeAString() async throws {
        let clock = ManualClock()
        let transport = FakeTransport { _, _ in Self.tokenResponse(expiresIn: "120") }
        let credential = try ClientSecretCredential(
            tenantID: Self.tenant, clientID: "app", secret: Redacted("secret-value"), authorityHost: Self.authority,
            transport: transport, clock: clock)
        #expect(try await credential.getToken(scope: Self.scope).expiresOn == clock.now().addingTimeInterval(120))
    }

    @Test func entraErrorsAreDecodedWithCodeCorrelationAndRemedy() async throws {
        let transport = FakeTransport { _, _ in
            .json(
                401,
                [
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: abc\r\nCorrelation ID: def",
                    "error_codes": [7_000_215], "correlation_id": "corr-1234",
                ])
        }
        let credential = try ClientSecretCredential(
            tenantID: Self.tenant, clientID: "app", secret: Redacted("wrong-secret"), authorityHost: Self.authority,
            transport: transport, clock: ManualClock())
        let error = try await #require(throws: AuthenticationFailedError.self) { try await credential.getToken(scope: Self.scope) }
        #expect(error.status == 401)
        #expect(error.errorCode == "invalid_client AADSTS7000215")
        #expect(error.correlationID == "corr-1234")
        #expect(error.message == "AADSTS7000215: Invalid client secret provided.")
        #expect(error.exitStatus == .azureAuthentication)
        #expect(error.remedy?.contains("client secret") == true)
        #expect(transport.requests.count == 1, "a 401 from Entra is not retried")
    }

    @Test func entraServerErrorsAreRetried() async throws {
        let transport = FakeTransport(script: [
            .success(HTTPResponse(status: 503)), .failure(TransportError(kind: .connectionLost, host: "login", message: "reset")),
            .success(Self.tokenResponse()),
        ])
        let clock = ManualClock()
        let credential = try ClientSecretCredential(
            tenantID: Self.tenant, clientID: "app", secret: Redacted("secret-value"), authorityHost: Self.authority,
            transport: transport, clock: clock)
        _ = try await credential.getToken(scope: Self.scope)
        #expect(transport.requests.count == 3)
        #expect(clock.sleeps.count == 2)
    }

    @Test func plainHTTPAuthorityIsRefusedUnlessLoopback() throws {
        #expect(throws: ConfigurationError.self) {
            try ClientSecretCredential(
                tenantID: Self.tenant, clientID: "app", secret: Redacted("secret-value"),
                authorityHost: URL(string: "http://login.example.test")!, transport: FakeTransport { _, _ in Self.tokenResponse() })
        }
        _ = try ClientSecretCredential(
            tenantID: Self.tenant, clientID: "app", secret: Redacted("secret-value"),
            authorityHost: URL(string: "http://127.0.0.1:8443")!, transport: FakeTransport { _, _ in Self.tokenResponse() })
    }

    @Test(arguments: ["", "../evil", "tenant/x", "a b", "tenant?x"])
    func invalidTenantsAreRefused(tenant: String) {
        #expect(throws: ConfigurationError.self) {
            try ClientSecretCredential(
                tenantID: tenant, clientID: "app", secret: Redacted("secret-value"), authorityHost: Self.authority,
                transport: FakeTransport { _, _ in Self.tokenResponse() })
        }
    }

    // MARK: Workload identity

    @Test func workloadIdentityRereadsTheTokenFileOnEveryCall() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("azure-identity-token")
        try "first-federated-token\n".write(to: file, atomically: true, encoding: .utf8)
        let transport = FakeTransport { _, index in Self.tokenResponse("token-\(index)") }
        let options = try WorkloadIdentityCredential.Options.fromEnvironment(
            Environment([
                "AZURE_CLIENT_ID": "wi-client", "AZURE_TENANT_ID": Self.tenant,
                "AZURE_FEDERATED_TOKEN_FILE": file.path, "AZURE_AUTHORITY_HOST": "https://login.example.test/",
            ]),
            defaultAuthorityHost: AzureCloud.azurePublic.authorityHost)
        let credential = try WorkloadIdentityCredential(options: options, transport: transport, clock: ManualClock())

        #expect(try await credential.getToken(scope: Self.scope).token.value == "token-0")
        try "second-federated-token".write(to: file, atomically: true, encoding: .utf8)
        #expect(try await credential.getToken(scope: Self.scope).token.value == "token-1")

        let forms = transport.requests.map(\.formFields)
        #expect(forms.map { $0["client_assertion"] } == ["first-federated-token", "second-federated-token"])
        #expect(forms.allSatisfy { $0["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" })
        #expect(forms.allSatisfy { $0["client_id"] == "wi-client" && $0["grant_type"] == "client_credentials" })
        #expect(transport.requests[0].url.absoluteString == "https://login.example.test/\(Self.tenant)/oauth2/v2.0/token")
    }

    @Test func workloadIdentityNamesEveryMissingVariableAndThePodLabel() throws {
        let error = try #require(throws: CredentialUnavailableError.self) {
            try WorkloadIdentityCredential.Options.fromEnvironment(
                Environment(["AZURE_CLIENT_ID": "x", "AZURE_AUTHORITY_HOST": "https://login.example.test"]),
                defaultAuthorityHost: AzureCloud.azurePublic.authorityHost)
        }
        #expect(error.message.contains("AZURE_TENANT_ID"))
        #expect(error.message.contains("AZURE_FEDERATED_TOKEN_FILE"))
        #expect(!error.message.contains("AZURE_CLIENT_ID"))
        #expect(error.remedy?.contains("azure.workload.identity/use") == true)
    }

    @Test func workloadIdentityReportsAnEmptyOrMissingTokenFile() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("token")
        let transport = FakeTransport { _, _ in Self.tokenResponse() }
        let credential = try WorkloadIdentityCredential(
            options: .init(clientID: "c", tenantID: Self.tenant, tokenFilePath: file.path, authorityHost: Self.authority),
            transport: transport)
        await #expect(throws: AuthenticationFailedError.self) { try await credential.getToken(scope: Self.scope) }
        try "  \n".write(to: file, atomically: true, encoding: .utf8)
        let error = try await #require(throws: AuthenticationFailedError.self) { try await credential.getToken(scope: Self.scope) }
        #expect(error.message.contains("empty"))
        #expect(transport.requests.isEmpty)
    }

    // MARK: Client certificate

    @Test func certificateThumbprintsMatchOpenSSL() throws {
        let certificate = try ClientCertificate.load(path: AzureFixtures.certAndKeyPath)
        let expected = try AzureFixtures.thumbprints()
        #expect(certificate.sha1Thumbprint == expected["sha1"])
        #expect(certificate.sha256Thumbprint == expected["sha256"])
    }

    @Test func aCertificateWithoutItsKeyIsRefused() throws {
        let error = try #require(throws: ConfigurationError.self) { try ClientCertificate.load(path: AzureFixtures.certOnlyPath) }
        #expect(error.message.contains("no private key"))
        #expect(throws: ConfigurationError.self) { try ClientCertificate.load(path: "/nonexistent/cert.pem") }
    }

    @Test(arguments: ClientAssertionAlgorithm.allCases)
    func certificateAssertionIsSignedAndVerifiable(algorithm: ClientAssertionAlgorithm) async throws {
        let clock = ManualClock()
        let transport = FakeTransport { _, _ in Self.tokenResponse() }
        let certificate = try ClientCertificate.load(path: AzureFixtures.certAndKeyPath)
        let credential = try ClientCertificateCredential(
            tenantID: Self.tenant, clientID: "cert-app", certificate: certificate, algorithm: algorithm,
            authorityHost: Self.authority, transport: transport, clock: clock)
        _ = try await credential.getToken(scope: Self.scope)

        let form = try #require(transport.requests.first).formFields
        #expect(form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        #expect(form["client_secret"] == nil)
        let jwt = try #require(form["client_assertion"])
        let parts = jwt.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let headerData = try #require(Base64URL.decode(parts[0]))
        let claimsData = try #require(Base64URL.decode(parts[1]))
        let header = try #require(try JSONSerialization.jsonObject(with: headerData) as? [String: Any])
        let claims = try #require(try JSONSerialization.jsonObject(with: claimsData) as? [String: Any])
        let thumbprints = try AzureFixtures.thumbprints()

        #expect(header["alg"] as? String == algorithm.rawValue)
        #expect(header["typ"] as? String == "JWT")
        switch algorithm {
        case .ps256:
            #expect(header["x5t#S256"] as? String == thumbprints["sha256"])
            #expect(header["x5t"] == nil)
        case .rs256:
            #expect(header["x5t"] as? String == thumbprints["sha1"])
            #expect(header["x5t#S256"] == nil)
        }
        let now = Int(clock.now().timeIntervalSince1970)
        #expect(claims["aud"] as? String == "https://login.example.test/\(Self.tenant)/oauth2/v2.0/token")
        #expect(claims["iss"] as? String == "cert-app")
        #expect(claims["sub"] as? String == "cert-app")
        #expect((claims["jti"] as? String)?.isEmpty == false)
        #expect((claims["nbf"] as? NSNumber)?.intValue == now)
        #expect((claims["exp"] as? NSNumber)?.intValue == now + 600)

        // Verify the signature with the certificate's public key (extracted by openssl).
        let publicKey = try publicKeyFromFixture()
        let signatureData = try #require(Base64URL.decode(parts[2]))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureData)
        let signed = Data((parts[0] + "." + parts[1]).utf8)
        let digest = SHA256.hash(data: signed)
        let padding: _RSA.Signing.Padding = algorithm == .ps256 ? .PSS : .insecurePKCS1v1_5
        let other: _RSA.Signing.Padding = algorithm == .ps256 ? .insecurePKCS1v1_5 : .PSS
        #expect(publicKey.isValidSignature(signature, for: digest, padding: padding))
        #expect(!publicKey.isValidSignature(signature, for: digest, padding: other))
        #expect(!publicKey.isValidSignature(signature, for: SHA256.hash(data: Data((parts[0] + ".x").utf8)), padding: padding))
    }

    @Test func twoAssertionsHaveDifferentJTIs() throws {
        let assertion = ClientAssertion(certificate: try ClientCertificate.load(path: AzureFixtures.certAndKeyPath))
        let a = try assertion.make(clientID: "c", audience: "https://a", now: Date())
        let b = try assertion.make(clientID: "c", audience: "https://a", now: Date())
        #expect(a.value != b.value)
    }

    /// The certificate's public key as openssl extracted it, independent of `ClientCertificate`.
    private func publicKeyFromFixture() throws -> _RSA.Signing.PublicKey {
        let pem = try String(contentsOfFile: AzureFixtures.directory.appendingPathComponent("test-sp-cert-public-key.pem").path, encoding: .utf8)
        return try _RSA.Signing.PublicKey(pemRepresentation: pem)
    }
}
