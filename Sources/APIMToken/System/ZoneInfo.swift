import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A named time zone read from the system's zoneinfo database (TZif files, RFC 8536), the way Go's
/// `time.LoadLocation` reads it.
///
/// FoundationEssentials has no time zone database on Linux (`TimeZone(identifier:)` is nil even for "UTC"), and the
/// CronJob controller resolves `spec.timeZone` with Go's `time.LoadLocation`, so reading the same files gives the same
/// answers. Version 1 files and the 64-bit section of version 2+ files are read; after the last transition the footer's
/// POSIX TZ string (e.g. `CET-1CEST,M3.5.0,M10.5.0/3`) decides. Before the first transition time type 0 applies
/// (RFC 8536). Leap-second records are skipped, as Go does.
public struct ZoneInfo: Sendable, Equatable, CustomStringConvertible {
    /// The name the zone was loaded by (e.g. `Europe/Berlin`), for display.
    public let identifier: String

    /// Transition instants (Unix seconds), strictly ascending.
    private let transitions: [Int]
    /// The UTC offset (seconds east) in effect from `transitions[i]` until the next transition.
    private let transitionOffsets: [Int32]
    /// The UTC offset before the first transition (time type 0).
    private let initialOffset: Int32
    /// The footer's rule, for instants at or after the last transition (or for all instants when there are none).
    private let rule: PosixTimeZone?

    /// The largest zoneinfo file read; real ones are a few KiB.
    static let maximumFileSize = 256 * 1024

    /// The directories searched after `$ZONEINFO`, in Go's order.
    static let systemDirectories = [
        "/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/", "/etc/zoneinfo/",
    ]

    /// Coordinated Universal Time.
    public static let utc = ZoneInfo(fixedOffset: 0, identifier: "UTC")

    public var description: String { identifier }

    private init(fixedOffset: Int32, identifier: String) {
        self.identifier = identifier
        transitions = []
        transitionOffsets = []
        initialOffset = fixedOffset
        rule = nil
    }

    /// Loads the zone named `identifier` from `$ZONEINFO` (a directory) if set, then from the system zoneinfo
    /// directories, or returns nil when it is unknown, unsafe or not a valid TZif file.
    ///
    /// As with Go's `time.LoadLocation`, `""` and `"UTC"` are UTC without reading any file, and names that are absolute,
    /// contain `..` or a backslash are refused. Names with empty or `.` components, or a NUL, are refused as well.
    /// `"Local"` is refused: the local zone comes from ``local(environment:)``.
    public init?(identifier: String, environment: Environment = .process) {
        if identifier.isEmpty || identifier == "UTC" {
            self = .utc
            return
        }
        guard Self.isSafeName(identifier) else { return nil }
        // A run evaluates many CronJobs, mostly in the same few zones: each file is read once per process.
        let key = (environment["ZONEINFO"] ?? "") + "\u{0}" + identifier
        if let known = Self.loaded.lookUp(key) {
            guard let known else { return nil }
            self = known
            return
        }
        let found = Self.load(identifier, environment: environment)
        Self.loaded.remember(found, for: key)
        guard let found else { return nil }
        self = found
    }

    /// Zones loaded so far (nil: known to be missing), at most 256 of them.
    private static let loaded = LoadedZones()

    private final class LoadedZones: @unchecked Sendable {
        private let lock = Lock()
        private var zones: [String: ZoneInfo?] = [:]  // guarded by `lock`

        func lookUp(_ key: String) -> ZoneInfo?? { lock.withLock { zones[key] } }

        func remember(_ zone: ZoneInfo?, for key: String) {
            lock.withLock { if zones.count < 256 { zones[key] = .some(zone) } }
        }
    }

    private static func load(_ identifier: String, environment: Environment) -> ZoneInfo? {
        var directories: [String] = []
        if let zoneinfo = environment["ZONEINFO"] {
            directories.append(zoneinfo.hasSuffix("/") ? zoneinfo : zoneinfo + "/")
        }
        directories += Self.systemDirectories
        for directory in directories {
            if let bytes = Self.readSmallFile(atPath: directory + identifier),
                let zone = ZoneInfo(identifier: identifier, tzif: bytes)
            {
                return zone
            }
        }
        return nil
    }

