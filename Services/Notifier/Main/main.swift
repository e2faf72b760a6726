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
        discussion: "Example: notifier --data-dir /var/lib/xieshang --registry tcp://127.0.0.1:7101 --registry-events tcp://127.0.0.1:7102")

    @OptionGroup var options: ServiceOptions

    @Option(help: "member-registry's RPC endpoint (env XIESHANG_REGISTRY_ENDPOINT).") var registry: String?
    @Option(help: "member-registry's event endpoint (env XIESHANG_REGISTRY_EVENTS; default tcp://127.0.0.1:7102).") var registryEvents: String?
    @Option(help: "meeting-scheduler's RPC endpoint (env XIESHANG_SCHEDULER_ENDPOINT).") var scheduler: String?
    @Option(help: "meeting-scheduler's event endpoint (env XIESHANG_SCHEDULER_EVENTS; default tcp://127.0.0.1:7202).") var schedulerEvents: String?
    @Option(help: "proposal-tracker's RPC endpoint (env XIESHANG_TRACKER_ENDPOINT).") var tracker: String?
    @Option(help: "proposal-tracker's event endpoint (env XIESHANG_TRACKER_EVENTS; default tcp://127.0.0.1:7302).") var trackerEvents: String?

    func run() async throws {
        var configuration = try options.resolve(
            name: "notifier", version: "0.1.0", defaultRPC: "tcp://127.0.0.1:7401", defaultEvents: nil)
        configuration.eventEndpoint = nil
        ServiceLogging.bootstrap(level: configuration.logLevel)
        let logger = Logger(label: configuration.name)
        let context = try ZMQContext()
        let environment = ProcessInfo.processInfo.environment
        func pick(_ flag: String?, _ variable: String, _ fallback: String) -> String {
            flag ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        }
        let sources = [
            ("member-registry", pick(registry, "XIESHANG_REGISTRY_ENDPOINT", "tcp://127.0.0.1:7101"), pick(registryEvents, "XIESHANG_REGISTRY_EVENTS", "tcp://127.0.0.1:7102")),
            ("meeting-scheduler", pick(scheduler, "XIESHANG_SCHEDULER_ENDPOINT", "tcp://127.0.0.1:7201"), pick(schedulerEvents, "XIESHANG_SCHEDULER_EVENTS", "tcp://127.0.0.1:7202")),
            ("proposal-tracker", pick(tracker, "XIESHANG_TRACKER_ENDPOINT", "tcp://127.0.0.1:7301"), pick(trackerEvents, "XIESHANG_TRACKER_EVENTS", "tcp://127.0.0.1:7302")),
        ]
        // The database first, so the consumers and the inbox share it.
        let database = try ServiceDatabase.open(dataDir: configuration.dataDir ?? "data/notifier", name: configuration.name, migrations: NotifierSchema.migrations)
        var clients: [RPCClient] = []
        var consumers: [any Service] = []
        for (source, rpc, events) in sources {
            let client = try RPCClient(configuration: RPCClientConfiguration(endpoints: [rpc], caller: configuration.name), context: context, logger: logger)
            clients.append(client)
            consumers.append(EventConsumer(
                source: source, eventEndpoint: events, sourceClient: client, database: database, context: context, logger: logger
            ) { event, db in
                try NotificationRules.apply(event, db, now: Int64(Date().timeIntervalSince1970 * 1000))
            })
        }
        let host = try ServiceHost(
            configuration: configuration, database: database, context: context, logger: logger, extraServices: consumers
        ) { database, _ in
            InboxHandlers.make(database: database)
        }
        try await host.run()
        for client in clients { await client.close() }
    }
}
