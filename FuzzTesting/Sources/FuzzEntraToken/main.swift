@testable import APIMToken
import Foundation
import FuzzSupport

/// Microsoft Entra ID and IMDS token responses (`access_token` with `expires_in`/`expires_on` as numbers or
/// strings) and Entra error bodies, as the credentials read them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntraToken(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let (selector, body) = FuzzInput(start, count).selector
    if selector & 1 == 0 {
        do {
            let token = try TokenResponse.parse(body, now: Date(timeIntervalSince1970: 1_800_000_000), credential: "ClientSecretCredential")
            _ = token.description
        } catch {
            _ = "\(error)"
        }
    } else {
        let status = cannedStatuses[Int(selector >> 1) % cannedStatuses.count]
        let error = EntraTokenClient.decodeError(HTTPResponse(status: status, body: body), credential: "ClientSecretCredential", scrubber: SecretScrubber(["fuzz-secret"]))
        _ = error.description
        _ = error.remedy
    }
    return 0
}