    /// Parses TZif bytes, or returns nil when they are not a valid TZif file (any version).
    public init?(identifier: String, tzif data: Data) {
        guard data.count <= Self.maximumFileSize, let parsed = TZifParser.parse([UInt8](data)) else { return nil }
        self.identifier = identifier
        transitions = parsed.transitions
        transitionOffsets = parsed.transitionOffsets
        initialOffset = parsed.initialOffset
        rule = parsed.rule
    }

    /// The local time zone, as Go's `time.Local` chooses it: `TZ` unset means `/etc/localtime`; `TZ=""` means UTC;
    /// `TZ=":name"` or `TZ="name"` loads that file when it is an absolute path, otherwise that zone name. Anything that
    /// cannot be loaded falls back to UTC.
    ///
    /// The identifier is the zone name from `TZ`, the absolute path from `TZ`, or for `/etc/localtime` the name its
    /// symbolic link points to below a `zoneinfo` directory (`Local` when it is not such a link).
    public static func local(environment: Environment = .process) -> ZoneInfo {
        guard var name = environment.values["TZ"] else {
            if let bytes = readSmallFile(atPath: "/etc/localtime"),
                let zone = ZoneInfo(identifier: localTimeName() ?? "Local", tzif: bytes)
            {
                return zone
            }
            return .utc
        }
        if name.hasPrefix(":") { name.removeFirst() }
        if name.hasPrefix("/") {
            if let bytes = readSmallFile(atPath: name), let zone = ZoneInfo(identifier: name, tzif: bytes) {
                return zone
            }
            return .utc
        }
        return ZoneInfo(identifier: name, environment: environment) ?? .utc
    }

    /// The UTC offset in seconds east of UTC at the instant `seconds` after 1970-01-01T00:00:00Z.
    public func offset(atUnixSeconds seconds: Int) -> Int {
        guard let last = transitions.last else {
            return rule?.offset(atUnixSeconds: seconds) ?? Int(initialOffset)
        }
        if seconds >= last, let rule {
            return rule.offset(atUnixSeconds: seconds)
        }
        if seconds < transitions[0] {
            return Int(initialOffset)
        }
        // The last transition at or before `seconds`.
        var low = 0
        var high = transitions.count - 1
        while low < high {
            let middle = low + (high - low + 1) / 2
            if transitions[middle] <= seconds {
                low = middle
            } else {
                high = middle - 1
            }
        }
        return Int(transitionOffsets[low])
    }

    // MARK: - Names and files

    static func isSafeName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255, name != "Local", !name.hasPrefix("/"),
            !name.contains(".."), !name.contains("\\"), !name.utf8.contains(0)
        else { return false }
        for component in name.split(separator: "/", omittingEmptySubsequences: false)
        where component.isEmpty || component == "." {
            return false
        }
        return true
    }

    /// The zone name `/etc/localtime` links to, e.g. `Europe/Berlin` for `/usr/share/zoneinfo/Europe/Berlin`.
    private static func localTimeName() -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        let length = readlink("/etc/localtime", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let range = target.ranges(of: "zoneinfo/").last else { return nil }
        let name = String(target[range.upperBound...])
        return isSafeName(name) ? name : nil
    }

    /// The contents of the regular file at `path` if it is at most ``maximumFileSize`` bytes, else nil.
    /// Opened non-blocking so that a FIFO cannot hang the read.
    static func readSmallFile(atPath path: String) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
            info.st_size <= maximumFileSize
        else { return nil }
        // One byte more than the size, to notice a file that grew after fstat.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + total, buffer.count - total)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            total += count
        }
        guard total <= Int(info.st_size) else { return nil }
        return Data(bytes[..<total])
    }
}

// MARK: - TZif

