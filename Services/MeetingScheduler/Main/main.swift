// meeting-scheduler: meetings, agendas, invitations, attendance and conflicts.
import ArgumentParser
import Foundation
import Logging
import MeetingScheduler
import XieshangRPC
import XieshangService
import XieshangZMQ

@main
struct MeetingSchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meeting-scheduler",
        abstract: "Serves the committee's meetings, invitations, attendance and room bookings.",
        discussion: "Example: meeting-scheduler --keys /etc/xieshang/keys --data-dir /var/lib/xieshang --registry tcp://127.0.0.1:7101")

    @OptionGroup var options: ServiceOptions

    @Option(help: ArgumentHelp(SuiteService.registry.rpcHelp))
    var registry: String?

    func run() async throws {
        let configuration = try options.resolve(.scheduler)
        ServiceLogging.bootstrap(level: configuration.logLevel)
        let logger = Logger(label: configuration.name)
        let context = try ZMQContext()
        let registryClient = try configuration.client(of: .registry, flag: registry, context: context, logger: logger, timeout: .seconds(5))
        let link = RegistryClient(client: registryClient)
        let host = try ServiceHost(
            configuration: configuration, migrations: SchedulerSchema.migrations, context: context, logger: logger
        ) { database, outbox in
            SchedulerHandlers(database: database, outbox: outbox, registry: link)
        }
        try await host.run()
        await registryClient.close()
    }
}
