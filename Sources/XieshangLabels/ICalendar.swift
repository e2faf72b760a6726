import Foundation
import XieshangWire

/// Calendars as RFC 5545 iCalendar text, which calendar applications import: the scheduler's
/// exports and the notifier's e-mail attachments write the same entries.
public enum ICalendar {
    public static func document(_ meetings: [MeetingV1.Meeting], name: String) -> String {
        var lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Xieshang//meeting-scheduler//ZH",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:\(escape(name))",
            "X-WR-TIMEZONE:\(CommitteeClock.zone.identifier)",
        ]
        lines += timezone()
        let stamp = utc(Int64(Date().timeIntervalSince1970 * 1000))
        for m in meetings {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:meeting-\(m.id)@xieshang")
            lines.append("DTSTAMP:\(stamp)")
            lines.append("DTSTART;TZID=\(CommitteeClock.zone.identifier):\(local(m.startMs))")
            lines.append("DTEND;TZID=\(CommitteeClock.zone.identifier):\(local(m.endMs))")
            lines.append("SUMMARY:\(escape(m.displayName.isEmpty ? m.title : "\(m.displayName)：\(m.title)"))")
            let location = [m.roomName, m.venue].filter { !$0.isEmpty }.joined(separator: " ")
            if !location.isEmpty { lines.append("LOCATION:\(escape(location))") }
            var description = [m.kind.label, m.organiser.isEmpty ? "" : "组织：\(m.organiser)", m.mode.label]
            if !m.onlineLink.isEmpty { description.append("线上：\(m.onlineLink)") }
            if m.status == .cancelled { description.append("取消原因：\(m.cancelReason)") }
            lines.append("DESCRIPTION:\(escape(description.filter { !$0.isEmpty }.joined(separator: "\n")))")
            if !m.onlineLink.isEmpty, m.onlineLink.hasPrefix("http") { lines.append("URL:\(m.onlineLink)") }
            lines.append("STATUS:\(m.status == .cancelled ? "CANCELLED" : m.status == .draft ? "TENTATIVE" : "CONFIRMED")")
            lines.append("SEQUENCE:\(m.sequence)")
            lines.append("LAST-MODIFIED:\(utc(m.updatedAtMs))")
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// The committee's zone as a VTIMEZONE with its current offset (China keeps no DST).
    static func timezone() -> [String] {
        let seconds = CommitteeClock.zone.secondsFromGMT()
        let sign = seconds >= 0 ? "+" : "-"
        let offset = String(format: "%@%02d%02d", sign, abs(seconds) / 3600, abs(seconds) % 3600 / 60)
        return ["BEGIN:VTIMEZONE", "TZID:\(CommitteeClock.zone.identifier)", "BEGIN:STANDARD", "DTSTART:19700101T000000",
                "TZOFFSETFROM:\(offset)", "TZOFFSETTO:\(offset)", "TZNAME:\(CommitteeClock.zone.abbreviation() ?? "CST")",
                "END:STANDARD", "END:VTIMEZONE"]
    }

    static func local(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = CommitteeClock.zone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func utc(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// TEXT escaping of RFC 5545 §3.3.11.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            case "\r": break
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Lines longer than 75 octets are folded (§3.1), never inside a UTF-8 character.
    static func fold(_ line: String) -> String {
        var pieces: [String] = []
        var current = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            let limit = pieces.isEmpty ? 75 : 74
            if octets + size > limit {
                pieces.append(current)
                current = ""
                octets = 0
            }
            current.append(character)
            octets += size
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n ")
    }
}
