import Crypto
import FoundationEssentials
import _CryptoExtras

/// A service principal's certificate and RSA private key, read from one PEM file (as `az` and apim-shg-rotate
/// accept it). When the file holds a chain, the certificate whose public key matches the private key is used.
public struct ClientCertificate: Sendable, CustomStringConvertible, CustomReflectable {
    /// The DER bytes of the certificate that matches the key.
    public let certificateDER: Data
    /// The private key. Never printed.
    let privateKey: _RSA.Signing.PrivateKey

    /// Reads the PEM text. Throws a `ConfigurationError` that names `source` and never quotes the key.
    public init(pem: String, source: String = "the certificate") throws {
        let blocks = PEMBlock.parse(pem)
        let certificates = blocks.filter { $0.label == "CERTIFICATE" }.map(\.der)
        guard !certificates.isEmpty else {
            throw ConfigurationError(
                "\(source) holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                remedy: "give a PEM file with both the certificate and its private key")
        }
        if blocks.contains(where: { $0.label == "ENCRYPTED PRIVATE KEY" }) || pem.contains("Proc-Type: 4,ENCRYPTED") {
            throw ConfigurationError(
                "the private key in \(source) is encrypted",
                remedy: "export it without a passphrase (openssl pkcs12 -nodes) and protect the file instead")
        }
        guard let keyBlock = blocks.first(where: { $0.label == "PRIVATE KEY" || $0.label == "RSA PRIVATE KEY" }) else {
            throw ConfigurationError(
                "\(source) holds no private key (-----BEGIN PRIVATE KEY-----)",
                remedy: "give a PEM file with both the certificate and its private key")
        }
        let key: _RSA.Signing.PrivateKey
        do {
            key = try _RSA.Signing.PrivateKey(derRepresentation: keyBlock.der)
        } catch {
            throw ConfigurationError("the private key in \(source) is not an RSA key of at least 2048 bits")
        }
        let publicKeyDER = key.publicKey.derRepresentation
        guard let match = certificates.first(where: { DERCertificate.subjectPublicKeyInfo(of: $0) == publicKeyDER }) else {
            throw ConfigurationError("no certificate in \(source) matches its private key")
        }
        self.certificateDER = match
        self.privateKey = key
    }

    /// Reads a PEM file.
    public static func load(path: String) throws -> ClientCertificate {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("cannot read the client certificate \(path)", remedy: "check the path and its permissions")
        }
        return try ClientCertificate(pem: text, source: path)
    }

    /// The base64url SHA-1 thumbprint (`x5t`).
    public var sha1Thumbprint: String { Base64URL.encode(Data(Insecure.SHA1.hash(data: certificateDER))) }
    /// The base64url SHA-256 thumbprint (`x5t#S256`).
    public var sha256Thumbprint: String { Base64URL.encode(Data(SHA256.hash(data: certificateDER))) }
    /// The public key, for verifying signatures.
    public var publicKey: _RSA.Signing.PublicKey { privateKey.publicKey }

    public var description: String { "ClientCertificate(x5t#S256: \(sha256Thumbprint), key: <redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: ["x5t#S256": sha256Thumbprint], displayStyle: .struct) }
}

// MARK: - PEMBlock

/// One `-----BEGIN X-----` … `-----END X-----` block.
struct PEMBlock {
    /// The label, for example `CERTIFICATE`.
    var label: String
    /// The decoded bytes.
    var der: Data

    /// Every well-formed block in `text`, in order; malformed blocks are skipped.
    static func parse(_ text: String) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var label: String?
        var body = ""
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingWhitespace()
            if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----") {
                label = String(line.dropFirst(11).dropLast(5))
                body = ""
            } else if line.hasPrefix("-----END "), line.hasSuffix("-----"), let current = label {
                if String(line.dropFirst(9).dropLast(5)) == current, let der = Data(base64Encoded: body) {
                    blocks.append(PEMBlock(label: current, der: der))
                }
                label = nil
            } else if label != nil, !line.contains(":") {
                body += line
            }
        }
        return blocks
    }
}

// MARK: - DERCertificate

/// Just enough DER reading to find a certificate's SubjectPublicKeyInfo.
enum DERCertificate {
    /// The SubjectPublicKeyInfo element (tag and length included) of an X.509 certificate, or `nil`.
    static func subjectPublicKeyInfo(of certificate: Data) -> Data? {
        let bytes = [UInt8](certificate)
        guard let outer = element(bytes, at: 0), outer.tag == 0x30,
            let tbs = element(bytes, at: outer.contentStart), tbs.tag == 0x30
        else { return nil }
        var offset = tbs.contentStart
        var index = 0
        // version [0] (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
        while offset < tbs.end, let item = element(bytes, at: offset) {
            if index == 0 && item.tag == 0xA0 {
                offset = item.end
                continue
            }
            if index == 5 { return item.tag == 0x30 ? Data(bytes[offset..<item.end]) : nil }
            index += 1
            offset = item.end
        }
        return nil
    }

    private struct Element {
        var tag: UInt8
        var contentStart: Int
        var end: Int
    }

    private static func element(_ bytes: [UInt8], at offset: Int) -> Element? {
        guard offset + 2 <= bytes.count else { return nil }
        let tag = bytes[offset]
        var length = Int(bytes[offset + 1])
        var start = offset + 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count >= 1, count <= 4, start + count <= bytes.count else { return nil }
            length = bytes[start..<start + count].reduce(0) { $0 << 8 | Int($1) }
            start += count
        }
        guard length >= 0, start + length <= bytes.count else { return nil }
        return Element(tag: tag, contentStart: start, end: start + length)
    }
}

// MARK: - Base64URL

/// Base64url without padding (RFC 7515 §2).
public enum Base64URL {
    /// Encodes bytes.
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacing("+", with: "-")
            .replacing("/", with: "_")
            .replacing("=", with: "")
    }

    /// Decodes text, with or without padding.
    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacing("-", with: "+").replacing("_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
