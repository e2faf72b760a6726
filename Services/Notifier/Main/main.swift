// notifier: tells every member and unit what concerns them, from the other services' events.
import ArgumentParser
import Foundation
import Logging
import Notifier
import ServiceLifecycle
import XieshangRPC
import XieshangService
import XieshangZMQ

@main
struct NotifierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifier",
        abstract: "Turns the services' events into notifications in each member's and unit's inbox.",
        discussion: "Example: notifier --keys /etc/xieshang/keys --data-dir /var/lib/xieshang \\\n             --registry tcp://127.0.0.1:7101 \\\n             --registry-events tcp://127.0.0.1:7102")

    @OptionGroup var options: ServiceOptions
    @OptionGroup var sources: EventSourceOptions
    @Option(help: "POST every notification here as JSON, signed with HMAC-SHA256 (env XIESHANG_WEBHOOK_URL).") var webhookURL: String?
    @Option(help: "The webhook's shared secret (env XIESHANG_WEBHOOK_SECRET).") var webhookSecret: String?
    @Option(help: "Send e-mail with this sendmail-compatible command, e.g. \"msmtp --host=smtp.example.cn --from=zx@example.cn\"; the address is added last (env XIESHANG_SENDMAIL).") var sendmail: String?
    @Option(help: "Meeting reminders before the start (default 24h,1h).") var meetingReminders: String = "24h,1h"
    @Option(help: "Warning before a proposal's handling deadline (default 7d).") var deadlineWarning: String = "7d"
    @Option(help: "Reminder when a reply waits for the member's feedback (default 7d).") var feedbackReminder: String = "7d"
    @Option(help: "Give a failing delivery up to the dead letters after (default 1h).") var giveUpAfter: String = "1h"
    @Option(help: "How often digest e-mails go out (default 1d).") var digestEvery: String = "1d"

    func validate() throws {
        for (name, value) in [("--meeting-reminders", meetingReminders), ("--deadline-warning", deadlineWarning),
                              ("--feedback-reminder", feedbackReminder), ("--give-up-after", giveUpAfter), ("--digest-every", digestEvery)] {
            guard NotifierConfiguration.durations(value) != nil else {
                throw ValidationError("\(name) \"\(value)\": write durations like 24h,1h or 7d or 90s")
            }
        }
        if let url = SettingSource().text(webhookURL, "XIESHANG_WEBHOOK_URL"), !["http", "https"].contains(URL(string: url)?.scheme?.lowercased() ?? "") {
            throw ValidationError("--webhook-url (XIESHANG_WEBHOOK_URL) \"\(url)\" must be an http or https URL")
        }
    }

    func run() async throws {
        let configuration = try options.resolve(.notifier)
        ServiceLogging.bootstrap(configuration)
        if try configuration.importSQLiteIfAsked(migrations: NotifierSchema.migrations) { return }
        let logger = Logger(label: configuration.name)
        let context = try ZMQContext()
        let source = SettingSource()
        var notifier = NotifierConfiguration()
        if let url = source.text(webhookURL, "XIESHANG_WEBHOOK_URL") { notifier.webhookURL = URL(string: url) }
        notifier.webhookSecret = source.text(webhookSecret, "XIESHANG_WEBHOOK_SECRET") ?? ""
        if let command = source.text(sendmail, "XIESHANG_SENDMAIL") {
            notifier.sendmail = command.split(separator: " ").map(String.init)
        }
        notifier.meetingRemindersMs = NotifierConfiguration.durations(meetingReminders)!
        notifier.deadlineWarningMs = NotifierConfiguration.durations(deadlineWarning)![0]
        notifier.feedbackReminderMs = NotifierConfiguration.durations(feedbackReminder)![0]
        notifier.giveUpAfterMs = NotifierConfiguration.durations(giveUpAfter)![0]
        notifier.digestEveryMs = NotifierConfiguration.durations(digestEvery)![0]
        let settings = notifier
        // The database first, so the consumers and the inbox share it.
        let database = try ServiceDatabase.open(configuration, migrations: NotifierSchema.migrations)
        let (clients, eventConsumers) = try sources.consumers(configuration, database: database, context: context, logger: logger,
                                                              applySession: { event, db in
            try NotificationRules.apply(event, db, now: Int64(Date().timeIntervalSince1970 * 1000), configuration: settings)
        })
        var consumers: [any Service] = eventConsumers
        consumers.append(DeliveryWorker(database: database, configuration: settings, registry: clients[0], logger: logger))
        let registryClient = clients[0]
        let host = try ServiceHost(
            configuration: configuration, database: database, context: context, logger: logger, extraServices: consumers,
            healthDetail: { [eventConsumers] in await EventConsumer.describe(eventConsumers) }
        ) { database, _ in
            NotifierService(database: database, registry: registryClient, configuration: settings)
        }
        try await host.run()
        for client in clients { await client.close() }
    }
}
