import Crypto
import Foundation

/// APIM self-hosted gateway tokens: `<gateway>&<yyyyMMddHHmm>&<base64 HMAC-SHA512("<gateway>\n<expiry>", key)>`.
///
/// The signature scheme is inferred from APIM's documented SAS tokens; the sandbox uses it so it can tell which key
/// signed a token.
public enum GatewayToken {
    /// The expiry format, `yyyyMMddHHmm` in UTC (by hand: the controllers parse every pod's token on every pass).
    static func formatExpiry(_ date: Date) -> String {
        let full = Timestamps.format(date)  // yyyy-MM-ddTHH:mm:ssZ
        return full.filter(\.isNumber).prefix(12).description
    }

    /// Parses the expiry segment (exactly twelve digits, a valid UTC date and time).
    static func parseExpiry(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 12, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        func number(_ range: Range<Int>) -> Int32 { range.reduce(0) { $0 * 10 + Int32(digits[$1] - UInt8(ascii: "0")) } }
        var parts = tm()
        parts.tm_year = number(0..<4) - 1900
        parts.tm_mon = number(4..<6) - 1
        parts.tm_mday = number(6..<8)
        parts.tm_hour = number(8..<10)
        parts.tm_min = number(10..<12)
        guard (0...11).contains(parts.tm_mon), (1...31).contains(parts.tm_mday), (0...23).contains(parts.tm_hour), (0...59).contains(parts.tm_min)
        else { return nil }
        let date = Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
        return formatExpiry(date) == text ? date : nil  // rejects days that do not exist, such as 20260231
    }

    /// Makes a token for `gateway` expiring at `expiry` (truncated to the minute), signed with `key`.
    public static func make(gateway: String, expiry: Date, key: String) -> String {
        let e = formatExpiry(expiry)
        return "\(gateway)&\(e)&\(signature(gateway: gateway, expiry: e, key: key))"
    }

    /// The base64 HMAC-SHA512 of `"<gateway>\n<expiry>"` with `key`.
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
