import Foundation
import GRDB
import XieshangRPC
import XieshangWire

/// A service's own database: by default one SQLite file under the data directory (WAL), or
/// in memory for unit tests; with `--database postgres://…`, a PostgreSQL database that
/// replicas of the service share. The runtime's tables (stored replies, outbox, event
/// cursors) are migrated first, then the service's own named migrations.
public final class ServiceDatabase: Sendable {
    enum Storage: Sendable {
        case sqlite(any DatabaseWriter)
        case postgres(PostgresStorage)
    }

    let storage: Storage
    /// The file, or nil in memory or on PostgreSQL.
    public let path: String?
    /// Batches concurrent idempotent writes into shared transactions.
    let groupCommit: GroupCommit
    /// The cap on the file's size (`--max-database-mb`), if any.
    let maxBytes: Int64?
    /// The data folder's lock (held for the process's life) and the file's identity on
    /// disk when it was opened: a file deleted or replaced under the service is noticed.
    private let guardian: DataFolderGuard?

    /// Which engine the database is on.
    public var engine: SQLEngine {
        if case .postgres = storage { return .postgres }
        return .sqlite
    }

    /// The GRDB writer, the runtime's own, for what is written for SQLite alone; a service
    /// whose stores are SQLite's never opens PostgreSQL (its migrations have no PostgreSQL
    /// form), so this throws only on a programming error.
    func sqliteWriter() throws -> any DatabaseWriter {
        guard case .sqlite(let writer) = storage else {
            throw RPCError(.internal, "this part of the service runs on SQLite only, and its database is PostgreSQL")
        }
        return writer
    }

    /// Opens the database the configuration names: PostgreSQL when it has a database URL,
    /// else the SQLite file under its data folder (in memory without one).
    /// With `--import-sqlite`, copies the SQLite database into the PostgreSQL one instead,
    /// prints what it copied and ends the process (an operator's one-shot step).
    public static func open(_ configuration: ServiceConfiguration, migrations: ServiceMigrations) throws -> ServiceDatabase {
        if let url = configuration.databaseURL {
            return try openPostgres(url: url, service: configuration.name, migrations: migrations)
        }
        guard let dataDir = configuration.dataDir else { return try inMemory(migrations: migrations) }
        return try open(dataDir: dataDir, name: configuration.name, migrations: migrations,
                        maxBytes: configuration.maxDatabaseBytes, allowEmpty: configuration.allowEmptyDatabase)
    }

