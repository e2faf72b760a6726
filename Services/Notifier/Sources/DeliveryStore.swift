import XieshangService
import XieshangWire

/// The deliveries' SQL: which are due, what became of each attempt, the digests held.
enum DeliveryStore {
    /// Up to 50 pending deliveries whose next attempt is due, oldest first.
    static func due(_ db: any SQLSession, now: Int64) throws -> [DeliveryWorker.Due] {
        try db.rows("""
            SELECT d.id, d.channel, d.attempts, d.created_at_ms, n.* FROM deliveries d JOIN notifications n ON n.id = d.notification_id
            WHERE d.status = ? AND d.next_attempt_ms <= ? ORDER BY d.next_attempt_ms LIMIT 50
            """, [NotificationV1.DeliveryStatus.pending.rawValue, now]).map { row in
            DeliveryWorker.Due(id: row[0], channel: row[1], attempts: row[2], createdAtMs: row[3], notification: InboxHandlers.notification(row))
        }
    }

    static func sent(_ db: any SQLSession, _ id: Int64, at now: Int64) throws {
        try db.execute("UPDATE deliveries SET status = ?, attempts = attempts + 1, sent_at_ms = ?, last_error = '' WHERE id = ?", [NotificationV1.DeliveryStatus.sent.rawValue, now, id])
    }

    /// Not attempted: the recipient has no address for the channel.
    static func skipped(_ db: any SQLSession, _ id: Int64, _ message: String) throws {
        try db.execute("UPDATE deliveries SET status = ?, last_error = ? WHERE id = ?", [NotificationV1.DeliveryStatus.skipped.rawValue, message, id])
    }

    /// An attempt failed: tried again at `nextAttemptMs`, or dead once it is too old.
    static func failed(_ db: any SQLSession, _ id: Int64, attempts: Int, dead: Bool, nextAttemptMs: Int64, _ message: String) throws {
        try db.execute("UPDATE deliveries SET status = ?, attempts = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?", [(dead ? NotificationV1.DeliveryStatus.dead : .pending).rawValue, attempts, nextAttemptMs, message, id])
    }

    /// The iCalendar a notification carries, if any.
    static func calendar(_ db: any SQLSession, notification id: Int64) throws -> String? {
        try db.value("SELECT ics FROM notifications WHERE id = ?", [id], as: String.self)
    }

    /// The deliveries held for a digest, by recipient.
    static func held(_ db: any SQLSession) throws -> [(id: Int64, kind: Int32, recipient: Int64, title: String, body: String)] {
        try db.rows("""
            SELECT d.id, n.recipient_kind, n.recipient_id, n.title, n.body FROM deliveries d JOIN notifications n ON n.id = d.notification_id
            WHERE d.status = ? ORDER BY n.recipient_kind, n.recipient_id, d.id
            """, [NotificationV1.DeliveryStatus.held.rawValue]).map {
            (id: $0[0] as Int64, kind: $0[1] as Int32, recipient: $0[2] as Int64, title: $0[3] as String, body: $0[4] as String)
        }
    }

    /// What became of one digest's deliveries.
    static func settleDigest(_ db: any SQLSession, _ ids: [Int64], _ status: NotificationV1.DeliveryStatus, sentAtMs: Int64, _ error: String) throws {
        try db.execute("UPDATE deliveries SET status = ?, sent_at_ms = ?, last_error = ? WHERE id IN (\(sqlPlaceholders(count: ids.count)))", [status.rawValue, sentAtMs, error] + ids.map { $0 as any SQLValueConvertible })
    }
}
