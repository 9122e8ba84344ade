import APIMToken
import APIMTokenSandbox
import Foundation
import Testing

/// The credential types in-process against the sandbox's Entra ID (beyond the login-method runs of the binary).
@Suite struct CredentialsAgainstSandboxTests {
    @Test func workloadIdentityReReadsTheTokenFileOnEveryRequest() async throws {
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let file = try sandbox.writeFederatedTokenFile(namespace: "apim", name: "apimtoken-rotator")
        let valid = try String(contentsOfFile: file, encoding: .utf8)
        let transport = try CurlTransport(
            CurlTransport.Configuration(
                tls: TLSMaterial(extraCAFile: sandbox.caCertificatePath), proxy: .none, environment: Environment(["NO_PROXY": "127.0.0.1"])))
        let credential = try WorkloadIdentityCredential(
            options: .init(
                clientID: sandbox.azure.clientID, tenantID: sandbox.azure.tenantID, tokenFilePath: file,
                authorityHost: try #require(URL(string: sandbox.authorityHost))),
            transport: transport)
        let scope = "https://management.azure.com/.default"
        let first = try await credential.getToken(scope: scope)
        #expect(!first.token.value.isEmpty)

        // The kubelet rotates the projected token: a token for an account with no federated credential is refused…
        try sandbox.serviceAccountToken(namespace: "apim", name: "default", audiences: ["api://AzureADTokenExchange"])
            .write(toFile: file, atomically: true, encoding: .utf8)
        await #expect(throws: (any Error).self) { _ = try await credential.getToken(scope: scope) }
        // …and the rotated, valid one is accepted again, by the same credential.
        try valid.write(toFile: file, atomically: true, encoding: .utf8)
        let third = try await credential.getToken(scope: scope)
        #expect(!third.token.value.isEmpty)
        let entraCalls = sandbox.requestLog.filter { $0.server == .entra }
        #expect(entraCalls.count == 3, "\(entraCalls.map(\.status))")
        #expect(entraCalls.first?.status == 200 && entraCalls.last?.status == 200)
        #expect(entraCalls.count == 3 && entraCalls[1].status >= 400)
    }
}
