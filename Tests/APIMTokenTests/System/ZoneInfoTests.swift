import FoundationEssentials
import Testing

@testable import APIMToken

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Expected offsets were checked by hand against the tz database's source (`europe`, `northamerica`, `australasia`)
/// and confirmed with Python's `zoneinfo`; the seeded comparisons ask Python's `zoneinfo` for every instant.
@Suite struct ZoneInfoTests {
    /// Zones with DST rules of every shape in their footers: northern and southern hemisphere, a 30-minute shift
    /// (Lord Howe), negative DST (Dublin), a negative rule time (Nuuk), a two-hour shift (Troll), historical offset
    /// changes without DST (Moscow 2011/2014, Apia skipping 2011-12-30), a long table (Casablanca) and a fixed offset
    /// with minutes (Kolkata).
    static let comparedZones = [
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Europe/Moscow", "Pacific/Apia", "Europe/Dublin",
        "America/Nuuk", "Antarctica/Troll", "Africa/Casablanca", "Asia/Kolkata",
    ]

    static let year1900 = -2_208_988_800
    static let year2101 = 4_133_980_800

    // MARK: - Loading

    @Test(arguments: comparedZones)
    func loadsSystemZones(_ identifier: String) throws {
        let zone = try #require(ZoneInfo(identifier: identifier, environment: Environment()))
        #expect(zone.identifier == identifier)
        #expect(zone.description == identifier)
    }

    @Test func utcNeedsNoFile() {
        #expect(ZoneInfo(identifier: "UTC", environment: Environment(["ZONEINFO": "/nonexistent"])) == .utc)
        #expect(ZoneInfo(identifier: "", environment: Environment()) == .utc)
        #expect(ZoneInfo.utc.identifier == "UTC")
        #expect(ZoneInfo.utc.offset(atUnixSeconds: 0) == 0)
        #expect(ZoneInfo.utc.offset(atUnixSeconds: Int.max) == 0)
        #expect(ZoneInfo.utc.offset(atUnixSeconds: Int.min) == 0)
    }

    struct OffsetCase: Sendable, CustomTestStringConvertible {
        let zone: String
        let instant: Int
        let offset: Int
        let why: String
        var testDescription: String { "\(zone) at \(instant): \(why)" }
    }

