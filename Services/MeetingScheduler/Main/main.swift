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

    @Option(help: "member-registry's RPC endpoint (env XIESHANG_REGISTRY_ENDPOINT; default tcp://127.0.0.1:7101).")
    var registry: String?

    func run() async throws {
        let configuration = try options.resolve(
            name: "meeting-scheduler", version: "0.1.0",
            defaultRPC: "tcp://127.0.0.1:7201", defaultEvents: "tcp://127.0.0.1:7202")
        ServiceLogging.bootstrap(level: configuration.logLevel)
        let logger = Logger(label: configuration.name)
        let context = try ZMQContext()
        let registryEndpoint = registry ?? ProcessInfo.processInfo.environment["XIESHANG_REGISTRY_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "tcp://127.0.0.1:7101"
        var clientConfiguration = RPCClientConfiguration(endpoints: [registryEndpoint], caller: configuration.name)
        clientConfiguration.defaultTimeout = .seconds(5)
        clientConfiguration.security = try configuration.clientSecurity(calling: "member-registry")
        let registryClient = try RPCClient(configuration: clientConfiguration, context: context, logger: logger)
        let link = RegistryLink(client: registryClient)
        let host = try ServiceHost(
            configuration: configuration, migrations: SchedulerSchema.migrations, context: context, logger: logger
        ) { database, outbox in
            SchedulerHandlers(database: database, outbox: outbox, registry: link)
        }
        try await host.run()
        await registryClient.close()
    }
}
