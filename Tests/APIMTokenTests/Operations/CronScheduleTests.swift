import APIMToken
import FoundationEssentials
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
            schedule: "CRON_TZ=../../etc/passwd 0 * * * *",
            message: #"invalid cron schedule "CRON_TZ=../../etc/passwd 0 * * * *": "#
                + #"CRON_TZ time zone "../../etc/passwd" is unknown"#),
        .init(
            schedule: "TZ=/etc/localtime 0 * * * *",
            message: #"invalid cron schedule "TZ=/etc/localtime 0 * * * *": TZ time zone "/etc/localtime" is unknown"#),
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
        .init(schedule: "TZ=UTC \t\n@daily\n", equivalent: "CRON_TZ=UTC 0 0 * * *"),
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

    @Test(arguments: [
        "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Moscow", "Pacific/Apia",
        "UTC",
    ])
    func timeZoneDataIsAvailable(_ identifier: String) {
        #expect(ZoneInfo(identifier: identifier) != nil)
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
        // Lord Howe moves by 30 minutes. Spring forward, 2024-10-06 02:00 +10:30 -> 02:30 +11: 02:00-02:29 do not
        // exist, so 02:15 runs the next day and */10 resumes at 02:30.
        .init(
            schedule: "15 2 * * *", after: "2024-10-05T12:00:00Z", timeZone: "Australia/Lord_Howe",
            expected: "2024-10-06T15:15:00Z"),
        .init(
            schedule: "*/10 * * * *", after: "2024-10-05T15:25:00Z", timeZone: "Australia/Lord_Howe",
            expected: "2024-10-05T15:30:00Z"),
        // Fall back, 2024-04-07 02:00 +11 -> 01:30 +10:30: 01:45 runs once, at 01:45 +11.
        .init(
            schedule: "45 1 * * *", after: "2024-04-06T14:00:00Z", timeZone: "Australia/Lord_Howe",
            expected: "2024-04-06T14:45:00Z"),
        .init(
            schedule: "45 1 * * *", after: "2024-04-06T14:45:00Z", timeZone: "Australia/Lord_Howe",
            expected: "2024-04-07T15:15:00Z"),
        // After 01:50 +11 the repeated 01:30-01:59 +10:30 do not fire: the next run is 02:00 +10:30.
        .init(
            schedule: "*/20 * * * *", after: "2024-04-06T14:50:00Z", timeZone: "Australia/Lord_Howe",
            expected: "2024-04-06T15:30:00Z"),
        // 2040 is past the table, so the footer rule <+1030>-10:30<+11>-11,M10.1.0,M4.1.0 decides.
        .init(
            schedule: "15 2 * * *", after: "2040-10-06T12:00:00Z", timeZone: "Australia/Lord_Howe",
            expected: "2040-10-07T15:15:00Z"),
        // Moscow: 2011-03-27 02:00 +3 -> 03:00 +4, then +4 all year; 2014-10-26 02:00 +4 -> 01:00 +3 for good.
        .init(
            schedule: "30 2 * * *", after: "2011-03-26T12:00:00Z", timeZone: "Europe/Moscow",
            expected: "2011-03-27T22:30:00Z"),
        .init(
            schedule: "0 12 * * *", after: "2012-01-15T00:00:00Z", timeZone: "Europe/Moscow",
            expected: "2012-01-15T08:00:00Z"),
        .init(
            schedule: "30 1 * * *", after: "2014-10-25T20:00:00Z", timeZone: "Europe/Moscow",
            expected: "2014-10-25T21:30:00Z"),
        .init(
            schedule: "30 1 * * *", after: "2014-10-25T21:30:00Z", timeZone: "Europe/Moscow",
            expected: "2014-10-26T22:30:00Z"),
        .init(
            schedule: "0 12 * * *", after: "2015-01-15T00:00:00Z", timeZone: "Europe/Moscow",
            expected: "2015-01-15T09:00:00Z"),
        // Apia skipped 2011-12-30 (2011-12-29 24:00 -10 became 2011-12-31 00:00 +14).
        .init(
            schedule: "0 12 * * *", after: "2011-12-29T12:00:00Z", timeZone: "Pacific/Apia",
            expected: "2011-12-29T22:00:00Z"),
        .init(
            schedule: "0 12 * * *", after: "2011-12-29T22:00:00Z", timeZone: "Pacific/Apia",
            expected: "2011-12-30T22:00:00Z"),
        .init(
            schedule: "0 0 30 12 *", after: "2011-12-01T00:00:00Z", timeZone: "Pacific/Apia",
            expected: "2012-12-29T10:00:00Z"),
        // Past the table: the footers CET-1CEST,M3.5.0,M10.5.0/3 (2040-03-25 and 2040-10-28) and EST5EDT,M3.2.0,M11.1.0
        // (2050-03-13).
        .init(
            schedule: "30 2 * * *", after: "2040-03-24T12:00:00Z", timeZone: "Europe/Berlin",
            expected: "2040-03-26T00:30:00Z"),
        .init(
            schedule: "30 2 * * *", after: "2040-10-27T22:00:00Z", timeZone: "Europe/Berlin",
            expected: "2040-10-28T00:30:00Z"),
        .init(
            schedule: "30 2 * * *", after: "2040-10-28T00:30:00Z", timeZone: "Europe/Berlin",
            expected: "2040-10-29T01:30:00Z"),
        .init(
            schedule: "30 2 * * *", after: "2050-03-12T12:00:00Z", timeZone: "America/New_York",
            expected: "2050-03-14T06:30:00Z"),
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
        let zone = try #require(ZoneInfo(identifier: testCase.timeZone), "no tz data for \(testCase.timeZone)")
        let after = try Self.instant(testCase.after)
        let expected = try testCase.expected.map(Self.instant)
        #expect(schedule.nextRun(after: after, in: zone) == expected)
    }

    @Test func yearlyAndNeverMatchingSchedulesResolveQuickly() throws {
        let yearly = try CronSchedule(parsing: "@yearly")
        let never = try CronSchedule(parsing: "0 0 30 2 *")
        let zone = try #require(ZoneInfo(identifier: "Europe/Berlin"))
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

    @Test func unknownOverrideOrUnrepresentableDateGivesNoRun() throws {
        let schedule = try CronSchedule(parsing: "0 * * * *")
        #expect(schedule.nextRun(after: Date(timeIntervalSince1970: .nan), in: .utc) == nil)
        #expect(schedule.nextRun(after: Date(timeIntervalSince1970: .infinity), in: .utc) == nil)
        #expect(schedule.nextRun(after: Date(timeIntervalSince1970: 1e300), in: .utc) == nil)
        #expect(schedule.nextRun(after: .distantFuture, in: .utc) != nil)
        #expect(schedule.nextRun(after: .distantPast, in: .utc) != nil)
        var overridden = schedule
        overridden.timeZoneOverride = "Mars/Olympus_Mons"
        #expect(overridden.nextRun(after: Date(timeIntervalSince1970: 0), in: .utc) == nil)
    }

    // MARK: - Against a Python reference

    /// Seeded instants within 36 hours of every offset change from 1970 to 2100 (table and footer), plus uniform
    /// ones, in zones whose offsets are whole minutes after 1970; each schedule's next run is compared with
    /// ``PythonZoneinfo``'s brute force, which matches wall-clock fields minute by minute with Python's `zoneinfo`
    /// and never fires on a repeated wall time's second occurrence (`fold == 1`). It parses the schedules itself,
    /// with robfig/cron's day rule.
    @Test func nextRunMatchesPythonReference() async throws {
        let zones = [
            "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Europe/Moscow", "Pacific/Apia", "Europe/Dublin",
            "America/Nuuk", "Antarctica/Troll",
        ]
        let schedules = ["30 2 * * *", "*/15 * * * *", "0 1-3 * * *", "45 0-4/2 * * 1-5", "30 1 * * 0", "0,30 0-6 13 * 5"]
        let year1970 = 0
        let year2101 = 4_133_980_800
        var generator = SplitMix64(seed: 0xC10C_2026)
        var cases: [(schedule: String, zone: String, after: Int)] = []
        for identifier in zones {
            let zone = try #require(ZoneInfo(identifier: identifier, environment: Environment()))
            let changes = ZoneInfoTests.offsetChanges(in: zone, from: year1970, to: year2101)
            for schedule in schedules {
                for _ in 0..<20 {
                    let change = try #require(changes.randomElement(using: &generator))
                    cases.append((schedule, identifier, change + Int.random(in: -129_600...129_600, using: &generator)))
                }
                for _ in 0..<4 {
                    cases.append((schedule, identifier, Int.random(in: year1970..<year2101, using: &generator)))
                }
            }
        }
        let input = cases.map { "\($0.schedule)\t\($0.zone)\t\($0.after)\n" }.joined()
        let output = try await PythonZoneinfo.run(mode: "next", input: input)
        try #require(output.count == cases.count, "python3 printed \(output.count) lines for \(cases.count) cases")
        var mismatches: [String] = []
        for (testCase, expected) in zip(cases, output) {
            let schedule = try CronSchedule(parsing: testCase.schedule)
            let zone = try #require(ZoneInfo(identifier: testCase.zone, environment: Environment()))
            let next = schedule.nextRun(after: Date(timeIntervalSince1970: Double(testCase.after)), in: zone)
            let actual = next.map { String(Int($0.timeIntervalSince1970)) } ?? "none"
            if actual != expected {
                mismatches.append("\(testCase.schedule) in \(testCase.zone) after \(testCase.after): \(actual), python \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count): \(mismatches.prefix(20))")
        print("CronScheduleTests: compared \(cases.count) next runs in \(zones.count) zones with the Python reference, \(mismatches.count) mismatches")
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
