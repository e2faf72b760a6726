import GRDB
import XieshangWire

/// The deliveries' SQL: which are due, what became of each attempt, the digests held.
enum DeliveryStore {
    /// Up to 50 pending deliveries whose next attempt is due, oldest first.
    static func due(_ db: Database, now: Int64) throws -> [DeliveryWorker.Due] {
        try Row.fetchAll(db, sql: """
            SELECT d.id, d.channel, d.attempts, d.created_at_ms, n.* FROM deliveries d JOIN notifications n ON n.id = d.notification_id
            WHERE d.status = ? AND d.next_attempt_ms <= ? ORDER BY d.next_attempt_ms LIMIT 50
            """, arguments: [NotificationV1.DeliveryStatus.pending.rawValue, now]).map { row in
            DeliveryWorker.Due(id: row[0], channel: row[1], attempts: row[2], createdAtMs: row[3], notification: InboxHandlers.notification(row))
        }
    }

    static func sent(_ db: Database, _ id: Int64, at now: Int64) throws {
        try db.execute(sql: "UPDATE deliveries SET status = ?, attempts = attempts + 1, sent_at_ms = ?, last_error = '' WHERE id = ?",
                       arguments: [NotificationV1.DeliveryStatus.sent.rawValue, now, id])
    }

    /// Not attempted: the recipient has no address for the channel.
    static func skipped(_ db: Database, _ id: Int64, _ message: String) throws {
        try db.execute(sql: "UPDATE deliveries SET status = ?, last_error = ? WHERE id = ?",
                       arguments: [NotificationV1.DeliveryStatus.skipped.rawValue, message, id])
    }

    /// An attempt failed: tried again at `nextAttemptMs`, or dead once it is too old.
    static func failed(_ db: Database, _ id: Int64, attempts: Int, dead: Bool, nextAttemptMs: Int64, _ message: String) throws {
        try db.execute(sql: "UPDATE deliveries SET status = ?, attempts = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?",
                       arguments: [(dead ? NotificationV1.DeliveryStatus.dead : .pending).rawValue, attempts, nextAttemptMs, message, id])
    }

    /// The iCalendar a notification carries, if any.
    static func calendar(_ db: Database, notification id: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT ics FROM notifications WHERE id = ?", arguments: [id])
    }

    /// The deliveries held for a digest, by recipient.
    static func held(_ db: Database) throws -> [(id: Int64, kind: Int32, recipient: Int64, title: String, body: String)] {
        try Row.fetchAll(db, sql: """
            SELECT d.id, n.recipient_kind, n.recipient_id, n.title, n.body FROM deliveries d JOIN notifications n ON n.id = d.notification_id
            WHERE d.status = ? ORDER BY n.recipient_kind, n.recipient_id, d.id
            """, arguments: [NotificationV1.DeliveryStatus.held.rawValue]).map {
            (id: $0[0] as Int64, kind: $0[1] as Int32, recipient: $0[2] as Int64, title: $0[3] as String, body: $0[4] as String)
        }
    }

    /// What became of one digest's deliveries.
    static func settleDigest(_ db: Database, _ ids: [Int64], _ status: NotificationV1.DeliveryStatus, sentAtMs: Int64, _ error: String) throws {
        try db.execute(sql: "UPDATE deliveries SET status = ?, sent_at_ms = ?, last_error = ? WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
                       arguments: [status.rawValue, sentAtMs, error] + StatementArguments(ids))
    }
}
