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
        discussion: "Example: meeting-scheduler --keys /etc/xieshang/keys \\\n             --data-dir /var/lib/xieshang --registry tcp://127.0.0.1:7101")

    @OptionGroup var options: ServiceOptions

    @Option(help: ArgumentHelp(SuiteService.registry.rpcHelp))
    var registry: String?

    @Option(help: ArgumentHelp(SuiteService.registry.eventsHelp + " The scheduler keeps the registry's rooms, terms and members from them."))
    var registryEvents: String?

    @Option(help: "How long after it last heard all that member-registry had written the scheduler still answers from its copy, in seconds (env XIESHANG_REGISTRY_STALENESS_SECONDS; default 3600; 0: always ask the registry; at most 2592000, 30 days).")
    var registryStalenessSeconds: Int?

    @Option(help: ArgumentHelp("Take member-registry as it now is although it was restored or replaced: follow its events from its newest on. Remove it once the service has started.", valueName: "member-registry"))
    var acceptSource: [String] = []

    @Option(help: "How many minutes before a meeting's start check-in opens (env XIESHANG_CHECK_IN_OPENS_MINUTES; default 120).")
    var checkInOpensMinutes: Int?

    func validate() throws {
        if let seconds = try resolvedStaleness, !(0...Self.maxStaleness).contains(seconds) {
            throw ValidationError("--registry-staleness-seconds must be between 0 and \(Self.maxStaleness) (30 days)")
        }
        for source in acceptSource where source != SuiteService.registry.name {
            throw ValidationError("--accept-source \"\(source)\": the scheduler follows only member-registry")
        }
        if let minutes = try resolvedCheckInOpens, !(0...(14 * 24 * 60)).contains(minutes) {
            throw ValidationError("--check-in-opens-minutes must be between 0 and 20160")
        }
    }

    static let maxStaleness = 30 * 86_400

    var resolvedStaleness: Int? {
        get throws { try ServiceOptions.checked { try SettingSource().number(registryStalenessSeconds, "XIESHANG_REGISTRY_STALENESS_SECONDS") } }
    }

    var resolvedCheckInOpens: Int? {
        get throws { try ServiceOptions.checked { try SettingSource().number(checkInOpensMinutes, "XIESHANG_CHECK_IN_OPENS_MINUTES") } }
    }

    func run() async throws {
        let configuration = try options.resolve(.scheduler)
        ServiceLogging.bootstrap(configuration)
        if try configuration.importSQLiteIfAsked(migrations: SchedulerSchema.migrations) { return }
        let logger = Logger(label: configuration.name)
        let context = try ZMQContext()
        let registryClient = try configuration.client(of: .registry, flag: registry, context: context, logger: logger, timeout: .seconds(5))
        let link = RegistryClient(client: registryClient)
        let checkInOpens = try resolvedCheckInOpens.map { Int64($0) * 60_000 } ?? MeetingRules.defaultCheckInOpens
        let database = try ServiceDatabase.open(configuration, migrations: SchedulerSchema.migrations)
        // The registry's rooms, terms and members, kept from its events (RegistryModel).
        let follower = EventConsumer(
            source: SuiteService.registry.name, eventEndpoint: SuiteService.registry.eventEndpoint(flag: registryEvents)!,
            sourceClient: registryClient, database: database, context: context, logger: logger,
            security: try configuration.clientSecurity(calling: SuiteService.registry.name),
            acceptDivergence: acceptSource.contains(SuiteService.registry.name),
            applySession: RegistryModel.apply)
        let staleness = Duration.seconds(try resolvedStaleness ?? 3600)
        let useModel = staleness > .zero
        let modelInStep: @Sendable () -> Bool = { useModel && follower.inStep(within: staleness) }
        let host = try ServiceHost(
            configuration: configuration, database: database, context: context, logger: logger, extraServices: [follower],
            healthDetail: { await RegistryDirectory.health(follower, database: database, inStep: modelInStep()) }
        ) { database, outbox in
            SchedulerHandlers(database: database, outbox: outbox, registry: link, checkInOpens: checkInOpens, registryModelInStep: modelInStep)
        }
        try await host.run()
        await registryClient.close()
    }
}
