/// The kubectl flags that choose a connection: `--kubeconfig`, `--context`, `-n/--namespace`.
public struct KubeConfigFlags: Sendable, Equatable {
    /// `--kubeconfig`: load exactly this file, which must exist.
    public var kubeconfig: String?
    /// `--context`: use this context instead of `current-context`.
    public var context: String?
    /// `-n/--namespace`: overrides the context's namespace.
    public var namespace: String?

    /// Creates the flag values (`nil` = not given).
    public init(kubeconfig: String? = nil, context: String? = nil, namespace: String? = nil) {
        self.kubeconfig = kubeconfig.flatMap { $0.isEmpty ? nil : $0 }
        self.context = context.flatMap { $0.isEmpty ? nil : $0 }
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
    }
}
