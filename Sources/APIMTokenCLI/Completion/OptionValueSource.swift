import APIMToken

/// Where the values of one option come from when completing it.
enum OptionValueSource: Equatable, Sendable {
    /// A fixed set of words; `noSpace` when each is only the start of a value (`deployment/`).
    case words([CompletionCandidate], noSpace: Bool = false)
    /// The kubeconfig's contexts.
    case contexts
    /// The kubeconfig's contexts as a comma-separated list (`--contexts a,b,…`): the word after the last comma.
    case contextList
    /// The namespaces the kubeconfig's contexts name.
    case namespaces
    /// The shell's file names, optionally only with these extensions.
    case files(extensions: [String])
    /// The shell's directory names.
    case directories
    /// The option's own Swift completion closure, run in-process through ArgumentParser's `---completion`.
    case custom
    /// Free text (durations, ids, names only Azure knows): nothing to offer, and no file names.
    case none

    /// The source for `option`: kubeconfig-backed names first, then what the command tree declares, then
    /// ``knownWords`` for options that take a plain `String` today, then file names for a `path` value.
    static func of(_ option: CompletionOption) -> OptionValueSource {
        switch option.longName {
        case "context": return .contexts
        case "contexts": return .contextList
        case "namespace": return .namespaces
        case "kubeconfig": return .files(extensions: [])
        default: break
        }
        switch option.declaredValues {
        case .list(let values, let descriptions):
            return .words(values.map { CompletionCandidate($0, descriptions[$0]) })
        case .file(let extensions): return .files(extensions: extensions)
        case .directory: return .directories
        case .custom: return .custom
        case .shellCommand: return .none
        case .unspecified:
            if let name = option.longName, let known = knownWords[name] { return known }
            return option.valueName == "path" ? .files(extensions: []) : .none
        }
    }

    /// Values of options declared as plain strings, keyed by long name. A value list declared in the command tree
    /// (an enum or `completion: .list`) takes precedence, so an entry here can go once its option declares one.
    static let knownWords: [String: OptionValueSource] = [
        "login-method": .words(LoginMethod.allCases.map { CompletionCandidate($0.rawValue, $0.completionSummary) }),
        "identity": .words([
            CompletionCandidate("workload-identity", "Azure AD Workload Identity (default)"),
            CompletionCandidate("aad-pod-identity", "managed identity through aad-pod-identity"),
            CompletionCandidate("service-principal", "a service principal's secret or certificate"),
        ]),
        "dry-run": .words([
            CompletionCandidate("client", "print the manifests, send nothing"),
            CompletionCandidate("server", "send with dryRun=All, persist nothing"),
        ]),
        "output": .words([CompletionCandidate("yaml"), CompletionCandidate("json")]),
        "cloud": .words(AzureCloud.all.map { CompletionCandidate($0.name, $0.resourceManagerEndpoint.host ?? "") }),
        "restart": .words(
            ["deployment/", "statefulset/", "daemonset/"].map { CompletionCandidate($0) }, noSpace: true),
    ]
}

extension LoginMethod {
    /// One line for the completion menu.
    var completionSummary: String {
        switch self {
        case .auto: "workload identity, else a service principal, else managed identity, else the Azure CLI"
        case .workloadIdentity: "Azure AD Workload Identity"
        case .identity: "managed identity through IMDS (also aad-pod-identity)"
        case .sp: "service principal with a secret or certificate"
        case .azurecli: "the Azure CLI's signed-in account"
        }
    }
}
