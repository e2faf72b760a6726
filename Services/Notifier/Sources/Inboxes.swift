import Foundation
import XieshangService
import XieshangRPC
import XieshangWire

/// Writing a notification: the inbox entry and, in the same transaction, the intent to
/// deliver it on each channel the recipient wants.
public enum Inboxes {
    /// Returns false when this notification was already written (the same source, sequence,
    /// rule and recipient): an event never tells anyone the same thing twice.
    @discardableResult
    public static func notify(
        _ db: any SQLSession, _ recipient: NotificationV1.Recipient, rule: String, title: String, body: String,
        source: String, sequence: Int64, now: Int64, configuration: NotifierConfiguration, ics: String = ""
    ) throws -> Bool {
        // Told already: nothing inserted, no id returned.
        guard let id = try db.value("""
            INSERT INTO notifications (recipient_kind, recipient_id, rule, title, body, source, sequence, created_at_ms, ics)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            RETURNING id
            """, [recipient.kind.rawValue, recipient.id, rule, title, body, source, sequence, now, ics], as: Int64.self) else { return false }
        let preferences = try self.preferences(db, recipient)
        if configuration.webhookURL != nil && preferences.webhook {
            try db.execute("INSERT INTO deliveries (notification_id, channel, status, next_attempt_ms, created_at_ms) VALUES (?, 'webhook', ?, ?, ?)", [id, NotificationV1.DeliveryStatus.pending.rawValue, now, now])
        }
        if configuration.sendmail != nil && preferences.email && recipient.kind != .staff {
            let status: NotificationV1.DeliveryStatus = preferences.digest ? .held : .pending
            try db.execute("INSERT INTO deliveries (notification_id, channel, status, next_attempt_ms, created_at_ms) VALUES (?, 'email', ?, ?, ?)", [id, status.rawValue, now, now])
        }
        return true
    }

    /// A recipient's preferences; everything on and immediate unless they said otherwise.
    /// A page of a recipient's inbox, unread first and newest first, with its counts; bounded
    /// in bytes as well as count (an announcement may be 64 KiB).
    static func page(_ db: any SQLSession, _ recipient: NotificationV1.Recipient, unreadOnly: Bool, offset: Int, pageSize: Int) throws -> NotificationV1.ListInboxResponse {
        var response = NotificationV1.ListInboxResponse()
        let whose = "recipient_kind = ? AND recipient_id = ?"
        let arguments: [any SQLValueConvertible] = [recipient.kind.rawValue, recipient.id]
        response.total = Int32(try db.value("SELECT COUNT(*) FROM notifications WHERE \(whose)", arguments, as: Int.self) ?? 0)
        response.unread = Int32(try db.value("SELECT COUNT(*) FROM notifications WHERE \(whose) AND read_at_ms = 0", arguments, as: Int.self) ?? 0)
        let filter = unreadOnly ? " AND read_at_ms = 0" : ""
        let rows = try db.rows("""
            SELECT * FROM notifications WHERE \(whose)\(filter)
            ORDER BY read_at_ms != 0, id DESC LIMIT ? OFFSET ?
            """, arguments + [pageSize + 1, offset])
        var bytes = 0
        for row in rows.prefix(pageSize) {
            let n = InboxHandlers.notification(row)
            let size = n.title.utf8.count + n.body.utf8.count + 256
            if !response.notifications.isEmpty && bytes + size > 1 << 20 { break }
            bytes += size
            response.notifications.append(n)
        }
        if rows.count > response.notifications.count { response.nextPageToken = String(offset + response.notifications.count) }
        return response
    }

    /// Marks a recipient's notifications read (all, or `ids`, every one of which must be
    /// theirs: another recipient's is NOT_FOUND here, never marked); returns how many.
    static func markRead(_ db: any SQLSession, _ recipient: NotificationV1.Recipient, ids: [Int64], now: Int64) throws -> Int {
        var sql = "UPDATE notifications SET read_at_ms = ? WHERE recipient_kind = ? AND recipient_id = ? AND read_at_ms = 0"
        var arguments: [any SQLValueConvertible] = [now, recipient.kind.rawValue, recipient.id]
        if !ids.isEmpty {
            let known = try db.column("""
                SELECT id FROM notifications WHERE recipient_kind = ? AND recipient_id = ? AND id IN (\(sqlPlaceholders(count: ids.count)))
                """, [recipient.kind.rawValue, recipient.id] + ids.map { $0 as any SQLValueConvertible }, as: Int64.self)
            let missing = Set(ids).subtracting(known)
            if !missing.isEmpty {
                throw RPCError(.notFound, "ids: notification \(missing.sorted().map(String.init).joined(separator: ", ")) not found in this inbox")
            }
            sql += " AND id IN (\(sqlPlaceholders(count: ids.count)))"
            arguments += ids.map { $0 as any SQLValueConvertible }
        }
        return try db.execute(sql, arguments)
    }

