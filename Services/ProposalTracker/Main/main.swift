// proposal-tracker: proposals (提案) from draft to a satisfied member, and consultation topics.
import ArgumentParser
import Foundation
import Logging
import ProposalTracker
import XieshangRPC
import XieshangService
import XieshangZMQ

@main
struct ProposalTrackerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proposal-tracker",
        abstract: "Serves the committee's proposals and consultation topics.",
        discussion: "Example: proposal-tracker --keys /etc/xieshang/keys \\\n             --data-dir /var/lib/xieshang --registry tcp://127.0.0.1:7101 \\\n             --scheduler tcp://127.0.0.1:7201")

    @OptionGroup var options: ServiceOptions

    @Option(help: ArgumentHelp(SuiteService.registry.rpcHelp))
    var registry: String?

    @Option(help: ArgumentHelp(SuiteService.scheduler.rpcHelp))
    var scheduler: String?

    @Option(help: "What the reply classes mean here: a file of four lines `A | label | definition` (env XIESHANG_REPLY_CLASSES; default: A 解决采纳, B 列入计划, C 留作参考, D 不能解决).")
    var replyClasses: String?

    func validate() throws {
        if let path = resolvedReplyClasses { _ = try ReplyClasses.load(path) }
    }

    var resolvedReplyClasses: String? {
        SettingSource().text(replyClasses, "XIESHANG_REPLY_CLASSES")
    }

    func run() async throws {
        let configuration = try options.resolve(.tracker)
        ServiceLogging.bootstrap(configuration)
        if try configuration.importSQLiteIfAsked(migrations: TrackerSchema.migrations) { return }
        let logger = Logger(label: configuration.name)
        let context = try ZMQContext()
        let registryClient = try configuration.client(of: .registry, flag: registry, context: context, logger: logger)
        let schedulerClient = try configuration.client(of: .scheduler, flag: scheduler, context: context, logger: logger)
        let peers = Peers(registry: registryClient, scheduler: schedulerClient)
        let classes = try resolvedReplyClasses.map(ReplyClasses.load) ?? .standard
        let host = try ServiceHost(
            configuration: configuration, migrations: TrackerSchema.migrations, context: context, logger: logger
        ) { database, outbox in
            TrackerHandlers(database: database, outbox: outbox, peers: peers, replyClasses: classes)
        }
        try await host.run()
        await registryClient.close()
        await schedulerClient.close()
    }
}
