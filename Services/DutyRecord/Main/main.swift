// duty-record: every member's 履职 record, from the other services' events and what staff record.
import ArgumentParser
import DutyRecord
import Foundation
import Logging
import ServiceLifecycle
import XieshangRPC
import XieshangService
import XieshangZMQ

@main
struct DutyRecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duty-record",
        abstract: "Keeps every member's record of duty (履职档案), scored by the committee's rules, from the services' events.",
        discussion: "Example: duty-record --keys /etc/xieshang/keys --data-dir /var/lib/xieshang \\\n             --rules /etc/xieshang/duty-rules.txt \\\n             --registry tcp://127.0.0.1:7101 \\\n             --registry-events tcp://127.0.0.1:7102")

    @OptionGroup var options: ServiceOptions
    @OptionGroup var sources: EventSourceOptions
    @Option(help: "The committee's scoring rules: lines `kind | 名称 | points`, one for every kind (env XIESHANG_DUTY_RULES; default the rules in docs/DOMAIN.md). A changed file becomes a new version; `gateway duty recalculate` applies it to the open years.")
    var rules: String?

    func run() async throws {
        let configuration = try options.resolve(.duty)
        ServiceLogging.bootstrap(configuration)
        if try configuration.importSQLiteIfAsked(migrations: DutySchema.migrations) { return }
        let logger = Logger(label: configuration.name)
        let rulesFile = SettingSource().text(rules, "XIESHANG_DUTY_RULES")
        let scoring: DutyRules
        do {
            scoring = try rulesFile.map(DutyRules.load) ?? .standard
        } catch {
            throw ValidationError("\(error)")
        }
        let context = try ZMQContext()
        let database = try ServiceDatabase.open(configuration, migrations: DutySchema.migrations)
        let version = try await database.writeSession { db in try DutyStore.install(db, scoring, now: Int64(Date().timeIntervalSince1970 * 1000)) }
        logger.info("scoring rules", metadata: ["rules.version": "\(version)", "rules.file": "\(rulesFile ?? "(the default rules)")"])
        let (clients, consumers) = try sources.consumers(configuration, database: database, context: context, logger: logger,
                                                         applySession: { event, db in
            try DutyLedger.apply(event, db, now: Int64(Date().timeIntervalSince1970 * 1000))
        })
        let host = try ServiceHost(
            configuration: configuration, database: database, context: context, logger: logger, extraServices: consumers,
            healthDetail: { [consumers] in await EventConsumer.describe(consumers) }
        ) { database, _ in
            DutyHandlers(database: database)
        }
        try await host.run()
        for client in clients { await client.close() }
    }
}
