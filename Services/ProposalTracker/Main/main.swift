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
        discussion: "Example: proposal-tracker --keys /etc/xieshang/keys --data-dir /var/lib/xieshang --registry tcp://127.0.0.1:7101 --scheduler tcp://127.0.0.1:7201")

    @OptionGroup var options: ServiceOptions

    @Option(help: "member-registry's RPC endpoint (env XIESHANG_REGISTRY_ENDPOINT; default tcp://127.0.0.1:7101).")
    var registry: String?

    @Option(help: "meeting-scheduler's RPC endpoint (env XIESHANG_SCHEDULER_ENDPOINT; default tcp://127.0.0.1:7201).")
    var scheduler: String?

    func run() async throws {
        let configuration = try options.resolve(
            name: "proposal-tracker", version: "0.1.0",
            defaultRPC: "tcp://127.0.0.1:7301", defaultEvents: "tcp://127.0.0.1:7302")
        ServiceLogging.bootstrap(level: configuration.logLevel)
        let logger = Logger(label: configuration.name)
        let context = try ZMQContext()
        let environment = ProcessInfo.processInfo.environment
        func client(_ peer: String, _ flag: String?, _ variable: String, _ fallback: String) throws -> RPCClient {
            let endpoint = flag ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
            var clientConfiguration = RPCClientConfiguration(endpoints: [endpoint], caller: configuration.name)
            clientConfiguration.security = try configuration.clientSecurity(calling: peer)
            return try RPCClient(configuration: clientConfiguration, context: context, logger: logger)
        }
        let registryClient = try client("member-registry", registry, "XIESHANG_REGISTRY_ENDPOINT", "tcp://127.0.0.1:7101")
        let schedulerClient = try client("meeting-scheduler", scheduler, "XIESHANG_SCHEDULER_ENDPOINT", "tcp://127.0.0.1:7201")
        let peers = Peers(registry: registryClient, scheduler: schedulerClient)
        let host = try ServiceHost(
            configuration: configuration, migrations: TrackerSchema.migrations, context: context, logger: logger
        ) { database, outbox in
            TrackerHandlers(database: database, outbox: outbox, peers: peers)
        }
        try await host.run()
        await registryClient.close()
        await schedulerClient.close()
    }
}
