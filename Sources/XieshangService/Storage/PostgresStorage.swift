import Foundation
import Synchronization
import XieshangRPC
import XieshangWire

/// A service's database on PostgreSQL (`--database postgres://…`): a pool of connections,
/// the runtime's schema, and the lease that picks which replica publishes events.
final class PostgresStorage: Sendable {
    let pool: PostgresPool
    /// The database and server, without credentials (logs, health).
    let description: String
    private let leases = Mutex<[String: SessionLease]>([:])

    /// Connections each process keeps: one writes (group commit), the others read.
    static let lanes = 4

    init(url: String, description: String) {
        pool = PostgresPool(url: url, lanes: Self.lanes)
        self.description = description
    }

    /// The publisher lease of `source` (one per service and database).
    func lease(for source: String) -> SessionLease {
        leases.withLock { leases in
            if let lease = leases[source] { return lease }
            let lease = SessionLease(url: pool.url, source: source)   // with the pool's connect timeout
            leases[source] = lease
            return lease
        }
    }

    func healthCheck() async -> (ok: Bool, detail: String) {
        do {
            let (migrations, setAside, readOnly) = try await pool.run { connection in
                try PostgresSession.transaction(connection, readOnly: true) { session in
                    (try session.value("SELECT COUNT(*) FROM runtime_migrations", as: Int.self) ?? 0,
                     try session.value("SELECT COUNT(*) FROM event_failures", as: Int.self) ?? 0,
                     try session.value("SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END", as: Bool.self) ?? false)
                }
            }
            let described = "postgres \(description), \(migrations) migrations"
                + (setAside == 0 ? "" : "; \(setAside) event\(setAside == 1 ? "" : "s") set aside (gateway notify set-aside)")
            if readOnly { return (false, "\(described); the server is a standby (read-only): writes are refused") }
            return (true, described)
        } catch {
            return (false, "postgres \(description) is unreachable: \(error)")
        }
    }
}

/// Which replica does what one replica at a time must (publish a service's events, send
/// the notifier's deliveries): the one whose session holds PostgreSQL's advisory lock for
/// it. The lock is the session's: a replica that dies or loses its connection drops it, and
/// another takes it at its next check.
final class SessionLease: Sendable {
    private let url: String
    private let key: String
    private let state = Mutex<(connection: PostgresConnection?, held: Bool)>((nil, false))

    init(url: String, source: String) {
        self.url = url
        key = "xieshang-publisher:" + source
    }

    /// Whether this process holds the lease, taking it when it is free. Blocks for a round
    /// trip: called from the publisher's thread.
    func held() -> Bool {
        state.withLock { state in
            do {
                if state.connection.map({ !$0.isUsable }) ?? true {
                    state = (try PostgresConnection(url: url), false)
                }
                let connection = state.connection!
                if state.held {
                    // Still connected means still held; a round trip finds a dead connection.
                    _ = try connection.run("SELECT 1")
                } else {
                    state.held = try connection.run("SELECT CASE WHEN pg_try_advisory_lock(hashtext(?)) THEN 1 ELSE 0 END", [.text(key)])
                        .rows.first.map { $0[0] as Bool } ?? false
                }
                return state.held
            } catch {
                state = (nil, false)
                return false
            }
        }
    }

    /// Gives the lease up now (a stopping replica), so another takes it at once.
    func release() {
        state.withLock { $0 = (nil, false) }
    }
}

