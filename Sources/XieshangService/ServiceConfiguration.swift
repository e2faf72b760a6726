import ArgumentParser
import Foundation
import Logging
import XieshangLabels
import XieshangRPC
import XieshangZMQ

/// Whether a service encrypts and authenticates (CURVE keys) or runs open.
public enum SecurityMode: Sendable {
    /// CURVE on every socket; the service's key pair, its allow-list and its peers'
    /// public keys come from this folder (`gateway keys setup` makes one).
    case keys(KeyFolder)
    /// No encryption, no authentication: every caller is an administrator. Development only.
    case insecure
}

/// A service's settings once flags, `XIESHANG_*` variables and defaults are resolved.
public struct ServiceConfiguration: Sendable {
    /// e.g. `member-registry`: names the database file and the events' source.
    public var name: String
    public var version: String
    /// Where the ROUTER socket binds.
    public var rpcEndpoint: String
    /// Where the PUB socket binds; nil for a service that publishes no events.
    public var eventEndpoint: String?
    /// The folder of the service's SQLite file; nil keeps the database in memory.
    public var dataDir: String?
    /// A PostgreSQL database (`--database postgres://…`) instead of the SQLite file under
    /// `dataDir`; nil: SQLite.
    public var databaseURL: String? = nil
    /// Copy the SQLite database under `dataDir` into the PostgreSQL one, then exit
    /// (`--import-sqlite`).
    public var importSQLite = false
    public var logLevel: Logger.Level
    public var logFormat: LogFormat = .text
    /// Where the HTTP listener for Prometheus binds (`127.0.0.1:7109`); nil: none.
    public var metricsAddress: String? = nil
    public var maxInFlight: Int
    public var security: SecurityMode
    /// A cap on the SQLite file's size (`--max-database-mb`); nil: the disk is the limit.
    public var maxDatabaseBytes: Int64? = nil
    /// Start with an empty database even though the data folder's marker says it held one
    /// (`--allow-empty-database`): the operator's word that starting anew is intended.
    public var allowEmptyDatabase = false

    public init(
        name: String, version: String = "0.1.0", rpcEndpoint: String = "tcp://127.0.0.1:*",
        eventEndpoint: String? = "tcp://127.0.0.1:*", dataDir: String? = nil,
        logLevel: Logger.Level = .info, maxInFlight: Int = 512, security: SecurityMode = .insecure
    ) {
        self.name = name
        self.version = version
        self.rpcEndpoint = rpcEndpoint
        self.eventEndpoint = eventEndpoint
        self.dataDir = dataDir
        self.logLevel = logLevel
        self.maxInFlight = maxInFlight
        self.security = security
    }

    /// The CURVE settings for calling (or subscribing to) `peer`, another service: this
    /// service's own key pair and the peer's public key. Nil when insecure.
    public func clientSecurity(calling peer: String) throws -> ClientSecurity? {
        guard case .keys(let folder) = security else { return nil }
        return try folder.clientSecurity(as: name, calling: peer)
    }
}

/// The options every service executable takes. Each falls back to an environment
/// variable, then to the service's default: flag > `XIESHANG_*` > default.
public struct ServiceOptions: ParsableArguments {
    @Option(help: "Where the RPC socket binds, e.g. tcp://127.0.0.1:7101 (env XIESHANG_RPC_ENDPOINT).")
    public var rpcEndpoint: String?

    @Option(help: "Where the event PUB socket binds (env XIESHANG_EVENT_ENDPOINT).")
    public var eventEndpoint: String?

    @Option(help: "Folder of the service's SQLite database (env XIESHANG_DATA_DIR; default ./data/<service>).")
    public var dataDir: String?

    @Option(help: "The service's database: sqlite: (the default: a file under --data-dir) or postgres://USER@HOST:PORT/DB?sslmode=verify-full&… (any libpq connection URL; TLS by its sslmode, sslrootcert, sslcert and sslkey) for replicas sharing one PostgreSQL database (env XIESHANG_DATABASE_URL).")
    public var database: String?

