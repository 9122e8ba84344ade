import APIMToken
import Foundation
import FuzzSupport

/// `az account get-access-token -o json` output, as the Azure CLI credential reads it (both expiry fields).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAzureCLI(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let credential = AzureCLICredential(
        options: AzureCLICredential.Options(timeZone: ZoneInfo(identifier: "America/New_York")!), runner: NoProcessRunner(), environment: Environment())
    do {
        _ = try credential.parse(input.data).description
    } catch {
        _ = "\(error)"
    }
    return 0
}

/// The credential only parses here; nothing runs.
struct NoProcessRunner: ProcessRunner {
    func run(_ request: ProcessRequest) async throws -> ProcessResult {
        throw CancellationError()
    }
}