    static let offsetCases: [OffsetCase] = [
        .init(zone: "Europe/Berlin", instant: 1_704_067_200, offset: 3_600, why: "2024-01-01, CET"),
        .init(zone: "Europe/Berlin", instant: 1_719_792_000, offset: 7_200, why: "2024-07-01, CEST"),
        .init(zone: "Europe/Berlin", instant: 1_711_846_799, offset: 3_600, why: "2024-03-31T00:59:59Z, last CET second"),
        .init(zone: "Europe/Berlin", instant: 1_711_846_800, offset: 7_200, why: "2024-03-31T01:00:00Z, first CEST second"),
        .init(zone: "Europe/Berlin", instant: 1_729_990_799, offset: 7_200, why: "2024-10-27T00:59:59Z, last CEST second"),
        .init(zone: "Europe/Berlin", instant: 1_729_990_800, offset: 3_600, why: "2024-10-27T01:00:00Z, CET again"),
        // Past the table (fat files end in 2037): the footer CET-1CEST,M3.5.0,M10.5.0/3. 2040-03-25 is the last Sunday.
        .init(zone: "Europe/Berlin", instant: 2_216_249_999, offset: 3_600, why: "2040-03-25T00:59:59Z, footer, CET"),
        .init(zone: "Europe/Berlin", instant: 2_216_250_000, offset: 7_200, why: "2040-03-25T01:00:00Z, footer, CEST"),
        .init(zone: "Europe/Berlin", instant: -2_524_521_600, offset: 3_208, why: "1890-01-01, local mean time +0:53:28"),
        .init(zone: "America/New_York", instant: 1_710_053_999, offset: -18_000, why: "2024-03-10T06:59:59Z, EST"),
        .init(zone: "America/New_York", instant: 1_710_054_000, offset: -14_400, why: "2024-03-10T07:00:00Z, EDT"),
        .init(zone: "America/New_York", instant: 2_550_380_400, offset: -14_400, why: "2050-10-26, footer, EDT"),
        // Lord Howe: +10:30 standard, +11 in summer (first Sunday of October 02:00 to first Sunday of April 02:00).
        .init(zone: "Australia/Lord_Howe", instant: 1_728_142_199, offset: 37_800, why: "2024-10-05T15:29:59Z, +10:30"),
        .init(zone: "Australia/Lord_Howe", instant: 1_728_142_200, offset: 39_600, why: "2024-10-05T15:30:00Z, +11"),
        .init(zone: "Australia/Lord_Howe", instant: 1_712_415_599, offset: 39_600, why: "2024-04-06T14:59:59Z, +11"),
        .init(zone: "Australia/Lord_Howe", instant: 1_712_415_600, offset: 37_800, why: "2024-04-06T15:00:00Z, +10:30"),
        // 2040-10-07 is the first Sunday of October: 02:00 +10:30 is 2040-10-06T15:30Z.
        .init(zone: "Australia/Lord_Howe", instant: 2_233_150_200, offset: 39_600, why: "2040-10-06T15:30:00Z, footer, +11"),
        .init(zone: "Australia/Lord_Howe", instant: 2_233_150_199, offset: 37_800, why: "2040-10-06T15:29:59Z, footer, +10:30"),
        // Moscow: permanent +4 from 2011-03-27 ("summer time" all year), back to +3 on 2014-10-26.
        .init(zone: "Europe/Moscow", instant: 1_326_585_600, offset: 14_400, why: "2012-01-15, +4 in winter"),
        .init(zone: "Europe/Moscow", instant: 1_414_274_399, offset: 14_400, why: "2014-10-25T21:59:59Z, +4"),
        .init(zone: "Europe/Moscow", instant: 1_414_274_400, offset: 10_800, why: "2014-10-25T22:00:00Z, +3"),
        .init(zone: "Europe/Moscow", instant: 1_421_280_000, offset: 10_800, why: "2015-01-15, +3"),
        .init(zone: "Europe/Moscow", instant: -2_208_988_800, offset: 9_017, why: "1900-01-01, Moscow mean time +2:30:17"),
        // Apia skipped 2011-12-30: 2011-12-29T23:59:59 -10 is followed by 2011-12-31T00:00:00 +14.
        .init(zone: "Pacific/Apia", instant: 1_325_239_199, offset: -36_000, why: "2011-12-30T09:59:59Z, -10"),
        .init(zone: "Pacific/Apia", instant: 1_325_239_200, offset: 50_400, why: "2011-12-30T10:00:00Z, +14"),
        .init(zone: "Asia/Kolkata", instant: 1_719_792_000, offset: 19_800, why: "2024-07-01, +5:30"),
        .init(zone: "Asia/Kolkata", instant: 4_102_444_800, offset: 19_800, why: "2100-01-01, footer IST-5:30"),
    ]

    @Test(arguments: offsetCases)
    func offsetAtKnownInstants(_ testCase: OffsetCase) throws {
        let zone = try #require(ZoneInfo(identifier: testCase.zone, environment: Environment()))
        #expect(zone.offset(atUnixSeconds: testCase.instant) == testCase.offset)
    }

    @Test func extremeInstantsDoNotTrap() throws {
        for identifier in Self.comparedZones {
            let zone = try #require(ZoneInfo(identifier: identifier, environment: Environment()))
            for instant in [Int.min, Int.min + 1, -(1 << 40) - 1, 1 << 40 + 1, Int.max - 1, Int.max] {
                #expect(abs(zone.offset(atUnixSeconds: instant)) <= 26 * 3_600)
            }
        }
        // The footer rule repeats every 400 years, so far instants are reduced by whole cycles.
        let berlin = try #require(ZoneInfo(identifier: "Europe/Berlin", environment: Environment()))
        let cycle = 146_097 * 86_400
        let july2040 = 2_225_000_000
        #expect(berlin.offset(atUnixSeconds: july2040 + 10_000 * cycle) == 7_200)
        #expect(berlin.offset(atUnixSeconds: july2040 + 10_000 * cycle + 180 * 86_400) == 3_600)
    }

