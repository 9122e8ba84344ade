import APIMToken
import FoundationEssentials

/// The contexts and namespaces a kubeconfig names, for `--context` and `-n/--namespace`.
///
/// Only the files are read (as kubectl would find them: `--kubeconfig`, else `KUBECONFIG`, else
/// `~/.kube/config`); no server is contacted, so a namespace appears only if some context names it.
struct KubeConfigCandidates: Equatable, Sendable {
    /// Every context, with its cluster and namespace as the description.
    var contexts: [CompletionCandidate]
    /// Every namespace some context names, with the contexts that name it as the description.
    var namespaces: [CompletionCandidate]

    /// Reads the kubeconfig; a missing or unreadable one gives no candidates (completion never prints errors).
    static func load(kubeconfig: String?, environment: Environment, workingDirectory: String) -> KubeConfigCandidates {
        let loader = KubeConfigLoader(environment: environment, workingDirectory: workingDirectory)
        let path = kubeconfig.map { expandingTilde($0, home: environment.homeDirectory) }
        guard let result = try? loader.load(explicitPath: path) else { return KubeConfigCandidates(contexts: [], namespaces: []) }
        return KubeConfigCandidates(config: result.config)
    }

    /// The candidates of a loaded configuration.
    init(config: KubeConfig) {
        contexts = config.contexts.keys.sorted().map { name in
            let context = config.contexts[name]
            var details: [String] = []
            if name == config.currentContext { details.append("current") }
            if let cluster = context?.cluster, !cluster.isEmpty { details.append("cluster \(cluster)") }
            if let namespace = context?.namespace, !namespace.isEmpty { details.append("namespace \(namespace)") }
            return CompletionCandidate(name, details.isEmpty ? nil : details.joined(separator: ", "))
        }
        var namingContexts: [String: [String]] = [:]
        for (name, context) in config.contexts {
            guard let namespace = context.namespace, !namespace.isEmpty else { continue }
            namingContexts[namespace, default: []].append(name)
        }
        namespaces = namingContexts.keys.sorted().map { namespace in
            let names = namingContexts[namespace, default: []].sorted()
            return CompletionCandidate(namespace, "\(names.count == 1 ? "context" : "contexts") \(names.joined(separator: ", "))")
        }
    }

    /// Explicit candidates.
    init(contexts: [CompletionCandidate], namespaces: [CompletionCandidate]) {
        self.contexts = contexts
        self.namespaces = namespaces
    }

    /// A `completion: .custom(…)` closure offering `candidates` (`\.contexts` or `\.namespaces`), for options
    /// completed by the bash, zsh and fish scripts: it honours a `--kubeconfig` among the shell's words.
    static func customCompletion(
        _ candidates: KeyPath<KubeConfigCandidates, [CompletionCandidate]> & Sendable, environment: Environment = .process
    ) -> @Sendable ([String], Int, String) -> [String] {
        { words, index, prefix in
            var kubeconfig: String?
            for (position, word) in words.enumerated() where position < index {
                if word == "--kubeconfig", position + 1 < index { kubeconfig = words[position + 1] }
                if word.hasPrefix("--kubeconfig=") { kubeconfig = String(word.dropFirst("--kubeconfig=".count)) }
            }
            let loaded = load(kubeconfig: kubeconfig, environment: environment, workingDirectory: FileManager.default.currentDirectoryPath)
            return loaded[keyPath: candidates].map(\.value).filter { $0.hasPrefix(prefix) }
        }
    }

    /// `~/x` as the shell would have expanded it (a word being completed is passed unexpanded).
    static func expandingTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }
}
