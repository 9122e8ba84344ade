import FoundationEssentials

/// Reads how long a server asks the client to wait before retrying.
public enum RetryAfter {
    /// The delay requested by `retry-after-ms`, `x-ms-retry-after-ms` (milliseconds) or `Retry-After`
    /// (delay-seconds or an HTTP-date), in that order of preference, as the Azure SDKs read them.
    /// Returns `nil` when no header is present or none parses. Negative delays become zero.
    public static func delay(in headers: HTTPHeaders, now: Date) -> Duration? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let raw = headers[name]?.trimmingWhitespace(), let millis = Double(raw), millis.isFinite {
                return .milliseconds(Int64(max(0, min(millis, 86_400_000))))
            }
        }
        guard let raw = headers["Retry-After"]?.trimmingWhitespace(), !raw.isEmpty else { return nil }
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
        let fields = text.split(separator: " ", omittingEmptySubsequences: false)
        let weekdays = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard fields.count == 6, weekdays.contains(String(fields[0])), fields[5] == "GMT",
            fields[1].utf8.count == 2, let day = Int(fields[1]), (1...31).contains(day),
            let monthIndex = months.firstIndex(of: String(fields[2])),
            fields[3].utf8.count == 4, let year = Int(fields[3]), fields[3].utf8.allSatisfy({ (48...57).contains($0) })
        else { return nil }
        let time = fields[4].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.utf8.count == 2 && $0.utf8.allSatisfy { (48...57).contains($0) } }),
            let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]),
            hour < 24, minute < 60, second < 61
        else { return nil }
        let days = CivilTime.daysSinceEpoch(year: year, month: monthIndex + 1, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }
}
