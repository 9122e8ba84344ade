import APIMToken
import FoundationEssentials

/// Answers `kubectl_complete-apimtoken <args> <word>`: what can replace `<word>` after `kubectl apimtoken <args>`.
///
/// kubectl (≥ 1.26) runs the completer for `kubectl apimtoken <TAB>`, passing the words typed after the plugin name
/// and, last, the word under the cursor (empty after a space). It offers subcommands, the current command's flags,
/// option values the command tree declares, and kubeconfig contexts and namespaces. It reads only local files.
struct PluginCompleter: Sendable {
    /// Runs an option's Swift completion closure: the subcommand names below the root, the option's spelling, and
    /// every word of the command line (the completed one last). Returns the candidates.
    typealias CustomCompletion = @Sendable (_ subcommands: [String], _ option: String, _ words: [String]) async -> [String]

    /// The command tree.
    var tree: CompletionCommand
    /// The environment (`KUBECONFIG`, `HOME`).
    var environment: Environment
    /// The directory relative kubeconfig paths are resolved from.
    var workingDirectory: String
    /// How `.custom` completions are run; `nil` offers nothing for them.
    var customCompletion: CustomCompletion?

    /// Completes the last element of `arguments` (the words after `kubectl apimtoken`).
    func complete(_ arguments: [String]) async -> CompletionResult {
        let word = arguments.last ?? ""
        let line = CommandLineState(tree: tree, words: arguments.dropLast())

        if line.afterTerminator { return .nothing }
        if let option = line.pendingOption {
            return await values(of: option, prefix: word, insertedBefore: "", line: line)
        }
        if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
            let spelling = String(word[..<equals])
            guard let option = line.command.option(spelled: spelling), option.takesValue else { return .nothing }
            return await values(of: option, prefix: String(word[word.index(after: equals)...]), insertedBefore: spelling + "=", line: line)
        }
        if word.hasPrefix("-"), !word.hasPrefix("--"), word.count > 2,
            let option = line.command.option(spelled: String(word.prefix(2))), option.takesValue
        {
            // `-kro` or `-k=ro`: a short option with its value attached.
            let separator = word.dropFirst(2).hasPrefix("=") ? 3 : 2
            return await values(
                of: option, prefix: String(word.dropFirst(separator)), insertedBefore: String(word.prefix(separator)), line: line)
        }
        if word.hasPrefix("-") { return flags(of: line.command, prefix: word, used: line.used) }

        // A subcommand, `help`'s subcommand names, else (a leaf, nothing typed) the flags.
        if line.sawPositional && (line.isHelp || !line.command.subcommands.isEmpty) { return .nothing }
        let names = line.isHelp ? tree.subcommands.filter { $0.name != "help" } : line.command.subcommands
        let visible = names.filter(\.isVisible)
        if !visible.isEmpty {
            return CompletionResult(
                candidates: visible.filter { $0.name.hasPrefix(word) }.map { CompletionCandidate($0.name, $0.abstract) },
                directive: .noFileCompletion)
        }
        if word.isEmpty && !line.isHelp { return flags(of: line.command, prefix: word, used: line.used) }
        return .nothing
    }

    /// The flags of `command` that start with `prefix`; long spellings, plus short ones unless `--` was typed.
    func flags(of command: CompletionCommand, prefix: String, used: Set<String>) -> CompletionResult {
        var candidates: [CompletionCandidate] = []
        for option in command.options where option.isVisible && (option.isRepeating || !used.contains(option.preferredSpelling)) {
            for spelling in option.spellings where spelling.hasPrefix(prefix) && (spelling.hasPrefix("--") || !prefix.hasPrefix("--")) {
                candidates.append(CompletionCandidate(spelling, option.abstract))
            }
        }
        return CompletionResult(candidates: candidates, directive: .noFileCompletion)
    }

    /// The values of `option` that start with `prefix`, each with `insertedBefore` (e.g. `--token-key=`) in front.
    func values(of option: CompletionOption, prefix: String, insertedBefore: String, line: CommandLineState) async -> CompletionResult {
        func matching(_ candidates: [CompletionCandidate], _ directive: CompletionDirective = .noFileCompletion) -> CompletionResult {
            CompletionResult(
                candidates: candidates.filter { $0.value.hasPrefix(prefix) }.map { CompletionCandidate(insertedBefore + $0.value, $0.description) },
                directive: directive)
        }
        switch OptionValueSource.of(option) {
        case .words(let words, let noSpace):
            return matching(words, noSpace ? [.noFileCompletion, .noSpace] : .noFileCompletion)
        case .contexts:
            return matching(kubeConfig(line).contexts)
        case .contextList:
            // `a,b,c<TAB>`: the contexts not listed yet that start with `c`, each after `a,b,`.
            let head = prefix.lastIndex(of: ",").map { String(prefix[...$0]) } ?? ""
            let listed = Set(head.split(separator: ",").map(String.init))
            let rest = kubeConfig(line).contexts.filter { !listed.contains($0.value) }
            return matching(rest.map { CompletionCandidate(head + $0.value, $0.description) }, [.noFileCompletion, .noSpace])
        case .namespaces:
            return matching(kubeConfig(line).namespaces)
        case .files(let extensions):
            // The shell lists the files; with `--flag=` it cannot, so offer nothing rather than wrong words.
            guard insertedBefore.isEmpty else { return .nothing }
            return extensions.isEmpty
                ? CompletionResult(candidates: [], directive: .fileCompletion)
                : CompletionResult(candidates: extensions.map { CompletionCandidate($0) }, directive: .filterFileExtensions)
        case .directories:
            guard insertedBefore.isEmpty else { return .nothing }
            return CompletionResult(candidates: [], directive: .filterDirectories)
        case .custom:
            guard let customCompletion else { return .nothing }
            let words = line.path.dropFirst().map(\.name)
            let found = await customCompletion(words, option.preferredSpelling, line.words + [prefix])
            return matching(found.map { CompletionCandidate($0) })
        case .none:
            return .nothing
        }
    }

    private func kubeConfig(_ line: CommandLineState) -> KubeConfigCandidates {
        KubeConfigCandidates.load(kubeconfig: line.kubeconfig, environment: environment, workingDirectory: workingDirectory)
    }
}

