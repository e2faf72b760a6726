import Foundation
import GRDB
import XieshangRPC
import XieshangService
import XieshangWire

/// The inbox: each member's and unit's notifications, unread first.
public enum InboxHandlers {
    public static func register(into h: inout RPCHandlers, database: ServiceDatabase) {
        h.register(NotificationV1.Inbox.list) { request, context in
            let recipient = try check(request.recipient, context.principal)
            if request.pageSize < 0 || request.pageSize > 500 {
                throw RPCError.invalidArgument([("page_size", "must be between 1 and 500")])
            }
            let offset: Int
            if request.pageToken.isEmpty { offset = 0 } else {
                guard let value = Int(request.pageToken), value >= 0 else {
                    throw RPCError.invalidArgument([("page_token", "is not a page token from this service")])
                }
                offset = value
            }
            let pageSize = request.pageSize == 0 ? 50 : Int(request.pageSize)
            return try await database.writer.read { db in
                var response = NotificationV1.ListInboxResponse()
                let whose = "recipient_kind = ? AND recipient_id = ?"
                let arguments: StatementArguments = [recipient.kind.rawValue, recipient.id]
                response.total = Int32(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notifications WHERE \(whose)", arguments: arguments) ?? 0)
                response.unread = Int32(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notifications WHERE \(whose) AND read_at_ms = 0", arguments: arguments) ?? 0)
                let filter = request.unreadOnly ? " AND read_at_ms = 0" : ""
                let rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM notifications WHERE \(whose)\(filter)
                    ORDER BY read_at_ms != 0, id DESC LIMIT ? OFFSET ?
                    """, arguments: arguments + [pageSize + 1, offset])
                // A page is bounded in bytes as well as count (an announcement may be 64 KiB).
                var bytes = 0
                for row in rows.prefix(pageSize) {
                    let n = notification(row)
                    let size = n.title.utf8.count + n.body.utf8.count + 256
                    if !response.notifications.isEmpty && bytes + size > 1 << 20 { break }
                    bytes += size
                    response.notifications.append(n)
                }
                if rows.count > response.notifications.count { response.nextPageToken = String(offset + response.notifications.count) }
                return response
            }
        }
        h.register(NotificationV1.Inbox.markRead, mutating: true) { request, context in
            let recipient = try check(request.recipient, context.principal)
            return try await database.idempotent(context) { db in
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                var sql = "UPDATE notifications SET read_at_ms = ? WHERE recipient_kind = ? AND recipient_id = ? AND read_at_ms = 0"
                var arguments: StatementArguments = [now, recipient.kind.rawValue, recipient.id]
                if !request.ids.isEmpty {
                    // Another recipient's notifications are not found here, so never marked.
                    let known = try Int64.fetchAll(db, sql: """
                        SELECT id FROM notifications WHERE recipient_kind = ? AND recipient_id = ? AND id IN (\(databaseQuestionMarks(count: request.ids.count)))
                        """, arguments: [recipient.kind.rawValue, recipient.id] + StatementArguments(request.ids))
                    let missing = Set(request.ids).subtracting(known)
                    if !missing.isEmpty {
                        throw RPCError(.notFound, "ids: notification \(missing.sorted().map(String.init).joined(separator: ", ")) not found in this inbox")
                    }
                    sql += " AND id IN (\(databaseQuestionMarks(count: request.ids.count)))"
                    arguments += StatementArguments(request.ids)
                }
                try db.execute(sql: sql, arguments: arguments)
                var response = NotificationV1.MarkReadResponse()
                response.marked = Int32(db.changesCount)
                return response
            }.reply
        }
    }

    /// A valid recipient whose inbox `principal` may use: the office every inbox, a member
    /// or a unit only its own.
    static func check(_ recipient: NotificationV1.Recipient?, _ principal: Principal) throws -> NotificationV1.Recipient {
        guard let recipient else { throw RPCError.invalidArgument([("recipient", "name a member or a unit by id, or staff")]) }
        switch recipient.kind {
        case .member where recipient.id > 0: try principal.requireMember(recipient.id, field: "recipient")
        case .unit where recipient.id > 0: try principal.requireUnit(recipient.id, field: "recipient")
        case .staff where recipient.id == 0:
            guard principal.isOffice || principal.role == .service else {
                throw RPCError(.permissionDenied, "\(principal) may not use the office's inbox")
            }
        default: throw RPCError.invalidArgument([("recipient", "name a member or a unit by id, or staff")])
        }
        return recipient
    }

    /// Who may call what (docs/ARCHITECTURE.md, "Security"): members and units their own inbox and
    /// preferences; the dead letters, announcements and set-aside events are the office's.
    public static var permissions: MethodPermissions {
        var p = MethodPermissions()
        let own = MethodPermissions.office.union([.member, .unit])
        p.allow(own, NotificationV1.Inbox.list.name, NotificationV1.Inbox.markRead.name,
                NotificationV1.Deliveries.getPreferences.name, NotificationV1.Deliveries.setPreferences.name)
        p.allow(MethodPermissions.office, NotificationV1.Deliveries.list.name, NotificationV1.Deliveries.retry.name,
                NotificationV1.Deliveries.announce.name, EventV1.Consumer.listSetAside.name)
        // The events carry what the methods guard (non-public proposals among them): only
        // their consumer, the notifier, reads them, not every service's key.
        p.allow([.admin], EventV1.Events.since.name)
        p.allow(services: ["notifier"], EventV1.Events.since.name)
        return p
    }

    /// A notification from a row of `notifications` (columns by name).
    static func notification(_ row: Row) -> NotificationV1.Notification {
        var n = NotificationV1.Notification()
        n.id = row["id"]
        var r = NotificationV1.Recipient()
        r.kind = .init(rawValue: row["recipient_kind"])
        r.id = row["recipient_id"]
        n.recipient = r
        n.rule = row["rule"]
        n.title = row["title"]
        n.body = row["body"]
        n.source = row["source"]
        n.sequence = UInt64(row["sequence"] as Int64)
        n.createdAtMs = row["created_at_ms"]
        n.readAtMs = row["read_at_ms"]
        return n
    }
}
