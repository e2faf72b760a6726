import Foundation
import GRDB
import XieshangRPC
import XieshangService
import XieshangWire

/// Preferences, the dead letters and their retry, and staff announcements.
public enum DeliveryHandlers {
    public static func register(into h: inout RPCHandlers, database: ServiceDatabase, registry: RPCClient, configuration: NotifierConfiguration) {
        h.register(NotificationV1.Deliveries.getPreferences) { request, context in
            let recipient = try InboxHandlers.check(request.recipient, context.principal)
            var response = NotificationV1.PreferencesResponse()
            response.preferences = try await database.writer.read { db in try Inboxes.preferences(db, recipient) }
            return response
        }
        h.register(NotificationV1.Deliveries.setPreferences, mutating: true) { request, context in
            let recipient = try InboxHandlers.check(request.preferences?.recipient, context.principal)
            let p = request.preferences ?? NotificationV1.Preferences()
            return try await database.idempotent(context) { db in
                try db.execute(sql: """
                    INSERT INTO preferences (recipient_kind, recipient_id, webhook, email, digest) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(recipient_kind, recipient_id) DO UPDATE SET webhook = excluded.webhook, email = excluded.email, digest = excluded.digest
                    """, arguments: [recipient.kind.rawValue, recipient.id, p.webhook, p.email, p.digest])
                var response = NotificationV1.PreferencesResponse()
                response.preferences = try Inboxes.preferences(db, recipient)
                return response
            }.reply
        }
        h.register(NotificationV1.Deliveries.list) { request, _ in
            let status = request.status == .unspecified ? NotificationV1.DeliveryStatus.dead : request.status
            if case .unrecognized = status { throw RPCError.invalidArgument([("status", "unknown status")]) }
            let limit = request.limit <= 0 ? 100 : min(Int(request.limit), 1000)
            var response = NotificationV1.ListDeliveriesResponse()
            response.deliveries = try await database.writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT d.id AS delivery_id, d.channel, d.status, d.attempts, d.last_error, d.created_at_ms AS delivery_created, d.sent_at_ms, n.*
                    FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE d.status = ? ORDER BY d.id DESC LIMIT ?
                    """, arguments: [status.rawValue, limit]).map { row in
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
            return response
        }
        h.register(NotificationV1.Deliveries.retry, mutating: true) { request, context in
            if request.ids.isEmpty { throw RPCError.invalidArgument([("ids", "name the dead letters to retry")]) }
            return try await database.idempotent(context) { db in
                let dead = try Int64.fetchAll(db, sql: "SELECT id FROM deliveries WHERE status = ? AND id IN (\(databaseQuestionMarks(count: request.ids.count)))",
                                              arguments: [NotificationV1.DeliveryStatus.dead.rawValue] + StatementArguments(request.ids))
                let missing = Set(request.ids).subtracting(dead)
                if !missing.isEmpty {
                    throw RPCError(.notFound, "ids: \(missing.sorted().map(String.init).joined(separator: ", ")) is not a dead letter")
                }
                // A fresh start: new attempts, a new give-up window.
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try db.execute(sql: "UPDATE deliveries SET status = ?, attempts = 0, next_attempt_ms = ?, created_at_ms = ? WHERE id IN (\(databaseQuestionMarks(count: dead.count)))",
                               arguments: [NotificationV1.DeliveryStatus.pending.rawValue, now, now] + StatementArguments(dead))
                var response = NotificationV1.RetryDeliveryResponse()
                response.retried = Int32(dead.count)
                return response
            }.reply
        }
        h.register(NotificationV1.Deliveries.announce, mutating: true) { request, context in
            var problems: [(String, String)] = []
            if request.title.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("title", "must not be empty")) }
            if request.body.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("body", "must not be empty")) }
            if request.group == .unspecified { problems.append(("group", "name the group")) }
            if !problems.isEmpty { throw RPCError.invalidArgument(problems) }
            if let stored = try await database.storedReply(context, as: NotificationV1.AnnounceResponse.self) { return stored }
            var resolve = MemberV1.ResolveGroupRequest()
            resolve.kind = request.group
            resolve.name = request.name
            resolve.id = request.id
            let members = try await Dependency(name: "member-registry", client: registry)
                .read(MemberV1.Members.resolveGroup, resolve, field: "group").memberIDs
            return try await database.idempotent(context) { db in
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try db.execute(sql: "INSERT INTO announcements (title, at_ms) VALUES (?, ?)", arguments: [request.title, now])
                let id = db.lastInsertedRowID
                var count: Int32 = 0
                for member in members {
                    if try Inboxes.notify(db, NotificationRules.member(member), rule: "announcement", title: "通知：\(request.title)", body: request.body,
                                          source: "announcement", sequence: id, now: now, configuration: configuration) { count += 1 }
                }
                var response = NotificationV1.AnnounceResponse()
                response.recipients = count
                return response
            }.reply
        }
    }
}
