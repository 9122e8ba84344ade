import Crypto
import Foundation

/// APIM self-hosted gateway tokens: `<gateway>&<yyyyMMddHHmm>&<base64 HMAC-SHA512("<gateway>\n<expiry>", key)>`.
///
/// The signature scheme is inferred from APIM's documented SAS tokens; the sandbox uses it so it can tell which key
/// signed a token.
public enum GatewayToken {
    /// The expiry format, UTC.
    static func formatExpiry(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMddHHmm"
        return f.string(from: date)
    }

    /// Parses the expiry segment.
    static func parseExpiry(_ text: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMddHHmm"
        guard text.count == 12 else { return nil }
        return f.date(from: text)
    }

    /// Makes a token for `gateway` expiring at `expiry` (truncated to the minute), signed with `key`.
    public static func make(gateway: String, expiry: Date, key: String) -> String {
        let e = formatExpiry(expiry)
        return "\(gateway)&\(e)&\(signature(gateway: gateway, expiry: e, key: key))"
    }

    static func signature(gateway: String, expiry: String, key: String) -> String {
        let mac = HMAC<SHA512>.authenticationCode(for: Array("\(gateway)\n\(expiry)".utf8), using: SymmetricKey(data: Array(key.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// The parts of a token, or nil when it does not have the token's shape.
    public static func parse(_ token: String) -> (gateway: String, expiry: Date, signature: String)? {
        let parts = token.split(separator: "&", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, !parts[0].isEmpty, let expiry = parseExpiry(parts[1]), !parts[2].isEmpty else { return nil }
        return (parts[0], expiry, parts[2])
    }

    /// Whether `key` signed `token`.
    static func isSigned(_ token: String, by key: String) -> Bool {
        let parts = token.split(separator: "&", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return false }
        return signature(gateway: parts[0], expiry: parts[1], key: key) == parts[2]
    }
}
