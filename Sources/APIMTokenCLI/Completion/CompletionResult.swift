/// One completion candidate: the word, and an optional description that zsh and fish show beside it.
struct CompletionCandidate: Equatable, Sendable {
    /// The text that replaces the word being completed.
    var value: String
    /// One line shown next to it (not inserted).
    var description: String?

    /// A candidate `value`, described by `description`.
    init(_ value: String, _ description: String? = nil) {
        self.value = value
        self.description = description
    }

    /// `value` or `value<TAB>description`, on one line whatever the description holds.
    var line: String {
        guard let description, !description.isEmpty else { return value }
        let flat = description.split(whereSeparator: { $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        return "\(value)\t\(flat)"
    }
}

// MARK: -

/// Cobra's `ShellCompDirective`, which kubectl reads from the last line (`:4`) of a plugin completer's output.
struct CompletionDirective: OptionSet, Equatable, Sendable {
    /// The number printed after `:`.
    let rawValue: Int

    /// Something went wrong; the shell offers nothing.
    static let error = CompletionDirective(rawValue: 1)
    /// No space after the completed word (for values such as `deployment/`).
    static let noSpace = CompletionDirective(rawValue: 2)
    /// No file names when there are no candidates.
    static let noFileCompletion = CompletionDirective(rawValue: 4)
    /// The candidates are file extensions to filter file names by.
    static let filterFileExtensions = CompletionDirective(rawValue: 8)
    /// Complete directory names only.
    static let filterDirectories = CompletionDirective(rawValue: 16)
    /// Keep the candidates in the given order.
    static let keepOrder = CompletionDirective(rawValue: 32)

    /// The shell's own file-name completion.
    static let fileCompletion: CompletionDirective = []
}

// MARK: -

/// What the completer answers: candidates, then how the shell should treat them.
struct CompletionResult: Equatable, Sendable {
    /// The candidates, already filtered by the prefix typed so far.
    var candidates: [CompletionCandidate]
    /// How the shell should treat them.
    var directive: CompletionDirective

    /// No candidates, and no file names either.
    static let nothing = CompletionResult(candidates: [], directive: .noFileCompletion)

    /// The candidate words alone.
    var values: [String] { candidates.map(\.value) }

    /// The output kubectl expects: one candidate per line, then `:<directive>`.
    var rendered: String {
        (candidates.map(\.line) + [":\(directive.rawValue)"]).joined(separator: "\n") + "\n"
    }
}
