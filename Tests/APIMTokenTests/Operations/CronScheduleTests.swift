import APIMToken
import Foundation
import Testing

/// Expected next-run instants were computed independently with a brute-force Python reference
/// (`zoneinfo`, stepping UTC minutes and matching wall-clock fields, skipping the second occurrence of repeated
/// wall times) and checked by hand; they were never produced by `CronSchedule` itself.
@Suite struct CronScheduleTests {
    // MARK: - Parsing errors

    struct ParseErrorCase: Sendable, CustomTestStringConvertible {
        let schedule: String
        let message: String
        var testDescription: String { "\"\(schedule)\"" }
    }

    static let parseErrorCases: [ParseErrorCase] = [
        .init(schedule: "", message: #"invalid cron schedule "": the schedule is empty"#),
        .init(
            schedule: "61 * * * *",
            message: #"invalid cron schedule "61 * * * *": minute 61 is out of range 0-59"#),
        .init(
            schedule: "5-61 * * * *",
            message: #"invalid cron schedule "5-61 * * * *": minute 61 in "5-61" is out of range 0-59"#),
        .init(
            schedule: "0 24 * * *",
            message: #"invalid cron schedule "0 24 * * *": hour 24 is out of range 0-23"#),
        .init(
            schedule: "0 0 0 * *",
            message: #"invalid cron schedule "0 0 0 * *": day-of-month 0 is out of range 1-31"#),
        .init(
            schedule: "0 0 32 * *",
            message: #"invalid cron schedule "0 0 32 * *": day-of-month 32 is out of range 1-31"#),
        .init(
            schedule: "0 0 * 13 *",
            message: #"invalid cron schedule "0 0 * 13 *": month 13 is out of range 1-12"#),
        .init(
            schedule: "0 0 * * 7",
            message: #"invalid cron schedule "0 0 * * 7": day-of-week 7 is out of range 0-6 "#
                + "(Kubernetes does not accept 7 for Sunday; use 0 or SUN)"),
        .init(
            schedule: "0 0 * * 1-7",
            message: #"invalid cron schedule "0 0 * * 1-7": day-of-week 7 in "1-7" is out of range 0-6 "#
                + "(Kubernetes does not accept 7 for Sunday; use 0 or SUN)"),
        .init(
            schedule: "30-10 * * * *",
            message: #"invalid cron schedule "30-10 * * * *": minute range "30-10" is reversed (30 is after 10)"#),
        .init(
            schedule: "*/0 * * * *",
            message: #"invalid cron schedule "*/0 * * * *": minute step 0 in "*/0" must be a positive number"#),
        .init(
            schedule: "*/x * * * *",
            message: #"invalid cron schedule "*/x * * * *": minute step "x" in "*/x" is not a number"#),
        .init(
            schedule: "x * * * *",
            message: #"invalid cron schedule "x * * * *": minute "x" is not a number"#),
        .init(
            schedule: "0 0 * FOO *",
            message: #"invalid cron schedule "0 0 * FOO *": month "FOO" is not a number or a month name (JAN-DEC)"#),
        .init(
            schedule: "0 0 * * MON-FUN",
            message: #"invalid cron schedule "0 0 * * MON-FUN": day-of-week "FUN" in "MON-FUN" is not a number "#
                + "or a weekday name (SUN-SAT)"),
        .init(
            schedule: "0 0 * * MONDAY",
            message: #"invalid cron schedule "0 0 * * MONDAY": day-of-week "MONDAY" is not a number "#
                + "or a weekday name (SUN-SAT)"),
        .init(
            schedule: "1-2-3 * * * *",
            message: #"invalid cron schedule "1-2-3 * * * *": minute "1-2-3" has too many hyphens"#),
        .init(
            schedule: "*/2/3 * * * *",
            message: #"invalid cron schedule "*/2/3 * * * *": minute "*/2/3" has too many slashes"#),
        .init(
            schedule: "* * * *",
            message: #"invalid cron schedule "* * * *": expected exactly 5 fields "#
                + "(minute hour day-of-month month day-of-week), found 4"),
        .init(
            schedule: "0 * * * * *",
            message: #"invalid cron schedule "0 * * * * *": expected exactly 5 fields "#
                + "(minute hour day-of-month month day-of-week), found 6"),
        .init(
            schedule: "@every 1h",
            message: #"invalid cron schedule "@every 1h": "@every" intervals are not supported: they run "#
                + "relative to the previous run, not at calendar times; use a five-field schedule instead"),
        .init(
            schedule: "@fortnightly",
            message: #"invalid cron schedule "@fortnightly": unknown descriptor "@fortnightly" "#
                + "(expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"),
        .init(
            schedule: "@DAILY",
            message: #"invalid cron schedule "@DAILY": unknown descriptor "@DAILY" "#
                + "(expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"),
        .init(
            schedule: "CRON_TZ=Mars/Olympus_Mons 0 * * * *",
            message: #"invalid cron schedule "CRON_TZ=Mars/Olympus_Mons 0 * * * *": "#
                + #"CRON_TZ time zone "Mars/Olympus_Mons" is unknown"#),
        .init(
            schedule: "TZ=UTC",
            message: #"invalid cron schedule "TZ=UTC": TZ= must be followed by a time zone, a space and the schedule"#),
    ]

    @Test(arguments: parseErrorCases)
    func rejectsInvalidSchedule(_ testCase: ParseErrorCase) {
        do {
            let schedule = try CronSchedule(parsing: testCase.schedule)
            Issue.record("expected \"\(testCase.schedule)\" to be rejected, parsed \(schedule)")
        } catch {
            #expect(error.description == testCase.message)
            #expect(error.schedule == testCase.schedule)
        }
    }

    // MARK: - Equivalent spellings

    struct EquivalenceCase: Sendable, CustomTestStringConvertible {
        let schedule: String
        let equivalent: String
        var testDescription: String { "\"\(schedule)\" == \"\(equivalent)\"" }
    }

    static let equivalenceCases: [EquivalenceCase] = [
        .init(schedule: "@yearly", equivalent: "0 0 1 1 *"),
        .init(schedule: "@annually", equivalent: "0 0 1 1 *"),
        .init(schedule: "@monthly", equivalent: "0 0 1 * *"),
        .init(schedule: "@weekly", equivalent: "0 0 * * 0"),
        .init(schedule: "@daily", equivalent: "0 0 * * *"),
        .init(schedule: "@midnight", equivalent: "0 0 * * *"),
        .init(schedule: "@hourly", equivalent: "0 * * * *"),
        .init(schedule: "0 0 ? * ?", equivalent: "0 0 * * *"),
        .init(schedule: "0 0 * * SUN", equivalent: "0 0 * * 0"),
        .init(schedule: "0 9 * * mon-Fri", equivalent: "0 9 * * 1-5"),
        .init(schedule: "0 0 1 jan,JUL,Dec *", equivalent: "0 0 1 1,7,12 *"),
        .init(schedule: "5/10 * * * *", equivalent: "5,15,25,35,45,55 * * * *"),
        .init(schedule: "1-30/5 * * * *", equivalent: "1,6,11,16,21,26 * * * *"),
        .init(schedule: "*/15 * * * *", equivalent: "0,15,30,45 * * * *"),
        .init(schedule: "0 0 */1 * *", equivalent: "0 0 * * *"),
        .init(schedule: "1,,2 * * * *", equivalent: "1,2 * * * *"),
        .init(schedule: "  0\t3  * * *  ", equivalent: "0 3 * * *"),
        .init(schedule: "*-5 * * * *", equivalent: "* * * * *"),
        .init(schedule: "TZ=UTC @daily", equivalent: "CRON_TZ=UTC 0 0 * * *"),
    ]

    @Test(arguments: equivalenceCases)
    func equivalentSpellingsParseEqual(_ testCase: EquivalenceCase) throws {
        #expect(try CronSchedule(parsing: testCase.schedule) == CronSchedule(parsing: testCase.equivalent))
    }

    @Test func stepOnStarIsNotAStarForTheDayRule() throws {
        // robfig/cron clears the "star" flag for "*/2", so "0 0 */2 * 1" means odd days OR Mondays.
        #expect(try CronSchedule(parsing: "0 0 */2 * 1") == CronSchedule(parsing: "0 0 1-31/2 * 1"))
        #expect(try CronSchedule(parsing: "0 0 */2 * 1") != CronSchedule(parsing: "0 0 * * 1"))
    }

    // MARK: - Time zone prefix

    struct TimeZonePrefixCase: Sendable, CustomTestStringConvertible {
        let schedule: String
        let timeZoneOverride: String?
        var testDescription: String { "\"\(schedule)\"" }
    }

    static let timeZonePrefixCases: [TimeZonePrefixCase] = [
        .init(schedule: "0 9 * * *", timeZoneOverride: nil),
        .init(schedule: "CRON_TZ=Europe/Berlin 0 9 * * *", timeZoneOverride: "Europe/Berlin"),
        .init(schedule: "TZ=America/New_York @daily", timeZoneOverride: "America/New_York"),
        .init(schedule: "TZ= 0 9 * * *", timeZoneOverride: "UTC"),
        .init(schedule: "TZ=Local 0 9 * * *", timeZoneOverride: nil),
    ]

    @Test(arguments: timeZonePrefixCases)
    func exposesTimeZonePrefix(_ testCase: TimeZonePrefixCase) throws {
        #expect(try CronSchedule(parsing: testCase.schedule).timeZoneOverride == testCase.timeZoneOverride)
    }

    @Test(arguments: ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"])
    func timeZoneDataIsAvailable(_ identifier: String) {
        #expect(TimeZone(identifier: identifier) != nil)
    }

    // MARK: - Next run

    struct NextRunCase: Sendable, CustomTestStringConvertible {
        let schedule: String
        /// ISO 8601 instant, optionally with fractional seconds.
        let after: String
        let timeZone: String
        /// ISO 8601 instant, or nil when the schedule never fires within the search limit.
        let expected: String?
        var testDescription: String { "\"\(schedule)\" after \(after) in \(timeZone)" }
    }

    static let utcCases: [NextRunCase] = [
        .init(schedule: "0 3 * * *", after: "2024-05-10T12:00:00Z", timeZone: "UTC", expected: "2024-05-11T03:00:00Z"),
        .init(schedule: "0 3 * * *", after: "2024-05-11T03:00:00Z", timeZone: "UTC", expected: "2024-05-12T03:00:00Z"),
        .init(
            schedule: "0 3 * * *", after: "2024-05-11T02:59:59.500Z", timeZone: "UTC",
            expected: "2024-05-11T03:00:00Z"),
        .init(
            schedule: "*/15 * * * *", after: "2024-05-10T12:07:30Z", timeZone: "UTC",
            expected: "2024-05-10T12:15:00Z"),
        .init(
            schedule: "*/15 * * * *", after: "2024-05-10T12:45:00Z", timeZone: "UTC",
            expected: "2024-05-10T13:00:00Z"),
        .init(
            schedule: "*/15 * * * *", after: "2024-12-31T23:59:00Z", timeZone: "UTC",
            expected: "2025-01-01T00:00:00Z"),
        .init(schedule: "0 0 1 * *", after: "2024-01-31T12:00:00Z", timeZone: "UTC", expected: "2024-02-01T00:00:00Z"),
        .init(schedule: "0 0 1 * *", after: "2024-12-15T00:00:00Z", timeZone: "UTC", expected: "2025-01-01T00:00:00Z"),
        // Friday 10:00 -> Monday 09:00
        .init(schedule: "0 9 * * 1-5", after: "2024-05-10T10:00:00Z", timeZone: "UTC", expected: "2024-05-13T09:00:00Z"),
        .init(
            schedule: "0 9 * * MON-FRI", after: "2024-05-11T08:00:00Z", timeZone: "UTC",
            expected: "2024-05-13T09:00:00Z"),
        // dom/dow OR rule: the 13th (a Monday in May 2024) or any Friday.
        .init(schedule: "0 0 13 * 5", after: "2024-05-10T00:00:00Z", timeZone: "UTC", expected: "2024-05-13T00:00:00Z"),
        .init(schedule: "0 0 13 * 5", after: "2024-05-13T00:00:00Z", timeZone: "UTC", expected: "2024-05-17T00:00:00Z"),
        // robfig/cron: "*/2" is not a star, so odd days OR Mondays (Monday 6th, then odd 7th).
        .init(schedule: "0 0 */2 * 1", after: "2024-05-01T00:00:00Z", timeZone: "UTC", expected: "2024-05-03T00:00:00Z"),
        .init(schedule: "0 0 */2 * 1", after: "2024-05-06T00:00:00Z", timeZone: "UTC", expected: "2024-05-07T00:00:00Z"),
        .init(schedule: "0 0 * * 0", after: "2024-05-15T00:00:00Z", timeZone: "UTC", expected: "2024-05-19T00:00:00Z"),
        .init(schedule: "@weekly", after: "2024-05-15T10:00:00Z", timeZone: "UTC", expected: "2024-05-19T00:00:00Z"),
        .init(schedule: "@yearly", after: "2024-01-01T00:00:30Z", timeZone: "UTC", expected: "2025-01-01T00:00:00Z"),
        .init(schedule: "@monthly", after: "2024-02-29T23:59:00Z", timeZone: "UTC", expected: "2024-03-01T00:00:00Z"),
        .init(schedule: "@hourly", after: "2024-05-10T10:00:00Z", timeZone: "UTC", expected: "2024-05-10T11:00:00Z"),
        .init(schedule: "0 0 29 2 *", after: "2025-03-01T00:00:00Z", timeZone: "UTC", expected: "2028-02-29T00:00:00Z"),
        .init(schedule: "0 0 30 2 *", after: "2024-01-01T00:00:00Z", timeZone: "UTC", expected: nil),
        .init(schedule: "0 0 31 * *", after: "2024-05-31T12:00:00Z", timeZone: "UTC", expected: "2024-07-31T00:00:00Z"),
        .init(
            schedule: "5/10 * * * *", after: "2024-05-10T10:55:00Z", timeZone: "UTC",
            expected: "2024-05-10T11:05:00Z"),
        .init(
            schedule: "30 6-16/4 * * *", after: "2024-05-10T14:31:00Z", timeZone: "UTC",
            expected: "2024-05-11T06:30:00Z"),
        .init(
            schedule: "0 12 * jan,JUL sun", after: "2024-02-01T00:00:00Z", timeZone: "UTC",
            expected: "2024-07-07T12:00:00Z"),
    ]

    static let timeZoneCases: [NextRunCase] = [
        // New York spring forward, 2024-03-10 02:00 EST -> 03:00 EDT: 02:30 does not exist that day.
        .init(
            schedule: "30 2 * * *", after: "2024-03-09T12:00:00Z", timeZone: "America/New_York",
            expected: "2024-03-11T06:30:00Z"),
        .init(
            schedule: "0 * * * *", after: "2024-03-10T06:30:00Z", timeZone: "America/New_York",
            expected: "2024-03-10T07:00:00Z"),
        // New York fall back, 2024-11-03 02:00 EDT -> 01:00 EST: 01:30 runs once, at 01:30 EDT.
        .init(
            schedule: "30 1 * * *", after: "2024-11-03T04:00:00Z", timeZone: "America/New_York",
            expected: "2024-11-03T05:30:00Z"),
        .init(
            schedule: "30 1 * * *", after: "2024-11-03T05:30:00Z", timeZone: "America/New_York",
            expected: "2024-11-04T06:30:00Z"),
        .init(
            schedule: "30 1 * * *", after: "2024-11-03T06:10:00Z", timeZone: "America/New_York",
            expected: "2024-11-04T06:30:00Z"),
        .init(
            schedule: "*/30 * * * *", after: "2024-11-03T05:45:00Z", timeZone: "America/New_York",
            expected: "2024-11-03T07:00:00Z"),
        .init(
            schedule: "0 2 * * *", after: "2024-11-03T04:00:00Z", timeZone: "America/New_York",
            expected: "2024-11-03T07:00:00Z"),
        // Berlin spring forward, 2024-03-31 02:00 CET -> 03:00 CEST.
        .init(
            schedule: "30 2 * * *", after: "2024-03-30T12:00:00Z", timeZone: "Europe/Berlin",
            expected: "2024-04-01T00:30:00Z"),
        .init(
            schedule: "*/20 * * * *", after: "2024-03-31T00:50:00Z", timeZone: "Europe/Berlin",
            expected: "2024-03-31T01:00:00Z"),
        // Berlin fall back, 2024-10-27 03:00 CEST -> 02:00 CET: 02:30 runs once, at 02:30 CEST.
        .init(
            schedule: "30 2 * * *", after: "2024-10-26T22:00:00Z", timeZone: "Europe/Berlin",
            expected: "2024-10-27T00:30:00Z"),
        .init(
            schedule: "30 2 * * *", after: "2024-10-27T00:30:00Z", timeZone: "Europe/Berlin",
            expected: "2024-10-28T01:30:00Z"),
        .init(
            schedule: "0 9 * * *", after: "2024-07-01T00:00:00Z", timeZone: "Asia/Kolkata",
            expected: "2024-07-01T03:30:00Z"),
        // The CRON_TZ / TZ prefix takes precedence over the time zone passed to nextRun.
        .init(
            schedule: "CRON_TZ=Europe/Berlin 0 9 * * *", after: "2024-07-01T00:00:00Z", timeZone: "UTC",
            expected: "2024-07-01T07:00:00Z"),
        .init(
            schedule: "TZ=America/New_York 0 0 * * *", after: "2024-01-15T12:00:00Z", timeZone: "Europe/Berlin",
            expected: "2024-01-16T05:00:00Z"),
        .init(
            schedule: "CRON_TZ=America/New_York 30 2 * * *", after: "2024-03-09T12:00:00Z", timeZone: "UTC",
            expected: "2024-03-11T06:30:00Z"),
    ]

    @Test(arguments: utcCases)
    func nextRunInUTC(_ testCase: NextRunCase) throws {
        try check(testCase)
    }

    @Test(arguments: timeZoneCases)
    func nextRunInTimeZones(_ testCase: NextRunCase) throws {
        try check(testCase)
    }

    private func check(_ testCase: NextRunCase) throws {
        let schedule = try CronSchedule(parsing: testCase.schedule)
        let zone = try #require(TimeZone(identifier: testCase.timeZone), "no tz data for \(testCase.timeZone)")
        let after = try Self.instant(testCase.after)
        let expected = try testCase.expected.map(Self.instant)
        #expect(schedule.nextRun(after: after, in: zone) == expected)
    }

    @Test func yearlyAndNeverMatchingSchedulesResolveQuickly() throws {
        let yearly = try CronSchedule(parsing: "@yearly")
        let never = try CronSchedule(parsing: "0 0 30 2 *")
        let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
        let start = try Self.instant("2024-01-01T00:00:30Z")
        let iterations = 200
        let clock = ContinuousClock()
        let yearlyElapsed = clock.measure {
            for offset in 0..<iterations {
                _ = yearly.nextRun(after: start.addingTimeInterval(Double(offset) * 3_600), in: zone)
            }
        }
        let neverElapsed = clock.measure {
            for offset in 0..<iterations {
                _ = never.nextRun(after: start.addingTimeInterval(Double(offset) * 3_600), in: zone)
            }
        }
        // Well under 1 ms per call even in debug builds on a shared machine.
        #expect(yearlyElapsed < .milliseconds(iterations), "yearly: \(yearlyElapsed) for \(iterations) calls")
        #expect(neverElapsed < .milliseconds(iterations), "never: \(neverElapsed) for \(iterations) calls")
    }

    // MARK: - Helpers

    private static func instant(_ text: String) throws -> Date {
        // Split off fractional seconds ("...59.500Z") so the plain ISO 8601 strategy can parse the rest.
        guard let dot = text.firstIndex(of: ".") else {
            return try Date(text, strategy: .iso8601)
        }
        let whole = String(text[..<dot]) + "Z"
        let fractionText = "0" + String(text[dot...].dropLast())
        let fraction = try #require(Double(fractionText))
        return try Date(whole, strategy: .iso8601).addingTimeInterval(fraction)
    }
}