/// Reads RFC 8536 TZif data; every count is checked against the bytes present before anything is allocated.
private enum TZifParser {
    struct Parsed {
        var transitions: [Int]
        var transitionOffsets: [Int32]
        var initialOffset: Int32
        var rule: PosixTimeZone?
    }

    struct Header {
        var version: UInt8
        var isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt: Int
    }

    /// Offsets beyond ±26 hours are not real and are refused (RFC 8536 suggests −24:59:59 to +25:59:59).
    static let offsetLimit: Int32 = 26 * 3_600

    static func parse(_ bytes: [UInt8]) -> Parsed? {
        var reader = ByteReader(bytes: bytes)
        guard let first = readHeader(&reader) else { return nil }
        guard first.version >= 2 else {
            return readBody(&reader, header: first, timeSize: 4)
        }
        // Skip the version 1 body (32-bit times) to reach the second header and its 64-bit body.
        let v1Size =
            first.timecnt * 5 + first.typecnt * 6 + first.charcnt + first.leapcnt * 8 + first.isstdcnt
            + first.isutcnt
        guard reader.skip(v1Size), let second = readHeader(&reader), second.version >= 2,
            var parsed = readBody(&reader, header: second, timeSize: 8)
        else { return nil }
        // The footer: a newline, a POSIX TZ string (possibly empty), a newline.
        guard reader.readByte() == UInt8(ascii: "\n") else { return nil }
        var footer: [UInt8] = []
        while true {
            guard let byte = reader.readByte() else { return nil }
            if byte == UInt8(ascii: "\n") { break }
            footer.append(byte)
        }
        if !footer.isEmpty {
            guard let rule = PosixTimeZone(parsing: footer) else { return nil }
            parsed.rule = rule
        }
        return parsed
    }

    static func readHeader(_ reader: inout ByteReader) -> Header? {
        guard let magic = reader.read(4), magic.elementsEqual("TZif".utf8),
            let version = reader.readByte(),
            version == 0 || (UInt8(ascii: "2")...UInt8(ascii: "9")).contains(version),
            reader.skip(15)
        else { return nil }
        var counts: [Int] = []
        for _ in 0..<6 {
            guard let count = reader.readInteger(size: 4), count >= 0 else { return nil }
            counts.append(count)
        }
        let header = Header(
            version: version == 0 ? 1 : version - UInt8(ascii: "0"),
            isutcnt: counts[0], isstdcnt: counts[1], leapcnt: counts[2], timecnt: counts[3], typecnt: counts[4],
            charcnt: counts[5])
        guard header.typecnt >= 1, header.charcnt >= 1,
            header.isutcnt == 0 || header.isutcnt == header.typecnt,
            header.isstdcnt == 0 || header.isstdcnt == header.typecnt
        else { return nil }
        return header
    }

    static func readBody(_ reader: inout ByteReader, header: Header, timeSize: Int) -> Parsed? {
        // Counts are at most 2^32 - 1, so this cannot overflow; check it all fits before allocating.
        let size =
            header.timecnt * (timeSize + 1) + header.typecnt * 6 + header.charcnt
            + header.leapcnt * (timeSize + 4) + header.isstdcnt + header.isutcnt
        guard reader.remaining >= size else { return nil }

        var times: [Int] = []
        times.reserveCapacity(header.timecnt)
        for _ in 0..<header.timecnt {
            guard let time = reader.readInteger(size: timeSize) else { return nil }
            if let previous = times.last, time <= previous { return nil }
            times.append(time)
        }
        var typeIndices: [Int] = []
        typeIndices.reserveCapacity(header.timecnt)
        for _ in 0..<header.timecnt {
            guard let index = reader.readByte(), Int(index) < header.typecnt else { return nil }
            typeIndices.append(Int(index))
        }
        var offsets: [Int32] = []
        offsets.reserveCapacity(header.typecnt)
        for _ in 0..<header.typecnt {
            guard let offset = reader.readInteger(size: 4), let isDST = reader.readByte(),
                let abbreviationIndex = reader.readByte(),
                abs(offset) <= Int(offsetLimit), isDST <= 1, Int(abbreviationIndex) < header.charcnt
            else { return nil }
            offsets.append(Int32(offset))
        }
        // Abbreviations, leap-second records and the standard/UT indicators are not needed.
        guard reader.skip(header.charcnt + header.leapcnt * (timeSize + 4) + header.isstdcnt + header.isutcnt)
        else { return nil }
        return Parsed(
            transitions: times, transitionOffsets: typeIndices.map { offsets[$0] }, initialOffset: offsets[0],
            rule: nil)
    }
}

