import Foundation

/// The committee's clock: its time zone and how days and times are written and read. The
/// one place that reads `XIESHANG_TIME_ZONE` (default Asia/Shanghai); services
/// (`ServiceOptions.resolve`) and the gateway refuse to start with a value that is not a
/// time zone (`problem(in:)`), so the fallback below is never taken silently.
public enum CommitteeClock {
    public static let variable = "XIESHANG_TIME_ZONE"
    public static let defaultZone = "Asia/Shanghai"

    /// Read once, on first use (the gateway sets the variable from its config file first).
    public static let zone: TimeZone = TimeZone(identifier: ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? defaultZone)
        ?? TimeZone(identifier: defaultZone)!

    /// Why the environment's time zone cannot be used, or nil.
    public static func problem(in environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let name = environment[variable], !name.isEmpty, TimeZone(identifier: name) == nil else { return nil }
        return "\(variable)=\"\(name)\" is not a time zone (e.g. \(defaultZone))"
    }

    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// `ms` written with `pattern` (a DateFormatter pattern) in the committee's time zone.
    public static func format(_ ms: Int64, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = zone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = pattern
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// The year it is now in the committee's time zone.
    public static var thisYear: Int32 { Int32(calendar.component(.year, from: Date())) }

    /// `2026-12-01 09:00`.
    public static func minute(_ ms: Int64) -> String { written(ms, upTo: .minute) }
    /// `2026-12-01`.
    public static func day(_ ms: Int64) -> String { written(ms, upTo: .day) }
    /// `2026-12-01 09:00:00`, for audit trails.
    public static func second(_ ms: Int64) -> String { written(ms, upTo: .second) }
    /// `minute(ms)`, or nothing for a time not set (0 on the wire: the deadline of a proposal
    /// never assigned, a sign-in that never was), which would read as 1970-01-01 08:00.
    public static func minute(ifSet ms: Int64) -> String { ms == 0 ? "" : minute(ms) }
    /// `second(ms)`, or nothing for a time not set.
    public static func second(ifSet ms: Int64) -> String { ms == 0 ? "" : second(ms) }

    /// The three fixed spellings, written from the calendar's fields: a bulk import writes
    /// a day per row, and a DateFormatter made for each costs more than the row's insert.
    private static func written(_ ms: Int64, upTo unit: Calendar.Component) -> String {
        let c = fixedCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                             from: Date(timeIntervalSince1970: Double(ms) / 1000))
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let year = c.year ?? 0
        let yyyy = year >= 1000 ? "\(year)" : String(repeating: "0", count: 4 - String(year).count) + "\(year)"
        let day = "\(yyyy)-\(two(c.month))-\(two(c.day))"
        switch unit {
        case .day: return day
        case .minute: return "\(day) \(two(c.hour)):\(two(c.minute))"
        default: return "\(day) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
        }
    }

    private static let fixedCalendar: Calendar = calendar

    /// `2026-12-01 09:00 – 11:00`, the end's day only when it differs.
    public static func range(_ start: Int64, _ end: Int64) -> String {
        let from = minute(start), to = minute(end)
        return from.prefix(10) == to.prefix(10) ? "\(from)–\(to.suffix(5))" : "\(from)–\(to)"
    }

    /// Today, `2026-12-01`.
    public static func today() -> String { day(Int64(Date().timeIntervalSince1970 * 1000)) }

    /// Reads `2026-12-01 09:00` (or with `T`, with seconds, or a date alone) in the
    /// committee's time zone.
    public static func parse(_ text: String) -> Int64? {
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = zone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for pattern in ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = pattern
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        return nil
    }
}
