import APIMToken
import Foundation
import FuzzSupport

/// Microsoft Entra ID and IMDS token responses (`access_token` with `expires_in`/`expires_on` as numbers or
/// strings) and their error bodies, through the public credentials (`ClientSecretCredential`,
/// `ManagedIdentityCredential`) with a canned response. The first byte picks the answer: bit 0x01 clear is a 200
/// token response, set an error status (bits 0x78); bit 0x02 picks IMDS instead of Entra, 0x04 a user-assigned
/// identity and 0x80 a credential in a chain. The rest is the body (the seeds' prefixes: 0x00 Entra token, 0x02 IMDS
/// token, 0x01 Entra error).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntraToken(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let (selector, body) = FuzzInput(start, count).selector
    let errorStatuses = cannedStatuses.filter { $0 >= 300 }
    let status = selector & 0x01 == 0 ? 200 : errorStatuses[Int((selector >> 3) & 0x0F) % errorStatuses.count]
    let transport = CannedTransport(status: status, body: body)
    let clock = FixedClock()
    let credential: any TokenCredential
    do {
        if selector & 0x02 == 0 {
            credential = try ClientSecretCredential(
                tenantID: "00000000-0000-0000-0000-000000000000", clientID: "client", secret: Redacted("fuzz-secret"),
                authorityHost: URL(string: "https://login.microsoftonline.com")!, transport: transport, clock: clock,
                retryOptions: AzureRetryOptions(maxTries: 1))
        } else {
            let userAssigned = selector & 0x04 != 0
            credential = ManagedIdentityCredential(
                options: .init(identity: userAssigned ? .clientID("client") : .systemAssigned, chained: selector & 0x80 != 0),
                transport: transport, clock: clock,
                retry: .imds(maxTries: 1, goneWindow: .zero))
        }
    } catch {
        fatalError("the credential could not be created: \(error)")
    }
    blocking {
        do {
            let token = try await credential.getToken(scope: "https://management.azure.com/.default")
            _ = token.description
        } catch let error as any APIMTokenError {
            _ = error.description
            _ = error.remedy
        } catch {
            _ = "\(error)"
        }
    }
    return 0
}

/// A clock fixed at 2027-01-15; a retry would sleep for no time.
struct FixedClock: WallClock {
    func now() -> Date { Date(timeIntervalSince1970: 1_800_000_000) }
    func sleep(for duration: Duration) async throws {}
}
