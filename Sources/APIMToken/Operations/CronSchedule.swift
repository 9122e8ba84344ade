import FoundationEssentials

/// The error thrown when a cron schedule cannot be parsed.
///
/// Its ``description`` names the schedule, the offending field and the offending value, for example
/// `invalid cron schedule "61 * * * *": minute 61 is out of range 0-59`.
public struct CronScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The complete schedule text that was rejected, exactly as given.
    public let schedule: String

    /// Why the schedule was rejected, naming the field and value (without the `invalid cron schedule` prefix).
    public let reason: String

    /// Creates an error for `schedule` with the given `reason`.
    public init(schedule: String, reason: String) {
        self.schedule = schedule
        self.reason = reason
    }

    /// The full message: `invalid cron schedule "<schedule>": <reason>`.
    public var description: String {
        "invalid cron schedule \"\(schedule)\": \(reason)"
    }
}

/// A Kubernetes CronJob schedule (`spec.schedule`), parsed the way the Kubernetes CronJob controller parses it
/// (`cron.ParseStandard` of `github.com/robfig/cron/v3`), with a fast evaluator for the next run time.
///
/// Accepted syntax:
/// - five whitespace-separated fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or `JAN`-`DEC`)
///   and day of week (0-6 or `SUN`-`SAT`; names are case-insensitive). Like robfig/cron, and therefore Kubernetes,
///   `7` is *not* accepted as Sunday.
/// - in every field: `*`, `?` (same as `*`), numbers, ranges `a-b`, steps `*/n`, `a-b/n` and `a/n` (meaning `a-max/n`),
///   and comma-separated lists of these (empty list elements are ignored, as robfig/cron does).
/// - the descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly`
///   (case-sensitive, as in robfig/cron). `@every <duration>` is rejected (see ``init(parsing:)``).
/// - an optional `CRON_TZ=<zone> ` or `TZ=<zone> ` prefix, exposed as ``timeZoneOverride``.
///
/// Day matching follows robfig/cron: if the day-of-month or the day-of-week field is a "star" (an element that is
/// `*` or `?` without a step, or with step 1), a day must match both fields (so effectively only the other one);
/// otherwise a day matches when *either* field matches. Note that `*/2` is not a star for this rule.
public struct CronSchedule: Sendable, Equatable {
    /// The IANA time zone named by a `CRON_TZ=` or `TZ=` prefix of the schedule, or `nil` when there is none.
    ///
    /// When set, ``nextRun(after:in:)`` evaluates the schedule in this zone instead of the zone passed to it
    /// (robfig/cron gives the schedule's own location precedence as well). `TZ= ` (empty) is recorded as `"UTC"`
    /// and `TZ=Local ` as `nil`, mirroring Go's `time.LoadLocation`. If it is set to an identifier that
    /// `ZoneInfo(identifier:)` cannot load, ``nextRun(after:in:)`` returns `nil`.
    public var timeZoneOverride: String?

    private let minutes: UInt64
    private let hours: UInt64
    private let daysOfMonth: UInt64
    private let months: UInt64
    private let daysOfWeek: UInt64
    private let dayOfMonthIsStar: Bool
    private let dayOfWeekIsStar: Bool

    /// Parses a Kubernetes CronJob schedule.
    ///
    /// - Parameter text: the schedule, e.g. `"*/15 * * * *"`, `"0 9 * * MON-FRI"`, `"@daily"` or
    ///   `"CRON_TZ=Europe/Berlin 30 2 * * *"`. Like robfig/cron, leading or trailing whitespace is only tolerated
    ///   around five-field schedules, not around descriptors.
    /// - Throws: ``CronScheduleError`` naming the bad field and value. `@every <duration>` is rejected even though
    ///   robfig/cron (and so the Kubernetes API server) accepts it, because it is a fixed interval counted from the
    ///   previous run rather than a calendar schedule, so it cannot be evaluated from a date alone.
    public init(parsing text: String) throws(CronScheduleError) {
        func failure(_ reason: String) -> CronScheduleError {
            CronScheduleError(schedule: text, reason: reason)
        }

        if text.isEmpty {
            throw failure("the schedule is empty")
        }

        var spec = Substring(text)
        var zone: String?
        if spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ=") {
            let prefixName = spec.hasPrefix("TZ=") ? "TZ" : "CRON_TZ"
            guard let space = spec.firstIndex(of: " "), let equals = spec.firstIndex(of: "=") else {
                throw failure("\(prefixName)= must be followed by a time zone, a space and the schedule")
            }
            let name = String(spec[spec.index(after: equals)..<space])
            switch name {
            case "", "UTC":
                zone = "UTC"
            case "Local":
                zone = nil
            default:
                guard ZoneInfo(identifier: name) != nil else {
                    throw failure("\(prefixName) time zone \"\(name)\" is unknown")
                }
                zone = name
            }
            spec = Self.trimmingWhitespace(spec[space...])
        }
        timeZoneOverride = zone

