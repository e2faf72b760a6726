import Foundation
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
            let unreadOnly = request.unreadOnly
            return try await database.readSession { db in
                try Inboxes.page(db, recipient, unreadOnly: unreadOnly, offset: offset, pageSize: pageSize)
            }
        }
        h.register(NotificationV1.Inbox.markRead, mutating: true) { request, context in
            let recipient = try check(request.recipient, context.principal)
            return try await database.idempotentSession(context) { db in
                let marked = try Inboxes.markRead(db, recipient, ids: request.ids, now: Int64(Date().timeIntervalSince1970 * 1000))
                var response = NotificationV1.MarkReadResponse()
                response.marked = Int32(marked)
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
    static func notification(_ row: SQLRow) -> NotificationV1.Notification {
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