    /// Opens (creating if needed) `<dataDir>/<name>.sqlite` in WAL mode and migrates it.
    /// - Parameter maxBytes: a cap on the database's size (SQLite's max_page_count); a write
    ///   past it fails as the disk being full would, and changes nothing.
    /// - Parameter allowEmpty: start even when the folder's marker says it held a
    ///   database that is no longer there (the operator's `--allow-empty-database`).
    public static func open(dataDir: String, name: String, migrations: ServiceMigrations, maxBytes: Int64? = nil, allowEmpty: Bool = false) throws -> ServiceDatabase {
        do {
            try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        } catch {
            throw OpenError(path: dataDir, reason: "cannot create the data directory: \(Self.reason(error))")
        }
        // A read-only directory (a volume mounted read-only, an immutable folder) would let
        // SQLite open the file for reading and fail only at the first write: refuse now.
        if access(dataDir, W_OK) != 0 {
            throw OpenError(path: dataDir, reason: "the data directory is not writable: \(String(cString: strerror(errno)))")
        }
        let path = (dataDir as NSString).appendingPathComponent("\(name).sqlite")
        let guardian = try DataFolderGuard(dataDir: dataDir, name: name, database: path, allowEmpty: allowEmpty)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Each call of a group commit runs in its own savepoint, and each statement that
            // may fail halfway in its own statement journal: SQLite keeps the pages they
            // change in a sub-journal, which past 64 KiB it writes to a temporary file opened
            // and deleted per transaction (two thirds of a loaded scheduler's writes went
            // there). In memory, it is bounded by the transaction's own size.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if let maxBytes {
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                _ = try Int64.fetchOne(db, sql: "PRAGMA max_page_count = \(max(1, maxBytes / pageSize))")
            }
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            let database = ServiceDatabase(writer: pool, path: path, maxBytes: maxBytes, guardian: guardian)
            try database.migrate(migrations)
            try database.recordStart()
            try guardian.adopt(pool)
            return database
        } catch let error as DataFolderGuard.Refusal {
            throw OpenError(path: path, reason: error.reason)
        } catch {
            throw OpenError(path: path, reason: Self.reason(error))
        }
    }

    /// A real write at start-up: storage that opens but cannot be written (a read-only
    /// file, a full disk) stops the service here, with the reason, instead of at a
    /// caller's first change.
    private func recordStart() throws {
        try sqliteWriter().write { db in
            try db.execute(sql: """
                INSERT INTO runtime_starts (id, count, last_at_ms) VALUES (1, 1, ?)
                ON CONFLICT (id) DO UPDATE SET count = count + 1, last_at_ms = excluded.last_at_ms
                """, arguments: [Int64(Date().timeIntervalSince1970 * 1000)])
        }
    }

    /// Why a service's database could not be opened, naming the path.
    public struct OpenError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot open the database at \(path): \(reason)" }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error)" }
        if let newer = error as? NewerDatabase { return newer.description }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }

    /// Why writes must be refused because the file open is no longer the one at its path
    /// (deleted, or replaced), or nil.
    public func fileReplaced() -> String? { guardian?.replaced() }

    /// An in-memory database with the same migrations, for tests.
    public static func inMemory(migrations: ServiceMigrations) throws -> ServiceDatabase {
        let database = ServiceDatabase(writer: try DatabaseQueue(), path: nil)
        try database.migrate(migrations)
        try database.recordStart()
        return database
    }

    private init(writer: any DatabaseWriter, path: String?, maxBytes: Int64? = nil, guardian: DataFolderGuard? = nil) {
        self.storage = .sqlite(writer)
        self.path = path
        self.maxBytes = maxBytes
        self.guardian = guardian
        self.groupCommit = GroupCommit.sqlite(writer)
    }

    init(postgres: PostgresStorage) {
        self.storage = .postgres(postgres)
        self.path = nil
        self.maxBytes = nil
        self.guardian = nil
        self.groupCommit = GroupCommit.postgres(postgres.pool)
    }

    /// Reads in a snapshot, concurrently with other reads and the writer (SQLite's stores).
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await sqliteWriter().read(body)
    }

    /// Writes in one transaction of its own (not a call's: those go through `idempotent`).
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await sqliteWriter().write(body)
    }

    /// Reads in one snapshot, on either engine (the stores written for both).
    public func readSession<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        switch storage {
        case .sqlite(let writer): try await writer.read { db in try body(SQLiteSession(db)) }
        case .postgres(let postgres): try await postgres.pool.run { connection in
            try PostgresSession.transaction(connection, readOnly: true) { try body($0) }
        }
        }
    }

    /// Reads in one snapshot from a thread of the caller's own (never a task's).
    func readSessionBlocking<T>(_ body: @escaping (any SQLSession) throws -> T) throws -> T {
        switch storage {
        case .sqlite(let writer): try writer.read { db in try body(SQLiteSession(db)) }
        case .postgres(let postgres): try postgres.pool.runBlocking { connection in
            try PostgresSession.transaction(connection, readOnly: true) { try body($0) }
        }
        }
    }

    /// One statement's read, from a thread of the caller's own: a statement is its own
    /// snapshot on SQLite, so no transaction is opened around it (GRDB's read transaction
    /// compiled its BEGIN and COMMIT afresh each time: two thirds of the publisher's read
    /// after every commit). `body` runs one statement.
    func readStatementBlocking<T>(_ body: @escaping (any SQLSession) throws -> T) throws -> T {
        switch storage {
        case .sqlite(let writer): try writer.unsafeRead { db in try body(SQLiteSession(db)) }
        case .postgres: try readSessionBlocking(body)
        }
    }

    /// Writes in one transaction of its own, on either engine.
    public func writeSession<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        switch storage {
        case .sqlite(let writer): try await writer.write { db in try body(SQLiteSession(db)) }
        case .postgres(let postgres): try await postgres.pool.run { connection in
            try PostgresSession.transaction(connection) { try body($0) }
        }
        }
    }

    private func migrate(_ migrations: ServiceMigrations) throws {
        let writer = try sqliteWriter()
        var migrator = DatabaseMigrator()
        RuntimeSchema.register(in: &migrator)
        for step in migrations.steps {
            migrator.registerMigration(step.name, migrate: step.sqlite)
        }
        // Migrations only run forwards: a database a newer release migrated has steps this
        // binary does not know, and would be misread (or half-written) by it.
        let unknown = try writer.read { db -> [String] in
            guard try db.tableExists("grdb_migrations") else { return [] }
            let known = Set(migrator.migrations)
            return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid").filter { !known.contains($0) }
        }
        if !unknown.isEmpty {
            throw NewerDatabase(unknown: unknown)
        }
        try migrator.migrate(writer)
    }

    /// A database written by a newer release than the running binary.
    public struct NewerDatabase: Error, CustomStringConvertible {
        public let unknown: [String]
        public var description: String {
            "this database was migrated by a newer release of the service (steps this one does not know: \(unknown.prefix(5).joined(separator: ", "))\(unknown.count > 5 ? ", …" : "")): run that release or a later one, or restore a backup taken with this release; it was not changed"
        }
    }

    /// What Health/Check reports: whether the database answers and can take a write, and
    /// how. Failing when the folder or a file of the database cannot be written, or when
    /// less than `Self.headroom` is left on the disk (or a tenth of the size cap under it):
    /// reads go on,
    /// but a write of any size may be refused.
    public func healthCheck() async -> (ok: Bool, detail: String) {
        let writer: any DatabaseWriter
        switch storage {
        case .postgres(let postgres): return await postgres.healthCheck()
        case .sqlite(let sqlite): writer = sqlite
        }
        let state: (mode: String, migrations: Int, pages: Int64, pageSize: Int64, setAside: Int)
        do {
            state = try await writer.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?",
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") ?? 0,
                 try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0,
                 try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event_failures") ?? 0)
            }
        } catch {
            return (false, "sqlite error: \(error)")
        }
        // Events a consumer set aside are not a storage failure, but the operator must see them.
        let setAside = state.setAside == 0 ? "" : "; \(state.setAside) event\(state.setAside == 1 ? "" : "s") set aside (gateway notify set-aside)"
        guard let path else { return (true, "sqlite in memory (\(state.mode)), \(state.migrations) migrations\(setAside)") }
        let described = "sqlite \((path as NSString).lastPathComponent) (\(state.mode)), \(state.migrations) migrations\(setAside)"
        if let replaced = guardian?.replaced() { return (false, "\(described); \(replaced)") }
        let folder = (path as NSString).deletingLastPathComponent
        for file in [folder, path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            if access(file, W_OK) != 0 {
                return (false, "\(described); cannot be written: \(file): \(String(cString: strerror(errno)))")
            }
        }
        var space = statvfs()
        if statvfs(folder, &space) == 0 {
            let free = Int64(space.f_bavail) * Int64(space.f_frsize)
            if free < Self.headroom {
                return (false, "\(described); the disk is full: \(free / 1024) KiB free in \(folder)")
            }
        }
        if let maxBytes {
            let used = state.pages * state.pageSize
            if maxBytes - used < min(Self.headroom, maxBytes / 10) {
                return (false, "\(described); at its size cap: \(used / 1024) KiB of \(maxBytes / 1024) KiB (--max-database-mb)")
            }
        }
        return (true, described)
    }

    /// Free space below which Health/Check reports the storage as failing.
    static let headroom: Int64 = 1 << 20
}

