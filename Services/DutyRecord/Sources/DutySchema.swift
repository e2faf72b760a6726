import XieshangService

/// The duty record's tables. An entry is stored whole, as its encoded message, beside the
/// columns that are queried. The same tables on PostgreSQL, for replicas.
public enum DutySchema {
    public static var migrations: ServiceMigrations {
        var migrations = ServiceMigrations()
        migrations.add("duty-1-record", sqlite: """
            -- The members, as member-registry's events describe them.
            CREATE TABLE members (
                id INTEGER PRIMARY KEY,
                number TEXT NOT NULL,
                name TEXT NOT NULL,
                sector TEXT NOT NULL,
                active INTEGER NOT NULL);
            CREATE TABLE entries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                member_id INTEGER NOT NULL,
                year INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                status INTEGER NOT NULL,
                points INTEGER NOT NULL,
                rules_version INTEGER NOT NULL,
                -- The fact an event recorded, once (NULL for entries staff or members record).
                source_key TEXT UNIQUE,
                body BLOB NOT NULL);
            CREATE INDEX entries_by_member ON entries(member_id, year, id);
            CREATE INDEX entries_by_year ON entries(year, member_id);
            -- Each set of rules the service has run with; entries name the one they were computed under.
            CREATE TABLE rules_versions (
                version INTEGER PRIMARY KEY,
                text TEXT NOT NULL,
                body BLOB NOT NULL,
                loaded_at_ms INTEGER NOT NULL);
            -- A closed year keeps its points under the rules it was closed with.
            CREATE TABLE closed_years (
                year INTEGER PRIMARY KEY,
                rules_version INTEGER NOT NULL,
                closed_at_ms INTEGER NOT NULL,
                closed_by TEXT NOT NULL);
            """, postgres: """
            CREATE TABLE members (
                id BIGINT PRIMARY KEY,
                number TEXT NOT NULL,
                name TEXT NOT NULL,
                sector TEXT NOT NULL,
                active INTEGER NOT NULL);
            CREATE TABLE entries (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                member_id BIGINT NOT NULL,
                year INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                status INTEGER NOT NULL,
                points INTEGER NOT NULL,
                rules_version INTEGER NOT NULL,
                source_key TEXT UNIQUE,
                body BYTEA NOT NULL);
            CREATE INDEX entries_by_member ON entries(member_id, year, id);
            CREATE INDEX entries_by_year ON entries(year, member_id);
            CREATE TABLE rules_versions (
                version INTEGER PRIMARY KEY,
                text TEXT NOT NULL,
                body BYTEA NOT NULL,
                loaded_at_ms BIGINT NOT NULL);
            CREATE TABLE closed_years (
                year INTEGER PRIMARY KEY,
                rules_version INTEGER NOT NULL,
                closed_at_ms BIGINT NOT NULL,
                closed_by TEXT NOT NULL);
            """)
        return migrations
    }
}
