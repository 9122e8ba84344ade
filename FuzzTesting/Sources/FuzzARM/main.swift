import APIMToken
import Foundation
import FuzzSupport

/// Azure Resource Manager answers through the real `ARMClient` with a canned response: `generateToken` results
/// (validated as `rotate` validates them), gateway and service reads, gateway lists, and error envelopes for
/// every non-2xx status. The first byte picks the status and the call; the rest is the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzARM(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let (selector, body) = FuzzInput(start, count).selector
    let status = cannedStatuses[Int(selector & 0x0F) % cannedStatuses.count]
    transport.response = HTTPResponse(status: status, headers: ["x-ms-request-id": "fuzz"], body: body)
    blocking {
        do {
            switch selector >> 4 {
            case 0...7:
                let expiry = Date(timeIntervalSince1970: 1_900_000_000)
                _ = try await client.generateValidatedToken(gateway, keyType: .primary, expiry: expiry, now: Date(timeIntervalSince1970: 1_800_000_000))
            case 8...9: _ = try await client.getGateway(gateway)
            case 10...11: _ = try await client.getService(service)
            case 12...13: _ = try await client.listGateways(service)
            case 14: _ = try await client.listKeys(gateway)
            default: try await client.regenerateKey(gateway, keyType: .secondary)
            }
        } catch let error as any APIMTokenError {
            _ = error.description
            _ = error.remedy
        } catch {
            _ = "\(error)"
        }
    }
    // Nothing of the input may outlive it: libFuzzer counts an input that ends with more allocations than frees as
    // a possible leak (and scans the heap), and LeakSanitizer does not see the body through the enum's tagged pointer.
    transport.response = HTTPResponse(status: 200, headers: [:], body: Data())
    return 0
}