    @Flag(help: "Copy this service's SQLite database (under --data-dir; the service stopped) into the new, empty PostgreSQL database --database names, print what was copied and exit: all or nothing, the outbox's numbers and identity kept.")
    public var importSqlite = false

    @Option(help: "trace, debug, info, notice, warning, error or critical (env XIESHANG_LOG_LEVEL; default info).")
    public var logLevel: String?

    @Option(help: "text, or json: one JSON object a line with the service, level, message and the call's trace_id, method and principal (env XIESHANG_LOG_FORMAT; default text).")
    public var logFormat: String?

    @Option(help: "Where Prometheus scrapes GET /metrics over HTTP, HOST:PORT (IPv4; port 0 picks one), or off (env XIESHANG_METRICS_ADDRESS; default loopback, the RPC port's block: registry 127.0.0.1:7109, scheduler 7209, tracker 7309, notifier 7409, duty-record 7509).")
    public var metricsAddress: String?

    @Option(help: "Requests handled at once before RESOURCE_EXHAUSTED (env XIESHANG_MAX_IN_FLIGHT; default 512).")
    public var maxInFlight: Int?

    @Option(help: "Folder of the CURVE keys and allow-lists, made by `gateway keys setup` (env XIESHANG_KEYS_DIR).")
    public var keys: String?

    @Option(help: "Cap the database at this many MiB; writes past it are refused as with a full disk (env XIESHANG_MAX_DATABASE_MB; default no cap).")
    public var maxDatabaseMb: Int?
    @Flag(help: "Start even though the database is missing from a data folder that held one (env XIESHANG_ALLOW_EMPTY_DATABASE=1): only when starting anew is intended.")
    public var allowEmptyDatabase = false

    @Flag(help: "Run without CURVE: no encryption, every caller an administrator. Development only (env XIESHANG_INSECURE=1).")
    public var insecure = false

    public init() {}

