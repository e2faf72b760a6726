import Foundation
import XieshangLabels

/// The committee's clock: its time zone, working hours, and how times are written.
public enum Times {
    /// The committee's time zone (CommitteeClock's).
    public static var zone: TimeZone { CommitteeClock.zone }

    public static var calendar: Calendar { CommitteeClock.calendar }

    /// The longest a meeting may last (an inspection trip may take days). It also bounds the
    /// conflict checks: only meetings starting within this much before a slot can overlap it.
    public static let maxMeetingMs: Int64 = 14 * 24 * 3_600_000

    /// Working hours, as minutes after midnight: 08:30–12:00 and 14:30–18:00, Monday to Friday.
    public static let workingBlocks: [(start: Int, end: Int)] = [(8 * 60 + 30, 12 * 60), (14 * 60 + 30, 18 * 60)]

    /// `2026-12-01 09:00` in the committee's time zone.
    public static func format(_ ms: Int64) -> String { CommitteeClock.minute(ms) }

    public static func range(_ start: Int64, _ end: Int64) -> String { CommitteeClock.range(start, end) }

    /// Parses `2026-12-01 09:00` (or with `T`, or with seconds) in the committee's time zone.
    public static func parse(_ text: String) -> Int64? { CommitteeClock.parse(text) }
}
