import APIMToken
import ArgumentParser
import Foundation
import Testing

@testable import APIMTokenCLI

/// The committed scripts under `completions/` are what swift-argument-parser generates today (a snapshot), and the
/// binary's completion entry points answer as documented.
@Suite struct CompletionScriptTests {
    @Test(arguments: [CompletionShell.bash, .zsh, .fish])
    func committedScriptIsCurrent(_ shell: CompletionShell) throws {
        let file = CompletionFixtures.packageRoot.appendingPathComponent("completions/\(CompletionScripts.fileName(for: shell))")
        let committed = try String(contentsOf: file, encoding: .utf8)
        let generated = CompletionScripts.script(for: shell)
        #expect(committed == generated, "completions/\(CompletionScripts.fileName(for: shell)) is out of date; run scripts/completions")
    }

    @Test(arguments: [CompletionShell.bash, .zsh, .fish])
    func scriptsNameTheExecutableAndEverySubcommand(_ shell: CompletionShell) {
        let script = CompletionScripts.script(for: shell)
        #expect(!script.contains("kubectl apimtoken"), "a command name with a space breaks shell function names")
        for word in ["kubectl-apimtoken", "status", "rotate", "switch-key", "token-key", "primary", "namespace"] {
            #expect(script.contains(word), "\(word) missing from the \(shell.rawValue) script")
        }
    }

    @Test func bashScriptRegistersTheExecutable() {
        #expect(CompletionScripts.script(for: .bash).contains("complete -o filenames -F _kubectl-apimtoken kubectl-apimtoken"))
    }

    @Test func binaryPrintsTheScript() async throws {
        let response = await CompletionEntryPoint.respond(to: ["/bin/kubectl-apimtoken", "--generate-completion-script", "fish"], environment: Environment())
        #expect(response?.stdout == CompletionScripts.script(for: .fish))
        #expect(response?.status == 0)
        let equals = await CompletionEntryPoint.respond(to: ["kubectl-apimtoken", "--generate-completion-script=zsh"], environment: Environment())
        #expect(equals?.stdout == CompletionScripts.script(for: .zsh))
        let detected = await CompletionEntryPoint.respond(
            to: ["kubectl-apimtoken", "--generate-completion-script"], environment: Environment(["SHELL": "/usr/bin/bash"]))
        #expect(detected?.stdout == CompletionScripts.script(for: .bash))
    }

    @Test func anUnknownShellIsAUsageError() async throws {
        let response = try #require(
            await CompletionEntryPoint.respond(to: ["kubectl-apimtoken", "--generate-completion-script", "tcsh"], environment: Environment()))
        #expect(response.status == 2)
        #expect(response.stdout.isEmpty)
        #expect(response.stderr.contains("\"tcsh\" is not a supported shell"))
    }

    @Test func completerEntryPoints() async throws {
        let environment = Environment(["HOME": "/nonexistent"])
        let asSymlink = try #require(
            await CompletionEntryPoint.respond(to: ["/usr/local/bin/kubectl_complete-apimtoken", "rotate", "-k", ""], environment: environment))
        #expect(asSymlink.stdout == "last\nrotate\nprimary\nsecondary\n:4\n")
        let asSubcommand = try #require(
            await CompletionEntryPoint.respond(to: ["kubectl-apimtoken", "__complete", "rotate", "-k", ""], environment: environment))
        #expect(asSubcommand == asSymlink)
        let noWord = try #require(await CompletionEntryPoint.respond(to: ["kubectl_complete-apimtoken"], environment: environment))
        #expect(noWord.stdout.hasPrefix("status\t"))
        #expect(noWord.stdout.hasSuffix("\n:4\n"))
    }

    @Test func ordinaryCommandLinesAreLeftToTheCommand() async {
        for argv in [
            ["kubectl-apimtoken"], ["kubectl-apimtoken", "status", "-n", "__complete"], ["/x/kubectl-apimtoken", "rotate", "--generate-completion-script"],
        ] {
            #expect(await CompletionEntryPoint.respond(to: argv, environment: Environment()) == nil, "\(argv)")
        }
    }
}
