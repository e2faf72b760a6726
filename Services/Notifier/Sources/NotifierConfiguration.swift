import Foundation

/// What the notifier delivers besides the inbox, and when reminders fall. Every duration is
/// configurable (and so shortened in tests).
public struct NotifierConfiguration: Sendable {
    /// Webhook: every notification is POSTed here as JSON, signed with HMAC-SHA256.
    public var webhookURL: URL?
    public var webhookSecret: String = ""
    /// E-mail: a sendmail-compatible command (e.g. msmtp) taking the address as its last
    /// argument and the message on standard input.
    public var sendmail: [String]?
    /// Reminders before a meeting's start. Default 24 h and 1 h.
    public var meetingRemindersMs: [Int64] = [24 * 3_600_000, 3_600_000]
    /// Warning before a proposal's handling deadline. Default 7 days.
    public var deadlineWarningMs: Int64 = 7 * 86_400_000
    /// Reminder to a member whose reply waits for feedback. Default 7 days.
    public var feedbackReminderMs: Int64 = 7 * 86_400_000
    /// A delivery failing for this long goes to the dead letters. Default 1 h.
    public var giveUpAfterMs: Int64 = 3_600_000
    /// How often held digest e-mails go out. Default daily.
    public var digestEveryMs: Int64 = 86_400_000

    public init() {}

    /// `24h,1h`, `7d`, `90s`, `500ms` → milliseconds.
    public static func durations(_ text: String) -> [Int64]? {
        var values: [Int64] = []
        for part in text.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
            guard let (suffix, factor) = units.first(where: { item.hasSuffix($0.0) && Int64(item.dropLast($0.0.count)) != nil }),
                  let number = Int64(item.dropLast(suffix.count)), number > 0 else { return nil }
            values.append(number * factor)
        }
        return values.isEmpty ? nil : values
    }
}