        if spec.hasPrefix("@") {
            let allHours = Field.hour.allBits
            let allDays = Field.dayOfMonth.allBits
            let allMonths = Field.month.allBits
            let allWeekdays = Field.dayOfWeek.allBits
            switch spec {
            case "@yearly", "@annually":
                (minutes, hours, daysOfMonth, months, daysOfWeek) = (1, 1, 1 << 1, 1 << 1, allWeekdays)
                (dayOfMonthIsStar, dayOfWeekIsStar) = (false, true)
            case "@monthly":
                (minutes, hours, daysOfMonth, months, daysOfWeek) = (1, 1, 1 << 1, allMonths, allWeekdays)
                (dayOfMonthIsStar, dayOfWeekIsStar) = (false, true)
            case "@weekly":
                (minutes, hours, daysOfMonth, months, daysOfWeek) = (1, 1, allDays, allMonths, 1)
                (dayOfMonthIsStar, dayOfWeekIsStar) = (true, false)
            case "@daily", "@midnight":
                (minutes, hours, daysOfMonth, months, daysOfWeek) = (1, 1, allDays, allMonths, allWeekdays)
                (dayOfMonthIsStar, dayOfWeekIsStar) = (true, true)
            case "@hourly":
                (minutes, hours, daysOfMonth, months, daysOfWeek) = (1, allHours, allDays, allMonths, allWeekdays)
                (dayOfMonthIsStar, dayOfWeekIsStar) = (true, true)
            default:
                if spec.hasPrefix("@every") {
                    throw failure(
                        "\"@every\" intervals are not supported: they run relative to the previous run, "
                            + "not at calendar times; use a five-field schedule instead")
                }
                throw failure(
                    "unknown descriptor \"\(spec)\" (expected @yearly, @annually, @monthly, @weekly, @daily, "
                        + "@midnight or @hourly)")
            }
            return
        }

