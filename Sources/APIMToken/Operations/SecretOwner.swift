// MARK: - SecretOwner

/// Who else writes the token Secret. A Secret that another system keeps in sync would have a rotated token reverted at
/// the next sync, so `rotate` refuses it before any Azure call; a Helm-managed one is rotated with a warning.
public enum SecretOwner: Sendable, Equatable {
    /// `immutable: true`: the API server refuses any change to its data.
    case immutable
    /// An `ExternalSecret` of the External Secrets Operator owns it (its controller reference).
    case externalSecret(name: String)
    /// The Secrets Store CSI driver syncs it from a `SecretProviderClass` (label `secrets-store.csi.k8s.io/managed`).
    case secretsStoreCSI(providerClass: String?)
    /// A Helm release renders it (`app.kubernetes.io/managed-by: Helm`).
    case helm(release: String?)

    /// The CSI driver's label on the Secrets it syncs.
    public static let csiManagedLabel = "secrets-store.csi.k8s.io/managed"

    /// What owns `secret`, most restrictive first; nil when nothing does.
    public static func of(_ secret: Secret) -> SecretOwner? {
        let metadata = secret.metadata
        if secret.immutable == true { return .immutable }
        if let owner = metadata.ownerReferences?.first(where: { $0.kind == "ExternalSecret" && $0.apiVersion.hasPrefix("external-secrets.io/") }) {
            return .externalSecret(name: owner.name)
        }
        if metadata.labels?[csiManagedLabel] == "true" {
            let provider = metadata.ownerReferences?.first { $0.kind == "SecretProviderClassPodStatus" }?.name
            return .secretsStoreCSI(providerClass: provider)
        }
        if metadata.labels?[Annotations.managedByLabel] == "Helm" {
            return .helm(release: metadata.annotation("meta.helm.sh/release-name") ?? metadata.labels?["app.kubernetes.io/instance"])
        }
        return nil
    }

    /// A short name for `status -o wide` and JSON: `immutable`, `external-secrets/NAME`, `secrets-store-csi`,
    /// `helm/RELEASE`.
    public var label: String {
        switch self {
        case .immutable: "immutable"
        case .externalSecret(let name): "external-secrets/\(name)"
        case .secretsStoreCSI: "secrets-store-csi"
        case .helm(let release): "helm/\(release ?? "?")"
        }
    }

    /// Whether a rotation must be refused (everything but Helm).
    public var refusesRotation: Bool { if case .helm = self { false } else { true } }

    /// Why a rotation is refused, and what to do instead.
    public func refusal(secret: String, namespace: String) -> ConfigurationError {
        switch self {
        case .immutable:
            ConfigurationError(
                "Secret \"\(secret)\" in namespace \"\(namespace)\" is immutable (immutable: true); its token cannot be replaced in place",
                remedy:
                    "recreate it without immutable: true (kubectl get secret \(secret) -n \(namespace) -o yaml, remove the field, kubectl replace --force -f -), then rotate"
            )
        case .externalSecret(let name):
            ConfigurationError(
                "Secret \"\(secret)\" in namespace \"\(namespace)\" is owned by ExternalSecret \"\(name)\"; the next sync would revert a rotated token",
                remedy:
                    "rotate the token in the external store that ExternalSecret \(name) reads (for example, a CronJob that writes the store), or stop syncing this key"
            )
        case .secretsStoreCSI(let provider):
            ConfigurationError(
                "Secret \"\(secret)\" in namespace \"\(namespace)\" is synced by the Secrets Store CSI driver\(provider.map { " (\($0))" } ?? ""); the next sync would revert a rotated token",
                remedy:
                    "rotate the token in the external store (for example, the Key Vault secret that the SecretProviderClass mounts); the driver then syncs it")
        case .helm(let release):
            ConfigurationError("Secret \"\(secret)\" is managed by Helm release \(release ?? "?")")
        }
    }

    /// The warning printed when a Helm-managed Secret is rotated.
    public func warning(secret: String) -> String? {
        guard case .helm(let release) = self else { return nil }
        let name = release ?? "its release"
        return
            "warning: Secret \(secret) is managed by Helm release \(name); the next helm upgrade restores the chart's token. Prefer the chart's existingSecretName, or pass the new token to helm upgrade."
    }
}
