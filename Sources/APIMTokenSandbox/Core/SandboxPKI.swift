import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// A certificate and its private key, both PEM.
public struct CertificateAndKey: Sendable {
    /// The certificate, PEM.
    public var certificatePEM: String
    /// The private key, PEM (PKCS#8).
    public var privateKeyPEM: String
    /// The certificate, DER.
    public var der: [UInt8]

    /// The base64url SHA-1 thumbprint (JWT header `x5t`).
    public var x5t: String { Base64URL.encode(Array(Insecure.SHA1.hash(data: der))) }
    /// The base64url SHA-256 thumbprint (JWT header `x5t#S256`).
    public var x5tS256: String { Base64URL.encode(Array(SHA256.hash(data: der))) }
}

// MARK: - SandboxPKI

/// The throwaway certificate authority of one sandbox and everything it signs.
struct SandboxPKI: Sendable {
    /// The CA (EC P-256).
    let ca: CertificateAndKey
    /// The TLS server certificate for 127.0.0.1 and localhost.
    let server: CertificateAndKey
    /// The cluster-admin client certificate (CN `sandbox-admin`, O `system:masters`).
    let adminClient: CertificateAndKey
    /// An RSA certificate registered for the demo service principal (client-assertion logins).
    let appCertificate: CertificateAndKey
    /// The RSA key that signs service-account tokens (the cluster's OIDC issuer key).
    let issuerKey: _RSA.Signing.PrivateKey

    /// Makes fresh keys and certificates.
    static func generate() throws -> SandboxPKI {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("apimtoken-sandbox")
            CommonName("apimtoken-sandbox CA")
        }
        let caPublic = Certificate.PublicKey(caKey.publicKey)
        let caSKI = SubjectKeyIdentifier(hash: caPublic)
        let caCert = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: caPublic,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86400 * 365),
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                caSKI
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))
        let ca = try CertificateAndKey(caCert, keyPEM: caKey.pemRepresentation)

        func leaf(
            subject: DistinguishedName, key: Certificate.PrivateKey, keyPEM: String, usages: [ExtendedKeyUsage.Usage],
            san: SubjectAlternativeNames?
        ) throws -> CertificateAndKey {
            let cert = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: key.publicKey,
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86400 * 365),
                issuer: caName, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage(usages)
                    SubjectKeyIdentifier(hash: key.publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: caSKI.keyIdentifier)
                    if let san { san }
                },
                issuerPrivateKey: Certificate.PrivateKey(caKey))
            return try CertificateAndKey(cert, keyPEM: keyPEM)
        }

        let serverKey = P256.Signing.PrivateKey()
        let server = try leaf(
            subject: try DistinguishedName { CommonName("127.0.0.1") }, key: Certificate.PrivateKey(serverKey),
            keyPEM: serverKey.pemRepresentation, usages: [.serverAuth],
            san: SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]))
        let adminKey = P256.Signing.PrivateKey()
        let admin = try leaf(
            subject: try DistinguishedName {
                OrganizationName("system:masters")
                CommonName("sandbox-admin")
            }, key: Certificate.PrivateKey(adminKey), keyPEM: adminKey.pemRepresentation, usages: [.clientAuth], san: nil)
        let appKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let appName = try DistinguishedName { CommonName("apimtoken-demo-app") }
        let appCert = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: Certificate.PublicKey(appKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86400 * 365),
            issuer: appName, subject: appName, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: Certificate.Extensions(), issuerPrivateKey: Certificate.PrivateKey(appKey))
        let app = try CertificateAndKey(appCert, keyPEM: appKey.pemRepresentation)
        return SandboxPKI(
            ca: ca, server: server, adminClient: admin, appCertificate: app,
            issuerKey: try _RSA.Signing.PrivateKey(keySize: .bits2048))
    }
}

extension CertificateAndKey {
    /// PEM and DER forms of a certificate and its key.
    init(_ certificate: Certificate, keyPEM: String) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.init(certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: keyPEM, der: serializer.serializedBytes)
    }
}

// MARK: - Base64URL

/// Unpadded base64url, as JWTs use it.
public enum Base64URL {
    /// Encodes bytes.
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes text, padded or not; `nil` if it is not base64url.
    public static func decode(_ text: Substring) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map { Array($0) }
    }
}
