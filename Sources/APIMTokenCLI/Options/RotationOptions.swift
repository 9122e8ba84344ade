import APIMToken
import ArgumentParser

/// The flags `rotate` and `switch-key` share: validity of the new token, rollout wait, output.
struct RotationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How long the new token is valid (at most 30d).", valueName: "duration"))
    var validity = "29d"

    @Option(help: ArgumentHelp("How long to wait for the rollout.", valueName: "duration"))
    var timeout = "10m"

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("text or json.", valueName: "format"))
    var output: RotateOutput = .text

    func validate() throws {
        let validity = try parseDuration(validity, flag: "--validity")
        if validity <= 0 || validity > RotateRequest.maximumValidity { throw ValidationError("--validity must be more than 0 and at most 30d") }
        _ = try parseDuration(timeout, flag: "--timeout")
    }
}
