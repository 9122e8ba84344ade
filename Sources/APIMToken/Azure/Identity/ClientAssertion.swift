import Crypto
import FoundationEssentials
import _CryptoExtras

/// The JWS algorithm of a client assertion.
public enum ClientAssertionAlgorithm: String, Sendable, CaseIterable {
    /// RSASSA-PSS with SHA-256, with the `x5t#S256` header (the default, as current MSAL does).
    case ps256 = "PS256"
    /// RSASSA-PKCS1-v1_5 with SHA-256, with the SHA-1 `x5t` header (for older setups).
    case rs256 = "RS256"
}

/// Builds the signed JWT a certificate-based service principal presents to Microsoft Entra ID (RFC 7523).
public struct ClientAssertion: Sendable {
    /// The certificate and key that sign.
    public let certificate: ClientCertificate
    public let algorithm: ClientAssertionAlgorithm
    /// How long each assertion is valid.
    public let lifetime: TimeInterval

    /// Creates a builder.
    public init(certificate: ClientCertificate, algorithm: ClientAssertionAlgorithm = .ps256, lifetime: TimeInterval = 600) {
        self.certificate = certificate
        self.algorithm = algorithm
        self.lifetime = lifetime
    }

    /// A signed assertion: `aud` = the token endpoint, `iss` = `sub` = the client id, a fresh `jti`, `nbf`/`iat` = now,
    /// `exp` = now + lifetime.
    public func make(clientID: String, audience: String, now: Date, jti: String = UUID().uuidString.lowercased()) throws -> Redacted<String> {
        var header: [String: String] = ["alg": algorithm.rawValue, "typ": "JWT"]
        switch algorithm {
        case .ps256: header["x5t#S256"] = certificate.sha256Thumbprint
        case .rs256: header["x5t"] = certificate.sha1Thumbprint
        }
        let issued = Int(now.timeIntervalSince1970)
        let claims = Claims(
            aud: audience, iss: clientID, sub: clientID, jti: jti,
            nbf: issued, iat: issued, exp: issued + Int(lifetime))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let signingInput = Base64URL.encode(try encoder.encode(header)) + "." + Base64URL.encode(try encoder.encode(claims))
        let padding: _RSA.Signing.Padding = algorithm == .ps256 ? .PSS : .insecurePKCS1v1_5
        let signature = try certificate.privateKey.signature(for: Data(signingInput.utf8), padding: padding)
        return Redacted(signingInput + "." + Base64URL.encode(signature.rawRepresentation))
    }

    private struct Claims: Encodable {
        var aud: String
        var iss: String
        var sub: String
        var jti: String
        var nbf: Int
        var iat: Int
        var exp: Int
    }
}
