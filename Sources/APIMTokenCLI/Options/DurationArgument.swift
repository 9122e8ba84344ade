import APIMToken
import ArgumentParser
import FoundationEssentials

/// A `--flag DURATION` value (`90s`, `15m`, `12h`, `10d`, `1d12h`), parsed once, when the arguments are.
struct DurationArgument: Sendable, Equatable, CustomStringConvertible {
    /// The length in seconds.
    var seconds: TimeInterval

    /// Parses `text`; the error names `flag` and shows the format.
    init(parsing text: String, flag: String) throws {
        seconds = try parseDuration(text, flag: flag)
    }

    /// A duration of `seconds`.
    init(seconds: TimeInterval) { self.seconds = seconds }

    /// As written in help (`10d`).
    var description: String { DurationText.format(seconds) }
}
