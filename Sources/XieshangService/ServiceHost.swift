import Foundation
import Synchronization
import Logging
import ServiceLifecycle
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// One running service: its database, outbox, RPC server and event publisher, plus any
/// other `Service`s it needs (e.g. event consumers), run as one `ServiceGroup` that shuts
/// down gracefully on SIGTERM or SIGINT.
///
/// Executables and tests build it the same way: `ServiceHost(configuration:…)` binds and
/// migrates, `run()` serves.
public final class ServiceHost: Sendable {
    public let configuration: ServiceConfiguration
    public let database: ServiceDatabase
    public let outbox: EventOutbox
    public let server: RPCServer
    public let publisher: EventPublisher?
    public let logger: Logger
    /// The ZAP handler, when the service runs with CURVE keys.
    public let zap: ZAPHandler?
    /// Its figures for Prometheus, and the HTTP listener that serves them (nil when off).
    public let metrics: ServiceMetrics
    public let metricsListener: MetricsListener?
    private let extraServices: [any Service]

    /// What a service gives the host: its handlers, built over the database and outbox.
    public typealias MakeHandlers = @Sendable (ServiceDatabase, EventOutbox) throws -> RPCHandlers

    /// Opens the service's database (PostgreSQL at `configuration.databaseURL`, else SQLite
    /// under `configuration.dataDir`, or in memory), then builds the host over it.
    public convenience init(
        configuration: ServiceConfiguration,
        migrations: ServiceMigrations,
        context: ZMQContext,
        logger: Logger,
        extraServices: [any Service] = [],
        permissions: MethodPermissions? = nil,
        makeHandlers: MakeHandlers
    ) throws {
        let database = try ServiceDatabase.open(configuration, migrations: migrations)
        try self.init(configuration: configuration, database: database, context: context, logger: logger,
                      extraServices: extraServices, permissions: permissions, makeHandlers: makeHandlers)
    }

    /// Opens the service's database, then builds the host around the `RPCService` that
    /// `service` makes over it: its permission table and its methods.
    public convenience init<S: RPCService>(
        configuration: ServiceConfiguration,
        migrations: ServiceMigrations,
        context: ZMQContext,
        logger: Logger,
        extraServices: [any Service] = [],
        service: @escaping @Sendable (ServiceDatabase, EventOutbox) throws -> S
    ) throws {
        try self.init(configuration: configuration, migrations: migrations, context: context, logger: logger,
                      extraServices: extraServices, permissions: S.permissions) { database, outbox in
            try service(database, outbox).handlers
        }
    }

    /// Builds the host around an `RPCService` over a database already open (when other
    /// services of the process, such as event consumers, write to it too).
    public convenience init<S: RPCService>(
        configuration: ServiceConfiguration,
        database: ServiceDatabase,
        context: ZMQContext,
        logger: Logger,
        extraServices: [any Service] = [],
        healthDetail: (@Sendable () async -> (ok: Bool, detail: String)?)? = nil,
        service: @escaping @Sendable (ServiceDatabase, EventOutbox) throws -> S
    ) throws {
        try self.init(configuration: configuration, database: database, context: context, logger: logger,
                      extraServices: extraServices, permissions: S.permissions, healthDetail: healthDetail) { database, outbox in
            try service(database, outbox).handlers
        }
    }

    /// Builds the host over a database already open (when other services of the process,
    /// such as event consumers, write to it too).
    /// - Parameter healthDetail: more for Health/Check's detail after the storage's state,
    ///   e.g. how far the event consumers are behind, and whether that part is healthy (a
    ///   consumer that cannot catch up makes the service FAILING).
    public init(
        configuration: ServiceConfiguration,
        database: ServiceDatabase,
        context: ZMQContext,
        logger: Logger,
        extraServices: [any Service] = [],
        permissions: MethodPermissions? = nil,
        healthDetail: (@Sendable () async -> (ok: Bool, detail: String)?)? = nil,
        makeHandlers: MakeHandlers
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.extraServices = extraServices
        self.database = database
        // Statements that scan whole tables are told of in the service's own log.
        SQLiteSession.fullScans.report(to: logger)
        let outbox = EventOutbox(source: configuration.name, database: database)
        self.outbox = outbox
        var handlers = try makeHandlers(database, outbox)
        outbox.register(in: &handlers)
        Backups(database: database, service: configuration.name).register(in: &handlers)
        // The ZAP handler binds before any server socket exists (docs/ARCHITECTURE.md, "Security").
        var security: ServerSecurity?
        if case .keys(let folder) = configuration.security {
            let keyPair = try folder.keyPair(configuration.name)
            let allowFile = folder.allowFile(configuration.name)
            guard FileManager.default.fileExists(atPath: allowFile) else {
                throw KeyFileError("no allow-list at \(allowFile): nobody could call \(configuration.name) (gateway keys setup, or gateway keys allow)")
            }
            // The event socket admits the consumers the permission table names for
            // Events/Since (with no table, administrators only).
            let table = permissions
            let consumers: @Sendable (Principal) -> Bool = { principal in
                table?.mayConsumeEvents(principal) ?? (principal.role == .admin)
            }
            let zap = try ZAPHandler(context: context, authenticator: try Authenticator(file: allowFile, logger: logger),
                                     logger: logger, mayConsumeEvents: consumers)
            self.zap = zap
            security = ServerSecurity(keyPair: keyPair, zap: zap)
        } else {
            zap = nil
        }
        var rpc = RPCServerConfiguration(serviceName: configuration.name, endpoint: configuration.rpcEndpoint)
        rpc.version = configuration.version
        rpc.maxInFlight = configuration.maxInFlight
        rpc.security = security
        rpc.permissions = permissions
        rpc.textPolicy = .xieshang
        server = try RPCServer(
            configuration: rpc, handlers: handlers, context: context, logger: logger,
            storageCheck: {
                // The storage's state, then what the service adds (e.g. how far its event
                // consumers are behind).
                let storage = await database.healthCheck()
                guard let extra = await healthDetail?() else { return storage }
                return (storage.ok && extra.ok, storage.detail + "; " + extra.detail)
            })
        publisher = try configuration.eventEndpoint.map {
            try EventPublisher(outbox: outbox, endpoint: $0, context: context, logger: logger, security: security)
        }
        let metrics = ServiceMetrics(service: configuration.name)
        self.metrics = metrics
        server.metrics.observe(with: metrics)
        let consumers = extraServices.compactMap { $0 as? EventConsumer }
        metricsListener = try configuration.metricsAddress.map { [server] address in
            try MetricsListener(address: address, logger: logger) {
                await metrics.exposition(server: server, database: database, consumers: consumers)
            }
        }
    }