/// A service's schema as named migrations, applied once each, in order.
public struct ServiceMigrations: Sendable {
    struct Step: Sendable {
        let name: String
        let sqlite: @Sendable (Database) throws -> Void
        /// The same step for PostgreSQL, given the connection (for scripts) and the
        /// migration's transaction; nil: the service runs on SQLite only.
        let postgres: (@Sendable (PostgresConnection, any SQLSession) throws -> Void)?
    }

    var steps: [Step] = []

    public init() {}

    /// A step for SQLite alone (a service whose stores are SQLite's).
    public mutating func add(_ name: String, _ migrate: @escaping @Sendable (Database) throws -> Void) {
        steps.append(Step(name: name, sqlite: migrate, postgres: nil))
    }

    /// A migration that is SQL alone (tables, indexes), run as one script, for SQLite alone.
    public mutating func add(_ name: String, sql: String) {
        add(name) { db in try db.execute(sql: sql) }
    }

    /// A step written for both engines (types and keys differ: `INTEGER PRIMARY KEY
    /// AUTOINCREMENT` and `BLOB` here, `BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY` and
    /// `BYTEA` there). A service all of whose steps have both runs on PostgreSQL too.
    public mutating func add(_ name: String, sqlite: String, postgres: String) {
        steps.append(Step(name: name, sqlite: { db in try db.execute(sql: sqlite) }, postgres: { connection, _ in try connection.script(postgres) }))
    }

