import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

/// `on` / `off` on the command line.
struct Switch: ExpressibleByArgument {
    let on: Bool
    init?(argument: String) {
        switch argument.lowercased() {
        case "on", "yes", "true", "开": on = true
        case "off", "no", "false", "关": on = false
        default: return nil
        }
    }
}

struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Notification preferences, dead letters, staff announcements, and events set aside.",
        subcommands: [Prefs.self, DeadLetters.self, Retry.self, Send.self, SetAside.self])

    struct Prefs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or change a member's or unit's channels: webhook, e-mail, and e-mail as a daily digest.",
            discussion: "Example: gateway notify prefs --member 12 --email on --digest on")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The member.") var member: Int64?
        @Option(help: "The unit.") var unit: Int64?
        @Option(help: "Webhook on or off.") var webhook: Switch?
        @Option(help: "E-mail on or off.") var email: Switch?
        @Option(help: "E-mail once a day in a digest (on), or at once (off).") var digest: Switch?

        func validate() throws {
            if (member == nil) == (unit == nil) { throw ValidationError("give --member or --unit") }
        }

        func run() async throws {
            try await runReportingFailures {
                var recipient = NotificationV1.Recipient()
                recipient.kind = member != nil ? .member : .unit
                recipient.id = member ?? unit ?? 0
                let preferences = try await connection.withNotifier { client in
                    var get = NotificationV1.GetPreferencesRequest()
                    get.recipient = recipient
                    var p = try await client.call(NotificationV1.Deliveries.getPreferences, get, options: .read).preferences ?? NotificationV1.Preferences()
                    guard webhook != nil || email != nil || digest != nil else { return p }
                    if let webhook { p.webhook = webhook.on }
                    if let email { p.email = email.on }
                    if let digest { p.digest = digest.on }
                    p.recipient = recipient
                    var set = NotificationV1.SetPreferencesRequest()
                    set.preferences = p
                    return try await client.call(NotificationV1.Deliveries.setPreferences, set).preferences ?? p
                }
                if connection.json { return try printJSON(preferences) }
                print("webhook \(preferences.webhook ? "on" : "off"), e-mail \(preferences.email ? (preferences.digest ? "daily digest" : "at once") : "off")")
            }
        }
    }

    struct DeadLetters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-letters", abstract: "Deliveries given up on, with the last error.",
            discussion: "Example: gateway notify dead-letters")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "How many.") var limit: Int32 = 100

        func run() async throws {
            try await runReportingFailures {
                var request = NotificationV1.ListDeliveriesRequest()
                request.status = .dead
                request.limit = limit
                let response = try await connection.withNotifier {
                    try await $0.call(NotificationV1.Deliveries.list, request, options: .read)
                }
                if connection.json { return try printJSON(response.deliveries) }
                var table = Table("id", "渠道 channel", "收件人 recipient", "标题 title", "尝试 attempts", "错误 last error")
                for d in response.deliveries {
                    let r = d.notification?.recipient
                    table.add(String(d.id), d.channel, "\(r?.kind == .unit ? "单位" : "委员") \(r?.id ?? 0)", d.notification?.title ?? "",
                              String(d.attempts), d.lastError)
                }
                table.print()
            }
        }
    }

    struct SetAside: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-aside",
            abstract: "Events the notifier could not apply and set aside (nobody was notified of them), newest first, with the error.",
            discussion: "Example: gateway notify set-aside --source meeting-scheduler")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only events from this service (member-registry, meeting-scheduler, proposal-tracker).") var source: String?
        @Option(help: "How many (at most 1000).") var limit: UInt32 = 100

        static let sources = ["member-registry", "meeting-scheduler", "proposal-tracker"]

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
            // A misspelt source would list nothing, which reads as "nothing set aside".
            if let source, !Self.sources.contains(source) {
                throw ValidationError("--source \"\(source)\": the notifier consumes \(Self.sources.joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await runReportingFailures {
                var request = EventV1.ListSetAsideRequest()
                request.source = source ?? ""
                request.limit = limit
                let response = try await connection.withNotifier {
                    try await $0.call(EventV1.Consumer.listSetAside, request, options: .read)
                }
                if connection.json { return try printJSON(response) }
                var table = Table("来源 source", "序号 sequence", "类型 type", "时间 set aside", "错误 error")
                for e in response.events {
                    table.add(e.source, String(e.sequence), e.type, formatTime(e.atMs), e.error)
                }
                table.print()
                if response.total > UInt32(response.events.count) {
                    print("(\(response.events.count) of \(response.total) shown; --limit for more)")
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Try dead letters again.", discussion: "Example: gateway notify retry 17 18")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Dead letters' ids.") var ids: [Int64]

        func run() async throws {
            try await runReportingFailures {
                var request = NotificationV1.RetryDeliveryRequest()
                request.ids = ids
                let response = try await connection.withNotifier {
                    try await $0.call(NotificationV1.Deliveries.retry, request)
                }
                if connection.json { return try printJSON(response) }
                print("retrying \(response.retried) deliveries")
            }
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A staff announcement to a group of members: all, standing-committee, chairpersons-council, sector:NAME, committee:NAME, station:ID, room:ID.",
            discussion: "Example: gateway notify send --group sector:教育界 --title 调研通知 --body \"请于12月10日前提交调研报告\"")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The group.") var group: GroupArgument
        @Option(help: "Title.") var title: String
        @Option(help: "Text.") var body: String

        func run() async throws {
            try await runReportingFailures {
                var request = NotificationV1.AnnounceRequest()
                request.group = group.group.kind
                request.name = group.group.name
                request.id = group.group.id
                request.title = title
                request.body = body
                let response = try await connection.withNotifier {
                    try await $0.call(NotificationV1.Deliveries.announce, request)
                }
                if connection.json { return try printJSON(response) }
                print("sent to \(response.recipients) members")
            }
        }
    }
}
