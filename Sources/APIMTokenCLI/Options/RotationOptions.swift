import APIMToken
import ArgumentParser

/// The flags `rotate` and `switch-key` share: validity of the new token, rollout wait, output.
struct RotationOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("How long the new token is valid (at most 30d; default 29d).", valueName: "duration"),
        transform: DurationArgument.parser("--validity"))
    var validity = DurationArgument("29d")

    @Option(
        help: ArgumentHelp("How long to wait for the rollouts, all workloads together (default 10m).", valueName: "duration"),
        transform: DurationArgument.parser("--timeout"))
    var timeout = DurationArgument("10m")

    @Option(
        help: ArgumentHelp("Stop the whole run after this long, saying what was done (default: none; the CronJob sets one).", valueName: "duration"),
        transform: DurationArgument.parser("--deadline"))
    var deadline: DurationArgument?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("text or json.", valueName: "format"))
    var output: RotateOutput = .text

    func validate() throws {
        if validity.seconds <= 0 || validity.seconds > RotateRequest.maximumValidity { throw ValidationError("--validity must be more than 0 and at most 30d") }
        if let deadline, deadline.seconds <= 0 { throw ValidationError("--deadline must be more than 0") }
    }

    /// `--deadline` as a duration.
    var deadlineDuration: Duration? { deadline?.duration }
}