    static func setPreferences(_ db: any SQLSession, _ recipient: NotificationV1.Recipient, _ p: NotificationV1.Preferences) throws {
        try db.execute("""
            INSERT INTO preferences (recipient_kind, recipient_id, webhook, email, digest) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(recipient_kind, recipient_id) DO UPDATE SET webhook = excluded.webhook, email = excluded.email, digest = excluded.digest
            """, [recipient.kind.rawValue, recipient.id, p.webhook, p.email, p.digest])
    }

    /// Deliveries in `status`, newest first, with their notifications.
    static func deliveries(_ db: any SQLSession, status: NotificationV1.DeliveryStatus, limit: Int) throws -> [NotificationV1.Delivery] {
        try db.rows("""
            SELECT d.id AS delivery_id, d.channel, d.status, d.attempts, d.last_error, d.created_at_ms AS delivery_created, d.sent_at_ms, n.*
            FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE d.status = ? ORDER BY d.id DESC LIMIT ?
            """, [status.rawValue, limit]).map { row in
            var d = NotificationV1.Delivery()
            d.id = row["delivery_id"]
            d.notificationID = row["id"]
            d.channel = row["channel"]
            d.status = .init(rawValue: row["status"])
            d.attempts = row["attempts"]
            d.lastError = row["last_error"]
            d.createdAtMs = row["delivery_created"]
            d.sentAtMs = row["sent_at_ms"]
            d.notification = InboxHandlers.notification(row)
            return d
        }
    }

    /// Gives dead letters a fresh start (new attempts, a new give-up window); every id must
    /// be a dead letter (NOT_FOUND otherwise). Returns how many.
    static func retry(_ db: any SQLSession, deadLetters ids: [Int64], now: Int64) throws -> Int {
        let dead = try db.column("SELECT id FROM deliveries WHERE status = ? AND id IN (\(sqlPlaceholders(count: ids.count)))", [NotificationV1.DeliveryStatus.dead.rawValue] + ids.map { $0 as any SQLValueConvertible }, as: Int64.self)
        let missing = Set(ids).subtracting(dead)
        if !missing.isEmpty {
            throw RPCError(.notFound, "ids: \(missing.sorted().map(String.init).joined(separator: ", ")) is not a dead letter")
        }
        try db.execute("UPDATE deliveries SET status = ?, attempts = 0, next_attempt_ms = ?, created_at_ms = ? WHERE id IN (\(sqlPlaceholders(count: dead.count)))", [NotificationV1.DeliveryStatus.pending.rawValue, now, now] + dead.map { $0 as any SQLValueConvertible })
        return dead.count
    }

    /// Records a staff announcement; its id numbers the notifications it makes.
    static func recordAnnouncement(_ db: any SQLSession, title: String, at now: Int64) throws -> Int64 {
        try db.insert("INSERT INTO announcements (title, at_ms) VALUES (?, ?)", [title, now], returning: "id")
    }

