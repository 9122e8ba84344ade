import Crypto
import Foundation
import _CryptoExtras

/// Minimal JSON Web Tokens: RS256/PS256 signing and verification, enough for service-account tokens, client
/// assertions and access tokens.
enum JWT {
    /// A decoded (not yet verified) token.
    struct Decoded {
        var header: JSON
        var claims: JSON
        var signingInput: [UInt8]
        var signature: [UInt8]
    }

    /// Signs claims with an RSA key (`RS256` or `PS256`).
    static func sign(claims: JSON, key: _RSA.Signing.PrivateKey, algorithm: String = "RS256", extraHeader: [String: JSON] = [:]) throws -> String {
        var header: [String: JSON] = ["alg": .string(algorithm), "typ": "JWT"]
        header.merge(extraHeader) { _, b in b }
        let input = Base64URL.encode(JSON.object(header).encoded()) + "." + Base64URL.encode(claims.encoded())
        let padding: _RSA.Signing.Padding = algorithm == "PS256" ? .PSS : .insecurePKCS1v1_5
        let signature = try key.signature(for: Array(input.utf8), padding: padding)
        return input + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }

    /// Splits and decodes a compact JWT; nil if it is not one.
    static func decode(_ token: String) -> Decoded? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let h = Base64URL.decode(parts[0]), let c = Base64URL.decode(parts[1]),
            let s = Base64URL.decode(parts[2]), let header = try? JSON.parse(h), let claims = try? JSON.parse(c)
        else { return nil }
        return Decoded(header: header, claims: claims, signingInput: Array("\(parts[0]).\(parts[1])".utf8), signature: s)
    }

    /// Whether the token's signature verifies with the key, for its header's `alg` (RS256 or PS256 only).
    static func verify(_ token: Decoded, key: _RSA.Signing.PublicKey) -> Bool {
        let padding: _RSA.Signing.Padding
        switch token.header["alg"]?.stringValue {
        case "RS256": padding = .insecurePKCS1v1_5
        case "PS256": padding = .PSS
        default: return false
        }
        return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: token.signature), for: token.signingInput, padding: padding)
    }

    /// Whether `exp` lies in the future and `nbf` (if any) in the past, with a minute of skew.
    static func isCurrent(_ claims: JSON, now: Date = Date()) -> Bool {
        let t = now.timeIntervalSince1970
        guard let exp = claims["exp"]?.intValue, Double(exp) > t - 60 else { return false }
        if let nbf = claims["nbf"]?.intValue, Double(nbf) > t + 60 { return false }
        return true
    }

    /// The `aud` claim as a list.
    static func audiences(_ claims: JSON) -> [String] {
        if let s = claims["aud"]?.stringValue { return [s] }
        return (claims["aud"]?.arrayValue ?? []).compactMap(\.stringValue)
    }
}
