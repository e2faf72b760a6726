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

    @Option(help: "How many minutes before a meeting's start check-in opens (env XIESHANG_CHECK_IN_OPENS_MINUTES; default 120).")
    var checkInOpensMinutes: Int?

    func validate() throws {
        if let minutes = resolvedCheckInOpens, !(0...(14 * 24 * 60)).contains(minutes) {
            throw ValidationError("--check-in-opens-minutes must be between 0 and 20160")
        }
    }

    var resolvedCheckInOpens: Int? {
        checkInOpensMinutes ?? ProcessInfo.processInfo.environment["XIESHANG_CHECK_IN_OPENS_MINUTES"].flatMap { Int($0) }
    }

    func run() async throws {
        let configuration = try options.resolve(.scheduler)
        ServiceLogging.bootstrap(configuration)
        let logger = Logger(label: configuration.name)
        let context = try ZMQContext()
        let registryClient = try configuration.client(of: .registry, flag: registry, context: context, logger: logger, timeout: .seconds(5))
        let link = RegistryClient(client: registryClient)
        let checkInOpens = resolvedCheckInOpens.map { Int64($0) * 60_000 } ?? MeetingRules.defaultCheckInOpens
        let host = try ServiceHost(
            configuration: configuration, migrations: SchedulerSchema.migrations, context: context, logger: logger
        ) { database, outbox in
            SchedulerHandlers(database: database, outbox: outbox, registry: link, checkInOpens: checkInOpens)
        }
        try await host.run()
        await registryClient.close()
    }
}
