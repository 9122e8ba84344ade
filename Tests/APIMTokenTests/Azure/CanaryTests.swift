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
                return .json(
                    400,
                    [
                        "error": "invalid_request",
                        "error_description": "echo: " + String(decoding: request.body ?? Data(), as: UTF8.self)
                            + " " + (request.formFields.values.joined(separator: " ")),
                        "error_codes": [90014],
                    ])
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
        let keyBody = try #require(
            keyPEM.components(separatedBy: "-----BEGIN PRIVATE KEY-----").last?
                .components(separatedBy: "\n").dropFirst().first)

        for fail in [false, true] {
            let transport = Self.entra(fail: fail)
            let credentials: [any TokenCredential] = [
                try ClientSecretCredential(
                    tenantID: "t", clientID: "c", secret: Redacted(Self.secret), authorityHost: Self.authority,
                    transport: transport, clock: ManualClock()),
                try ClientCertificateCredential(
                    tenantID: "t", clientID: "c", certificate: certificate, authorityHost: Self.authority,
                    transport: transport, clock: ManualClock()),
                try ClientCertificateCredential(
                    tenantID: "t", clientID: "c", certificate: certificate, algorithm: .rs256,
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
                retry: .imds(maxTries: 2))
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
            environment: Environment([
                "AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": Self.secret,
                "AZURE_AUTHORITY_HOST": Self.authority.absoluteString, "PATH": directory.path,
            ]),
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

        for answer in [
            HTTPResponse.json(403, ["error": ["code": "AuthorizationFailed", "message": "denied"]]),
            HTTPResponse(status: 429, headers: ["Retry-After": "3600"]),
            HTTPResponse(status: 200, body: Data("{\"value\":5}".utf8)),
        ] {
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

    // MARK: - Maximum verbosity

    /// Collects trace lines from concurrent callers.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func append(_ line: String) { lock.withLock { stored.append(line) } }
        var all: [String] { lock.withLock { stored } }
    }

    /// Every credential and every ARM operation, on success and failure paths, with the trace at more than the
    /// maximum verbosity: the lines describe the calls but never hold a secret, an assertion or a token.
    @Test func everyCredentialAtMaximumVerbosityPrintsNoSecret() async throws {
        let lines = Lines()
        let trace = VerboseTrace(verbosity: VerboseTrace.maximumVerbosity + 3, sink: lines.append)
        func traced(_ transport: FakeTransport) -> any HTTPTransport {
            MiddlewareTransport(base: transport, middlewares: [HTTPTrace(trace)])
        }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try Self.federated.write(to: tokenFile, atomically: true, encoding: .utf8)
        let certificate = try ClientCertificate.load(path: AzureFixtures.certAndKeyPath)
        var canaries = [
            Self.secret, Self.federated, Self.accessToken, Self.cliToken, Self.key, Self.gatewayToken,
            "Q0FOQVJZZ2F0ZXdheXRva2Vu",
        ]
        var fakes: [FakeTransport] = []

        // Microsoft Entra ID: secret, certificate (PS256 and RS256), workload identity; success and an echoing failure.
        for fail in [false, true] {
            let fake = Self.entra(fail: fail)
            fakes.append(fake)
            let transport = traced(fake)
            let credentials: [any TokenCredential] = [
                try ClientSecretCredential(
                    tenantID: "t", clientID: "c", secret: Redacted(Self.secret), authorityHost: Self.authority,
                    transport: transport, clock: ManualClock()),
                try ClientCertificateCredential(
                    tenantID: "t", clientID: "c", certificate: certificate, authorityHost: Self.authority,
                    transport: transport, clock: ManualClock()),
                try ClientCertificateCredential(
                    tenantID: "t", clientID: "c", certificate: certificate, algorithm: .rs256,
                    authorityHost: Self.authority, transport: transport, clock: ManualClock()),
                try WorkloadIdentityCredential(
                    options: .init(clientID: "c", tenantID: "t", tokenFilePath: tokenFile.path, authorityHost: Self.authority),
                    transport: transport, clock: ManualClock()),
            ]
            for credential in credentials { _ = try? await credential.getToken(scope: Self.scope) }
        }

        // Managed identity: probe, token, and a retried failure.
        for status in [200, 500] {
            let fake = FakeTransport { request, _ in
                if request.headers["Metadata"] == nil { return .json(400, ["error": "bad_request"]) }
                return status == 200
                    ? .json(200, ["access_token": Self.accessToken, "expires_in": "3600"])
                    : .json(status, ["error": "unavailable"])
            }
            fakes.append(fake)
            let clock = ManualClock()
            let credential = ManagedIdentityCredential(
                options: .init(identity: .clientID("c"), probeTimeout: .seconds(1), chained: true), transport: traced(fake), clock: clock,
                retry: .imds(maxTries: 2))
            _ = try? await credential.getToken(scope: Self.scope)
        }

        // Azure CLI through the process trace.
        let (cliDirectory, environment) = try await AzureCLICredentialTests.standIn(
            "echo '{\"accessToken\":\"\(Self.cliToken)\",\"expires_on\":1790003600}'")
        defer { try? FileManager.default.removeItem(at: cliDirectory) }
        let cli = AzureCLICredential(runner: ProcessTrace(base: POSIXProcessRunner(), trace: trace), environment: environment)
        #expect(try await cli.getToken(scope: Self.scope).token.value == Self.cliToken)

        // ARM: every operation, a 401 refresh, and failures.
        let service = try APIMServiceReference(subscriptionID: "s", resourceGroup: "r", serviceName: "a")
        let gateway = try APIMGatewayReference(service: service, gatewayName: "gw-1")
        let clock = ManualClock()
        let source = ScriptedCredential { index in
            AccessToken(token: Redacted(Self.accessToken + "-\(index)"), expiresOn: clock.now().addingTimeInterval(3600))
        }
        canaries += (0..<5).map { Self.accessToken + "-\($0)" }
        let arm = FakeTransport { request, index in
            if index == 0 { return HTTPResponse(status: 401) }
            switch request.url.path {
            case let path where path.hasSuffix("/listKeys"):
                return .json(200, ["primary": Self.key, "secondary": Self.key + "2"], headers: ["x-ms-request-id": "req-keys"])
            case let path where path.hasSuffix("/generateToken"): return .json(200, ["value": Self.gatewayToken])
            case let path where path.hasSuffix("/regenerateKey"): return HTTPResponse(status: 204)
            case let path where path.hasSuffix("/gateways"): return .json(200, ["value": [["id": "/g", "name": "gw-1"]]])
            case let path where path.hasSuffix("/gw-1"): return .json(403, ["error": ["code": "AuthorizationFailed", "message": "no"]])
            default: return .json(429, ["error": ["code": "TooManyRequests", "message": "slow down"]], headers: ["Retry-After": "3600"])
            }
        }
        fakes.append(arm)
        let client = try ARMClient(transport: traced(arm), tokenCache: TokenCache(credential: source, clock: clock), clock: clock, jitter: { 1 })
        _ = try await client.generateToken(gateway, keyType: .primary, expiry: clock.now().addingTimeInterval(86400))
        _ = try await client.listKeys(gateway)
        try await client.regenerateKey(gateway, keyType: .secondary)
        _ = try await client.listGateways(service)
        _ = try? await client.getGateway(gateway)
        _ = try? await client.getService(service)

        // Whatever the fakes were sent (assertions, bearer tokens) is a canary too.
        for fake in fakes {
            for request in fake.requests {
                canaries += request.formFields.filter { ["client_assertion", "client_secret"].contains($0.key) }.map(\.value)
                if let bearer = request.headers["Authorization"] { canaries.append(String(bearer.dropFirst("Bearer ".count))) }
            }
        }
        let all = lines.all
        #expect(all.count > 30)
        #expect(all.contains { $0.hasPrefix("POST https://login.example.test/t/oauth2/v2.0/token → 200") })
        #expect(all.contains { $0.contains("/generateToken?api-version=2024-05-01 → 200") })
        #expect(all.contains { $0 == "> Authorization: <redacted>" })
        #expect(all.contains { $0.hasPrefix("ran az account get-access-token") })
        #expect(all.contains { $0.contains("JSON fields: access_token, expires_in") })
        for line in all {
            for canary in Set(canaries) where canary.count >= 6 {
                #expect(!line.contains(canary), "a trace line leaked a canary: \(line)")
            }
        }
    }
}
