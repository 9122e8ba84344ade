import Foundation
import Testing

@testable import APIMToken

@Suite struct CredentialFactoryTests {
    static func factory(_ environment: [String: String]) -> CredentialFactory {
        CredentialFactory(
            transport: FakeTransport { _, _ in HTTPResponse(status: 500) }, environment: Environment(environment),
            clock: ManualClock(), processRunner: POSIXProcessRunner())
    }

    @Test func flagsWinOverEnvironmentVariablesAndAliasesAreRead() throws {
        let options = try LoginOptions(clientID: "flag-client").resolved(
            with: Environment([
                "AZURE_CLIENT_ID": "env-client", "SP_SECRET": "sp-secret-value", "TENANT": "tenant-from-TENANT",
                "LOGIN_METHOD": "sp",
            ]))
        #expect(options.clientID == "flag-client")
        #expect(options.clientSecret?.value == "sp-secret-value")
        #expect(options.tenantID == "tenant-from-TENANT")
        #expect(options.method == .sp)
        #expect(!options.description.contains("sp-secret-value"))

        let preferred = try LoginOptions().resolved(
            with: Environment([
                "AZURE_TENANT_ID": "a", "TENANT_ID": "b", "TENANT": "c", "AZURE_CLIENT_SECRET": "x1", "SP_SECRET": "x2",
            ]))
        #expect(preferred.tenantID == "a")
        #expect(preferred.clientSecret?.value == "x1")
    }

    @Test(arguments: [
        ("auto", LoginMethod.auto), ("workload-identity", .workloadIdentity), ("identity", .identity), ("sp", .sp),
        ("azurecli", .azurecli), ("AzureCLI", .azurecli),
    ])
    func loginMethodsParse(text: String, method: LoginMethod) throws {
        #expect(try LoginMethod.parse(text, source: "--login-method") == method)
    }

    @Test func unknownLoginMethodIsAUsageError() {
        let error = #expect(throws: ConfigurationError.self) { try LoginMethod.parse("password", source: "LOGIN_METHOD") }
        #expect(error?.exitStatus == .usage)
        #expect(error?.message.contains("LOGIN_METHOD") == true)
    }

    @Test func explicitMethodsBuildTheirCredential() throws {
        let base = ["AZURE_TENANT_ID": "tenant", "AZURE_CLIENT_ID": "client"]
        #expect(
            try Self.factory(base.merging(["AZURE_CLIENT_SECRET": "secret-value"]) { $1 })
                .makeCredential(LoginOptions(method: .sp)) is ClientSecretCredential)
        #expect(
            try Self.factory(base).makeCredential(LoginOptions(method: .sp, clientCertificatePath: AzureFixtures.certAndKeyPath))
                is ClientCertificateCredential)
        // apim-shg-rotate: --client-secret may be a path to a PEM certificate with its key.
        #expect(
            try Self.factory(base).makeCredential(LoginOptions(method: .sp, clientSecret: Redacted(AzureFixtures.certAndKeyPath)))
                is ClientCertificateCredential)
        #expect(try Self.factory(base).makeCredential(LoginOptions(method: .identity)) is ManagedIdentityCredential)
        #expect(try Self.factory(base).makeCredential(LoginOptions(method: .azurecli)) is AzureCLICredential)
        #expect(
            try Self.factory(base.merging(["AZURE_FEDERATED_TOKEN_FILE": "/var/run/token"]) { $1 })
                .makeCredential(LoginOptions(method: .workloadIdentity)) is WorkloadIdentityCredential)
    }

    @Test func explicitMethodsWithMissingSettingsAreUsageErrors() throws {
        let wi = try #require(throws: ConfigurationError.self) {
            try Self.factory(["AZURE_CLIENT_ID": "c"]).makeCredential(LoginOptions(method: .workloadIdentity))
        }
        #expect(wi.message.contains("AZURE_FEDERATED_TOKEN_FILE"))
        #expect(wi.remedy?.contains("azure.workload.identity/use") == true)
        #expect(throws: ConfigurationError.self) { try Self.factory([:]).makeCredential(LoginOptions(method: .sp)) }
        let noTenant = try #require(throws: ConfigurationError.self) {
            try Self.factory(["AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "secret-value"]).makeCredential(LoginOptions(method: .sp))
        }
        #expect(noTenant.message.contains("--tenant"))
    }

    @Test func autoOrdersSourcesAsTheSpecSays() throws {
        let factory = Self.factory(["AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c"])
        let names = try factory.autoSources(try LoginOptions().resolved(with: factory.environment)).map(\.name)
        #expect(names == ["WorkloadIdentityCredential", "ServicePrincipal", "ManagedIdentityCredential", "AzureCLICredential"])

        let all = Self.factory([
            "AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_FEDERATED_TOKEN_FILE": "/f", "AZURE_CLIENT_SECRET": "secret-value",
        ])
        let sources = try all.autoSources(try LoginOptions().resolved(with: all.environment))
        #expect(sources[0] is WorkloadIdentityCredential)
        #expect(sources[1] is ClientSecretCredential)
        #expect((sources[2] as? ManagedIdentityCredential)?.options.probeTimeout == .seconds(1))
        #expect((sources[2] as? ManagedIdentityCredential)?.options.chained == true)
        #expect(sources[3] is AzureCLICredential)
    }

    @Test func autoErrorListsEveryAttempt() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let factory = CredentialFactory(
            transport: FakeTransport { request, _ in throw TransportError(kind: .connect, host: request.url.host ?? "", message: "refused") },
            environment: Environment(["PATH": directory.path]), clock: ManualClock(), processRunner: POSIXProcessRunner())
        let credential = try factory.makeCredential(LoginOptions())
        let error = try await #require(throws: ChainedCredentialError.self) {
            try await credential.getToken(scope: AzureCloud.azurePublic.resourceManagerScope)
        }
        #expect(
            error.attempts.map(\.credential) == [
                "WorkloadIdentityCredential", "ServicePrincipal", "ManagedIdentityCredential", "AzureCLICredential",
            ])
        #expect(error.attempts.allSatisfy { $0.outcome == .unavailable })
        #expect(error.description.contains("AZURE_FEDERATED_TOKEN_FILE"))
        #expect(error.description.contains("not found on PATH"))
    }
}

