import Foundation
import XieshangRPC
import XieshangService
import XieshangWire

/// Preferences, the dead letters and their retry, and staff announcements.
public enum DeliveryHandlers {
    public static func register(into h: inout RPCHandlers, database: ServiceDatabase, registry: RPCClient, configuration: NotifierConfiguration) {
        h.register(NotificationV1.Deliveries.getPreferences) { request, context in
            let recipient = try InboxHandlers.check(request.recipient, context.principal)
            var response = NotificationV1.PreferencesResponse()
            response.preferences = try await database.readSession { db in try Inboxes.preferences(db, recipient) }
            return response
        }
        h.register(NotificationV1.Deliveries.setPreferences, mutating: true) { request, context in
            let recipient = try InboxHandlers.check(request.preferences?.recipient, context.principal)
            let p = request.preferences ?? NotificationV1.Preferences()
            return try await database.idempotentSession(context) { db in
                try Inboxes.setPreferences(db, recipient, p)
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
            response.deliveries = try await database.readSession { db in try Inboxes.deliveries(db, status: status, limit: limit) }
            return response
        }
        h.register(NotificationV1.Deliveries.retry, mutating: true) { request, context in
            if request.ids.isEmpty { throw RPCError.invalidArgument([("ids", "name the dead letters to retry")]) }
            return try await database.idempotentSession(context) { db in
                var response = NotificationV1.RetryDeliveryResponse()
                response.retried = Int32(try Inboxes.retry(db, deadLetters: request.ids, now: Int64(Date().timeIntervalSince1970 * 1000)))
                return response
            }.reply
        }
        h.register(NotificationV1.Deliveries.announce, mutating: true) { request, context in
            var problems: [(String, String)] = []
            if request.title.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("title", RPCError.FieldProblem.empty)) }
            if request.body.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("body", RPCError.FieldProblem.empty)) }
            let one = request.recipient
            if let one, one.kind != .unspecified || one.id != 0 {
                if request.group != .unspecified { problems.append(("recipient", "name a group or one recipient, not both")) }
                if one.kind != .member && one.kind != .unit || one.id <= 0 { problems.append(("recipient", "one member or one unit, with its id")) }
            } else if request.group == .unspecified {
                problems.append(("group", "name the group"))
            }
            if !problems.isEmpty { throw RPCError.invalidArgument(problems) }
            if let stored = try await database.storedReply(context, as: NotificationV1.AnnounceResponse.self) { return stored }
            let recipients: [NotificationV1.Recipient]
            if let one, one.id > 0 {
                recipients = [one]
            } else {
                var resolve = MemberV1.ResolveGroupRequest()
                resolve.kind = request.group
                resolve.name = request.name
                resolve.id = request.id
                recipients = try await Dependency(name: "member-registry", client: registry)
                    .read(MemberV1.Members.resolveGroup, resolve, field: "group").memberIDs.map(NotificationRules.member)
            }
            return try await database.idempotentSession(context) { db in
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let id = try Inboxes.recordAnnouncement(db, title: request.title, at: now)
                var count: Int32 = 0
                for recipient in recipients {
                    if try Inboxes.notify(db, recipient, rule: "announcement", title: "通知：\(request.title)", body: request.body,
                                          source: "announcement", sequence: id, now: now, configuration: configuration) { count += 1 }
                }
                var response = NotificationV1.AnnounceResponse()
                response.recipients = count
                return response
            }.reply
        }
    }
}