    // MARK: - POSIX TZ footers

    struct RuleCase: Sendable, CustomTestStringConvertible {
        let rule: String
        /// (instant, expected offset) pairs.
        let checks: [(Int, Int)]
        var testDescription: String { rule }
    }

    static let ruleCases: [RuleCase] = [
        .init(rule: "CET-1CEST,M3.5.0,M10.5.0/3", checks: [(1_711_846_799, 3_600), (1_711_846_800, 7_200)]),
        .init(
            rule: "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
            checks: [(1_728_142_199, 37_800), (1_728_142_200, 39_600), (1_712_415_599, 39_600), (1_712_415_600, 37_800)]),
        // Negative DST: GMT is the "daylight" time, in winter.
        .init(
            rule: "IST-1GMT0,M10.5.0,M3.5.0/1",
            checks: [(1_704_067_200, 0), (1_719_792_000, 3_600), (1_711_846_799, 0), (1_711_846_800, 3_600)]),
        // A negative rule time: -1 = 23:00 the day before (Saturday 2024-03-30 23:00 -02 = 2024-03-31T01:00Z).
        .init(rule: "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", checks: [(1_711_846_799, -7_200), (1_711_846_800, -3_600)]),
        // DST all year: starts January 1 00:00 and ends December 31 25:00, which is the next start.
        .init(rule: "EST5EDT,0/0,J365/25", checks: [(1_704_067_200, -14_400), (1_719_792_000, -14_400), (1_735_707_600, -14_400)]),
        // No rule: Go's default, the United States rules (second Sunday of March, first Sunday of November).
        .init(rule: "EST5EDT", checks: [(1_710_053_999, -18_000), (1_710_054_000, -14_400), (1_730_613_600, -18_000)]),
        .init(rule: "<-03>3", checks: [(0, -10_800), (4_102_444_800, -10_800)]),
        .init(rule: "IST-5:30", checks: [(0, 19_800)]),
        // J60 is March 1 even in leap years; 59 (zero-based) is February 29 in 2024.
        .init(rule: "XXX0YYY,J60/0,J300/0", checks: [(1_709_251_199, 0), (1_709_251_200, 3_600)]),
        .init(rule: "XXX0YYY,59/0,300/0", checks: [(1_709_164_799, 0), (1_709_164_800, 3_600)]),
    ]

    @Test(arguments: ruleCases)
    func footerRules(_ testCase: RuleCase) throws {
        let rule = try #require(PosixTimeZone(parsing: Array(testCase.rule.utf8)))
        for (instant, offset) in testCase.checks {
            #expect(rule.offset(atUnixSeconds: instant) == offset, "at \(instant)")
        }
    }

    @Test(arguments: [
        "", "CET", "CE-1", "CET-", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,M3.5.0,M10.5.0/168", "CET-25", "<+1>-1", "<+01-1", "CET-1:60",
        "CET-1CEST,J0,J365", "CET-1CEST,366,0", "CET-1CEST,M3.5.0,M10.5.0,", "CET-1 ", "CET-1CEST-2x",
    ])
    func malformedFooterRulesAreRejected(_ rule: String) {
        #expect(PosixTimeZone(parsing: Array(rule.utf8)) == nil)
    }

    // MARK: - Names and files

