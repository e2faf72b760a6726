import Foundation

/// The committee's clock: its time zone, working hours, and how times are written.
public enum Times {
    /// The committee's time zone: XIESHANG_TIME_ZONE, default Asia/Shanghai.
    public static let zone: TimeZone = TimeZone(identifier: ProcessInfo.processInfo.environment["XIESHANG_TIME_ZONE"] ?? "Asia/Shanghai")
        ?? TimeZone(identifier: "Asia/Shanghai")!

    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// The longest a meeting may last (an inspection trip may take days). It also bounds the
    /// conflict checks: only meetings starting within this much before a slot can overlap it.
    public static let maxMeetingMs: Int64 = 14 * 24 * 3_600_000

    /// Working hours, as minutes after midnight: 08:30–12:00 and 14:30–18:00, Monday to Friday.
    public static let workingBlocks: [(start: Int, end: Int)] = [(8 * 60 + 30, 12 * 60), (14 * 60 + 30, 18 * 60)]

    /// `2026-12-01 09:00` in the committee's time zone.
    public static func format(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    public static func range(_ start: Int64, _ end: Int64) -> String {
        let from = format(start), to = format(end)
        return from.prefix(10) == to.prefix(10) ? "\(from)–\(to.suffix(5))" : "\(from)–\(to)"
    }

    /// Parses `2026-12-01 09:00` (or with `T`, or with seconds) in the committee's time zone.
    public static func parse(_ text: String) -> Int64? {
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = zone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for format in ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        return nil
    }
}
