import APIMToken
import ArgumentParser
import FoundationEssentials

/// `--contexts a,b,…` and `--all-contexts`: one command over several clusters of the kubeconfig.
struct ContextOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Run against these kubeconfig contexts, comma-separated (each resolved as --context is).", valueName: "a,b,…"),
        completion: .custom(KubeConfigCandidates.customCompletion(\.contexts)))
    var contexts: String?

    @Flag(name: .customLong("all-contexts"), help: "Run against every context of the kubeconfig.")
    var allContexts = false

    func validate() throws {
        if contexts != nil && allContexts { throw ValidationError("--contexts and --all-contexts cannot be used together") }
        if let contexts, Self.split(contexts).isEmpty { throw ValidationError("--contexts needs at least one context name") }
    }

    /// Whether more than the current (or `--context`) cluster is asked for.
    var isMultiCluster: Bool { contexts != nil || allContexts }

    static func split(_ list: String) -> [String] {
        var seen = Set<String>()
        return list.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The context names to run against, checked against the kubeconfig (read as kubectl reads it).
    func names(kube: KubeOptions, environment: Environment) throws -> [String] {
        if kube.context != nil { throw ConfigurationError("--context names one cluster; it cannot be used with --contexts or --all-contexts") }
        let loader = KubeConfigLoader(environment: environment)
        let path = kube.kubeconfig.map { KubeConfigCandidates.expandingTilde($0, home: environment.homeDirectory) }
        let known = try loader.load(explicitPath: path).config.contexts.keys.sorted()
        guard allContexts else {
            let wanted = Self.split(contexts ?? "")
            let unknown = wanted.filter { !known.contains($0) }
            if !unknown.isEmpty {
                throw ConfigurationError(
                    "no context named \(unknown.joined(separator: ", ")) in the kubeconfig",
                    remedy: known.isEmpty ? "the kubeconfig has no contexts" : "contexts: \(known.joined(separator: ", "))")
            }
            return wanted
        }
        guard !known.isEmpty else { throw ConfigurationError("--all-contexts: the kubeconfig has no contexts", remedy: "check KUBECONFIG or --kubeconfig") }
        return known
    }
}