    @Test(arguments: [
        "../etc/passwd", "/etc/localtime", "/usr/share/zoneinfo/Europe/Berlin", "Europe/../Europe/Berlin",
        "Europe/..", "..", "Europe//Berlin", "Europe/Berlin/", "./Europe/Berlin", "Europe/./Berlin", "Europe\\Berlin",
        "Europe/Berlin\u{0}", "Local", "Mars/Olympus_Mons", "Europe", "zone.tab", "tzdata.zi",
        String(repeating: "A", count: 300),
    ])
    func unsafeOrUnknownNamesGiveNil(_ name: String) {
        #expect(ZoneInfo(identifier: name, environment: Environment()) == nil)
    }

    @Test func zoneinfoDirectoryIsSearchedFirstAndFilesAreBounded() throws {
        let directory = try TemporaryDirectory()
        let berlin = try #require(ZoneInfo.readSmallFile(atPath: "/usr/share/zoneinfo/Europe/Berlin"))
        try directory.write(berlin, to: "Test/Zone")
        try directory.write(Data(repeating: 0x54, count: ZoneInfo.maximumFileSize + 1), to: "Test/Huge")
        try directory.write(Data("TZif".utf8), to: "Europe/Berlin")  // broken: the system file is used instead
        #expect(mkfifo(directory.path + "/Test/Fifo", 0o600) == 0)
        let environment = Environment(["ZONEINFO": directory.path])

        let zone = try #require(ZoneInfo(identifier: "Test/Zone", environment: environment))
        #expect(zone.identifier == "Test/Zone")
        #expect(zone.offset(atUnixSeconds: 1_719_792_000) == 7_200)
        #expect(ZoneInfo(identifier: "Test/Zone", environment: Environment()) == nil)
        #expect(ZoneInfo(identifier: "Test/Huge", environment: environment) == nil)
        #expect(ZoneInfo(identifier: "Test/Fifo", environment: environment) == nil)  // and it does not block
        #expect(ZoneInfo(identifier: "Test", environment: environment) == nil)  // a directory
        #expect(ZoneInfo(identifier: "Europe/Berlin", environment: environment)?.offset(atUnixSeconds: 0) == 3_600)
    }

    @Test func localFollowsGoSemantics() throws {
        // TZ unset: /etc/localtime.
        let unset = ZoneInfo.local(environment: Environment())
        if let bytes = ZoneInfo.readSmallFile(atPath: "/etc/localtime"),
            let expected = ZoneInfo(identifier: unset.identifier, tzif: bytes)
        {
            #expect(unset == expected)
        } else {
            #expect(unset == .utc)
        }
        #expect(ZoneInfo.local(environment: Environment(["TZ": ""])) == .utc)
        #expect(ZoneInfo.local(environment: Environment(["TZ": "UTC"])) == .utc)
        let berlin = try #require(ZoneInfo(identifier: "Europe/Berlin", environment: Environment()))
        #expect(ZoneInfo.local(environment: Environment(["TZ": "Europe/Berlin"])) == berlin)
        #expect(ZoneInfo.local(environment: Environment(["TZ": ":Europe/Berlin"])) == berlin)
        let path = ZoneInfo.local(environment: Environment(["TZ": ":/usr/share/zoneinfo/Asia/Kolkata"]))
        #expect(path.identifier == "/usr/share/zoneinfo/Asia/Kolkata")
        #expect(path.offset(atUnixSeconds: 0) == 19_800)
        for unusable in ["Mars/Olympus_Mons", "../../etc/passwd", "/etc/passwd", ":", "CET-1CEST,M3.5.0,M10.5.0/3"] {
            #expect(ZoneInfo.local(environment: Environment(["TZ": unusable])) == .utc, "TZ=\(unusable)")
        }
    }

    // MARK: - Malformed TZif

    @Test func everyTruncationOfARealFileGivesNil() throws {
        for identifier in ["Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"] {
            let bytes = try #require(ZoneInfo.readSmallFile(atPath: "/usr/share/zoneinfo/" + identifier))
            #expect(ZoneInfo(identifier: identifier, tzif: bytes) != nil)
            for length in 0..<bytes.count {
                #expect(ZoneInfo(identifier: identifier, tzif: bytes.prefix(length)) == nil, "\(identifier) cut at \(length)")
            }
        }
    }