private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    var remaining: Int { bytes.count - position }

    mutating func readByte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func read(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, count <= remaining else { return nil }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func skip(_ count: Int) -> Bool { read(count) != nil }

    /// A big-endian two's-complement integer of 4 or 8 bytes.
    mutating func readInteger(size: Int) -> Int? {
        guard let slice = read(size) else { return nil }
        var value: UInt64 = 0
        for byte in slice { value = value << 8 | UInt64(byte) }
        if size == 4 {
            return Int(Int32(bitPattern: UInt32(truncatingIfNeeded: value)))
        }
        return Int(Int64(bitPattern: value))
    }
}

// MARK: - POSIX TZ strings

/// A POSIX TZ string with the RFC 8536 extensions (rule times from −167 to 167 hours), e.g.
/// `CET-1CEST,M3.5.0,M10.5.0/3` or `<+1030>-10:30<+11>-11,M10.1.0,M4.1.0`.
struct PosixTimeZone: Sendable, Equatable {
    enum Day: Sendable, Equatable {
        /// `Jn`: day 1...365, February 29 never counted.
        case julian(Int)
        /// `n`: day 0...365, February 29 counted in leap years.
        case zeroBased(Int)
        /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (1...5, 5 = last) of month `m`.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    struct Transition: Sendable, Equatable {
        var day: Day
        /// Seconds after local midnight of `day`, in the time in effect before the transition.
        var time: Int
    }

    struct Daylight: Sendable, Equatable {
        /// Seconds east of UTC during daylight saving time.
        var offset: Int
        var start: Transition
        var end: Transition
    }

    /// Seconds east of UTC.
    var standardOffset: Int
    /// Daylight saving time and its rules; nil when there is none.
    var daylight: Daylight?

    /// 400 Gregorian years, after which dates and weekdays repeat.
    private static let cycleSeconds = 146_097 * 86_400

    init?(parsing text: [UInt8]) {
        var scanner = Scanner(bytes: text)
        guard scanner.name(), let standard = scanner.offset(maxHours: 24) else { return nil }
        standardOffset = -standard
        if scanner.atEnd {
            daylight = nil
            return
        }
        guard scanner.name() else { return nil }
        var daylightOffset = standardOffset + 3_600
        if !scanner.atEnd && scanner.peek != UInt8(ascii: ",") {
            guard let offset = scanner.offset(maxHours: 24) else { return nil }
            daylightOffset = -offset
        }
        let start: Transition
        let end: Transition
        if scanner.atEnd {
            // No rule: Go's default, the United States rules.
            start = Transition(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7_200)
            end = Transition(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7_200)
        } else {
            guard scanner.consume(","), let parsedStart = scanner.transition(), scanner.consume(","),
                let parsedEnd = scanner.transition(), scanner.atEnd
            else { return nil }
            (start, end) = (parsedStart, parsedEnd)
        }
        daylight = Daylight(offset: daylightOffset, start: start, end: end)
    }