    public static func preferences(_ db: any SQLSession, _ recipient: NotificationV1.Recipient) throws -> NotificationV1.Preferences {
        var p = NotificationV1.Preferences()
        p.recipient = recipient
        if let row = try db.row("SELECT * FROM preferences WHERE recipient_kind = ? AND recipient_id = ?", [recipient.kind.rawValue, recipient.id]) {
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
    static func schedule(_ event: EventV1.Event, _ db: any SQLSession, now: Int64, configuration: NotifierConfiguration) throws {
        switch event.type {
        case DomainEvents.meetingPublished, DomainEvents.meetingChanged:
            let e = try MeetingV1.MeetingEvent(decoding: event.payload)
            guard let m = e.meeting else { return }
            let recipients = e.memberIDs.map { NotificationRules.member($0) }
            for offset in configuration.meetingRemindersMs {
                let due = m.startMs - offset
                // A reminder whose time has passed is not sent late; one that moves is rescheduled.
                let key = "meeting:\(m.id):\(offset)"
                if due <= now { try db.execute("DELETE FROM reminders WHERE key = ? AND sent = 0", [key]); continue }
                let lead = offset >= 3_600_000 ? "\(offset / 3_600_000)小时" : "\(max(1, offset / 60_000))分钟"
                try upsert(db, key: key, due: due, recipients: recipients, title: "会议提醒：\(NotificationRules.name(m))",
                           body: "\(m.title)将于\(lead)后开始。时间：\(NotificationRules.when(m))；地点：\(NotificationRules.place(m))。")
            }
        case DomainEvents.meetingCancelled, DomainEvents.meetingClosed:
            let e = try MeetingV1.MeetingEvent(decoding: event.payload)
            try db.execute("DELETE FROM reminders WHERE key LIKE ? AND sent = 0", ["meeting:\(e.meeting?.id ?? 0):%"])
        case DomainEvents.proposalAssign, DomainEvents.proposalReassign, DomainEvents.proposalExtend:
            let p = try ProposalV1.ProposalEvent(decoding: event.payload).proposal ?? ProposalV1.Proposal()
            var staff = NotificationV1.Recipient()
            staff.kind = .staff
            let recipients = [NotificationRules.unit(p.leadUnitID), staff]
            try upsert(db, key: "proposal:\(p.id):warning", due: p.deadlineMs - configuration.deadlineWarningMs, recipients: recipients,
                       title: "办理期限将至：\(p.title)", body: "提案\(p.number)《\(p.title)》的办理期限为\(NotificationRules.day(p.deadlineMs))，请抓紧办理并按时答复。")
            try upsert(db, key: "proposal:\(p.id):overdue", due: p.deadlineMs, recipients: recipients,
                       title: "办理逾期：\(p.title)", body: "提案\(p.number)《\(p.title)》已超过办理期限（\(NotificationRules.day(p.deadlineMs))），请尽快答复。")
        case DomainEvents.proposalReply, DomainEvents.proposalCountersign:
            // The deadline is met, and the feedback reminder set, when the reply is sent to the
            // proposer (after the assisting units' 会签, when it has them).
            let p = try ProposalV1.ProposalEvent(decoding: event.payload).proposal ?? ProposalV1.Proposal()
            guard p.state == .replied else { return }
            try db.execute("DELETE FROM reminders WHERE key IN (?, ?) AND sent = 0", ["proposal:\(p.id):warning", "proposal:\(p.id):overdue"])
            if p.proposerMemberID != 0 {
                try upsert(db, key: "proposal:\(p.id):feedback:\(p.repliedAtMs)", due: p.repliedAtMs + configuration.feedbackReminderMs,
                           recipients: [NotificationRules.member(p.proposerMemberID)],
                           title: "请反馈提案办理意见：\(p.title)", body: "\(p.leadUnitName)已于\(NotificationRules.day(p.repliedAtMs))答复您的提案\(p.number)，请反馈您的意见（满意、基本满意或不满意）。")
            }
        case DomainEvents.proposalFeedback, DomainEvents.proposalClose:
            let p = try ProposalV1.ProposalEvent(decoding: event.payload).proposal ?? ProposalV1.Proposal()
            try db.execute("DELETE FROM reminders WHERE key LIKE ? AND sent = 0", ["proposal:\(p.id):feedback:%"])
        default:
            break
        }
    }

    static func upsert(_ db: any SQLSession, key: String, due: Int64, recipients: [NotificationV1.Recipient], title: String, body: String) throws {
        let list = recipients.map { "\($0.kind.rawValue):\($0.id)" }.joined(separator: ",")
        try db.execute("""
            INSERT INTO reminders (key, due_ms, sent, recipients, title, body) VALUES (?, ?, 0, ?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET due_ms = excluded.due_ms, recipients = excluded.recipients, title = excluded.title,
                body = excluded.body, sent = CASE WHEN reminders.due_ms = excluded.due_ms THEN reminders.sent ELSE 0 END
            """, [key, due, list, title, body])
    }

    /// Sends the reminders that are due, each once: the inbox entries and the mark commit together.
    static func sendDue(_ db: any SQLSession, now: Int64, configuration: NotifierConfiguration) throws -> Int {
        var sent = 0
        for row in try db.rows("SELECT * FROM reminders WHERE sent = 0 AND due_ms <= ? ORDER BY due_ms LIMIT 200", [now]) {
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
            try db.execute("UPDATE reminders SET sent = 1 WHERE key = ?", [key])
        }
        return sent
    }
}
