import ArgumentParser
import FoundationEssentials

/// The command tree as completion needs it: subcommands, and each command's flags and options with their values.
///
/// It is read from ArgumentParser's `_dumpHelp()` JSON (the `ToolInfoV0` format that `--experimental-dump-help`
/// prints), so a flag added to any command or option group is completed without touching this file. `_dumpHelp()`
/// is underscored API: the package pins swift-argument-parser exactly, and `CompletionTreeTests` fails loudly if the
/// format stops decoding or loses a known command or flag.
struct CompletionCommand: Equatable, Sendable {
    /// The name the command is invoked by (the root's is its display name, e.g. `kubectl apimtoken`).
    var name: String
    /// Other names that invoke it.
    var aliases: [String]
    /// One line of help.
    var abstract: String?
    /// Whether help lists it (hidden commands are not offered).
    var isVisible: Bool
    /// Its subcommands, in declaration order (ArgumentParser's `help` included).
    var subcommands: [CompletionCommand]
    /// Its flags and options (positionals are not kept: nothing offline can name them).
    var options: [CompletionOption]

    /// The subcommand invoked by `word`, if any.
    func subcommand(named word: String) -> CompletionCommand? {
        subcommands.first { $0.name == word || $0.aliases.contains(word) }
    }

    /// The flag or option spelled `spelling` (`--token-key`, `-k`), if any.
    func option(spelled spelling: String) -> CompletionOption? {
        options.first { $0.spellings.contains(spelling) }
    }
}

// MARK: -

/// One flag (`--dry-run`) or option (`--token-key VALUE`) of a command.
struct CompletionOption: Equatable, Sendable {
    /// Every spelling, long names first: `--token-key`, `-k`.
    var spellings: [String]
    /// Whether it takes a value (an option) or not (a flag).
    var takesValue: Bool
    /// Whether it may be given more than once.
    var isRepeating: Bool
    /// Whether help lists it.
    var isVisible: Bool
    /// One line of help.
    var abstract: String?
    /// The value placeholder help shows (`mode`, `path`).
    var valueName: String?
    /// How its value completes, as declared in the command tree.
    var declaredValues: DeclaredValues

    /// The first long spelling (`--token-key`), else the first spelling.
    var preferredSpelling: String { spellings.first { $0.hasPrefix("--") } ?? spellings[0] }

    /// The long name without dashes (`token-key`), if it has one.
    var longName: String? { spellings.first { $0.hasPrefix("--") }.map { String($0.dropFirst(2)) } }

    /// What the command tree says about an option's values.
    enum DeclaredValues: Equatable, Sendable {
        /// Nothing: any string.
        case unspecified
        /// Exactly these values (an enum's cases or `completion: .list`), with descriptions where declared.
        case list([String], descriptions: [String: String])
        /// A file name, optionally with one of these extensions.
        case file(extensions: [String])
        /// A directory name.
        case directory
        /// A Swift closure in the command (`completion: .custom`), reached through `---completion`.
        case custom
        /// A shell command (`completion: .shellCommand`); not run by the kubectl completer.
        case shellCommand
    }
}

// MARK: - Reading the tree

extension CompletionCommand {
    /// The tree of `command`, read from its `_dumpHelp()` JSON.
    static func tree(of command: any ParsableCommand.Type) throws -> CompletionCommand {
        try tree(fromDumpHelp: Data(command._dumpHelp().utf8))
    }

    /// The tree in ToolInfo JSON (`serializationVersion` 0).
    static func tree(fromDumpHelp json: Data) throws -> CompletionCommand {
        let info = try JSONDecoder().decode(DumpedTool.self, from: json)
        guard info.serializationVersion == 0 else {
            throw CompletionTreeError(
                "ArgumentParser's help dump has serializationVersion \(info.serializationVersion); completion reads version 0")
        }
        return CompletionCommand(info.command)
    }