    /// A step with a script for each engine, then rows both write the same way (a managed
    /// list's first entries).
    public mutating func add(_ name: String, sqlite: String, postgres: String, then fill: @escaping @Sendable (any SQLSession) throws -> Void) {
        steps.append(Step(
            name: name,
            sqlite: { db in
                try db.execute(sql: sqlite)
                try fill(SQLiteSession(db))
            },
            postgres: { connection, session in
                try connection.script(postgres)
                try fill(session)
            }))
    }

    /// A step that is the same statements on both engines (reading rows and writing events).
    public mutating func add(_ name: String, onBoth migrate: @escaping @Sendable (any SQLSession) throws -> Void) {
        steps.append(Step(name: name, sqlite: { db in try migrate(SQLiteSession(db)) }, postgres: { _, session in try migrate(session) }))
    }

    /// The first step that has no PostgreSQL form, if any.
    var sqliteOnlyStep: String? { steps.first { $0.postgres == nil }?.name }
}

/// The tables every service has.
enum RuntimeSchema {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("runtime-1-rpc-replies") { db in
            // A mutating call's reply, stored in the transaction of its change.
            try db.execute(sql: """
                CREATE TABLE rpc_replies (
                    principal TEXT NOT NULL,
                    request_id TEXT NOT NULL,
                    method TEXT NOT NULL,
                    reply BLOB NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (principal, request_id)
                ) WITHOUT ROWID;
                CREATE INDEX rpc_replies_by_age ON rpc_replies(created_at_ms);
                """)
        }
        migrator.registerMigration("runtime-2-outbox") { db in
            // AUTOINCREMENT: a sequence number is never reused, even after the newest
            // rows are deleted.
            try db.execute(sql: """
                CREATE TABLE outbox (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    occurred_at_ms INTEGER NOT NULL,
                    payload_type TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    trace_id TEXT NOT NULL DEFAULT ''
                );
                """)
        }
        migrator.registerMigration("runtime-3-event-cursors") { db in
            // For a consumer: the last event applied from each source.
            try db.execute(sql: """
                CREATE TABLE event_cursors (
                    source TEXT PRIMARY KEY,
                    last_sequence INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("runtime-4-event-failures") { db in
            // For a consumer: events its logic could not apply, set aside so later ones flow.
            try db.execute(sql: """
                CREATE TABLE event_failures (
                    source TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    error TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    PRIMARY KEY (source, sequence)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("runtime-5-starts") { db in
            // How often and when the service last started: written at each start, which
            // proves the storage takes a write before the service takes calls.
            try db.execute(sql: """
                CREATE TABLE runtime_starts (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    count INTEGER NOT NULL,
                    last_at_ms INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("runtime-6-identity") { db in
            // The database's identity, also kept in the data folder's marker file: a
            // missing or substituted database is noticed at start (DataFolderGuard).
            try db.execute(sql: """
                CREATE TABLE runtime_identity (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    value TEXT NOT NULL
                );
                """)
            // Which database of a source a consumer's cursor belongs to.
            try db.execute(sql: "ALTER TABLE event_cursors ADD COLUMN source_identity TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("runtime-7-in-step") { db in
            // For a consumer: when it last had applied all its source had written, so a read
            // model it feeds knows after a restart how old it is.
            try db.execute(sql: "ALTER TABLE event_cursors ADD COLUMN in_step_at_ms INTEGER NOT NULL DEFAULT 0")
        }
    }
}

extension DatabaseError: RPCErrorConvertible {
    /// Storage failures as the caller should see them: a full disk (or the size cap) is
    /// RESOURCE_EXHAUSTED, storage that cannot be written or is busy is UNAVAILABLE (the
    /// call may be retried once it clears); anything else stays INTERNAL. Either way the
    /// transaction was rolled back: nothing of the call was written.
    public var rpcError: RPCError {
        let detail = message ?? "\(resultCode)"
        switch resultCode.primaryResultCode {
        case .SQLITE_FULL:
            return RPCError(.resourceExhausted, "the service's storage is full (the disk, or its --max-database-mb): \(detail); nothing was written")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_PERM:
            return RPCError(.unavailable, "the service cannot write its storage: \(detail); nothing was written")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return RPCError(.unavailable, "the service's storage is busy: \(detail); try again")
        default:
            return RPCError(.internal, "storage error: \(detail)")
        }
    }
}
