import APIMToken
import Foundation
import Testing

@testable import APIMTokenCLI

/// `kubectl_complete-apimtoken <args> <word>` on the real command tree, without any process or server.
@Suite struct CompletionCompleterTests {
    /// (words after `kubectl apimtoken`, the last being completed; the candidates offered, exactly).
    static let exact: [([String], [String])] = [
        ([""], ["status", "rotate", "switch-key", "install-cronjob", "help"]),
        (["s"], ["status", "switch-key"]),
        (["rot"], ["rotate"]),
        (["help", ""], ["status", "rotate", "switch-key", "install-cronjob"]),
        (["rotate", "--token-key", ""], ["last", "rotate", "primary", "secondary"]),
        (["rotate", "-k", ""], ["last", "rotate", "primary", "secondary"]),
        (["rotate", "-k", "p"], ["primary"]),
        (["rotate", "--token-key=s"], ["--token-key=secondary"]),
        (["rotate", "-kr"], ["-krotate"]),
        (["rotate", "-k=l"], ["-k=last"]),
        (["status", "-o", ""], ["table", "wide", "json", "yaml"]),
        (["status", "--output=j"], ["--output=json"]),
        (["rotate", "-o", ""], ["text", "json"]),
        (["switch-key", "--to", ""], ["primary", "secondary"]),
        (["install-cronjob", "--identity", ""], ["workload-identity", "aad-pod-identity", "service-principal"]),
        (["install-cronjob", "--dry-run", ""], ["client", "server", "none"]),
        (["rotate", "--login-method", ""], ["auto", "workload-identity", "identity", "sp", "azurecli"]),
        (["rotate", "-l", "a"], ["auto", "azurecli"]),
        (["rotate", "--cloud", "AzureU"], ["AzureUSGovernment"]),
        (["rotate", "--restart", ""], ["deployment/", "statefulset/", "daemonset/"]),
        (["rotate", "--validity", ""], []),
        (["rotate", "--", ""], []),
        (["status", "gw"], []),
        (["rotate", "--token-key"], ["--token-key"]),
        (["status", "--all"], ["--all-namespaces", "--all-contexts"]),
        (["nonsense", "--token-key", ""], []),
        (["nonsense", ""], []),
        (["help", "status", ""], []),
    ]

    @Test(arguments: exact)
    func offers(_ words: [String], _ expected: [String]) async throws {
        let result = try await CompletionFixtures.completer().complete(words)
        #expect(result.values == expected)
        #expect(result.directive.contains(.noFileCompletion))
    }

    @Test func flagsOfTheCurrentSubcommandWithDescriptions() async throws {
        let result = try await CompletionFixtures.completer().complete(["rotate", "--"])
        let values = result.values
        for flag in ["--token-key", "--dry-run", "--if-expires-within", "--kubeconfig", "--context", "--namespace", "--login-method", "--help"] {
            #expect(values.contains(flag), "\(flag) missing from \(values)")
        }
        #expect(!values.contains("-k"), "-- asks for long flags only")
        #expect(!values.contains("--warn-within"), "a status flag offered for rotate")
        #expect(result.candidates.first { $0.value == "--token-key" }?.description?.contains("last, rotate") == true)
        #expect(result.directive == .noFileCompletion)
    }

    @Test func aSingleDashOffersShortAndLongSpellings() async throws {
        let values = try await CompletionFixtures.completer().complete(["status", "-"]).values
        for flag in ["-A", "--all-namespaces", "-o", "--output", "-n", "--namespace", "-v", "--verbose"] {
            #expect(values.contains(flag), "\(flag) missing from \(values)")
        }
    }

    @Test func aLeafCommandOffersItsFlagsForAnEmptyWord() async throws {
        let values = try await CompletionFixtures.completer().complete(["rotate", ""]).values
        #expect(values.contains("--token-key"))
        #expect(values.contains("-k"))
    }

    @Test func flagsAlreadyGivenAreNotOfferedAgainUnlessRepeatable() async throws {
        let values = try await CompletionFixtures.completer().complete(["rotate", "--dry-run", "-k", "last", "-v", "--"]).values
        #expect(!values.contains("--dry-run"))
        #expect(!values.contains("--token-key"))
        #expect(values.contains("--verbose"), "-v may be repeated")
        #expect(values.contains("--restart"), "--restart may be repeated")
    }

