import APIMToken
import Foundation
import Testing

@testable import APIMTokenCLI

/// Usage errors end with SPEC §5's exit 2 (not ArgumentParser's 64), and the message names the flag.
@Suite struct ExitCodeTests {
    @Test(arguments: [
        ["status", "--bogus"], ["status", "--warn-within", "soon"], ["status", "-A", "-n", "apim"],
        ["rotate", "--validity", "31d"], ["rotate", "--validity", "0s"], ["rotate", "--restart", "pods/x"],
        ["rotate", "--restart", "deployment/a", "--no-restart"], ["rotate", "-k", "tertiary"], ["rotate", "-l", "password"],
        ["rotate", "--request-timeout", "fast"], ["switch-key", "--to", "both"], ["switch-key", "--no-restart"],
        ["status", "--kubeconfig", "/nonexistent/kubeconfig"], ["frobnicate"],
        ["install-cronjob", "--identity", "magic"], ["install-cronjob", "--schedule", "61 * * * *"],
        ["install-cronjob", "--time-zone", "Mars/Olympus"], ["install-cronjob", "--uninstall", "--run-now"],
        ["install-cronjob", "--dry-run", "sometimes"], ["install-cronjob", "--print-azure-role"],
    ])
    func usageErrorsAreExitTwo(arguments: [String]) async {
        #expect(await APIMTokenCommand.run(arguments: arguments) == 2)
    }

    @Test func helpAndVersionAreExitZero() async {
        #expect(await APIMTokenCommand.run(arguments: ["--version"]) == 0)
        #expect(await APIMTokenCommand.run(arguments: ["rotate", "--help"]) == 0)
    }

    @Test func validationMessagesNameTheFlag() {
        #expect(throws: (any Error).self) { try Rotate.parse(["--validity", "31d"]) }
        do {
            _ = try Rotate.parse(["--validity", "31d"])
        } catch {
            #expect(Rotate.message(for: error).contains("--validity"))
        }
        do {
            _ = try Rotate.parse(["--restart", "pods/x"])
        } catch {
            #expect(Rotate.message(for: error).contains("--restart \"pods/x\" is not TYPE/NAME"))
        }
    }

    @Test func everySubcommandIsListedInHelp() {
        let help = APIMTokenCommand.helpMessage()
        for name in ["status", "rotate", "switch-key", "install-cronjob"] { #expect(help.contains(name)) }
        #expect(APIMTokenCommand.helpMessage(for: Rotate.self).contains("USAGE: kubectl apimtoken rotate"))
    }
}
