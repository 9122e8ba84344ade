import APIMToken
import Foundation
import FuzzSupport

/// Kubeconfig bytes → resolved connection: one file, or two merged through KUBECONFIG (split at a `#~~~` line),
/// resolved for the current context, or for `--context a` when the input's last byte is odd.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKubeConfig(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let (first, second) = input.twoParts
    var list = scratchFile("one.yaml", first)
    if let second { list += ":" + scratchFile("two.yaml", second) }
    let environment = Environment(["HOME": scratchDirectory, "KUBECONFIG": list])
    let context = (input.data.last ?? 0) & 1 == 1 ? "a" : nil
    do {
        let connection = try KubeConfigResolver.resolve(
            flags: KubeConfigFlags(context: context), environment: environment, workingDirectory: scratchDirectory)
        _ = KubeConfigResolution(connection).json
    } catch {
        _ = "\(error)"
    }
    return 0
}
