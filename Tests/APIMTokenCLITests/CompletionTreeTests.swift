import Foundation
import Testing

@testable import APIMTokenCLI

/// The command tree comes from ArgumentParser's underscored `_dumpHelp()`. These tests pin what completion reads
/// from it, so an ArgumentParser upgrade that changes the format fails here rather than in users' shells.
@Suite struct CompletionTreeTests {
    @Test func readsTheSubcommandsOfTheRealCommand() throws {
        let tree = try CompletionFixtures.realTree()
        let names = tree.subcommands.map(\.name)
        for name in ["status", "rotate", "switch-key", "help"] { #expect(names.contains(name), "\(names)") }
        #expect(tree.subcommand(named: "rotate")?.abstract?.isEmpty == false)
    }

    @Test func readsOptionsFromEveryOptionGroup() throws {
        let rotate = try #require(try CompletionFixtures.realTree().subcommand(named: "rotate"))
        let tokenKey = try #require(rotate.option(spelled: "-k"))
        #expect(tokenKey.spellings == ["--token-key", "-k"])
        #expect(tokenKey.takesValue)
        #expect(tokenKey.declaredValues == .list(["last", "rotate", "primary", "secondary"], descriptions: [:]))
        // KubeOptions, LoginFlags, TargetOptions and GlobalOptions are option groups; their flags are the command's.
        for spelling in ["--kubeconfig", "--context", "-n", "--namespace", "--login-method", "--subscription-id", "-v", "--help"] {
            #expect(rotate.option(spelled: spelling) != nil, "\(spelling)")
        }
        let dryRun = try #require(rotate.option(spelled: "--dry-run"))
        #expect(!dryRun.takesValue)
        #expect(rotate.option(spelled: "-v")?.isRepeating == true)
    }

    @Test func readsEnumValuesOfOutput() throws {
        let tree = try CompletionFixtures.realTree()
        #expect(tree.subcommand(named: "status")?.option(spelled: "-o")?.declaredValues == .list(["table", "wide", "json", "yaml"], descriptions: [:]))
        #expect(tree.subcommand(named: "rotate")?.option(spelled: "--output")?.declaredValues == .list(["text", "json"], descriptions: [:]))
    }

    @Test func readsEveryCompletionKind() throws {
        let install = try #require(try CompletionCommand.tree(of: CompletionFakeRoot.self).subcommand(named: "install"))
        #expect(install.name == "install-cronjob")
        #expect(
            install.option(spelled: "--identity")?.declaredValues
                == .list(["workload-identity", "aad-pod-identity", "service-principal"], descriptions: [:]))
        #expect(install.option(spelled: "--gateway")?.declaredValues == .custom)
        #expect(install.option(spelled: "--slow")?.declaredValues == .custom)
        #expect(install.option(spelled: "--cert")?.declaredValues == .file(extensions: ["pem"]))
        #expect(install.option(spelled: "--dir")?.declaredValues == .directory)
        #expect(install.option(spelled: "--letter")?.declaredValues == .list(["a", "b"], descriptions: [:]))
        #expect(install.option(spelled: "--login-method")?.declaredValues == .unspecified)
        #expect(install.option(spelled: "--secret")?.isVisible == false)
    }

    /// The JSON shape itself (ToolInfoV0), so a change shows as a decoding failure with the field named.
    @Test func decodesToolInfoJSON() throws {
        let json = """
            {"serializationVersion":0,"command":{"commandName":"root","subcommands":[{"commandName":"sub","aliases":["s"],
             "shouldDisplay":false,"arguments":[
              {"kind":"option","shouldDisplay":true,"isOptional":true,"isRepeating":false,"parsingStrategy":"default",
               "names":[{"kind":"short","name":"k"},{"kind":"long","name":"key"}],"valueName":"mode",
               "completionKind":{"list":{"values":["x","y"]}},"abstract":"The key."},
              {"kind":"flag","shouldDisplay":true,"isOptional":true,"isRepeating":true,"parsingStrategy":"default",
               "names":[{"kind":"short","name":"v"}]},
              {"kind":"positional","shouldDisplay":true,"isOptional":true,"isRepeating":true,"parsingStrategy":"default",
               "valueName":"gateway"}]}]}}
            """
        let tree = try CompletionCommand.tree(fromDumpHelp: Data(json.utf8))
        let sub = try #require(tree.subcommand(named: "s"))
        #expect(!sub.isVisible)
        #expect(sub.options.count == 2)
        #expect(
            sub.option(spelled: "--key")
                == CompletionOption(
                    spellings: ["--key", "-k"], takesValue: true, isRepeating: false, isVisible: true, abstract: "The key.", valueName: "mode",
                    declaredValues: .list(["x", "y"], descriptions: [:])))
        #expect(sub.option(spelled: "-v")?.isRepeating == true)
    }

    @Test func refusesAnotherSerializationVersion() {
        #expect(throws: CompletionTreeError.self) {
            try CompletionCommand.tree(fromDumpHelp: Data(#"{"serializationVersion":1,"command":{"commandName":"x"}}"#.utf8))
        }
    }
}