// MARK: -

/// What the words before the one being completed say: which command, which flags, and whether an option waits for
/// its value. It follows ArgumentParser's syntax: `--name value`, `--name=value`, `-k value`, `-kvalue`, `-vvv`, `--`.
struct CommandLineState: Sendable {
    /// The words read.
    var words: [String]
    /// The root, then each subcommand named.
    var path: [CompletionCommand]
    /// The option whose value the next word is.
    var pendingOption: CompletionOption?
    /// The preferred spellings of the flags and options given.
    var used: Set<String> = []
    /// The `--kubeconfig` value given, if any.
    var kubeconfig: String?
    /// Whether `--` was given (everything after it is positional).
    var afterTerminator = false
    /// Whether a word that is neither a flag, an option value nor a subcommand was given to the command.
    var sawPositional = false

    /// The command being completed.
    var command: CompletionCommand { path[path.count - 1] }

    /// Whether the command is ArgumentParser's `help`, whose arguments are subcommand names.
    var isHelp: Bool { path.count == 2 && command.name == "help" }

    /// Reads `words` (those before the one being completed) against `tree`.
    init<Words: Collection<String>>(tree: CompletionCommand, words: Words) {
        self.words = Array(words)
        path = [tree]
        for word in words {
            if afterTerminator { continue }
            if let option = pendingOption {
                record(option, value: word)
                pendingOption = nil
            } else if word == "--" {
                afterTerminator = true
            } else if word.hasPrefix("--") {
                let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let option = command.option(spelled: String(parts[0])) else { continue }
                used.insert(option.preferredSpelling)
                if option.takesValue {
                    if parts.count == 2 { record(option, value: String(parts[1])) } else { pendingOption = option }
                }
            } else if word.hasPrefix("-"), word.count > 1 {
                readShortCluster(word)
            } else if !sawPositional, let subcommand = command.subcommand(named: word) {
                path.append(subcommand)
            } else {
                sawPositional = true
            }
        }
    }

    /// `-v`, `-vvv`, `-k`, `-krotate`: flags until the first option, which takes the rest (or the next word).
    private mutating func readShortCluster(_ word: String) {
        var rest = Substring(word.dropFirst())
        while let letter = rest.first {
            rest = rest.dropFirst()
            guard let option = command.option(spelled: "-\(letter)") else { return }
            used.insert(option.preferredSpelling)
            if option.takesValue {
                let value = rest.hasPrefix("=") ? rest.dropFirst() : rest
                if value.isEmpty { pendingOption = option } else { record(option, value: String(value)) }
                return
            }
        }
    }

    private mutating func record(_ option: CompletionOption, value: String) {
        if option.longName == "kubeconfig" { kubeconfig = value }
    }
}
