import Foundation
import XieshangLabels

/// The earliest start, on a 15-minute grid inside working hours, when nothing is busy.
public enum SlotFinder {
    /// Working hours, as minutes after midnight: 08:30–12:00 and 14:30–18:00, Monday to Friday.
    public static let workingBlocks: [(start: Int, end: Int)] = [(8 * 60 + 30, 12 * 60), (14 * 60 + 30, 18 * 60)]

    public static func earliest(from: Int64, to: Int64, durationMs: Int64, busy: [(Int64, Int64)]) -> Int64? {
        let step: Int64 = 15 * 60_000
        let calendar = CommitteeClock.calendar
        var day = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(from) / 1000))
        let last = Date(timeIntervalSince1970: Double(to) / 1000)
        while day <= last {
            let weekday = calendar.component(.weekday, from: day)
            if weekday != 1 && weekday != 7 {
                let dayMs = Int64(day.timeIntervalSince1970 * 1000)
                for block in SlotFinder.workingBlocks {
                    let blockStart = dayMs + Int64(block.start) * 60_000
                    let blockEnd = dayMs + Int64(block.end) * 60_000
                    // First grid point at or after both the block start and `from`.
                    var start = max(blockStart, from)
                    let offset = (start - blockStart) % step
                    if offset != 0 { start += step - offset }
                    while start + durationMs <= blockEnd && start + durationMs <= to {
                        let end = start + durationMs
                        if let clash = busy.first(where: { $0.0 < end && $0.1 > start }) {
                            // Jump past the clash, back onto the grid.
                            let next = clash.1
                            let steps = (next - blockStart + step - 1) / step
                            start = max(start + step, blockStart + steps * step)
                        } else {
                            return start
                        }
                    }
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return nil
    }
}
