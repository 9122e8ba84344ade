import APIMToken
import ArgumentParser

/// The flags `rotate` and `switch-key` share: validity of the new token, rollout wait, output.
struct RotationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How long the new token is valid (at most 30d).", valueName: "duration"))
    var validity = "29d"

    @Option(help: ArgumentHelp("How long to wait for the rollouts, all workloads together.", valueName: "duration"))
    var timeout = "10m"

    @Option(help: ArgumentHelp("Stop the whole run after this long, saying what was done (default: none; the CronJob sets one).", valueName: "duration"))
    var deadline: String?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("text or json.", valueName: "format"))
    var output: RotateOutput = .text

    func validate() throws {
        let validity = try parseDuration(validity, flag: "--validity")
        if validity <= 0 || validity > RotateRequest.maximumValidity { throw ValidationError("--validity must be more than 0 and at most 30d") }
        _ = try parseDuration(timeout, flag: "--timeout")
        if let deadline, try parseDuration(deadline, flag: "--deadline") <= 0 { throw ValidationError("--deadline must be more than 0") }
    }
}

extension RotationOptions {
    /// `--deadline` as a duration.
    var deadlineDuration: Duration? {
        get throws { try deadline.map { .seconds(try parseDuration($0, flag: "--deadline")) } }
    }
}