    private init(_ command: DumpedCommand) {
        self.init(
            name: command.commandName, aliases: command.aliases ?? [], abstract: command.abstract,
            isVisible: command.shouldDisplay ?? true, subcommands: (command.subcommands ?? []).map(CompletionCommand.init),
            options: (command.arguments ?? []).compactMap(CompletionOption.init))
    }
}

extension CompletionOption {
    fileprivate init?(_ argument: DumpedArgument) {
        guard argument.kind != "positional" else { return nil }
        let names = (argument.names ?? []).map { name in
            name.kind == "long" ? "--\(name.name)" : "-\(name.name)"
        }
        guard !names.isEmpty else { return nil }
        let values: DeclaredValues
        switch argument.completionKind {
        case .list(let list)?: values = .list(list, descriptions: argument.allValueDescriptions ?? [:])
        case .file(let extensions)?: values = .file(extensions: extensions)
        case .directory?: values = .directory
        case .custom?: values = .custom
        case .shellCommand?: values = .shellCommand
        case nil:
            if let all = argument.allValues, !all.isEmpty {
                values = .list(all, descriptions: argument.allValueDescriptions ?? [:])
            } else {
                values = .unspecified
            }
        }
        self.init(
            spellings: names.sorted { ($0.hasPrefix("--") ? 0 : 1) < ($1.hasPrefix("--") ? 0 : 1) },
            takesValue: argument.kind == "option", isRepeating: argument.isRepeating ?? false,
            isVisible: argument.shouldDisplay ?? true, abstract: argument.abstract, valueName: argument.valueName,
            declaredValues: values)
    }
}

/// The help dump could not be read.
struct CompletionTreeError: Error, CustomStringConvertible {
    /// What is wrong with it.
    var description: String
    /// An error saying `description`.
    init(_ description: String) { self.description = description }
}

// MARK: - ToolInfoV0, as much of it as completion reads

/// The top of ArgumentParser's `ToolInfoV0`.
private struct DumpedTool: Decodable {
    var serializationVersion: Int
    var command: DumpedCommand
}

/// `CommandInfoV0`.
private struct DumpedCommand: Decodable {
    var commandName: String
    var aliases: [String]?
    var abstract: String?
    var shouldDisplay: Bool?
    var subcommands: [DumpedCommand]?
    var arguments: [DumpedArgument]?
}

/// `ArgumentInfoV0`.
private struct DumpedArgument: Decodable {
    struct Name: Decodable {
        var kind: String
        var name: String
    }

    var kind: String
    var shouldDisplay: Bool?
    var isRepeating: Bool?
    var names: [Name]?
    var valueName: String?
    var allValues: [String]?
    var allValueDescriptions: [String: String]?
    var completionKind: DumpedCompletionKind?
    var abstract: String?
}

/// `ArgumentInfoV0.CompletionKindV0`, encoded as Swift encodes an enum with associated values:
/// `{"list":{"values":[…]}}`, `{"file":{"extensions":[…]}}`, `{"directory":{}}`, `{"custom":{}}`.
private enum DumpedCompletionKind: Decodable {
    case list([String])
    case file([String])
    case directory, custom, shellCommand

    private enum Keys: String, CodingKey { case list, file, directory, shellCommand, custom, customAsync, customDeprecated }
    private enum ListKeys: String, CodingKey { case values }
    private enum FileKeys: String, CodingKey { case extensions }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if container.contains(.list) {
            self = .list(try container.nestedContainer(keyedBy: ListKeys.self, forKey: .list).decode([String].self, forKey: .values))
        } else if container.contains(.file) {
            self = .file(try container.nestedContainer(keyedBy: FileKeys.self, forKey: .file).decode([String].self, forKey: .extensions))
        } else if container.contains(.directory) {
            self = .directory
        } else if container.contains(.shellCommand) {
            self = .shellCommand
        } else if container.contains(.custom) || container.contains(.customAsync) || container.contains(.customDeprecated) {
            self = .custom
        } else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "unknown completion kind \(container.allKeys)"))
        }
    }
}
