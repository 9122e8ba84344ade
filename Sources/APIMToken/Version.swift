/// The version of kubectl-apimtoken.
public enum APIMTokenVersion {
    /// The released version string, without a leading `v`.
    public static let current = "0.1.0"
}
