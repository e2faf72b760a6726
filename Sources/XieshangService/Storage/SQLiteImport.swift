import Foundation
import GRDB

/// Moving a service's data from its SQLite file into PostgreSQL, once, when an office goes
/// from one machine to replicas: `<service> --database postgres://… --import-sqlite` (the
/// service stopped; its data folder as `--data-dir`).
extension ServiceConfiguration {
    /// With `--import-sqlite`: copies the service's SQLite file into its PostgreSQL database,
    /// prints what it copied, and returns true — the command has done its work and does not
    /// serve. Without: false. Each service's command asks before it opens its database.
    public func importSQLiteIfAsked(migrations: ServiceMigrations) throws -> Bool {
        guard importSQLite else { return false }
        let summary = try ServiceDatabase.importSQLite(self, migrations: migrations)
        print("\(name): \(summary)")
        return true
    }
}

extension ServiceDatabase {
    /// What an import copied.
    public struct ImportSummary: CustomStringConvertible, Sendable {
        public var rows: [(table: String, count: Int)] = []
        public var outboxSequence: Int64 = 0
        public var identity = ""

        public var description: String {
            let tables = rows.map { "\($0.table) \($0.count)" }.joined(separator: ", ")
            return "copied \(rows.reduce(0) { $0 + $1.count }) rows (\(tables)); the outbox goes on from event \(outboxSequence + 1) under the same identity \(identity), so consumers carry on where they were"
        }
    }

    /// Copies every table of the SQLite database under the configuration's data folder into
    /// the empty PostgreSQL database it names, in one transaction: all of it, or (on any
    /// error) nothing. Both are migrated first, so their tables are the same. The outbox keeps
    /// its numbers and the database its identity, so consumers neither skip nor repeat an
    /// event; each table's generated ids go on after the highest copied.
    public static func importSQLite(_ configuration: ServiceConfiguration, migrations: ServiceMigrations) throws -> ImportSummary {
        guard let url = configuration.databaseURL else {
            throw OpenError(path: "PostgreSQL", reason: "--import-sqlite copies into the PostgreSQL database --database names (XIESHANG_DATABASE_URL); none is given")
        }
        guard let dataDir = configuration.dataDir,
              FileManager.default.fileExists(atPath: (dataDir as NSString).appendingPathComponent("\(configuration.name).sqlite")) else {
            throw OpenError(path: configuration.dataDir ?? "?", reason: "there is no \(configuration.name).sqlite to import in the data folder (--data-dir)")
        }
        // Opening locks the folder: a service still running on it refuses the import.
        let source = try open(dataDir: dataDir, name: configuration.name, migrations: migrations)
        let target = try openPostgres(url: url, service: configuration.name, migrations: migrations, countsAsStart: false)
        guard case .postgres(let postgres) = target.storage else { throw OpenError(path: url, reason: "not PostgreSQL") }
        let writer = try source.sqliteWriter()
        // The runtime's bookkeeping of each side stays its own.
        let own: Set<String> = ["runtime_migrations", "outbox_head", "runtime_starts", "runtime_identity"]
        return try postgres.pool.runBlocking { connection in
            try PostgresSession.transaction(connection) { session in
                // The lock a service's start takes to migrate and count itself: one starting on
                // this database now waits until the import has committed, then serves what it
                // copied; one that started before has counted itself, and the import is refused.
                try session.execute("SELECT pg_advisory_xact_lock(hashtext('xieshang-migrations'))")
                let tables = try Self.referencedFirst(session, try session.column(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename", as: String.self)
                    .filter { !own.contains($0) })
                // A new database: no service has started on it and no import committed into it
                // (a failed one left it new), so the only rows are those its migrations wrote
                // (a managed list's first entries and their events), which the SQLite file
                // holds too, as they have been since.
                let used = try session.value("SELECT count FROM runtime_starts WHERE id = 1", as: Int64.self) ?? 0
                for table in tables.reversed() where try session.value("SELECT 1 FROM \(table) LIMIT 1", as: Int.self) != nil {
                    guard used == 0 else {
                        throw OpenError(path: postgres.description, reason: "table \(table) already holds rows: an import goes into a new, empty database only; nothing was copied")
                    }
                    try session.execute("DELETE FROM \(table)")
                }
                // No rows, but a service has started on it: it may be serving still, and would
                // write beside the import.
                guard used == 0 else {
                    throw OpenError(path: postgres.description, reason: "\(configuration.name) has already run on this database (\(used) time\(used == 1 ? "" : "s")): an import goes into a new database only; nothing was copied")
                }
                var summary = ImportSummary()
                for table in tables {
                    let targetColumns = Set(try session.column(
                        "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?", [table], as: String.self))
                    let count = try writer.read { db -> Int in
                        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(table)")
                        var copied = 0
                        var insert: String?
                        while let row = try cursor.next() {
                            let columns = Array(row.columnNames)
                            if insert == nil {
                                if let missing = columns.first(where: { !targetColumns.contains($0) }) {
                                    throw OpenError(path: postgres.description, reason: "\(table).\(missing) is in the SQLite database but not in PostgreSQL's; nothing was copied")
                                }
                                insert = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) OVERRIDING SYSTEM VALUE VALUES (\(databaseQuestionMarks(count: columns.count)))"
                            }
                            let values: [any SQLValueConvertible] = (0..<columns.count).map { SQLValue(row[$0] as DatabaseValue) }
                            try session.execute(insert!, values)
                            copied += 1
                        }
                        return copied
                    }
                    summary.rows.append((table, count))
                }
                // Generated ids go on after the highest copied.
                for identity in try session.rows("""
                    SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND is_identity = 'YES'
                    """) {
                    let (table, column): (String, String) = (identity["table_name"], identity["column_name"])
                    try session.execute("SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), COALESCE(MAX(\(column)), 0) + 1, false) FROM \(table)")
                }
                // The outbox goes on from its last number, under the same identity.
                summary.outboxSequence = try session.value("SELECT COALESCE(MAX(sequence), 0) FROM outbox", as: Int64.self) ?? 0
                try session.execute("UPDATE outbox_head SET last_sequence = ? WHERE id = 1", [summary.outboxSequence])
                summary.identity = try writer.read { db in
                    try String.fetchOne(db, sql: "SELECT value FROM runtime_identity WHERE id = 1") ?? ""
                }
                if !summary.identity.isEmpty {
                    try session.execute("UPDATE runtime_identity SET value = ? WHERE id = 1", [summary.identity])
                }
                // The database is in use from now on: a second import is refused.
                try Self.countStart(session)
                return summary
            }
        }
    }

    /// `tables` ordered so that a table comes after those its foreign keys reference (members
    /// before their committees), so rows copy in that order.
    static func referencedFirst(_ session: any SQLSession, _ tables: [String]) throws -> [String] {
        var references: [String: Set<String>] = [:]
        for row in try session.rows("""
            SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c
            WHERE c.contype = 'f' AND c.connamespace = current_schema()::text::regnamespace
            """) {
            let (child, parent): (String, String) = (row["child"], row["parent"])
            if child != parent { references[child, default: []].insert(parent) }
        }
        var ordered: [String] = []
        var placed: Set<String> = []
        func place(_ table: String, _ path: Set<String>) {
            guard !placed.contains(table), !path.contains(table) else { return }
            for parent in (references[table] ?? []).sorted() where tables.contains(parent) { place(parent, path.union([table])) }
            placed.insert(table)
            ordered.append(table)
        }
        for table in tables { place(table, []) }
        return ordered
    }
}
