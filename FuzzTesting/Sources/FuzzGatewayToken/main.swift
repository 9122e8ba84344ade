import APIMToken
import Foundation
import FuzzSupport

/// A gateway token as the Secret or `generateToken` holds it: parsed, then validated as `rotate` validates it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGatewayToken(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = FuzzInput(start, count).text
    do {
        let token = try GatewayToken.parse(text)
        _ = token.description
        try token.validate(gateway: token.gatewayID, requestedExpiry: token.expiry, now: Date(timeIntervalSince1970: 0))
    } catch {
        _ = error.description
    }
    return 0
}