        let fields = spec.split(whereSeparator: \.isWhitespace)
        guard fields.count == 5 else {
            throw failure(
                "expected exactly 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }

        do throws(ParseFailure) {
            let minute = try Self.parseField(fields[0], as: .minute)
            let hour = try Self.parseField(fields[1], as: .hour)
            let dayOfMonth = try Self.parseField(fields[2], as: .dayOfMonth)
            let month = try Self.parseField(fields[3], as: .month)
            let dayOfWeek = try Self.parseField(fields[4], as: .dayOfWeek)
            minutes = minute.bits
            hours = hour.bits
            daysOfMonth = dayOfMonth.bits
            months = month.bits
            daysOfWeek = dayOfWeek.bits
            dayOfMonthIsStar = dayOfMonth.isStar
            dayOfWeekIsStar = dayOfWeek.isStar
        } catch {
            throw failure(error.reason)
        }
    }

    /// Returns the first time strictly after `date` at which the schedule fires, or `nil` if it does not fire
    /// before the end of the fifth calendar year after the year of `date` (the search limit robfig/cron uses),
    /// e.g. for `0 0 30 2 *`.
    ///
    /// The schedule is evaluated on wall-clock time in ``timeZoneOverride`` if set, otherwise in `zone`, in the
    /// proleptic Gregorian calendar. Runs happen at second 0 of a matching minute. Daylight-saving transitions:
    /// - a matching wall time that does not exist (spring-forward gap) is skipped, as robfig/cron does; the schedule
    ///   next fires at the next matching wall time that exists (for `30 2 * * *` that is 02:30 the following day);
    /// - a matching wall time that occurs twice (fall-back overlap) fires once, at its first occurrence. robfig/cron
    ///   (and so Kubernetes) would fire again at the second occurrence; this evaluator deliberately does not.
    ///
    /// The search skips whole non-matching months, days and hours, so even yearly schedules resolve in microseconds.
    public func nextRun(after date: Date, in zone: ZoneInfo) -> Date? {
        var zone = zone
        if let identifier = timeZoneOverride {
            guard let override = ZoneInfo(identifier: identifier) else { return nil }
            zone = override
        }
        // Far beyond any real schedule (about ±300,000 years), and it keeps the arithmetic below from overflowing.
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, abs(interval) < 1e13 else { return nil }
        let unixSeconds = Int(interval.rounded(.down))
        let wall = unixSeconds + zone.offset(atUnixSeconds: unixSeconds)
        let wallDays = CivilTime.floorDivide(wall, 86_400)
        let secondOfDay = wall - wallDays * 86_400
        var (year, month, day) = CivilTime.civil(fromDays: wallDays)
        var hour = secondOfDay / 3_600
        var minute = secondOfDay % 3_600 / 60

        let yearLimit = year + 5
        while year <= yearLimit {
            guard let matchingMonth = Self.nextBit(in: months, from: month) else {
                (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0)
                continue
            }
            if matchingMonth != month {
                (month, day, hour, minute) = (matchingMonth, 1, 0, 0)
            }

            let dayCount = CivilTime.daysInMonth(year: year, month: month)
            while day <= dayCount && !dayMatches(year: year, month: month, day: day) {
                (day, hour, minute) = (day + 1, 0, 0)
            }
            if day > dayCount {
                (month, day, hour, minute) = (month + 1, 1, 0, 0)
                continue
            }

            guard let matchingHour = Self.nextBit(in: hours, from: hour) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if matchingHour != hour {
                (hour, minute) = (matchingHour, 0)
            }

            guard let matchingMinute = Self.nextBit(in: minutes, from: minute) else {
                (hour, minute) = (hour + 1, 0)
                continue
            }
            minute = matchingMinute

            let wallSeconds =
                CivilTime.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60
            if let instant = Self.firstInstant(ofWallSeconds: wallSeconds, in: zone), instant > date {
                return instant
            }
            minute += 1
        }
        return nil
    }

    // MARK: - Day matching

    private func dayMatches(year: Int, month: Int, day: Int) -> Bool {
        let weekday = CivilTime.weekday(daysSinceEpoch: CivilTime.daysSinceEpoch(year: year, month: month, day: day))
        let domMatch = daysOfMonth & (1 << UInt64(day)) != 0
        let dowMatch = daysOfWeek & (1 << UInt64(weekday)) != 0
        if dayOfMonthIsStar || dayOfWeekIsStar {
            return domMatch && dowMatch
        }
        return domMatch || dowMatch
    }

    // MARK: - Field parsing

    private struct ParseFailure: Error {
        let reason: String
    }

    private enum Field {
        case minute, hour, dayOfMonth, month, dayOfWeek

        var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        var bounds: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...6
            }
        }

        var names: [String: Int] {
            switch self {
            case .month:
                [
                    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
                ]
            case .dayOfWeek:
                ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
            default:
                [:]
            }
        }

        var nameHint: String {
            switch self {
            case .month: " or a month name (JAN-DEC)"
            case .dayOfWeek: " or a weekday name (SUN-SAT)"
            default: ""
            }
        }

