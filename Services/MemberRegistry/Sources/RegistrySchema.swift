import XieshangWire
import XieshangService

/// The registry's tables, as named migrations, each with a SQLite and a PostgreSQL form: the
/// stores' SQL is the same on both (search aside), so the registry runs on either, in
/// replicas on PostgreSQL.
public enum RegistrySchema {
    public static var migrations: ServiceMigrations {
        var migrations = ServiceMigrations()
        migrations.add("registry-1-tables", sqlite: """
                CREATE TABLE terms (
                    number INTEGER PRIMARY KEY,
                    start_date TEXT NOT NULL,
                    end_date TEXT NOT NULL,
                    current INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE catalog (
                    kind INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    PRIMARY KEY (kind, name)) WITHOUT ROWID;
                CREATE TABLE members (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    term INTEGER NOT NULL REFERENCES terms(number),
                    member_number TEXT NOT NULL,
                    name TEXT NOT NULL,
                    gender INTEGER NOT NULL,
                    ethnicity TEXT NOT NULL,
                    birth_date TEXT NOT NULL,
                    party TEXT NOT NULL,
                    sector TEXT NOT NULL,
                    work_unit TEXT NOT NULL,
                    position TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    email TEXT NOT NULL,
                    role INTEGER NOT NULL,
                    status INTEGER NOT NULL,
                    status_date TEXT NOT NULL,
                    status_reason TEXT NOT NULL,
                    added_during_term INTEGER NOT NULL,
                    joined_date TEXT NOT NULL,
                    updated_at_ms INTEGER NOT NULL,
                    UNIQUE (term, member_number));
                CREATE INDEX members_by_sector ON members(term, sector, status);
                CREATE INDEX members_by_role ON members(term, role, status);
                CREATE TABLE member_committees (
                    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                    committee TEXT NOT NULL,
                    PRIMARY KEY (member_id, committee)) WITHOUT ROWID;
                CREATE INDEX member_committees_by_committee ON member_committees(committee);
                CREATE TABLE stations (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    address TEXT NOT NULL,
                    district TEXT NOT NULL);
                CREATE TABLE rooms (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    address TEXT NOT NULL,
                    district TEXT NOT NULL,
                    station_id INTEGER NOT NULL REFERENCES stations(id),
                    capacity INTEGER NOT NULL,
                    has_site INTEGER NOT NULL, has_sign INTEGER NOT NULL, has_facilities INTEGER NOT NULL,
                    has_rules INTEGER NOT NULL, has_records INTEGER NOT NULL, has_fixed_members INTEGER NOT NULL,
                    UNIQUE (station_id, name));
                CREATE TABLE room_members (
                    room_id INTEGER NOT NULL REFERENCES rooms(id),
                    member_id INTEGER NOT NULL REFERENCES members(id),
                    PRIMARY KEY (room_id, member_id)) WITHOUT ROWID;
                CREATE INDEX room_members_by_member ON room_members(member_id);
                CREATE TABLE units (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    contact_person TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    email TEXT NOT NULL,
                    active INTEGER NOT NULL);
                CREATE TABLE member_audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    member_id INTEGER NOT NULL,
                    at_ms INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    changes TEXT NOT NULL);
                CREATE INDEX member_audit_by_member ON member_audit(member_id, id);
                -- Substring search on names and work units; trigram handles Chinese.
                CREATE VIRTUAL TABLE members_fts USING fts5(
                    name, work_unit, content='members', content_rowid='id', tokenize='trigram');
                CREATE TRIGGER members_fts_insert AFTER INSERT ON members BEGIN
                    INSERT INTO members_fts(rowid, name, work_unit) VALUES (new.id, new.name, new.work_unit);
                END;
                CREATE TRIGGER members_fts_delete AFTER DELETE ON members BEGIN
                    INSERT INTO members_fts(members_fts, rowid, name, work_unit) VALUES ('delete', old.id, old.name, old.work_unit);
                END;
                CREATE TRIGGER members_fts_update AFTER UPDATE OF name, work_unit ON members BEGIN
                    INSERT INTO members_fts(members_fts, rowid, name, work_unit) VALUES ('delete', old.id, old.name, old.work_unit);
                    INSERT INTO members_fts(rowid, name, work_unit) VALUES (new.id, new.name, new.work_unit);
                END;
                """, postgres: postgresTables
        ) { db in
            for (position, name) in Catalogs.sectors.enumerated() {
                try db.execute("INSERT INTO catalog (kind, name, position) VALUES (1, ?, ?)", [name, position])
            }
            for (position, name) in Catalogs.specialCommittees.enumerated() {
                try db.execute("INSERT INTO catalog (kind, name, position) VALUES (2, ?, ?)", [name, position])
            }
        }
        // The parts of a member file too large for one message, kept until its last part
        // arrives (or a day).
        migrations.add("registry-2-import-uploads", sqlite: """
            CREATE TABLE import_uploads (
                principal TEXT NOT NULL,
                upload_id TEXT NOT NULL,
                part INTEGER NOT NULL,
                bytes BLOB NOT NULL,
                created_at_ms INTEGER NOT NULL,
                PRIMARY KEY (principal, upload_id, part)
            ) WITHOUT ROWID;
            """, postgres: """
            CREATE TABLE import_uploads (
                principal TEXT NOT NULL,
                upload_id TEXT NOT NULL,
                part INTEGER NOT NULL,
                bytes BYTEA NOT NULL,
                created_at_ms BIGINT NOT NULL,
                PRIMARY KEY (principal, upload_id, part));
            """)
        // #18: functions beside the rank (专委会主任, 站长, 召集人, 议事会主席).
        migrations.add("registry-member-functions", sqlite: """
            CREATE TABLE member_functions (
                member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                kind INTEGER NOT NULL,
                committee TEXT NOT NULL,
                station_id INTEGER NOT NULL,
                room_id INTEGER NOT NULL,
                PRIMARY KEY (member_id, kind, committee, station_id, room_id)) WITHOUT ROWID;
            CREATE INDEX member_functions_by_room ON member_functions(room_id) WHERE room_id != 0;
            """, postgres: """
            CREATE TABLE member_functions (
                member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                kind INTEGER NOT NULL,
                committee TEXT NOT NULL,
                station_id BIGINT NOT NULL,
                room_id BIGINT NOT NULL,
                PRIMARY KEY (member_id, kind, committee, station_id, room_id));
            CREATE INDEX member_functions_by_room ON member_functions(room_id) WHERE room_id != 0;
            """)
        // #18: resignations asked and decided, additions decided, by the 常委会.
        migrations.add("registry-personnel-decisions", sqlite: """
            ALTER TABLE members ADD COLUMN resignation_date TEXT NOT NULL DEFAULT '';
            ALTER TABLE members ADD COLUMN resignation_reason TEXT NOT NULL DEFAULT '';
            CREATE TABLE member_decisions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                kind INTEGER NOT NULL,
                meeting TEXT NOT NULL,
                meeting_id INTEGER NOT NULL,
                date TEXT NOT NULL,
                note TEXT NOT NULL);
            CREATE INDEX member_decisions_by_member ON member_decisions(member_id);
            """, postgres: """
            ALTER TABLE members ADD COLUMN resignation_date TEXT NOT NULL DEFAULT '';
            ALTER TABLE members ADD COLUMN resignation_reason TEXT NOT NULL DEFAULT '';
            CREATE TABLE member_decisions (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                kind INTEGER NOT NULL,
                meeting TEXT NOT NULL,
                meeting_id BIGINT NOT NULL,
                date TEXT NOT NULL,
                note TEXT NOT NULL);
            CREATE INDEX member_decisions_by_member ON member_decisions(member_id);
            """)
        // Rooms, terms and the managed lists became events (room.saved, term.saved,
        // catalog.changed) for the services that keep the directory (meeting-scheduler's read
        // model): what existed before is told once, so a consumer reading from the first event
        // knows it all. Members were always told (member.added and the rest).
        migrations.add("registry-directory-events", onBoth: { db in
            // Its own SQL, not the stores': later steps may add columns the stores then read.
            for row in try db.rows("SELECT number, start_date, end_date, current FROM terms ORDER BY number") {
                var event = MemberV1.TermEvent()
                event.term = MemberV1.Term()
                event.term?.number = row["number"]
                event.term?.startDate = row["start_date"]
                event.term?.endDate = row["end_date"]
                event.term?.current = row["current"]
                try EventOutbox.insert(DomainEvents.termSaved, event, in: db)
            }
            for kind in [MemberV1.CatalogKind.sector, .specialCommittee] {
                var event = MemberV1.CatalogEvent()
                event.kind = kind
                event.names = try db.column("SELECT name FROM catalog WHERE kind = ? ORDER BY position", [kind.rawValue], as: String.self)
                try EventOutbox.insert(DomainEvents.catalogChanged, event, in: db)
            }
            for row in try db.rows("SELECT id, name, address, district, station_id, capacity FROM rooms ORDER BY id") {
                var room = MemberV1.Room()
                room.id = row["id"]
                room.name = row["name"]
                room.address = row["address"]
                room.district = row["district"]
                room.stationID = row["station_id"]
                room.capacity = row["capacity"]
                var event = MemberV1.RoomEvent()
                event.room = room
                try EventOutbox.insert(DomainEvents.roomSaved, event, in: db)
            }
        })
        return migrations
    }