    @Test func optionValuesAreNotMistakenForSubcommands() async throws {
        // `status` here is the value of --tenant, so the command is still rotate, which has no --warn-within.
        let values = try await CompletionFixtures.completer().complete(["rotate", "--tenant", "status", "--warn"]).values
        #expect(values.isEmpty, "\(values)")
        let line = CommandLineState(tree: try CompletionFixtures.realTree(), words: ["rotate", "--tenant", "status", "-vvk"])
        #expect(line.command.name == "rotate")
        #expect(line.pendingOption?.preferredSpelling == "--token-key")
    }

    @Test func filePathsAreLeftToTheShell() async throws {
        let completer = try CompletionFixtures.completer()
        #expect(await completer.complete(["status", "--kubeconfig", ""]) == CompletionResult(candidates: [], directive: .fileCompletion))
        #expect(await completer.complete(["rotate", "--client-certificate", "/tmp/"]).directive == .fileCompletion)
        #expect(await completer.complete(["rotate", "--client-certificate=/tmp/"]) == .nothing)
    }

    @Test func renderedAsKubectlExpects() {
        let result = CompletionResult(
            candidates: [CompletionCandidate("status", "Show every gateway's token:\texpiry\nand more"), CompletionCandidate("rotate")],
            directive: .noFileCompletion)
        #expect(result.rendered == "status\tShow every gateway's token: expiry and more\nrotate\n:4\n")
        #expect(CompletionResult(candidates: [], directive: [.noFileCompletion, .noSpace]).rendered == ":6\n")
    }
}

// MARK: -

/// Option kinds the real tree does not use (yet): enum values such as install-cronjob's `--identity`, files by
/// extension, directories, and Swift `.custom` closures run in-process through `---completion`.
@Suite struct CompletionDeclaredKindsTests {
    func completer() throws -> PluginCompleter {
        PluginCompleter(
            tree: try CompletionCommand.tree(of: CompletionFakeRoot.self), environment: Environment(["HOME": CompletionFixtures.freshDirectory("home")]),
            workingDirectory: "/",
            customCompletion: { subcommands, option, words in
                await CompletionEntryPoint.customCompletion(root: CompletionFakeRoot.self, subcommands: subcommands, option: option, words: words)
            })
    }

    @Test func enumValues() async throws {
        #expect(
            try await completer().complete(["install-cronjob", "--identity", ""]).values
                == ["workload-identity", "aad-pod-identity", "service-principal"])
        #expect(try await completer().complete(["install", "--identity=s"]).values == ["--identity=service-principal"])
    }

    @Test func knownValuesOfPlainStringOptions() async throws {
        #expect(try await completer().complete(["install-cronjob", "--dry-run="]).values == ["--dry-run=client", "--dry-run=server"])
        #expect(try await completer().complete(["install-cronjob", "--login-method", "w"]).values == ["workload-identity"])
        #expect(try await completer().complete(["install-cronjob", "-o", ""]).values == ["yaml", "json"])
    }

    @Test func aListDeclaredInTheTreeWins() async throws {
        #expect(try await completer().complete(["install-cronjob", "--letter", ""]).values == ["a", "b"])
    }

    @Test func customClosureRunsInProcess() async throws {
        let result = try await completer().complete(["install-cronjob", "--uninstall", "--gateway", "gw"])
        // The closure saw the whole line (command name first), the index of the word and the prefix; only the
        // candidates that start with the prefix are kept.
        #expect(result.values == ["gw-4-gw", "gw-b"])
        #expect(try await completer().complete(["install-cronjob", "--slow", ""]).values == ["async-one", "async-two"])
    }

    @Test func filesByExtensionAndDirectories() async throws {
        #expect(
            try await completer().complete(["install-cronjob", "--cert", ""])
                == CompletionResult(candidates: [CompletionCandidate("pem")], directive: .filterFileExtensions))
        #expect(try await completer().complete(["install-cronjob", "--dir", ""]) == CompletionResult(candidates: [], directive: .filterDirectories))
    }

    @Test func hiddenFlagsAreNotOffered() async throws {
        let values = try await completer().complete(["install-cronjob", "--"]).values
        #expect(values.contains("--uninstall"))
        #expect(!values.contains("--secret"))
    }

    @Test func subcommandsWithAbstracts() async throws {
        let result = try await completer().complete([""])
        #expect(result.candidates.first == CompletionCandidate("install-cronjob", "Install the CronJob."))
    }
}