    func offset(atUnixSeconds seconds: Int) -> Int {
        guard let daylight else { return standardOffset }
        var seconds = seconds
        // Far from the present, move by whole 400-year cycles, which changes no rule, so the arithmetic stays small.
        if seconds > 1 << 40 || seconds < -(1 << 40) {
            seconds = (seconds % Self.cycleSeconds + Self.cycleSeconds) % Self.cycleSeconds
        }
        let year = CivilTime.civil(fromDays: CivilTime.floorDivide(seconds, 86_400)).year
        // The latest transition at or before `seconds` among those of the neighbouring years decides; at equal
        // instants the start of daylight saving time wins, so that a rule for all-year DST (`,0/0,J365/25`) holds.
        var latest: (instant: Int, isDaylight: Bool)?
        for candidateYear in (year - 1)...(year + 1) {
            let startInstant =
                Self.day(daylight.start.day, in: candidateYear) * 86_400 + daylight.start.time - standardOffset
            let endInstant = Self.day(daylight.end.day, in: candidateYear) * 86_400 + daylight.end.time - daylight.offset
            for (instant, isDaylight) in [(endInstant, false), (startInstant, true)] where instant <= seconds {
                if let current = latest, current.instant > instant || (current.instant == instant && !isDaylight) {
                    continue
                }
                latest = (instant, isDaylight)
            }
        }
        return latest?.isDaylight == true ? daylight.offset : standardOffset
    }

    /// Days since 1970-01-01 of the rule's day in `year`.
    private static func day(_ day: Day, in year: Int) -> Int {
        let january1 = CivilTime.daysSinceEpoch(year: year, month: 1, day: 1)
        switch day {
        case .julian(let number):
            return january1 + number - 1 + (CivilTime.isLeapYear(year) && number >= 60 ? 1 : 0)
        case .zeroBased(let number):
            return january1 + number
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilTime.daysSinceEpoch(year: year, month: month, day: 1)
            var result = first + (weekday - CivilTime.weekday(daysSinceEpoch: first) + 7) % 7 + (week - 1) * 7
            let monthEnd = first + CivilTime.daysInMonth(year: year, month: month)
            while result >= monthEnd { result -= 7 }
            return result
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position == bytes.count }
        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func consume(_ character: Unicode.Scalar) -> Bool {
            guard peek == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }

        /// A zone abbreviation: three or more letters, or `<...>` with letters, digits, `+` and `-`.
        mutating func name() -> Bool {
            let start = position
            if consume("<") {
                while let byte = peek,
                    isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "+")
                        || byte == UInt8(ascii: "-")
                {
                    position += 1
                }
                let length = position - start - 1
                return consume(">") && length >= 3
            }
            while let byte = peek, isLetter(byte) { position += 1 }
            return position - start >= 3
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, as written (POSIX offsets are west of UTC).
        mutating func offset(maxHours: Int) -> Int? {
            var sign = 1
            if consume("-") {
                sign = -1
            } else {
                _ = consume("+")
            }
            guard let hours = number(maxDigits: 3), hours <= maxHours else { return nil }
            var total = hours * 3_600
            if consume(":") {
                guard let minutes = number(maxDigits: 2), minutes <= 59 else { return nil }
                total += minutes * 60
                if consume(":") {
                    guard let seconds = number(maxDigits: 2), seconds <= 59 else { return nil }
                    total += seconds
                }
            }
            return sign * total
        }

        mutating func transition() -> Transition? {
            let day: Day
            if consume("J") {
                guard let number = number(maxDigits: 3), (1...365).contains(number) else { return nil }
                day = .julian(number)
            } else if consume("M") {
                guard let month = number(maxDigits: 2), (1...12).contains(month), consume("."),
                    let week = number(maxDigits: 1), (1...5).contains(week), consume("."),
                    let weekday = number(maxDigits: 1), (0...6).contains(weekday)
                else { return nil }
                day = .monthWeekDay(month: month, week: week, weekday: weekday)
            } else {
                guard let number = number(maxDigits: 3), (0...365).contains(number) else { return nil }
                day = .zeroBased(number)
            }
            var time = 7_200
            if consume("/") {
                guard let parsed = offset(maxHours: 167) else { return nil }
                time = parsed
            }
            return Transition(day: day, time: time)
        }

        private mutating func number(maxDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while let byte = peek, isDigit(byte), digits < maxDigits {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                position += 1
            }
            return digits == 0 ? nil : value
        }

        private func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }

        private func isDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }
}