    /// The first step's tables on PostgreSQL. Search is pg_trgm's: GIN indexes of trigrams
    /// answer `ILIKE '%…%'` on names and work units, as FTS5's trigram table does on SQLite
    /// (for Chinese text, in a cluster with a UTF-8 locale).
    static let postgresTables = """
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE TABLE terms (
            number INTEGER PRIMARY KEY,
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            current INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE catalog (
            kind INTEGER NOT NULL,
            name TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (kind, name));
        CREATE TABLE members (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            term INTEGER NOT NULL REFERENCES terms(number),
            member_number TEXT NOT NULL,
            name TEXT NOT NULL,
            gender INTEGER NOT NULL,
            ethnicity TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            party TEXT NOT NULL,
            sector TEXT NOT NULL,
            work_unit TEXT NOT NULL,
            position TEXT NOT NULL,
            phone TEXT NOT NULL,
            email TEXT NOT NULL,
            role INTEGER NOT NULL,
            status INTEGER NOT NULL,
            status_date TEXT NOT NULL,
            status_reason TEXT NOT NULL,
            added_during_term INTEGER NOT NULL,
            joined_date TEXT NOT NULL,
            updated_at_ms BIGINT NOT NULL,
            UNIQUE (term, member_number));
        CREATE INDEX members_by_sector ON members(term, sector, status);
        CREATE INDEX members_by_role ON members(term, role, status);
        CREATE INDEX members_name_trgm ON members USING gin (name gin_trgm_ops);
        CREATE INDEX members_work_unit_trgm ON members USING gin (work_unit gin_trgm_ops);
        CREATE TABLE member_committees (
            member_id BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            committee TEXT NOT NULL,
            PRIMARY KEY (member_id, committee));
        CREATE INDEX member_committees_by_committee ON member_committees(committee);
        CREATE TABLE stations (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            address TEXT NOT NULL,
            district TEXT NOT NULL);
        CREATE TABLE rooms (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL,
            address TEXT NOT NULL,
            district TEXT NOT NULL,
            station_id BIGINT NOT NULL REFERENCES stations(id),
            capacity INTEGER NOT NULL,
            has_site INTEGER NOT NULL, has_sign INTEGER NOT NULL, has_facilities INTEGER NOT NULL,
            has_rules INTEGER NOT NULL, has_records INTEGER NOT NULL, has_fixed_members INTEGER NOT NULL,
            UNIQUE (station_id, name));
        CREATE TABLE room_members (
            room_id BIGINT NOT NULL REFERENCES rooms(id),
            member_id BIGINT NOT NULL REFERENCES members(id),
            PRIMARY KEY (room_id, member_id));
        CREATE INDEX room_members_by_member ON room_members(member_id);
        CREATE TABLE units (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            contact_person TEXT NOT NULL,
            phone TEXT NOT NULL,
            email TEXT NOT NULL,
            active INTEGER NOT NULL);
        CREATE TABLE member_audit (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            member_id BIGINT NOT NULL,
            at_ms BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            reason TEXT NOT NULL,
            changes TEXT NOT NULL);
        CREATE INDEX member_audit_by_member ON member_audit(member_id, id);
        """
}
