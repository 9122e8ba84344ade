import APIMToken
import Foundation
import FuzzSupport

// Globals outside main.swift are initialized on first use (libFuzzer's `main` runs, not main.swift's top level).

/// The client, built once (see `SettableTransport`); a 401 still makes it fetch a new token.
let transport = SettableTransport()
let client = try! ARMClient(
    transport: transport, tokenCache: TokenCache(credential: FixedCredential()), retryOptions: AzureRetryOptions(maxTries: 1))
let service = try! APIMServiceReference(subscriptionID: "00000000-0000-0000-0000-000000000000", resourceGroup: "rg", serviceName: "apim")
let gateway = try! APIMGatewayReference(service: service, gatewayName: "gw")

/// A credential that always has a token.
struct FixedCredential: TokenCredential {
    var name: String { "FixedCredential" }
    func getToken(scope: String) async throws -> AccessToken {
        AccessToken(token: Redacted("fuzz-token"), expiresOn: Date().addingTimeInterval(86_400))
    }
}
