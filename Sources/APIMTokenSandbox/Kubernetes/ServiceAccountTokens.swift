import Foundation
import _CryptoExtras

/// Issues and verifies service-account tokens: RS256 JWTs from the cluster's issuer key, as a real cluster with
/// bound service-account tokens makes them.
struct ServiceAccountTokens: Sendable {
    /// The issuer URL (`iss`).
    let issuer: String
    /// The signing key.
    let key: _RSA.Signing.PrivateKey
    /// The audience the API server accepts.
    static let apiAudience = "https://kubernetes.default.svc.cluster.local"

    /// A token for a service account.
    func issue(namespace: String, name: String, uid: String, audiences: [String], lifetime: TimeInterval) throws -> (token: String, expires: Date) {
        let now = Date()
        let expires = now.addingTimeInterval(lifetime)
        let claims: JSON = [
            "iss": .string(issuer), "sub": .string("system:serviceaccount:\(namespace):\(name)"),
            "aud": .array(audiences.map { .string($0) }), "iat": .int(Int(now.timeIntervalSince1970)),
            "nbf": .int(Int(now.timeIntervalSince1970)), "exp": .int(Int(expires.timeIntervalSince1970)),
            "kubernetes.io": ["namespace": .string(namespace), "serviceaccount": ["name": .string(name), "uid": .string(uid)]],
        ]
        return (try JWT.sign(claims: claims, key: key, extraHeader: ["kid": "apimtoken-sandbox"]), expires)
    }

    /// The namespace and name of a valid token's service account, if the token verifies for `audience`.
    func verify(_ token: String, audience: String) -> (namespace: String, name: String)? {
        guard let decoded = JWT.decode(token), decoded.header["alg"]?.stringValue == "RS256", JWT.verify(decoded, key: key.publicKey),
            decoded.claims["iss"]?.stringValue == issuer, JWT.isCurrent(decoded.claims),
            JWT.audiences(decoded.claims).contains(audience),
            let sub = decoded.claims["sub"]?.stringValue, sub.hasPrefix("system:serviceaccount:")
        else { return nil }
        let parts = sub.split(separator: ":")
        guard parts.count == 4 else { return nil }
        return (String(parts[2]), String(parts[3]))
    }
}
