import XieshangService

/// The tracker's tables. A proposal and a topic are stored whole, as their encoded
/// messages, beside the columns that are queried. Each step has a SQLite and a PostgreSQL
/// form (the stores' SQL is the same on both), so the tracker runs on either, in replicas
/// on PostgreSQL.
public enum TrackerSchema {
    public static var migrations: ServiceMigrations {
        var migrations = ServiceMigrations()
        migrations.add("tracker-1-tables", sqlite: """
            CREATE TABLE proposals (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                state INTEGER NOT NULL,
                term INTEGER NOT NULL,
                session INTEGER NOT NULL,
                number TEXT,
                proposer_member_id INTEGER NOT NULL,
                lead_unit_id INTEGER NOT NULL DEFAULT 0,
                deadline_ms INTEGER NOT NULL DEFAULT 0,
                created_at_ms INTEGER NOT NULL,
                body BLOB NOT NULL);
            CREATE UNIQUE INDEX proposals_by_number ON proposals(number) WHERE number IS NOT NULL;
            CREATE INDEX proposals_by_state ON proposals(state, term);
            CREATE INDEX proposals_by_deadline ON proposals(deadline_ms) WHERE deadline_ms != 0;
            -- Members concerned (proposer, co-signers) and units (lead, assisting), for queries.
            CREATE TABLE proposal_members (
                proposal_id INTEGER NOT NULL, member_id INTEGER NOT NULL, role TEXT NOT NULL,
                PRIMARY KEY (member_id, proposal_id, role)) WITHOUT ROWID;
            CREATE TABLE proposal_units (
                proposal_id INTEGER NOT NULL, unit_id INTEGER NOT NULL, lead INTEGER NOT NULL,
                PRIMARY KEY (unit_id, proposal_id)) WITHOUT ROWID;
            CREATE INDEX proposal_units_by_proposal ON proposal_units(proposal_id);
            -- Filing numbers, per term and session, without gaps.
            CREATE TABLE filing_counters (
                term INTEGER NOT NULL, session INTEGER NOT NULL, last INTEGER NOT NULL,
                PRIMARY KEY (term, session)) WITHOUT ROWID;
            CREATE TABLE transitions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                proposal_id INTEGER NOT NULL,
                action INTEGER NOT NULL,
                at_ms INTEGER NOT NULL,
                body BLOB NOT NULL);
            CREATE INDEX transitions_by_proposal ON transitions(proposal_id, id);
            CREATE INDEX transitions_by_time ON transitions(at_ms, action);
            CREATE TABLE topics (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                step INTEGER NOT NULL,
                station_id INTEGER NOT NULL,
                room_id INTEGER NOT NULL,
                created_at_ms INTEGER NOT NULL,
                body BLOB NOT NULL);
            CREATE INDEX topics_by_step ON topics(step);
            """, postgres: """
            CREATE TABLE proposals (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                state INTEGER NOT NULL,
                term INTEGER NOT NULL,
                session INTEGER NOT NULL,
                number TEXT,
                proposer_member_id BIGINT NOT NULL,
                lead_unit_id BIGINT NOT NULL DEFAULT 0,
                deadline_ms BIGINT NOT NULL DEFAULT 0,
                created_at_ms BIGINT NOT NULL,
                body BYTEA NOT NULL);
            CREATE UNIQUE INDEX proposals_by_number ON proposals(number) WHERE number IS NOT NULL;
            CREATE INDEX proposals_by_state ON proposals(state, term);
            CREATE INDEX proposals_by_deadline ON proposals(deadline_ms) WHERE deadline_ms != 0;
            CREATE TABLE proposal_members (
                proposal_id BIGINT NOT NULL, member_id BIGINT NOT NULL, role TEXT NOT NULL,
                PRIMARY KEY (member_id, proposal_id, role));
            CREATE TABLE proposal_units (
                proposal_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, lead INTEGER NOT NULL,
                PRIMARY KEY (unit_id, proposal_id));
            CREATE INDEX proposal_units_by_proposal ON proposal_units(proposal_id);
            CREATE TABLE filing_counters (
                term INTEGER NOT NULL, session INTEGER NOT NULL, last INTEGER NOT NULL,
                PRIMARY KEY (term, session));
            CREATE TABLE transitions (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                proposal_id BIGINT NOT NULL,
                action INTEGER NOT NULL,
                at_ms BIGINT NOT NULL,
                body BYTEA NOT NULL);
            CREATE INDEX transitions_by_proposal ON transitions(proposal_id, id);
            CREATE INDEX transitions_by_time ON transitions(at_ms, action);
            CREATE TABLE topics (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                step INTEGER NOT NULL,
                station_id BIGINT NOT NULL,
                room_id BIGINT NOT NULL,
                created_at_ms BIGINT NOT NULL,
                body BYTEA NOT NULL);
            CREATE INDEX topics_by_step ON topics(step);
            """)
        migrations.add("tracker-2-opinions", sqlite: """
            -- 社情民意 items, stored whole with their steps, beside the columns that are queried.
            CREATE TABLE opinions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                state INTEGER NOT NULL,
                member_id INTEGER NOT NULL,
                submitted_at_ms INTEGER NOT NULL,
                proposal_id INTEGER NOT NULL DEFAULT 0,
                body BLOB NOT NULL);
            CREATE INDEX opinions_by_member ON opinions(member_id, id);
            CREATE INDEX opinions_by_time ON opinions(submitted_at_ms);
            -- A proposal referred to 社情民意 becomes one item, once.
            CREATE UNIQUE INDEX opinions_by_proposal ON opinions(proposal_id) WHERE proposal_id != 0;
            """, postgres: """
            CREATE TABLE opinions (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                state INTEGER NOT NULL,
                member_id BIGINT NOT NULL,
                submitted_at_ms BIGINT NOT NULL,
                proposal_id BIGINT NOT NULL DEFAULT 0,
                body BYTEA NOT NULL);
            CREATE INDEX opinions_by_member ON opinions(member_id, id);
            CREATE INDEX opinions_by_time ON opinions(submitted_at_ms);
            CREATE UNIQUE INDEX opinions_by_proposal ON opinions(proposal_id) WHERE proposal_id != 0;
            """)
        // Saving a proposal replaces the members it concerns, found by proposal: keyed by
        // member, that read the whole table on every save.
        migrations.add("tracker-proposal-members-by-proposal", sqlite: """
            CREATE INDEX proposal_members_by_proposal ON proposal_members(proposal_id);
            """, postgres: """
            CREATE INDEX proposal_members_by_proposal ON proposal_members(proposal_id);
            """)
        return migrations
    }
}