    @Test func malformedHeadersAndTablesGiveNil() throws {
        let valid = TZifBuilder().bytes
        #expect(ZoneInfo(identifier: "T", tzif: valid)?.offset(atUnixSeconds: 0) == 3_600)
        #expect(ZoneInfo(identifier: "T", tzif: valid)?.offset(atUnixSeconds: -1_000_000_000) == 1_000)

        var cases: [(String, Data)] = []
        var builder = TZifBuilder()
        builder.magic = "TZiF"
        cases.append(("wrong magic", builder.bytes))
        builder = TZifBuilder()
        builder.version = UInt8(ascii: "x")
        cases.append(("unknown version", builder.bytes))
        for index in 0..<6 {
            builder = TZifBuilder()
            builder.countOverride = (index, 0xFFFF_FFFF)
            cases.append(("count \(index) = 2^32 - 1", builder.bytes))
            builder.countOverride = (index, 0x7FFF_FFFF)
            cases.append(("count \(index) = 2^31 - 1", builder.bytes))
        }
        builder = TZifBuilder()
        builder.types = []
        cases.append(("no time types", builder.bytes))
        builder = TZifBuilder()
        builder.transitions = [(0, 5)]
        cases.append(("type index out of range", builder.bytes))
        builder = TZifBuilder()
        builder.transitions = [(100, 1), (100, 0)]
        cases.append(("transitions not ascending", builder.bytes))
        builder = TZifBuilder()
        builder.types = [(1_000, 0), (Int32.max, 1)]
        cases.append(("offset out of range", builder.bytes))
        builder = TZifBuilder()
        builder.types = [(1_000, 0), (3_600, 2)]
        cases.append(("isdst not 0 or 1", builder.bytes))
        builder = TZifBuilder()
        builder.footer = "CET-1CEST,M3.5.0"
        cases.append(("bad footer", builder.bytes))
        builder = TZifBuilder()
        builder.omitFooterNewline = true
        cases.append(("unterminated footer", builder.bytes))
        builder = TZifBuilder()
        builder.secondHeaderMagic = "XXXX"
        cases.append(("bad second header", builder.bytes))
        cases.append(("oversized", valid + Data(repeating: 0, count: ZoneInfo.maximumFileSize)))
        for (why, bytes) in cases {
            #expect(ZoneInfo(identifier: "T", tzif: bytes) == nil, "\(why)")
        }
    }

    @Test func versionOneFilesAreRead() throws {
        var builder = TZifBuilder()
        builder.version = 0
        let zone = try #require(ZoneInfo(identifier: "T", tzif: builder.bytes))
        #expect(zone.offset(atUnixSeconds: -1_000_000_000) == 1_000)
        #expect(zone.offset(atUnixSeconds: 0) == 3_600)
        #expect(zone.offset(atUnixSeconds: 4_000_000_000) == 3_600)  // no footer: the last type stays
    }

