// member-registry: the committee's terms, members, managed lists, work stations,
// consultation rooms and handling units.
import ArgumentParser
import Logging
import MemberRegistry
import XieshangService
import XieshangZMQ
import XieshangRPC

@main
struct MemberRegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member-registry",
        abstract: "Serves the committee's members, groups, work stations, rooms and handling units.",
        discussion: "Example: member-registry --keys /etc/xieshang/keys \\\n             --data-dir /var/lib/xieshang --rpc-endpoint tcp://0.0.0.0:7101")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let configuration = try options.resolve(.registry)
        ServiceLogging.bootstrap(configuration)
        if try configuration.importSQLiteIfAsked(migrations: RegistrySchema.migrations) { return }
        let host = try ServiceHost(
            configuration: configuration, migrations: RegistrySchema.migrations,
            context: try ZMQContext(), logger: Logger(label: configuration.name)
        ) { database, outbox in
            RegistryHandlers(database: database, outbox: outbox)
        }
        try await host.run()
    }
}
