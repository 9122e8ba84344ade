import APIMToken
import Foundation
import FuzzSupport

/// Durations as flags take them (`90s`, `1d12h`): a parsed duration formats to text that parses back to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDuration(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = FuzzInput(start, count).text
    if let seconds = DurationText.parse(text) {
        let formatted = DurationText.format(seconds)
        guard DurationText.parse(formatted) == seconds.rounded(.down) else {
            fatalError("DurationText: \(seconds) formats as \(formatted), which does not parse back")
        }
        _ = DurationText.approximate(seconds)
    }
    return 0
}
