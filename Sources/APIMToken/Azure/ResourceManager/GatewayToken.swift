import FoundationEssentials

// MARK: - GatewayToken

/// An APIM self-hosted gateway token, `<gateway id>&<yyyyMMddHHmm UTC expiry>&<base64 signature>`, as
/// `generateToken` returns it; the Secret holds it behind the `GatewayKey ` prefix.
public struct GatewayToken: Sendable, Equatable, CustomStringConvertible {
    /// The prefix the gateway expects in `config.service.auth`.
    public static let prefix = "GatewayKey "

    /// The gateway name the token was issued for (its first segment).
    public let gatewayID: String
    /// When the token expires (UTC, whole minutes).
    public let expiry: Date
    /// The token without the prefix. Prints as `<redacted>`.
    public let value: Redacted<String>

    /// The value to store in the Secret: `GatewayKey <token>`.
    public var secretValue: Redacted<String> { Redacted(Self.prefix + value.value) }

    /// Parses a token with or without the `GatewayKey ` prefix; surrounding whitespace is ignored.
    public static func parse(_ text: String) throws(GatewayTokenError) -> GatewayToken {
        var body = text.trimmingWhitespaceAndNewlines()
        // Trimming has already removed the space of a bare "GatewayKey " prefix.
        guard !body.isEmpty, body != prefix.trimmingWhitespace() else { throw .empty }
        if body.hasPrefix(prefix) {
            body = String(body.dropFirst(prefix.count)).trimmingWhitespace()
            if body.hasPrefix(prefix.trimmingWhitespace()) { throw .doublePrefix }
            guard !body.isEmpty else { throw .empty }
        }
        if body == "null" || body == "undefined" { throw .literalNull }
        let parts = body.split(separator: "&", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw .malformed("expected three '&'-separated parts, found \(parts.count)") }
        let (id, stamp, signature) = (parts[0], parts[1], parts[2])
        guard !id.isEmpty, id.count <= 256,
            id.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) })
        else {
            throw .malformed("the gateway id is empty or has unexpected characters")
        }
        guard let expiry = parseStamp(stamp) else { throw .malformed("the expiry is not yyyyMMddHHmm") }
        guard !signature.isEmpty, signature.count <= 1024,
            signature.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+/=-_".unicodeScalars.contains($0))
            })
        else {
            throw .malformed("the signature is empty or not base64")
        }
        return GatewayToken(gatewayID: id, expiry: expiry, value: Redacted(body))
    }

    /// Checks a freshly generated token before it is written: right gateway (compared case-insensitively, as
    /// ARM names are), expiry equal to the requested one to the minute, and not already expired.
    public func validate(gateway: String, requestedExpiry: Date, now: Date) throws(GatewayTokenError) {
        guard gatewayID.equalsIgnoringASCIICase(gateway) else {
            throw .wrongGateway(expected: gateway, found: gatewayID)
        }
        let requested = Self.truncatedToMinute(requestedExpiry)
        guard expiry == requested else { throw .expiryMismatch(requested: requested, found: expiry) }
        guard expiry > now else { throw .expired(expiry) }
    }

    /// Parses and validates the raw `generateToken` value in one step.
    public static func validated(_ raw: Redacted<String>, gateway: String, requestedExpiry: Date, now: Date) throws(GatewayTokenError) -> GatewayToken {
        let token = try parse(raw.value)
        try token.validate(gateway: gateway, requestedExpiry: requestedExpiry, now: now)
        return token
    }

    /// Whether the token has expired at `now`.
    public func isExpired(at now: Date) -> Bool { expiry <= now }

    /// The `expiry` body field of `generateToken`: `yyyy-MM-ddTHH:mm:ssZ` in UTC, seconds set to zero (tokens
    /// carry whole minutes).
    public static func requestExpiryString(_ date: Date) -> String {
        RFC3339.format(truncatedToMinute(date))
    }

    /// `date` with seconds and fractions dropped.
    public static func truncatedToMinute(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
    }

    public var description: String {
        "GatewayToken(gateway: \(gatewayID), expires: \(RFC3339.format(expiry)), value: <redacted>)"
    }

    // MARK: Private

    private static func parseStamp(_ stamp: String) -> Date? {
        guard stamp.utf8.count == 12, stamp.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let digits = Array(stamp.utf8)
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + Int($1 - 48) } }
        let (year, month, day, hour, minute) = (number(0..<4), number(4..<6), number(6..<8), number(8..<10), number(10..<12))
        guard year >= 2000, (1...12).contains(month), (1...CivilTime.daysInMonth(year: year, month: month)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        let days = CivilTime.daysSinceEpoch(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60))
    }
}

// MARK: - GatewayTokenError

/// Why a gateway token is not usable. As an error of the rotate operation it means `generateToken` returned
/// something unusable, so nothing was written (exit 4).
public enum GatewayTokenError: APIMTokenError, Equatable {
    /// The value is empty.
    case empty
    /// The value is the literal `null` (the `GatewayKey null` bug of the bash scripts).
    case literalNull
    /// `GatewayKey GatewayKey …`.
    case doublePrefix
    /// Not `<id>&<yyyyMMddHHmm>&<signature>`.
    case malformed(String)
    /// Issued for another gateway.
    case wrongGateway(expected: String, found: String)
    /// The expiry is not the one requested.
    case expiryMismatch(requested: Date, found: Date)
    /// Already expired.
    case expired(Date)

    public var exitStatus: ExitStatus { .azureAPI }

    public var description: String {
        switch self {
        case .empty: return "the gateway token is empty"
        case .literalNull: return "the gateway token is the literal \"null\""
        case .doublePrefix: return "the gateway token has the GatewayKey prefix twice"
        case .malformed(let reason): return "the gateway token is malformed: \(reason)"
        case .wrongGateway(let expected, let found): return "the gateway token is for gateway \"\(found)\", not \"\(expected)\""
        case .expiryMismatch(let requested, let found):
            return "the gateway token expires \(Self.format(found)), not at the requested \(Self.format(requested))"
        case .expired(let date): return "the gateway token expired \(Self.format(date))"
        }
    }

    public var remedy: String? { "nothing was written; run the command again, and check the gateway name if it persists" }

    private static func format(_ date: Date) -> String { RFC3339.format(date) }
}
