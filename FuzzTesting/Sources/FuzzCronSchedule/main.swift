import APIMToken
import Foundation
import FuzzSupport

/// CronJob schedules, with `CRON_TZ=`/`TZ=` prefixes: parsed, then evaluated for the next run in a time zone picked
/// by the first byte (UTC, a zone with daylight saving, one with a 45-minute offset).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCronSchedule(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let (selector, rest) = FuzzInput(start, count).selector
    let zone = FuzzZones.all[Int(selector) % FuzzZones.all.count]
    do {
        let schedule = try CronSchedule(parsing: String(decoding: rest, as: UTF8.self))
        let after = Date(timeIntervalSince1970: 1_700_000_000 + Double(selector) * 7_919_999)
        if let next = schedule.nextRun(after: after, in: zone), next <= after {
            fatalError("CronSchedule: the next run \(next) is not after \(after)")
        }
    } catch {
        _ = error.description
    }
    return 0
}

/// The zones, read from the system zoneinfo once (a static is initialised on first use; main.swift's top-level code
/// never runs under libFuzzer's own main).
enum FuzzZones {
    static let all = ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham", "Australia/Lord_Howe"]
        .map { ZoneInfo(identifier: $0)! }
}
