import FoundationEssentials

/// The credential an exec plugin printed (`ExecCredential.status`, `client.authentication.k8s.io/v1` or `v1beta1`).
public struct ExecCredential: Sendable, Equatable {
    /// `status.token`: sent as `Authorization: Bearer …`.
    public var token: Redacted<String>?
    /// `status.expirationTimestamp`: the credential is reused until then; `nil` = until a 401.
    public var expirationTimestamp: Date?
    /// `status.clientCertificateData`: a PEM client certificate.
    public var clientCertificateData: Data?
    /// `status.clientKeyData`: the PEM private key for `clientCertificateData`.
    public var clientKeyData: Redacted<Data>?

    /// Creates a credential.
    public init(token: Redacted<String>? = nil, expirationTimestamp: Date? = nil, clientCertificateData: Data? = nil, clientKeyData: Redacted<Data>? = nil) {
        self.token = token
        self.expirationTimestamp = expirationTimestamp
        self.clientCertificateData = clientCertificateData
        self.clientKeyData = clientKeyData
    }

    /// Whether the credential has expired at `now` (client-go: strictly after the timestamp).
    public func isExpired(at now: Date) -> Bool {
        guard let expirationTimestamp else { return false }
        return now > expirationTimestamp
    }

    // MARK: - Parsing

    /// Parses a plugin's standard output (JSON, or YAML as client-go's decoder also accepts), checking it
    /// with client-go's rules and wording. No part of the output is ever quoted in an error.
    public static func parse(_ output: Data, expectedAPIVersion: String) throws -> ExecCredential {
        let node: KubeConfigNode
        do {
            node = try KubeConfigYAML.parse(output, limits: KubeConfigYAML.Limits(maxBytes: 1024 * 1024, maxDepth: 32, maxAliasNodes: 10_000))
        } catch let failure as KubeConfigYAML.Failure {
            throw ExecCredentialError("decoding stdout: \(failure.reason)")
        }
        guard case .mapping = node else {
            throw ExecCredentialError("decoding stdout: the output is not an ExecCredential object")
        }
        let apiVersion = node["apiVersion"]?.text ?? ""
        let kind = node["kind"]?.text ?? ""
        guard !apiVersion.isEmpty, kind == "ExecCredential" else {
            throw ExecCredentialError("decoding stdout: the output has apiVersion \"\(apiVersion)\" and kind \"\(kind)\", expected an ExecCredential")
        }
        guard apiVersion == expectedAPIVersion else {
            throw ExecCredentialError("exec plugin is configured to use API version \(expectedAPIVersion), plugin returned version \(apiVersion)")
        }
        guard let status = node["status"], case .mapping = status else {
            throw ExecCredentialError("exec plugin didn't return a status field")
        }
        let token = status["token"]?.text ?? ""
        let certificate = status["clientCertificateData"]?.text ?? ""
        let key = status["clientKeyData"]?.text ?? ""
        if token.isEmpty && certificate.isEmpty && key.isEmpty {
            throw ExecCredentialError("exec plugin didn't return a token or cert/key pair")
        }
        if certificate.isEmpty != key.isEmpty {
            throw ExecCredentialError("exec plugin returned only certificate or key, not both")
        }
        var expiry: Date?
        if let stamp = status["expirationTimestamp"]?.text, !stamp.isEmpty {
            guard let date = RFC3339.parse(stamp) else {
                throw ExecCredentialError("decoding stdout: status.expirationTimestamp \"\(stamp)\" is not an RFC 3339 time")
            }
            expiry = date
        }
        return ExecCredential(
            token: token.isEmpty ? nil : Redacted(token),
            expirationTimestamp: expiry,
            clientCertificateData: certificate.isEmpty ? nil : Data(certificate.utf8),
            clientKeyData: key.isEmpty ? nil : Redacted(Data(key.utf8)))
    }
}
