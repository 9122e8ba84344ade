/// Annotation and label keys this tool reads and writes.
public enum Annotations {
    /// The key that signed the token now in the Secret (`primary`/`secondary`); apim-shg-rotate's name, kept as is.
    public static let lastUsedKey = "last-used-key"
    /// When this tool last wrote the token (RFC 3339).
    public static let rotatedAt = "apimtoken.kubectl-plugin/rotated-at"
    /// When the token in the Secret expires (RFC 3339).
    public static let expiresAt = "apimtoken.kubectl-plugin/expires-at"
    /// `switch-key --regenerate-old`: the key to regenerate once every rollout is complete, written with the token so
    /// that a re-run after a kill finishes the switch instead of switching again; removed once the key is regenerated.
    public static let regeneratePending = "apimtoken.kubectl-plugin/regenerate-pending"
    /// A fleet `switch-key --regenerate-old`: a short SHA-256 fingerprint of the pending key's value before the switch
    /// (never the key). A re-run that finds the key's value changed knows it was regenerated and does not do it again.
    /// It stays after the switch, as its record, until the next token write.
    public static let regenerateFingerprint = "apimtoken.kubectl-plugin/regenerate-fingerprint"
    /// The label on an installed CronJob that names the Secret it rotates.
    public static let cronJobSecretLabel = "apimtoken.kubectl-plugin/secret"
    /// The annotation `kubectl rollout restart` sets on the pod template.
    public static let restartedAt = "kubectl.kubernetes.io/restartedAt"
    /// The label every installed object carries.
    public static let managedByLabel = "app.kubernetes.io/managed-by"
    /// This tool's name as field manager, event source and `managed-by` value.
    public static let fieldManager = "kubectl-apimtoken"
}