    /// The configuration these options give for a service with these defaults.
    /// Resolves the settings of one of the suite's services, with its defaults from the
    /// suite's table (`SuiteService`).
    public func resolve(_ service: SuiteService, version: String = "0.1.0",
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServiceConfiguration {
        var configuration = try resolve(name: service.name, version: version, defaultRPC: service.defaultRPC,
                                        defaultEvents: service.defaultEvents, defaultMetrics: service.defaultMetrics, environment: environment)
        if service.defaultEvents == nil { configuration.eventEndpoint = nil }
        return configuration
    }

    public func resolve(
        name: String, version: String, defaultRPC: String, defaultEvents: String?, defaultMetrics: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServiceConfiguration {
        let settings = SettingSource(environment: environment)
        func pick(_ flag: String?, _ variable: String) -> String? { settings.text(flag, variable) }
        // The committee's time zone names days and hours in every service: a misspelt one
        // must stop the service, not fall back to Asia/Shanghai without a word.
        if let problem = CommitteeClock.problem(in: environment) { throw ValidationError(problem) }
        let rpc = pick(rpcEndpoint, "XIESHANG_RPC_ENDPOINT") ?? defaultRPC
        let events = pick(eventEndpoint, "XIESHANG_EVENT_ENDPOINT") ?? defaultEvents
        let dataDir = pick(dataDir, "XIESHANG_DATA_DIR") ?? "data/\(name)"
        let levelText = pick(logLevel, "XIESHANG_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError("log level \"\(levelText)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        let formatText = pick(logFormat, "XIESHANG_LOG_FORMAT") ?? "text"
        guard let format = LogFormat(rawValue: formatText.lowercased()) else {
            throw ValidationError("log format \"\(formatText)\" is not text or json")
        }
        let inFlight = try Self.checked { try settings.number(maxInFlight, "XIESHANG_MAX_IN_FLIGHT") } ?? 512
        guard inFlight > 0 else { throw ValidationError("max in flight must be at least 1, not \(inFlight)") }
        let keysDir = pick(keys, "XIESHANG_KEYS_DIR")
        let insecureWanted = try Self.checked { try settings.enabled(insecure, "XIESHANG_INSECURE") }
        let security: SecurityMode
        switch (keysDir, insecureWanted) {
        case (let dir?, false): security = .keys(KeyFolder(dir))
        case (nil, true): security = .insecure
        case (_?, true): throw ValidationError("choose either --keys (XIESHANG_KEYS_DIR) or --insecure (XIESHANG_INSECURE), not both")
        case (nil, false):
            throw ValidationError("""
                \(name) needs CURVE keys: pass --keys DIR (or XIESHANG_KEYS_DIR), a folder made by \
                `gateway keys setup --dir DIR`; or --insecure (XIESHANG_INSECURE=1) to run without \
                encryption or authentication, for development only
                """)
        }
        for endpoint in [rpc] + (events.map { [$0] } ?? []) {
            guard ["tcp://", "ipc://", "inproc://"].contains(where: endpoint.hasPrefix) else {
                throw ValidationError("endpoint \"\(endpoint)\" must start with tcp://, ipc:// or inproc://")
            }
        }
        let cap = try Self.checked { try settings.number(maxDatabaseMb, "XIESHANG_MAX_DATABASE_MB") }
        // SQLite's own ceiling is about 256 TiB; 16 TiB keeps the byte count far from overflow.
        if let cap, !(1...16 << 20).contains(cap) { throw ValidationError("the database cap must be 1 to 16777216 MiB (16 TiB), not \(cap)") }
        var configuration = ServiceConfiguration(
            name: name, version: version, rpcEndpoint: rpc, eventEndpoint: events, dataDir: dataDir,
            logLevel: level, maxInFlight: inFlight, security: security)
        configuration.maxDatabaseBytes = cap.map { Int64($0) << 20 }
        configuration.logFormat = format
        let metrics = pick(metricsAddress, "XIESHANG_METRICS_ADDRESS") ?? defaultMetrics
        configuration.metricsAddress = metrics.flatMap { $0.lowercased() == "off" ? nil : $0 }
        configuration.allowEmptyDatabase = try Self.checked { try settings.enabled(allowEmptyDatabase, "XIESHANG_ALLOW_EMPTY_DATABASE") }
        configuration.databaseURL = try Self.databaseURL(pick(database, "XIESHANG_DATABASE_URL"))
        configuration.importSQLite = importSqlite
        if importSqlite && configuration.databaseURL == nil {
            throw ValidationError("--import-sqlite copies into a PostgreSQL database: give it with --database postgres://… (or XIESHANG_DATABASE_URL)")
        }
        return configuration
    }

    /// A setting read through `SettingSource`, its refusal said as ArgumentParser says a bad
    /// option (with the usage), for a main's `run()` or `validate()`.
    public static func checked<Value>(_ read: () throws -> Value) throws -> Value {
        do {
            return try read()
        } catch let refusal as SettingSource.Refusal {
            throw ValidationError(refusal.description)
        }
    }

    /// nil for SQLite (absent, or `sqlite:`), else the PostgreSQL URL as given.
    static func databaseURL(_ value: String?) throws -> String? {
        guard let value, !["sqlite:", "sqlite://"].contains(value.lowercased()) else { return nil }
        let lowered = value.lowercased()
        guard lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") else {
            throw ValidationError("database \"\(value.prefix(40))\" must be sqlite: (a file under --data-dir) or a postgres:// URL")
        }
        return value
    }
}

extension ServiceConfiguration {
    /// A client of `peer`, another service of the suite, at the endpoint the flag, its
    /// variable or its default gives, with this service's keys.
    public func client(of peer: SuiteService, flag: String?, context: ZMQContext, logger: Logger,
                       timeout: Duration? = nil) throws -> RPCClient {
        // Several endpoints (replicas of one service, `tcp://a:7101,tcp://b:7101`): the client
        // spreads its calls over them and a retry goes to the next.
        let endpoints = peer.rpcEndpoint(flag: flag).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var configuration = RPCClientConfiguration(endpoints: endpoints, caller: name)
        if let timeout { configuration.defaultTimeout = timeout }
        configuration.security = try clientSecurity(calling: peer.name)
        return try RPCClient(configuration: configuration, context: context, logger: logger)
    }
}
