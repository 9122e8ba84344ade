import FoundationEssentials

/// RFC 3339 timestamps as Kubernetes and Azure write them: UTC, with or without fractional seconds.
public enum RFC3339 {
    /// Parses `2026-12-21T03:00:00Z`, `…00.123456Z` or `…00+01:00`; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        guard scalars.count >= 20 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for index in from..<(from + count) {
                let digit = Int(scalars[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), scalars[4] == UInt8(ascii: "-"), let month = number(5, 2),
            scalars[7] == UInt8(ascii: "-"), let day = number(8, 2),
            scalars[10] == UInt8(ascii: "T") || scalars[10] == UInt8(ascii: "t") || scalars[10] == UInt8(ascii: " "),
            let hour = number(11, 2), scalars[13] == UInt8(ascii: ":"), let minute = number(14, 2),
            scalars[16] == UInt8(ascii: ":"), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < scalars.count, scalars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < scalars.count, (48...57).contains(scalars[index]) {
                fraction += Double(scalars[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < scalars.count else { return nil }
        var offset = 0
        switch scalars[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == scalars.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == scalars.count, let hours = number(index + 1, 2), scalars[index + 3] == UInt8(ascii: ":"),
                let minutes = number(index + 4, 2)
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (scalars[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        let days = CivilTime.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Formats as `2026-12-21T03:00:00Z` (UTC, whole seconds), the form Kubernetes writes.
    public static func format(_ date: Date) -> String {
        let (year, month, day, hour, minute, second) = components(date)
        return "\(year.padded(4))-\(month.padded(2))-\(day.padded(2))T\(hour.padded(2)):\(minute.padded(2)):\(second.padded(2))Z"
    }

    /// Formats as `2026-12-21T03:00Z` (UTC, minutes), the precision of a gateway token.
    public static func formatMinutes(_ date: Date) -> String {
        let (year, month, day, hour, minute, _) = components(date)
        return "\(year.padded(4))-\(month.padded(2))-\(day.padded(2))T\(hour.padded(2)):\(minute.padded(2))Z"
    }

    /// UTC calendar fields of `date`.
    static func components(_ date: Date) -> (Int, Int, Int, Int, Int, Int) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        var days = total / 86_400
        var rest = total % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (year, month, day) = CivilTime.civil(fromDays: days)
        return (year, month, day, rest / 3600, rest % 3600 / 60, rest % 60)
    }
}
