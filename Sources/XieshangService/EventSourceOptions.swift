import ArgumentParser
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// The three services a consumer follows (the notifier, duty-record): where their RPC and
/// event sockets are, and the operator's `--accept-source` for one that was restored or
/// replaced. `consumers(…)` makes a client and an `EventConsumer` for each.
public struct EventSourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp(SuiteService.registry.rpcHelp)) public var registry: String?
    @Option(help: ArgumentHelp(SuiteService.registry.eventsHelp)) public var registryEvents: String?
    @Option(help: ArgumentHelp(SuiteService.scheduler.rpcHelp)) public var scheduler: String?
    @Option(help: ArgumentHelp(SuiteService.scheduler.eventsHelp)) public var schedulerEvents: String?
    @Option(help: ArgumentHelp(SuiteService.tracker.rpcHelp)) public var tracker: String?
    @Option(help: ArgumentHelp(SuiteService.tracker.eventsHelp)) public var trackerEvents: String?
    @Option(help: ArgumentHelp(
        "Take this source as it now is although it was restored or replaced (its outbox went backwards or its identity changed): apply its events from its newest on. Repeat for several; remove it once the service has started.",
        valueName: "member-registry|meeting-scheduler|proposal-tracker")) public var acceptSource: [String] = []

    public init() {}

    public func validate() throws {
        let names = Self.services.map(\.name)
        for source in acceptSource where !names.contains(source) {
            throw ValidationError("--accept-source \"\(source)\": name \(names.joined(separator: ", "))")
        }
    }

    /// The sources, in the order they start: the registry first.
    public static let services: [SuiteService] = [.registry, .scheduler, .tracker]

    /// A client of each source (for its `Events/Since`, and whatever else the consumer asks
    /// it) and an `EventConsumer` applying `apply` to each of its events, in `services` order.
    public func consumers(
        _ configuration: ServiceConfiguration, database: ServiceDatabase, context: ZMQContext, logger: Logger,
        apply: @escaping EventConsumer.Apply
    ) throws -> (clients: [RPCClient], consumers: [EventConsumer]) {
        try consumers(configuration, database: database, context: context, logger: logger, applySession: { event, session in
            guard let sqlite = session as? SQLiteSession else {
                throw RPCError(.internal, "this consumer's logic is written for SQLite, and the database is PostgreSQL")
            }
            try apply(event, sqlite.db)
        })
    }

    /// The same for a consumer whose logic is written for both engines.
    public func consumers(
        _ configuration: ServiceConfiguration, database: ServiceDatabase, context: ZMQContext, logger: Logger,
        applySession apply: @escaping EventConsumer.ApplySession
    ) throws -> (clients: [RPCClient], consumers: [EventConsumer]) {
        let flags: [SuiteService: (rpc: String?, events: String?)] = [
            .registry: (registry, registryEvents), .scheduler: (scheduler, schedulerEvents), .tracker: (tracker, trackerEvents),
        ]
        var clients: [RPCClient] = []
        var consumers: [EventConsumer] = []
        for source in Self.services {
            let client = try configuration.client(of: source, flag: flags[source]?.rpc ?? nil, context: context, logger: logger)
            clients.append(client)
            consumers.append(EventConsumer(
                source: source.name, eventEndpoint: source.eventEndpoint(flag: flags[source]?.events ?? nil)!, sourceClient: client,
                database: database, context: context, logger: logger,
                security: try configuration.clientSecurity(calling: source.name), acceptDivergence: acceptSource.contains(source.name),
                applySession: apply))
        }
        return (clients, consumers)
    }
}