        var allBits: UInt64 {
            CronSchedule.bits(from: bounds.lowerBound, through: bounds.upperBound, step: 1)
        }
    }

    private static func parseField(_ text: Substring, as field: Field) throws(ParseFailure) -> (bits: UInt64, isStar: Bool) {
        var bits: UInt64 = 0
        var isStar = false
        // Like Go's strings.FieldsFunc: empty list elements are dropped.
        for element in text.split(separator: ",") {
            let range = try parseRange(element, as: field)
            bits |= range.bits
            isStar = isStar || range.isStar
        }
        return (bits, isStar)
    }

    private static func parseRange(_ expr: Substring, as field: Field) throws(ParseFailure) -> (bits: UInt64, isStar: Bool) {
        let rangeAndStep = expr.split(separator: "/", omittingEmptySubsequences: false)
        let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false)
        let bounds = field.bounds
        var start: Int
        var end: Int
        var isStar = false

        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            // robfig/cron ignores anything after "*-" here, so "*-5" means "*".
            start = bounds.lowerBound
            end = bounds.upperBound
            isStar = true
        } else {
            start = try parseValue(lowAndHigh[0], in: expr, as: field)
            switch lowAndHigh.count {
            case 1:
                end = start
            case 2:
                end = try parseValue(lowAndHigh[1], in: expr, as: field)
            default:
                throw ParseFailure(reason: "\(field.name) \"\(expr)\" has too many hyphens")
            }
        }

        var step = 1
        switch rangeAndStep.count {
        case 1:
            break
        case 2:
            let stepText = rangeAndStep[1]
            guard let parsed = Int(stepText) else {
                throw ParseFailure(reason: "\(field.name) step \"\(stepText)\" in \"\(expr)\" is not a number")
            }
            guard parsed > 0 else {
                throw ParseFailure(
                    reason: "\(field.name) step \(parsed) in \"\(expr)\" must be a positive number")
            }
            step = parsed
            if lowAndHigh.count == 1 {
                end = bounds.upperBound  // "N/step" means "N-max/step"
            }
            if step > 1 {
                isStar = false  // robfig/cron: "*/2" does not count as a star for the day rule
            }
        default:
            throw ParseFailure(reason: "\(field.name) \"\(expr)\" has too many slashes")
        }

        for value in [start, end] where !bounds.contains(value) {
            let context = String(value) == expr ? "" : " in \"\(expr)\""
            var hint = ""
            if field == .dayOfWeek && value == 7 {
                hint = " (Kubernetes does not accept 7 for Sunday; use 0 or SUN)"
            }
            throw ParseFailure(
                reason: "\(field.name) \(value)\(context) is out of range "
                    + "\(bounds.lowerBound)-\(bounds.upperBound)\(hint)")
        }
        if start > end {
            throw ParseFailure(reason: "\(field.name) range \"\(expr)\" is reversed (\(start) is after \(end))")
        }
        return (bits(from: start, through: end, step: step), isStar)
    }

    private static func parseValue(_ text: Substring, in expr: Substring, as field: Field) throws(ParseFailure) -> Int {
        if let named = field.names[text.lowercased()] {
            return named
        }
        // Go's strconv.Atoi: optional sign, ASCII digits.
        guard let value = Int(text) else {
            let quoted = text == expr ? "\"\(text)\"" : "\"\(text)\" in \"\(expr)\""
            throw ParseFailure(reason: "\(field.name) \(quoted) is not a number\(field.nameHint)")
        }
        return value
    }

    private static func bits(from start: Int, through end: Int, step: Int) -> UInt64 {
        var bits: UInt64 = 0
        for value in stride(from: start, through: end, by: step) {
            bits |= 1 << UInt64(value)
        }
        return bits
    }

    // MARK: - Arithmetic on wall-clock seconds

    /// Index of the lowest set bit of `mask` that is `>= index`, or nil.
    private static func nextBit(in mask: UInt64, from index: Int) -> Int? {
        guard index < 64 else { return nil }
        let remaining = mask & (UInt64.max << UInt64(max(index, 0)))
        return remaining == 0 ? nil : remaining.trailingZeroBitCount
    }

    /// `text` without leading and trailing whitespace (Unicode White_Space, including newlines).
    private static func trimmingWhitespace(_ text: Substring) -> Substring {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return text[text.endIndex...] }
        return text[first...last]
    }

    /// The earliest instant whose wall-clock time in `zone` is `wallSeconds` (seconds since 1970-01-01T00:00 wall
    /// time), or nil if that wall time does not exist (it falls into a daylight-saving gap).
    private static func firstInstant(ofWallSeconds wallSeconds: Int, in zone: ZoneInfo) -> Date? {
        func offset(at seconds: Int) -> Int {
            zone.offset(atUnixSeconds: seconds)
        }
        var offsets: [Int] = []
        for probe in [wallSeconds - 86_400, wallSeconds, wallSeconds + 86_400] {
            let candidate = offset(at: probe)
            if !offsets.contains(candidate) { offsets.append(candidate) }
        }
        for known in offsets {
            let candidate = offset(at: wallSeconds - known)
            if !offsets.contains(candidate) { offsets.append(candidate) }
        }
        var earliest: Int?
        for candidate in offsets {
            let instant = wallSeconds - candidate
            if offset(at: instant) == candidate {
                earliest = min(earliest ?? instant, instant)
            }
        }
        return earliest.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }
}
