import APIMToken
import ArgumentParser
import FoundationEssentials

/// A `--flag DURATION` value (`90s`, `15m`, `12h`, `10d`, `1d12h`), parsed once, when the arguments are.
///
/// An `@Option` with `transform:` shows no default in its help, so the help text says it.
struct DurationArgument: Sendable, Equatable, CustomStringConvertible {
    /// The length in seconds.
    var seconds: TimeInterval

    /// Parses `text`; the error names `flag` and shows the format.
    init(parsing text: String, flag: String) throws {
        seconds = try parseDuration(text, flag: flag)
    }

    /// A duration of `seconds`.
    init(seconds: TimeInterval) { self.seconds = seconds }

    /// A default value written as the user would (`29d`); `text` must be a duration.
    init(_ text: String) { self.init(seconds: DurationText.parse(text) ?? 0) }

    /// As written in help (`10d`).
    var description: String { DurationText.format(seconds) }

    var duration: Duration { .milliseconds(Int64((seconds * 1000).rounded())) }

    /// The `transform:` of an `@Option`: a value that is not a duration is a usage error naming `flag`.
    static func parser(_ flag: String) -> @Sendable (String) throws -> DurationArgument {
        { text in try DurationArgument(parsing: text, flag: flag) }
    }
}
