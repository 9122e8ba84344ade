import APIMToken
import ArgumentParser
import FoundationEssentials

/// The kubectl connection flags every command accepts (kubectl parses no flags for plugins).
struct KubeOptions: ParsableArguments {
    @Option(name: .customLong("kubeconfig"), help: ArgumentHelp("Path to the kubeconfig file to use.", valueName: "path"))
    var kubeconfig: String?

    @Option(
        help: ArgumentHelp("The kubeconfig context to use.", valueName: "name"),
        completion: .custom(KubeConfigCandidates.customCompletion(\.contexts)))
    var context: String?

    @Option(
        name: [.short, .long], help: ArgumentHelp("The namespace (default: the context's, else NAMESPACE, else default).", valueName: "name"),
        completion: .custom(KubeConfigCandidates.customCompletion(\.namespaces)))
    var namespace: String?

    @Option(
        name: .customLong("request-timeout"),
        help: ArgumentHelp("The time limit of each API request, e.g. 30s (0 means the default of 60s).", valueName: "duration"))
    var requestTimeout: String?

    func validate() throws {
        if let requestTimeout, requestTimeout != "0", DurationText.parse(requestTimeout) == nil, Double(requestTimeout) == nil {
            throw ValidationError("--request-timeout \"\(requestTimeout)\" is not a duration; use a value such as 30s or 1m")
        }
    }

    /// The flags for kubeconfig resolution; apim-shg-rotate's NAMESPACE fills in for a missing -n.
    func flags(environment: Environment) -> KubeConfigFlags {
        KubeConfigFlags(kubeconfig: kubeconfig, context: context, namespace: namespace ?? environment[.namespace])
    }

    /// `--request-timeout` as a duration (nil: the default).
    var timeout: Duration? {
        guard let requestTimeout, requestTimeout != "0" else { return nil }
        let seconds = DurationText.parse(requestTimeout) ?? Double(requestTimeout) ?? 0
        return seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : nil
    }
}

/// `-v/--verbose` and `--no-color`.
struct GlobalOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "More detail on stderr; repeat (-vvv) for more. Secrets are never shown.")
    var verbose: Int

    @Flag(name: .customLong("no-color"), help: "No colour (also when NO_COLOR is set).")
    var noColor = false
}

/// Parses a `--flag DURATION` value.
func parseDuration(_ text: String, flag: String) throws -> TimeInterval {
    guard let value = DurationText.parse(text) else {
        throw ValidationError("\(flag) \"\(text)\" is not a duration; use a value such as 90s, 15m, 12h, 10d or 1d12h")
    }
    return value
}