@Suite struct AzureCloudTests {
    @Test(arguments: [
        ("AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.azure.com/.default"),
        ("AzureUSGovernment", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us", "https://management.usgovcloudapi.net/.default"),
        ("AzureChinaCloud", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"),
    ])
    func knownClouds(name: String, arm: String, login: String, scope: String) throws {
        let cloud = try AzureCloud.named(name)
        #expect(cloud.name == name)
        #expect(cloud.resourceManagerEndpoint.absoluteString == arm)
        #expect(cloud.authorityHost.absoluteString == login)
        #expect(cloud.resourceManagerScope == scope)
    }

    @Test func overridesFromFlagsAndEnvironment() throws {
        let environment = Environment([
            "AZURE_CLOUD": "AzureChinaCloud", "ARM_ENDPOINT": "https://arm.env.test", "AZURE_AUTHORITY_HOST": "https://127.0.0.1:9443/",
        ])
        let cloud = try AzureCloud.resolve(cloud: nil, armEndpoint: "http://127.0.0.1:8443/", environment: environment)
        #expect(cloud.name == "AzureChinaCloud")
        #expect(cloud.resourceManagerEndpoint.absoluteString == "http://127.0.0.1:8443")
        #expect(cloud.authorityHost.absoluteString == "https://127.0.0.1:9443")
        #expect(
            try AzureCloud.resolve(cloud: "AzureCloud", armEndpoint: nil, environment: environment).resourceManagerEndpoint.absoluteString
                == "https://arm.env.test")
        #expect(throws: ConfigurationError.self) { try AzureCloud.resolve(cloud: "Mars", armEndpoint: nil, environment: Environment()) }
    }

    @Test(arguments: [
        ("https://management.azure.com", true), ("http://127.0.0.1:8080", true), ("http://127.8.9.10", true),
        ("http://localhost:1", true), ("http://[::1]:8443", true), ("http://management.azure.com", false),
        ("http://169.254.169.254", false), ("http://128.0.0.1", false), ("http://127.0.0.1.evil.test", false), ("ftp://x", false),
    ])
    func bearerTokensOnlyOverHTTPSOrLoopback(url: String, allowed: Bool) throws {
        let parsed = try #require(URL(string: url))
        if allowed {
            try AzureEndpointPolicy.requireSecure(parsed, for: "a token")
        } else {
            #expect(throws: ConfigurationError.self) { try AzureEndpointPolicy.requireSecure(parsed, for: "a token") }
        }
    }
}
