import XieshangService

/// The portal's own tables: who may sign in, the invitations waiting to be used, the sessions
/// signed in, the browsers trusted for a login, and the failed sign-ins that limit guessing.
/// Secrets are stored only as hashes: passwords with bcrypt, invitation tokens and codes,
/// session and device tokens with SHA-256 (each is 128 random bits or more, so a fast hash is
/// enough to make a stolen file useless). The same tables on PostgreSQL let several portals
/// behind one address share accounts and sessions.
public enum PortalSchema {
    public static var migrations: ServiceMigrations {
        var migrations = ServiceMigrations()
        migrations.add("portal-1-accounts", sqlite: """
            CREATE TABLE accounts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind INTEGER NOT NULL,
                subject_id INTEGER NOT NULL,
                login TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                password_hash TEXT,
                disabled INTEGER NOT NULL DEFAULT 0,
                invited_at_ms INTEGER NOT NULL,
                last_sign_in_ms INTEGER NOT NULL DEFAULT 0,
                UNIQUE (kind, subject_id));
            CREATE TABLE invitations (
                account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
                token_hash BLOB NOT NULL UNIQUE,
                code_hash BLOB NOT NULL,
                expires_at_ms INTEGER NOT NULL,
                wrong_codes INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE sessions (
                token_hash BLOB PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                csrf TEXT NOT NULL,
                created_at_ms INTEGER NOT NULL,
                expires_at_ms INTEGER NOT NULL);
            CREATE INDEX sessions_by_account ON sessions(account_id);
            CREATE TABLE sign_in_failures (
                login TEXT NOT NULL,
                address TEXT NOT NULL,
                at_ms INTEGER NOT NULL);
            CREATE INDEX failures_by_login ON sign_in_failures(login, at_ms);
            CREATE INDEX failures_by_address ON sign_in_failures(address, at_ms);
            """, postgres: """
            CREATE TABLE accounts (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind INTEGER NOT NULL,
                subject_id BIGINT NOT NULL,
                login TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                password_hash TEXT,
                disabled INTEGER NOT NULL DEFAULT 0,
                invited_at_ms BIGINT NOT NULL,
                last_sign_in_ms BIGINT NOT NULL DEFAULT 0,
                UNIQUE (kind, subject_id));
            CREATE TABLE invitations (
                account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
                token_hash BYTEA NOT NULL UNIQUE,
                code_hash BYTEA NOT NULL,
                expires_at_ms BIGINT NOT NULL,
                wrong_codes INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE sessions (
                token_hash BYTEA PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts(id),
                csrf TEXT NOT NULL,
                created_at_ms BIGINT NOT NULL,
                expires_at_ms BIGINT NOT NULL);
            CREATE INDEX sessions_by_account ON sessions(account_id);
            CREATE TABLE sign_in_failures (
                login TEXT NOT NULL,
                address TEXT NOT NULL,
                at_ms BIGINT NOT NULL);
            CREATE INDEX failures_by_login ON sign_in_failures(login, at_ms);
            CREATE INDEX failures_by_address ON sign_in_failures(address, at_ms);
            """)
        // Expired sessions are forgotten at each sign-in and old failures at each failure:
        // found by time, not by reading every session open and every failure kept (which a
        // guesser trying many logins from many addresses would make long).
        migrations.add("portal-2-by-expiry", sqlite: """
            CREATE INDEX sessions_by_expiry ON sessions(expires_at_ms);
            CREATE INDEX failures_by_time ON sign_in_failures(at_ms);
            """, postgres: """
            CREATE INDEX sessions_by_expiry ON sessions(expires_at_ms);
            CREATE INDEX failures_by_time ON sign_in_failures(at_ms);
            """)
        // Browsers a person signed in from (OWASP's device cookies): a guesser's failures lock
        // out the browsers that never signed in as that login, while each trusted browser is
        // counted, and locked, on its own. `device` is the trusted browser's token hash a
        // failure came through; NULL for an untrusted one.
        migrations.add("portal-3-devices", sqlite: """
            CREATE TABLE devices (
                token_hash BLOB PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                created_at_ms INTEGER NOT NULL,
                expires_at_ms INTEGER NOT NULL);
            CREATE INDEX devices_by_account ON devices(account_id);
            CREATE INDEX devices_by_expiry ON devices(expires_at_ms);
            ALTER TABLE sign_in_failures ADD COLUMN device BLOB;
            CREATE INDEX failures_by_device ON sign_in_failures(device, at_ms);
            """, postgres: """
            CREATE TABLE devices (
                token_hash BYTEA PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts(id),
                created_at_ms BIGINT NOT NULL,
                expires_at_ms BIGINT NOT NULL);
            CREATE INDEX devices_by_account ON devices(account_id);
            CREATE INDEX devices_by_expiry ON devices(expires_at_ms);
            ALTER TABLE sign_in_failures ADD COLUMN device BYTEA;
            CREATE INDEX failures_by_device ON sign_in_failures(device, at_ms);
            """)
        return migrations
    }
}
