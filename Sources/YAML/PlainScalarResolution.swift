/// Whether a string may be printed as a plain scalar: only when a YAML 1.1 reader would read it back as a string.
///
/// This is the decision of go-yaml v2's encoder (`resolve` and `isBase60Float`), which kubectl's printer uses
/// through sigs.k8s.io/yaml: `"true"`, `"yes"`, `"~"`, `""`, `"0x1F"`, `"1_000"`, `"08"`, `"1:20"`, `".5"` and
/// timestamps such as `"2026-12-21T03:00:00Z"` resolve to another type, so they are double-quoted. Whether a string
/// that resolves to a string can really be plain (`"*"`, `"a: b"`, leading spaces) is libyaml's own analysis, which
/// falls back to single quotes, as go-yaml's port of it does.
public enum PlainScalarResolution {
    /// What a plain scalar reads as. A timestamp is a string here: go-yaml v2 keeps timestamp-like text as a string
    /// when decoding into untyped values, which is how sigs.k8s.io/yaml decodes.
    public enum Kind: Sendable, Equatable {
        case null, bool, int, float, string
    }

    public static func kind(of text: String) -> Kind {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
            UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "~"), UInt8(ascii: "."),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            break
        default:
            return .string
        }
        if let keyword = keywordKinds[text] { return keyword }
        if first == UInt8(ascii: ".") { return isGoFloat(text) ? .float : .string }
        guard first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || (48...57).contains(first) else { return .string }
        if isTimestamp(text) { return .string }
        let plain = text.replacing("_", with: "")
        if isGoInteger(plain) { return .int }
        if isYAMLStyleFloat(plain) && isGoFloat(plain) { return .float }
        if plain.hasPrefix("0b") || plain.hasPrefix("-0b") {
            let digits = plain.drop { $0 != "b" }.dropFirst()
            if !digits.isEmpty && digits.count <= 63 && digits.allSatisfy({ $0 == "0" || $0 == "1" }) { return .int }
        }
        return .string
    }

    private static let keywordKinds: [String: Kind] = {
        var kinds: [String: Kind] = [:]
        for word in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
        ] { kinds[word] = .bool }
        for word in ["~", "null", "Null", "NULL"] { kinds[word] = .null }
        for word in [".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"] {
            kinds[word] = .float
        }
        return kinds
    }()

    /// Whether go-yaml v2's encoder may print `text` plain: it reads back as a string, is no timestamp (which
    /// the encoder resolves as such) and no base-60 float.
    static func resolvesToString(_ text: String) -> Bool {
        kind(of: text) == .string && !isTimestamp(text) && !isBase60Float(text)
    }

    /// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds: an optional sign (ParseInt only), then
    /// `0x`/`0o`/`0b` digits, a leading-`0` octal number, or decimal digits, within 64 bits.
    private static func isGoInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        var radix = 10
        let lower = digits.lowercased()
        if lower.hasPrefix("0x") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            radix = 8
            digits = digits.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            radix = 2
            digits = digits.dropFirst(2)
        } else if digits.count > 1 && digits.hasPrefix("0") {
            radix = 8
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, let magnitude = UInt64(digits, radix: radix) else { return false }
        return !negative || magnitude <= UInt64(Int64.max) + 1
    }

    /// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    private static func isYAMLStyleFloat(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        func digits() -> Int {
            let count = bytes.prefix { (48...57).contains($0) }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if bytes.first == UInt8(ascii: ".") {
                bytes = bytes.dropFirst()
                _ = digits()
            }
        }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    /// Go's `strconv.ParseFloat(s, 64)` succeeds (an out-of-range value is an error there): decimal forms only, as
    /// only those reach it here, plus `inf`/`infinity`/`nan` spellings after a leading `.`-free sign.
    private static func isGoFloat(_ text: String) -> Bool {
        guard isYAMLStyleFloat(text), let value = Double(text) else { return false }
        return value.isFinite
    }

    /// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
    private static func isBase60Float(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, (48...57).contains(first) else { return false }
        bytes = bytes.dropFirst()
        bytes = bytes.drop { (48...57).contains($0) || $0 == UInt8(ascii: "_") }
        var groups = 0
        while bytes.first == UInt8(ascii: ":") {
            bytes = bytes.dropFirst()
            let run = bytes.prefix { (48...57).contains($0) }
            guard run.count == 1 || (run.count == 2 && run.first! <= UInt8(ascii: "5")) else { return false }
            bytes = bytes.dropFirst(run.count)
            groups += 1
        }
        guard groups > 0 else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst().drop { (48...57).contains($0) || $0 == UInt8(ascii: "_") }
        }
        return bytes.isEmpty
    }

    /// go-yaml v2's `parseTimestamp`: `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), `2006-1-2 15:4:5.999999999`
    /// and `2006-1-2`, as Go's `time.Parse` reads those layouts (1–2 digit month, day, hour, minute and second).
    static func isTimestamp(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        func number(maxDigits: Int) -> Int? {
            let run = bytes.prefix { (48...57).contains($0) }
            guard !run.isEmpty, run.count <= maxDigits else { return nil }
            bytes = bytes.dropFirst(run.count)
            return run.reduce(0) { $0 &* 10 &+ Int($1 - 48) }
        }
        func take(_ byte: UInt8) -> Bool {
            guard bytes.first == byte else { return false }
            bytes = bytes.dropFirst()
            return true
        }
        guard bytes.prefix(4).allSatisfy({ (48...57).contains($0) }), bytes.count > 4,
            let year = number(maxDigits: 4), take(UInt8(ascii: "-")),
            let month = number(maxDigits: 2), (1...12).contains(month), take(UInt8(ascii: "-")),
            let day = number(maxDigits: 2), day >= 1, day <= daysInMonth(year: year, month: month)
        else { return false }
        if bytes.isEmpty { return true }
        let separator = bytes.first!
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else { return false }
        bytes = bytes.dropFirst()
        guard let hour = number(maxDigits: 2), hour < 24, take(UInt8(ascii: ":")),
            let minute = number(maxDigits: 2), minute < 60, take(UInt8(ascii: ":")),
            let second = number(maxDigits: 2), second < 60
        else { return false }
        if take(UInt8(ascii: ".")) || take(UInt8(ascii: ",")) {  // any number of digits, as time.Parse reads them
            guard number(maxDigits: Int.max) != nil else { return false }
        }
        if separator == UInt8(ascii: " ") { return bytes.isEmpty }
        if take(UInt8(ascii: "Z")) { return bytes.isEmpty }
        guard take(UInt8(ascii: "+")) || take(UInt8(ascii: "-")) else { return false }
        let zoneHours = bytes.prefix(2)
        guard zoneHours.count == 2, zoneHours.allSatisfy({ (48...57).contains($0) }) else { return false }
        bytes = bytes.dropFirst(2)
        guard take(UInt8(ascii: ":")) else { return false }
        let zoneMinutes = bytes.prefix(2)
        guard zoneMinutes.count == 2, zoneMinutes.allSatisfy({ (48...57).contains($0) }) else { return false }
        bytes = bytes.dropFirst(2)
        return bytes.isEmpty
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