    /// The line printed when the service is ready, for operators and for tests that start
    /// the executable: `<name> ready rpc=<endpoint> events=<endpoint>`.
    public var readyLine: String {
        "\(configuration.name) ready rpc=\(server.endpoint)" + (publisher.map { " events=\($0.endpoint)" } ?? "")
            + (metricsListener.map { " metrics=\($0.url)" } ?? "")
    }

    /// Serves until SIGTERM/SIGINT (or cancellation), then drains and stops.
    public func run() async throws {
        _ = try? await database.pruneReplies()
        // The group stops services in reverse order: the RPC server drains first (its
        // handlers may still append events), the publisher after it.
        // The ZAP handler is first, so it stops last: without it no handshake succeeds.
        let services: [any Service] = [zap as (any Service)?, publisher, metricsListener].compactMap { $0 } + extraServices
            + [ReplyPruner(database: database, logger: logger), server]
        // SIGTERM and SIGINT are caught here, before the ready line, rather than by the
        // group once it runs: a stop sent as soon as the line appears (a supervisor, a test)
        // must drain the service, not kill it. A stop that comes before the group runs is
        // remembered by it and honoured as soon as it starts.
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        let stops = StopSignals { await group.triggerGracefulShutdown() }
        defer { stops.cancel() }
        FileHandle.standardOutput.write(Data((readyLine + "\n").utf8))
        logger.info("started", metadata: ["service.version": "\(configuration.version)"])
        switch configuration.security {
        case .insecure:
            logger.warning("INSECURE MODE: no CURVE encryption or authentication; anyone who can reach \(server.endpoint) reads and changes everything as an administrator. Development only: run with --keys DIR.")
        case .keys(let folder):
            logger.info("CURVE on", metadata: ["keys": "\(folder.path)", "allowed": "\(zap?.authenticator.list.entries.count ?? 0)"])
        }
        try await group.run()
    }
}

/// SIGTERM and SIGINT, each turned into one call of `stop` (a graceful shutdown).
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(stop: @escaping @Sendable () async -> Void) {
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Task { await stop() } }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// How a service writes its log: `text` (swift-log's lines) or `json` (one JSON object a
/// line, for a log collector).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// Sets up swift-log for a service executable: one line per entry on standard error.
public enum ServiceLogging {
    public static func bootstrap(_ configuration: ServiceConfiguration) {
        bootstrap(level: configuration.logLevel, format: configuration.logFormat, service: configuration.name)
    }

    public static func bootstrap(level: Logger.Level, format: LogFormat = .text, service: String = "") {
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label, service: service.isEmpty ? label : service)
                handler.logLevel = level
                return handler
            }
        }
    }
}

/// One JSON object a line on standard error: `time` (UTC, milliseconds), `level`,
/// `service`, `message`, the call's `trace_id`, `method`, `principal` and `request_id` when
/// the entry is about a call, then any other metadata under its own key.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let service: String

    /// Whole lines, one writer at a time: a line longer than a pipe's atomic write must not
    /// interleave with another thread's.
    private static let output = Mutex<Void>(())
    /// The call's fields under the short names collectors index.
    static let renamed = ["rpc.trace_id": "trace_id", "rpc.method": "method", "rpc.principal": "principal", "rpc.request_id": "request_id"]

    public init(label: String, service: String) {
        self.label = label
        self.service = service
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [:]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        for (key, value) in merged { fields[Self.renamed[key] ?? key] = Self.plain(value) }
        fields["time"] = Self.timestamp(Date())
        fields["level"] = event.level.rawValue
        fields["service"] = service
        fields["message"] = event.message.description
        if label != service { fields["logger"] = label }
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        line.append(0x0A)
        Self.output.withLock { _ in FileHandle.standardError.write(line) }
    }

    static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return values.map(plain)
        case .dictionary(let entries): return entries.mapValues(plain)
        }
    }

    /// `2026-12-01T12:00:00.123Z`.
    static func timestamp(_ date: Date) -> String { UTC.iso(date) }
}

/// Times in UTC as operators' files and collectors expect them.
enum UTC {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private static func fields(_ ms: Int64) -> DateComponents {
        calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(ms.floorDivided(by: 1000))))
    }

    /// `2026-12-01T12:00:00.123Z`, for log lines.
    static func iso(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let c = fields(ms)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0,
                      c.second ?? 0, Int(ms - ms.floorDivided(by: 1000) * 1000))
    }

    /// `20261201T120000Z`, for file names.
    static func compact(_ ms: Int64) -> String {
        let c = fields(ms)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}

private extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 { self >= 0 ? self / divisor : (self - divisor + 1) / divisor }
}
