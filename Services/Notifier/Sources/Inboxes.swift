import Foundation
import GRDB
import XieshangWire

/// Writing a notification: the inbox entry and, in the same transaction, the intent to
/// deliver it on each channel the recipient wants.
public enum Inboxes {
    /// Returns false when this notification was already written (the same source, sequence,
    /// rule and recipient): an event never tells anyone the same thing twice.
    @discardableResult
    public static func notify(
        _ db: Database, _ recipient: NotificationV1.Recipient, rule: String, title: String, body: String,
        source: String, sequence: Int64, now: Int64, configuration: NotifierConfiguration, ics: String = ""
    ) throws -> Bool {
        try db.execute(sql: """
            INSERT OR IGNORE INTO notifications (recipient_kind, recipient_id, rule, title, body, source, sequence, created_at_ms, ics)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [recipient.kind.rawValue, recipient.id, rule, title, body, source, sequence, now, ics])
        guard db.changesCount > 0 else { return false }
        let id = db.lastInsertedRowID
        let preferences = try self.preferences(db, recipient)
        if configuration.webhookURL != nil && preferences.webhook {
            try db.execute(sql: "INSERT INTO deliveries (notification_id, channel, status, next_attempt_ms, created_at_ms) VALUES (?, 'webhook', ?, ?, ?)",
                           arguments: [id, NotificationV1.DeliveryStatus.pending.rawValue, now, now])
        }
        if configuration.sendmail != nil && preferences.email && recipient.kind != .staff {
            let status: NotificationV1.DeliveryStatus = preferences.digest ? .held : .pending
            try db.execute(sql: "INSERT INTO deliveries (notification_id, channel, status, next_attempt_ms, created_at_ms) VALUES (?, 'email', ?, ?, ?)",
                           arguments: [id, status.rawValue, now, now])
        }
        return true
    }

    /// A recipient's preferences; everything on and immediate unless they said otherwise.
    public static func preferences(_ db: Database, _ recipient: NotificationV1.Recipient) throws -> NotificationV1.Preferences {
        var p = NotificationV1.Preferences()
        p.recipient = recipient
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM preferences WHERE recipient_kind = ? AND recipient_id = ?",
                                      arguments: [recipient.kind.rawValue, recipient.id]) {
            p.webhook = row["webhook"]
            p.email = row["email"]
            p.digest = row["digest"]
        } else {
            p.webhook = true
            p.email = true
        }
        return p
    }
}

/// Durable reminders: scheduled from events, each sent once when due.
public enum Reminders {
    static func schedule(_ event: EventV1.Event, _ db: Database, now: Int64, configuration: NotifierConfiguration) throws {
        switch event.type {
        case DomainEvents.meetingPublished, DomainEvents.meetingChanged:
            let e = try MeetingV1.MeetingEvent(decoding: event.payload)
            guard let m = e.meeting else { return }
            let recipients = e.memberIDs.map { NotificationRules.member($0) }
            for offset in configuration.meetingRemindersMs {
                let due = m.startMs - offset
                // A reminder whose time has passed is not sent late; one that moves is rescheduled.
                let key = "meeting:\(m.id):\(offset)"
                if due <= now { try db.execute(sql: "DELETE FROM reminders WHERE key = ? AND sent = 0", arguments: [key]); continue }
                let lead = offset >= 3_600_000 ? "\(offset / 3_600_000)小时" : "\(max(1, offset / 60_000))分钟"
                try upsert(db, key: key, due: due, recipients: recipients, title: "会议提醒：\(NotificationRules.name(m))",
                           body: "\(m.title)将于\(lead)后开始。时间：\(NotificationRules.when(m))；地点：\(NotificationRules.place(m))。")
            }
        case DomainEvents.meetingCancelled, DomainEvents.meetingClosed:
            let e = try MeetingV1.MeetingEvent(decoding: event.payload)
            try db.execute(sql: "DELETE FROM reminders WHERE key LIKE ? AND sent = 0", arguments: ["meeting:\(e.meeting?.id ?? 0):%"])
        case DomainEvents.proposalAssign, DomainEvents.proposalReassign, DomainEvents.proposalExtend:
            let p = try ProposalV1.ProposalEvent(decoding: event.payload).proposal ?? ProposalV1.Proposal()
            var staff = NotificationV1.Recipient()
            staff.kind = .staff
            let recipients = [NotificationRules.unit(p.leadUnitID), staff]
            try upsert(db, key: "proposal:\(p.id):warning", due: p.deadlineMs - configuration.deadlineWarningMs, recipients: recipients,
                       title: "办理期限将至：\(p.title)", body: "提案\(p.number)《\(p.title)》的办理期限为\(NotificationRules.day(p.deadlineMs))，请抓紧办理并按时答复。")
            try upsert(db, key: "proposal:\(p.id):overdue", due: p.deadlineMs, recipients: recipients,
                       title: "办理逾期：\(p.title)", body: "提案\(p.number)《\(p.title)》已超过办理期限（\(NotificationRules.day(p.deadlineMs))），请尽快答复。")
        case DomainEvents.proposalReply:
            let p = try ProposalV1.ProposalEvent(decoding: event.payload).proposal ?? ProposalV1.Proposal()
            try db.execute(sql: "DELETE FROM reminders WHERE key IN (?, ?) AND sent = 0", arguments: ["proposal:\(p.id):warning", "proposal:\(p.id):overdue"])
            if p.proposerMemberID != 0 {
                try upsert(db, key: "proposal:\(p.id):feedback:\(p.repliedAtMs)", due: p.repliedAtMs + configuration.feedbackReminderMs,
                           recipients: [NotificationRules.member(p.proposerMemberID)],
                           title: "请反馈提案办理意见：\(p.title)", body: "\(p.leadUnitName)已于\(NotificationRules.day(p.repliedAtMs))答复您的提案\(p.number)，请反馈您的意见（满意、基本满意或不满意）。")
            }
        case DomainEvents.proposalFeedback, DomainEvents.proposalClose:
            let p = try ProposalV1.ProposalEvent(decoding: event.payload).proposal ?? ProposalV1.Proposal()
            try db.execute(sql: "DELETE FROM reminders WHERE key LIKE ? AND sent = 0", arguments: ["proposal:\(p.id):feedback:%"])
        default:
            break
        }
    }

    static func upsert(_ db: Database, key: String, due: Int64, recipients: [NotificationV1.Recipient], title: String, body: String) throws {
        let list = recipients.map { "\($0.kind.rawValue):\($0.id)" }.joined(separator: ",")
        try db.execute(sql: """
            INSERT INTO reminders (key, due_ms, sent, recipients, title, body) VALUES (?, ?, 0, ?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET due_ms = excluded.due_ms, recipients = excluded.recipients, title = excluded.title,
                body = excluded.body, sent = CASE WHEN reminders.due_ms = excluded.due_ms THEN reminders.sent ELSE 0 END
            """, arguments: [key, due, list, title, body])
    }

    /// Sends the reminders that are due, each once: the inbox entries and the mark commit together.
    static func sendDue(_ db: Database, now: Int64, configuration: NotifierConfiguration) throws -> Int {
        var sent = 0
        for row in try Row.fetchAll(db, sql: "SELECT * FROM reminders WHERE sent = 0 AND due_ms <= ? ORDER BY due_ms LIMIT 200", arguments: [now]) {
            let key: String = row["key"]
            let recipients: String = row["recipients"]
            for item in recipients.split(separator: ",") {
                let parts = item.split(separator: ":")
                guard parts.count == 2, let kind = Int32(parts[0]), let id = Int64(parts[1]) else { continue }
                var recipient = NotificationV1.Recipient()
                recipient.kind = .init(rawValue: kind)
                recipient.id = id
                if try Inboxes.notify(db, recipient, rule: "reminder→\(key)", title: row["title"], body: row["body"],
                                      source: "reminder:\(key)", sequence: row["due_ms"], now: now, configuration: configuration) {
                    sent += 1
                }
            }
            try db.execute(sql: "UPDATE reminders SET sent = 1 WHERE key = ?", arguments: [key])
        }
        return sent
    }
}
