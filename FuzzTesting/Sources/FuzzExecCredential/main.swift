import APIMToken
import Foundation
import FuzzSupport

/// An exec credential plugin's standard output → `ExecCredential`, for both API versions.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExecCredential(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    for version in ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"] {
        do {
            let credential = try ExecCredential.parse(input.data, expectedAPIVersion: version)
            _ = credential.isExpired(at: Date())
        } catch {
            _ = "\(error)"
        }
    }
    return 0
}
