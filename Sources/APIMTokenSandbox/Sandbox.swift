/// The simulated Kubernetes API server and Azure endpoints on loopback (built by the sandbox issue).
public enum SandboxInfo {
    /// The sandbox's name as it introduces itself.
    public static let name = "apimtoken-sandbox"
}
