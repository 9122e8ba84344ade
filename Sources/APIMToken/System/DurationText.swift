import FoundationEssentials

/// Durations as the CLI writes them: `90s`, `15m`, `12h`, `10d`, and combinations such as `1d12h`.
public enum DurationText {
    /// Parses a duration; nil when the text is not one. Units: `d`, `h`, `m`, `s` (each at most once, in that order).
    public static func parse(_ text: String) -> TimeInterval? {
        let units: [(Character, TimeInterval)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var total: TimeInterval = 0
        var number = ""
        var nextUnit = 0
        var sawUnit = false
        for character in text.trimmingWhitespace().lowercased() {
            if character.isASCII && character.isNumber {
                number.append(character)
                guard number.count <= 9 else { return nil }
                continue
            }
            guard !number.isEmpty, let index = units.firstIndex(where: { $0.0 == character }), index >= nextUnit,
                let value = Double(number)
            else { return nil }
            total += value * units[index].1
            number = ""
            nextUnit = index + 1
            sawUnit = true
        }
        guard number.isEmpty, sawUnit else { return nil }
        return total
    }

    /// Formats whole seconds compactly: `29d`, `1d12h`, `15m`, `90s` → `1m30s`, `0s`.
    public static func format(_ interval: TimeInterval) -> String {
        var rest = Int(interval.rounded(.towardZero))
        let sign = rest < 0 ? "-" : ""
        rest = abs(rest)
        if rest == 0 { return "0s" }
        var text = ""
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return sign + text
    }

    /// The two largest units only (`3d4h`, `5h12m`), for tables.
    public static func approximate(_ interval: TimeInterval) -> String {
        let full = format(interval)
        var parts: [Substring] = []
        var current = full.startIndex
        var index = full.startIndex
        while index < full.endIndex {
            if full[index].isLetter {
                parts.append(full[current...index])
                current = full.index(after: index)
            }
            index = full.index(after: index)
        }
        let sign = full.hasPrefix("-") ? "-" : ""
        return sign + parts.prefix(2).joined().replacing("-", with: "")
    }
}
