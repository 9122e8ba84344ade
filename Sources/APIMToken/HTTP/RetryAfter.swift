import Foundation

/// Reads how long a server asks the client to wait before retrying.
public enum RetryAfter {
    /// The delay requested by `retry-after-ms`, `x-ms-retry-after-ms` (milliseconds) or `Retry-After`
    /// (delay-seconds or an HTTP-date), in that order of preference, as the Azure SDKs read them.
    /// Returns `nil` when no header is present or none parses. Negative delays become zero.
    public static func delay(in headers: HTTPHeaders, now: Date) -> Duration? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let raw = headers[name]?.trimmingCharacters(in: .whitespaces), let millis = Double(raw), millis.isFinite {
                return .milliseconds(Int64(max(0, min(millis, 86_400_000))))
            }
        }
        guard let raw = headers["Retry-After"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if let seconds = Double(raw), seconds.isFinite {
            return .milliseconds(Int64(max(0, min(seconds, 86_400)) * 1000))
        }
        if let date = parseHTTPDate(raw) {
            return .milliseconds(Int64(max(0, min(date.timeIntervalSince(now), 86_400)) * 1000))
        }
        return nil
    }

    /// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 requires senders to use.
    public static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