extension ServiceDatabase {
    /// Whether this process holds the lease called `name`, taking it when it is free: work
    /// that must be done by one replica at a time (the notifier's deliveries). Always on
    /// SQLite (one process per database); on PostgreSQL a session's advisory lock, as for the
    /// publisher, taken over by another replica within a round when the holder stops.
    public func holdsLease(_ name: String) async -> Bool {
        guard case .postgres(let postgres) = storage else { return true }
        let lease = postgres.lease(for: "lease:" + name)
        // A round trip on a thread of its own, not the concurrency pool's.
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: lease.held()) }
        }
    }

    /// Connects to PostgreSQL and migrates: the runtime's tables, then the service's steps,
    /// each once, under a lock that makes replicas starting together migrate one at a time.
    /// A service's start is counted (`runtime_starts`); an import's is not, so a database
    /// whose import failed stays new and the import can be run again.
    static func openPostgres(url: String, service: String, migrations: ServiceMigrations, countsAsStart: Bool = true) throws -> ServiceDatabase {
        if let step = migrations.sqliteOnlyStep {
            throw OpenError(path: "PostgreSQL", reason: "\(service) runs on SQLite only for now (its migration \"\(step)\" has no PostgreSQL form): start it without --database (XIESHANG_DATABASE_URL)")
        }
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection(url: PostgresPool.withConnectTimeout(url))
        } catch {
            throw OpenError(path: "PostgreSQL", reason: "cannot connect: \(error)")
        }
        do {
            try PostgresSession.transaction(connection) { session in
                try session.execute("SELECT pg_advisory_xact_lock(hashtext('xieshang-migrations'))")
                try session.execute("CREATE TABLE IF NOT EXISTS runtime_migrations (identifier TEXT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)")
                let applied = try session.rows("SELECT identifier FROM runtime_migrations").map { $0[0] as String }
                let runtime = PostgresRuntimeSchema.steps.map { name, sql in
                    (name, { @Sendable (connection: PostgresConnection, _: any SQLSession) throws in try connection.script(sql) })
                }
                let steps = runtime + migrations.steps.map { ($0.name, $0.postgres!) }
                let known = Set(steps.map(\.0))
                let unknown = applied.filter { !known.contains($0) }
                if !unknown.isEmpty { throw NewerDatabase(unknown: unknown) }
                for (name, migrate) in steps where !applied.contains(name) {
                    try migrate(connection, session)
                    try session.execute("INSERT INTO runtime_migrations (identifier, applied_at_ms) VALUES (?, ?)", [name, Date.nowMilliseconds])
                }
                // A real write at start-up, as on SQLite: a read-only server stops the service here.
                if countsAsStart { try countStart(session) }
            }
        } catch let error as NewerDatabase {
            throw OpenError(path: connection.description, reason: error.description)
        } catch {
            throw OpenError(path: connection.description, reason: "\(error)")
        }
        return ServiceDatabase(postgres: PostgresStorage(url: url, description: connection.description))
    }

    /// Counts a use of the database: a service's start, or an import that committed.
    static func countStart(_ session: any SQLSession) throws {
        try session.execute("""
            INSERT INTO runtime_starts (id, count, last_at_ms) VALUES (1, 1, ?)
            ON CONFLICT (id) DO UPDATE SET count = runtime_starts.count + 1, last_at_ms = excluded.last_at_ms
            """, [Date.nowMilliseconds])
    }
}

/// The runtime's tables on PostgreSQL: those of `RuntimeSchema`, as they are after its last
/// step, plus the outbox's head row.
enum PostgresRuntimeSchema {
    static let steps: [(String, String)] = [
        ("runtime-1-pg", """
            CREATE TABLE rpc_replies (
                principal TEXT NOT NULL,
                request_id TEXT NOT NULL,
                method TEXT NOT NULL,
                reply BYTEA NOT NULL,
                created_at_ms BIGINT NOT NULL,
                PRIMARY KEY (principal, request_id));
            CREATE INDEX rpc_replies_by_age ON rpc_replies(created_at_ms);
            CREATE TABLE outbox (
                sequence BIGINT PRIMARY KEY,
                type TEXT NOT NULL,
                occurred_at_ms BIGINT NOT NULL,
                payload_type TEXT NOT NULL,
                payload BYTEA NOT NULL,
                trace_id TEXT NOT NULL DEFAULT '');
            CREATE TABLE outbox_head (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                last_sequence BIGINT NOT NULL);
            INSERT INTO outbox_head (id, last_sequence) VALUES (1, 0);
            CREATE TABLE event_cursors (
                source TEXT PRIMARY KEY,
                last_sequence BIGINT NOT NULL,
                source_identity TEXT NOT NULL DEFAULT '',
                in_step_at_ms BIGINT NOT NULL DEFAULT 0);
            CREATE TABLE event_failures (
                source TEXT NOT NULL,
                sequence BIGINT NOT NULL,
                type TEXT NOT NULL,
                error TEXT NOT NULL,
                at_ms BIGINT NOT NULL,
                PRIMARY KEY (source, sequence));
            CREATE TABLE runtime_starts (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                count BIGINT NOT NULL,
                last_at_ms BIGINT NOT NULL);
            CREATE TABLE runtime_identity (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                value TEXT NOT NULL);
            INSERT INTO runtime_identity (id, value) VALUES (1, gen_random_uuid()::text);
            """),
    ]
}
