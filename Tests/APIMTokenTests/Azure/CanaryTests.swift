import Foundation
import Testing
@testable import APIMToken

/// Runs every credential and the ARM client with canary secrets through success and error paths, and checks
/// that no canary appears in any description, debug description, remedy or `dump` of what comes back.
@Suite struct CanaryTests {
    static let secret = "CANARY-client-secret-5d1e"
    static let federated = "CANARY-federated-token-77aa"
    static let accessToken = "CANARY-access-token-0b9c"
    static let cliToken = "CANARY-cli-token-c3f2"
    static let gatewayToken = "gw-1&202612210300&Q0FOQVJZZ2F0ZXdheXRva2Vu"
    static let key = "CANARY-gateway-key-9e41"
    static let authority = URL(string: "https://login.example.test")!
    static let scope = "https://management.azure.com/.default"

    /// Every rendering of `value` a log line or a crash report could use.
    static func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        var texts = [String(describing: value), String(reflecting: value), "\(value)", dumped]
        if let error = value as? any APIMTokenError, let remedy = error.remedy { texts.append(remedy) }
        if let error = value as? ChainedCredentialError { texts += error.attempts.map { "\($0)" } }
        return texts
    }

    static func assertClean(_ value: Any, canaries: [String], _ context: String) {
        for text in renderings(value) {
            for canary in canaries {
                #expect(!text.contains(canary), "\(context) leaked a canary: \(text)")
            }
        }
    }

    /// A server that answers tokens on success and, on failure, echoes the whole request body (secret or assertion
    /// included) in `error_description`, as a hostile or buggy proxy might.
    static func entra(fail: Bool) -> FakeTransport {
        FakeTransport { request, _ in
            if fail {
                return .json(400, ["error": "invalid_request",
                                   "error_description": "echo: " + String(decoding: request.body ?? Data(), as: UTF8.self)
                                       + " " + (request.formFields.values.joined(separator: " ")),
                                   "error_codes": [90014]])
            }
            return .json(200, ["access_token": accessToken, "expires_in": 3600])
        }
    }

    @Test func entraCredentialsNeverLeak() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try Self.federated.write(to: tokenFile, atomically: true, encoding: .utf8)
        let certificate = try ClientCertificate.load(path: AzureFixtures.certAndKeyPath)
        let keyPEM = try String(contentsOfFile: AzureFixtures.certAndKeyPath, encoding: .utf8)
        let keyBody = try #require(keyPEM.components(separatedBy: "-----BEGIN PRIVATE KEY-----").last?
            .components(separatedBy: "\n").dropFirst().first)

        for fail in [false, true] {
            let transport = Self.entra(fail: fail)
            let credentials: [any TokenCredential] = [
                try ClientSecretCredential(tenantID: "t", clientID: "c", secret: Redacted(Self.secret), authorityHost: Self.authority,
                                           transport: transport, clock: ManualClock()),
                try ClientCertificateCredential(tenantID: "t", clientID: "c", certificate: certificate, authorityHost: Self.authority,
                                                transport: transport, clock: ManualClock()),
                try ClientCertificateCredential(tenantID: "t", clientID: "c", certificate: certificate, algorithm: .rs256,
                                                authorityHost: Self.authority, transport: transport, clock: ManualClock()),
                try WorkloadIdentityCredential(
                    options: .init(clientID: "c", tenantID: "t", tokenFilePath: tokenFile.path, authorityHost: Self.authority),
                    transport: transport, clock: ManualClock()),
            ]
            for credential in credentials {
                Self.assertClean(credential, canaries: [Self.secret, Self.federated, keyBody], "\(credential.name) itself")
                do {
                    let token = try await credential.getToken(scope: Self.scope)
                    #expect(!fail)
                    #expect(token.token.value == Self.accessToken)
                    Self.assertClean(token, canaries: [Self.accessToken], "\(credential.name) token")
                } catch {
                    #expect(fail)
                    // The assertions actually sent are canaries too.
                    let assertions = transport.requests.compactMap { $0.formFields["client_assertion"] }
                    Self.assertClean(error, canaries: [Self.secret, Self.federated, keyBody] + assertions, "\(credential.name) error")
                }
            }
            #expect(!transport.requests.isEmpty)
        }
    }

    @Test func managedIdentityNeverLeaks() async throws {
        for status in [200, 400, 500] {
            let transport = FakeTransport { _, _ in
                status == 200
                    ? .json(200, ["access_token": Self.accessToken, "expires_in": "3600"])
                    : .json(status, ["error": "invalid_request", "error_description": "no identity"])
            }
            let clock = ManualClock()
            let credential = ManagedIdentityCredential(
                options: .init(identity: .clientID("c")), transport: transport, clock: clock,
                retry: IMDSRetryMiddleware(maxTries: 2, clock: clock))
            do {
                let token = try await credential.getToken(scope: Self.scope)
                Self.assertClean(token, canaries: [Self.accessToken], "IMDS token")
            } catch {
                Self.assertClean(error, canaries: [Self.accessToken], "IMDS error")
            }
        }
    }

    @Test func azureCLINeverLeaks() async throws {
        let outputs = [
            "echo '{\"accessToken\":\"\(Self.cliToken)\",\"expires_on\":1790003600}'",
            "echo '{\"accessToken\":\"\(Self.cliToken)\"}'",  // no expiry: an error that must not quote stdout
            "echo '\(Self.cliToken) not json'",
            "echo 'ERROR: Please run az login' >&2; exit 1",
        ]
        for body in outputs {
            let (directory, environment) = try await AzureCLICredentialTests.standIn(body)
            defer { try? FileManager.default.removeItem(at: directory) }
            let credential = AzureCLICredential(runner: POSIXProcessRunner(), environment: environment)
            do {
                let token = try await credential.getToken(scope: Self.scope)
                Self.assertClean(token, canaries: [Self.cliToken], "az token")
            } catch {
                Self.assertClean(error, canaries: [Self.cliToken], "az error")
            }
        }
    }

    @Test func chainAndFactoryNeverLeak() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let factory = CredentialFactory(
            transport: Self.entra(fail: true),
            environment: Environment(["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": Self.secret,
                                      "AZURE_AUTHORITY_HOST": Self.authority.absoluteString, "PATH": directory.path]),
            clock: ManualClock(), processRunner: POSIXProcessRunner(), cloud: .azurePublic)
        let options = LoginOptions(clientSecret: Redacted(Self.secret))
        Self.assertClean(options, canaries: [Self.secret], "login options")
        let credential = try factory.makeCredential(options)
        Self.assertClean(credential, canaries: [Self.secret], "chain")
        let error = try await #require(throws: ChainedCredentialError.self) { try await credential.getToken(scope: Self.scope) }
        #expect(error.stopped)
        Self.assertClean(error, canaries: [Self.secret], "chain error")
    }

    @Test func armClientNeverLeaks() async throws {
        let service = try APIMServiceReference(subscriptionID: "s", resourceGroup: "r", serviceName: "a")
        let gateway = try APIMGatewayReference(service: service, gatewayName: "gw-1")
        let clock = ManualClock()
        let source = ScriptedCredential { _ in AccessToken(token: Redacted(Self.accessToken), expiresOn: clock.now().addingTimeInterval(3600)) }
        let cache = TokenCache(credential: source, clock: clock)
        Self.assertClean(cache, canaries: [Self.accessToken], "token cache")

        let good = FakeTransport { request, _ in
            request.url.path.hasSuffix("/listKeys")
                ? .json(200, ["primary": Self.key, "secondary": Self.key + "2"])
                : .json(200, ["value": Self.gatewayToken])
        }
        let client = try ARMClient(transport: good, tokenCache: cache, clock: clock, jitter: { 1 })
        Self.assertClean(client, canaries: [Self.accessToken], "ARM client")
        let value = try await client.generateToken(gateway, keyType: .primary, expiry: Date())
        let token = try GatewayToken.parse(value.value)
        let keys = try await client.listKeys(gateway)
        for (thing, name) in [(value, "value"), (token, "token"), (token.secretValue, "secret value"), (keys, "keys")] as [(Any, String)] {
            Self.assertClean(thing, canaries: [Self.gatewayToken, "Q0FOQVJZZ2F0ZXdheXRva2Vu", Self.key, Self.accessToken], name)
        }
        Self.assertClean(cache, canaries: [Self.accessToken], "token cache holding a token")

        for answer in [HTTPResponse.json(403, ["error": ["code": "AuthorizationFailed", "message": "denied"]]),
                       HTTPResponse(status: 429, headers: ["Retry-After": "3600"]),
                       HTTPResponse(status: 200, body: Data("{\"value\":5}".utf8))] {
            let bad = FakeTransport { _, _ in answer }
            let failing = try ARMClient(transport: bad, tokenCache: cache, clock: clock, jitter: { 1 })
            do {
                _ = try await failing.generateToken(gateway, keyType: .primary, expiry: Date())
                Issue.record("expected an error for HTTP \(answer.status)")
            } catch {
                Self.assertClean(error, canaries: [Self.accessToken], "ARM error \(answer.status)")
            }
        }
    }
}
