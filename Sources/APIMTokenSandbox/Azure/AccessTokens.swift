import Foundation
import _CryptoExtras

/// Entra access tokens: RS256 JWTs with `appid`, `oid`, `tid` and `aud`, verified by the simulated ARM.
struct AccessTokens: Sendable {
    /// The signing key.
    let key: _RSA.Signing.PrivateKey
    /// How long an access token lives.
    let lifetime: TimeInterval = 3600

    /// Audiences ARM accepts.
    static let armAudiences: Set<String> = [
        "https://management.azure.com/", "https://management.azure.com", "https://management.core.windows.net/",
        "https://management.core.windows.net",
    ]

    /// The resource (audience) of a v2 scope (`https://management.azure.com/.default` → `https://management.azure.com/`).
    static func resource(ofScope scope: String) -> String {
        let first = scope.split(separator: " ").first { !["openid", "profile", "offline_access"].contains($0) }.map(String.init) ?? scope
        return first.hasSuffix("/.default") ? String(first.dropLast(".default".count)) : first
    }

    /// Issues a token.
    func issue(clientID: String, objectID: String, tenantID: String, audience: String) throws -> (token: String, expiresIn: Int, expiresOn: Int) {
        let now = Int(Date().timeIntervalSince1970)
        let claims: JSON = [
            "aud": .string(audience), "iss": .string("https://sts.windows.net/\(tenantID)/"), "iat": .int(now), "nbf": .int(now),
            "exp": .int(now + Int(lifetime)), "appid": .string(clientID), "oid": .string(objectID), "sub": .string(objectID),
            "tid": .string(tenantID), "ver": "1.0",
        ]
        return (try JWT.sign(claims: claims, key: key, extraHeader: ["kid": "apimtoken-sandbox-entra"]), Int(lifetime), now + Int(lifetime))
    }

    /// The claims of a valid token, or nil.
    func verify(_ token: String) -> JSON? {
        guard let decoded = JWT.decode(token), decoded.header["alg"]?.stringValue == "RS256", JWT.verify(decoded, key: key.publicKey),
            decoded.claims["iss"]?.stringValue?.hasPrefix("https://sts.windows.net/") == true, JWT.isCurrent(decoded.claims)
        else { return nil }
        return decoded.claims
    }
}