    @Test func randomlyCorruptedFilesNeverCrash() throws {
        var generator = SplitMix64(seed: 0x7A1F_0001)
        var accepted = 0
        for identifier in Self.comparedZones {
            let original = try #require(ZoneInfo.readSmallFile(atPath: "/usr/share/zoneinfo/" + identifier))
            for _ in 0..<300 {
                var bytes = [UInt8](original)
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let index = Int.random(in: 0..<bytes.count, using: &generator)
                    bytes[index] = UInt8.random(in: 0...255, using: &generator)
                }
                if let zone = ZoneInfo(identifier: identifier, tzif: Data(bytes)) {
                    accepted += 1
                    for _ in 0..<20 {
                        let offset = zone.offset(atUnixSeconds: Int.random(in: Self.year1900..<Self.year2101, using: &generator))
                        #expect(abs(offset) <= 26 * 3_600)
                    }
                }
            }
        }
        // Most corruptions hit transition times or abbreviations and still parse; some are refused.
        #expect(accepted > 0)
    }

    // MARK: - Against Python's zoneinfo

    @Test func offsetsMatchPythonZoneinfo() async throws {
        var generator = SplitMix64(seed: 0x5EED_2026)
        var cases: [(zone: String, instant: Int)] = []
        for identifier in Self.comparedZones {
            let zone = try #require(ZoneInfo(identifier: identifier, environment: Environment()))
            for _ in 0..<400 {
                cases.append((identifier, Int.random(in: Self.year1900..<Self.year2101, using: &generator)))
            }
            // Both sides of every change found by a weekly scan: table transitions up to 2037 and footer ones after.
            for boundary in Self.offsetChanges(in: zone, from: Self.year1900, to: Self.year2101) {
                cases.append((identifier, boundary - 1))
                cases.append((identifier, boundary))
            }
        }
        let input = cases.map { "\($0.zone)\t\($0.instant)\n" }.joined()
        let output = try await PythonZoneinfo.run(mode: "offset", input: input)
        try #require(output.count == cases.count, "python3 printed \(output.count) lines for \(cases.count) instants")
        var mismatches: [String] = []
        for (testCase, expected) in zip(cases, output) {
            let zone = try #require(ZoneInfo(identifier: testCase.zone, environment: Environment()))
            let actual = zone.offset(atUnixSeconds: testCase.instant)
            if String(actual) != expected {
                mismatches.append("\(testCase.zone) at \(testCase.instant): \(actual), python \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count): \(mismatches.prefix(20))")
        print("ZoneInfoTests: compared \(cases.count) offsets in \(Self.comparedZones.count) zones with Python's zoneinfo, \(mismatches.count) mismatches")
    }

    /// The first instant of each new offset, found by sampling every week and bisecting.
    static func offsetChanges(in zone: ZoneInfo, from start: Int, to end: Int) -> [Int] {
        var changes: [Int] = []
        var previous = start
        var previousOffset = zone.offset(atUnixSeconds: start)
        while previous < end {
            let next = min(previous + 7 * 86_400, end)
            let nextOffset = zone.offset(atUnixSeconds: next)
            if nextOffset != previousOffset {
                var (low, high) = (previous, next)  // offset(low) == previousOffset, offset(high) differs
                while high - low > 1 {
                    let middle = low + (high - low) / 2
                    if zone.offset(atUnixSeconds: middle) == previousOffset { low = middle } else { high = middle }
                }
                changes.append(high)
            }
            (previous, previousOffset) = (next, nextOffset)
        }
        return changes
    }
}

// MARK: - Helpers

/// Python's `zoneinfo` as a reference, run as `python3 -c`. The same script serves ``CronScheduleTests``: a
/// brute-force next run that steps through UTC minutes and matches wall-clock fields (`fold == 1`, the second
/// occurrence of a repeated wall time, never matches).
enum PythonZoneinfo {
    static let script = #"""
        import sys
        from datetime import datetime, timedelta, timezone
        from zoneinfo import ZoneInfo

        EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
        zones = {}

        def local(t, name):
            if name not in zones:
                zones[name] = ZoneInfo(name)
            return (EPOCH + timedelta(seconds=t)).astimezone(zones[name])

        def field(text, low, high):
            values, star = set(), False
            for element in text.split(","):
                if not element:
                    continue
                span, slash, step_text = element.partition("/")
                step = int(step_text) if slash else 1
                if span in ("*", "?"):
                    first, last, is_star = low, high, True
                elif "-" in span:
                    first, last = map(int, span.split("-"))
                    is_star = False
                else:
                    first = last = int(span)
                    is_star = False
                    if slash:
                        last = high
                if step > 1:
                    is_star = False
                values.update(range(first, last + 1, step))
                star = star or is_star
            return values, star

        def next_run(schedule, after, name):
            f = schedule.split()
            minutes, _ = field(f[0], 0, 59)
            hours, _ = field(f[1], 0, 23)
            days, day_star = field(f[2], 1, 31)
            months, _ = field(f[3], 1, 12)
            weekdays, weekday_star = field(f[4], 0, 6)
            t = after - after % 60 + 60
            for _ in range(60 * 24 * 40):
                d = local(t, name)
                if d.second == 0 and d.fold == 0 and d.minute in minutes and d.hour in hours and d.month in months:
                    day, weekday = d.day in days, d.isoweekday() % 7 in weekdays
                    if (day and weekday) if (day_star or weekday_star) else (day or weekday):
                        return str(t)
                t += 60
            return "none"

        mode = sys.argv[1]
        out = []
        for line in sys.stdin:
            parts = line.rstrip("\n").split("\t")
            if mode == "offset":
                out.append(str(int(local(int(parts[1]), parts[0]).utcoffset().total_seconds())))
            else:
                out.append(next_run(parts[0], int(parts[2]), parts[1]))
        print("\n".join(out))
        """#

    /// One output line per input line.
    static func run(mode: String, input: String) async throws -> [String] {
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        let result = try await POSIXProcessRunner().run(
            ProcessRequest(
                executable: "python3", arguments: ["-c", script, mode], environment: environment,
                input: .data(Data(input.utf8)), timeout: .seconds(600)))
        try #require(
            result.exitStatus == 0,
            "python3 failed (\(result.exitStatus)): \(String(decoding: result.standardError, as: UTF8.self))")
        return String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// A version 2 TZif file with types (+1000 s, standard) and (+3600 s, DST), one transition at -1000 to the second,
/// and an empty footer, with fields to break it.
private struct TZifBuilder {
    var magic = "TZif"
    var secondHeaderMagic = "TZif"
    var version = UInt8(ascii: "2")
    var types: [(offset: Int32, isDST: UInt8)] = [(1_000, 0), (3_600, 1)]
    var transitions: [(time: Int64, type: UInt8)] = [(-1_000, 1)]
    var footer = ""
    var omitFooterNewline = false
    /// Replaces one of the six header counts (isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt).
    var countOverride: (index: Int, value: UInt32)?

    var bytes: Data {
        var data = Data()
        data.append(contentsOf: header(magic: magic))
        data.append(contentsOf: body(timeSize: 4))
        if version != 0 {
            data.append(contentsOf: header(magic: secondHeaderMagic))
            data.append(contentsOf: body(timeSize: 8))
            data.append(contentsOf: Array(("\n" + footer + (omitFooterNewline ? "" : "\n")).utf8))
        }
        return data
    }

    private let abbreviations = Array("AAA\0BBB\0".utf8)

    private func header(magic: String) -> [UInt8] {
        var bytes = Array(magic.utf8) + [version] + [UInt8](repeating: 0, count: 15)
        var counts: [UInt32] = [0, 0, 0, UInt32(transitions.count), UInt32(types.count), UInt32(abbreviations.count)]
        if let countOverride { counts[countOverride.index] = countOverride.value }
        for count in counts { bytes += bigEndian(UInt64(count), size: 4) }
        return bytes
    }

    private func body(timeSize: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for transition in transitions { bytes += bigEndian(UInt64(bitPattern: transition.time), size: timeSize) }
        for transition in transitions { bytes.append(transition.type) }
        for (index, type) in types.enumerated() {
            bytes += bigEndian(UInt64(UInt32(bitPattern: type.offset)), size: 4)
            bytes += [type.isDST, UInt8(index % 2 * 4)]
        }
        return bytes + abbreviations
    }

    private func bigEndian(_ value: UInt64, size: Int) -> [UInt8] {
        (0..<size).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}

/// A directory under /tmp, removed when the value is released.
private final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/zoneinfo-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: created)
    }

    func write(_ data: Data, to name: String) throws {
        let url = URL(fileURLWithPath: path + "/" + name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
