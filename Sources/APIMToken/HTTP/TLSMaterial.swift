import FoundationEssentials

/// Where a PEM item comes from: inline bytes (kubeconfig `*-data`) or a file path.
public enum PEMSource: Sendable, Equatable {
    /// PEM (or DER) bytes held in memory; passed to libcurl as a `*_BLOB`.
    case data(Data)
    /// A file path, passed to libcurl as a path.
    case file(String)
}

/// How a transport verifies the server and identifies itself (kubeconfig cluster and user TLS settings).
public struct TLSMaterial: Sendable, Equatable {
    /// Trusted CA certificates. `nil` uses the system trust store (plus `extraCAFile`).
    public var certificateAuthority: PEMSource?
    /// Additional CA bundle to trust besides the system store (`SSL_CERT_FILE` for Azure endpoints).
    public var extraCAFile: String?
    /// The client certificate, when the user authenticates with one.
    public var clientCertificate: PEMSource?
    /// The client certificate's private key. Held as data never appears in output.
    public var clientKey: PEMSource?
    /// `insecure-skip-tls-verify`: do not verify the server (warned about on every use).
    public var insecureSkipVerify: Bool
    /// `tls-server-name`: the name to verify the server certificate against (and send as SNI).
    public var serverName: String?

    /// Creates TLS settings; the default verifies against the system trust store.
    public init(
        certificateAuthority: PEMSource? = nil,
        extraCAFile: String? = nil,
        clientCertificate: PEMSource? = nil,
        clientKey: PEMSource? = nil,
        insecureSkipVerify: Bool = false,
        serverName: String? = nil
    ) {
        self.certificateAuthority = certificateAuthority
        self.extraCAFile = extraCAFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}

/// How a transport reaches the network: an explicit proxy (kubeconfig `proxy-url`) or the environment.
public enum ProxySetting: Sendable, Equatable {
    /// Use `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` from the environment (libcurl's own rules, like Go's).
    case environment
    /// Use this proxy URL for every request (kubeconfig `proxy-url`; `NO_PROXY` does not apply, as in client-go).
    case url(String)
    /// Never use a proxy.
    case none
}
