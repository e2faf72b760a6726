import XieshangService

/// The scheduler's tables, as named migrations. On SQLite the steps are the schema's history
/// (a database of an earlier release is brought forward); on PostgreSQL, where no earlier
/// database exists, the first step creates the tables as they now are (`postgresSchema`) and
/// the later ones have nothing to do. A step added from now on has both forms.
public enum SchedulerSchema {
    public static var migrations: ServiceMigrations {
        var migrations = ServiceMigrations()
        migrations.add("scheduler-1-tables", sqlite: """
            CREATE TABLE meetings (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                title TEXT NOT NULL,
                kind INTEGER NOT NULL,
                term INTEGER NOT NULL,
                ordinal INTEGER NOT NULL DEFAULT 0,
                organiser TEXT NOT NULL,
                room_id INTEGER NOT NULL,
                room_name TEXT NOT NULL,
                venue TEXT NOT NULL,
                start_ms INTEGER NOT NULL,
                end_ms INTEGER NOT NULL,
                mode INTEGER NOT NULL,
                online_link TEXT NOT NULL,
                status INTEGER NOT NULL,
                cancel_reason TEXT NOT NULL DEFAULT '',
                sequence INTEGER NOT NULL DEFAULT 0,
                open_registration INTEGER NOT NULL,
                capacity INTEGER NOT NULL,
                minutes TEXT NOT NULL DEFAULT '',
                outcomes TEXT NOT NULL DEFAULT '',
                published_at_ms INTEGER NOT NULL DEFAULT 0,
                updated_at_ms INTEGER NOT NULL,
                attendance_rate REAL NOT NULL DEFAULT 0);
            CREATE INDEX meetings_by_start ON meetings(start_ms);
            -- Bookings that hold a room: drafts and published meetings only.
            CREATE INDEX meetings_holding_rooms ON meetings(room_id, start_ms) WHERE status IN (1, 2) AND room_id != 0;
            CREATE INDEX meetings_by_kind ON meetings(term, kind, ordinal);
            CREATE TABLE meeting_groups (
                meeting_id INTEGER NOT NULL REFERENCES meetings(id),
                position INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                name TEXT NOT NULL,
                group_id INTEGER NOT NULL,
                PRIMARY KEY (meeting_id, position)) WITHOUT ROWID;
            CREATE TABLE agenda_items (
                meeting_id INTEGER NOT NULL REFERENCES meetings(id),
                position INTEGER NOT NULL,
                title TEXT NOT NULL,
                duration_minutes INTEGER NOT NULL,
                presenter TEXT NOT NULL,
                proposal_id TEXT NOT NULL,
                topic_id TEXT NOT NULL,
                PRIMARY KEY (meeting_id, position)) WITHOUT ROWID;
            CREATE TABLE invitees (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                meeting_id INTEGER NOT NULL REFERENCES meetings(id),
                member_id INTEGER NOT NULL,
                name TEXT NOT NULL,
                organisation TEXT NOT NULL,
                category INTEGER NOT NULL,
                required INTEGER NOT NULL,
                from_group INTEGER NOT NULL,
                attendance INTEGER NOT NULL,
                leave_type INTEGER NOT NULL DEFAULT 0,
                leave_reason TEXT NOT NULL DEFAULT '',
                check_in_code TEXT NOT NULL,
                checked_in_at_ms INTEGER NOT NULL DEFAULT 0,
                waitlist_position INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX invitees_by_meeting ON invitees(meeting_id);
            CREATE UNIQUE INDEX invitees_one_per_member ON invitees(meeting_id, member_id) WHERE member_id != 0;
            CREATE INDEX invitees_by_member ON invitees(member_id, meeting_id) WHERE member_id != 0;
            CREATE UNIQUE INDEX invitees_by_code ON invitees(meeting_id, check_in_code);
            -- When each required member is held by an active meeting: what member
            -- conflicts are checked against, indexed by member and start.
            CREATE TABLE member_busy (
                member_id INTEGER NOT NULL,
                meeting_id INTEGER NOT NULL,
                start_ms INTEGER NOT NULL,
                end_ms INTEGER NOT NULL,
                PRIMARY KEY (member_id, meeting_id)) WITHOUT ROWID;
            CREATE INDEX member_busy_by_start ON member_busy(member_id, start_ms);
            CREATE INDEX member_busy_by_meeting ON member_busy(meeting_id);
            -- Member conflicts staff accepted, and why.
            CREATE TABLE conflict_overrides (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                meeting_id INTEGER NOT NULL,
                at_ms INTEGER NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL,
                conflicts TEXT NOT NULL);
            """, postgres: postgresSchema)
        // #18: attendance as offices publish it, and the 常委会's quorum.
        migrations.add("scheduler-attendance-counts", sqlite: """
            ALTER TABLE meetings ADD COLUMN expected INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE meetings ADD COLUMN present INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE meetings ADD COLUMN on_leave INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE meetings ADD COLUMN absent INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE meetings ADD COLUMN observers INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE meetings ADD COLUMN participants INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE meetings ADD COLUMN quorum_required INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE meetings ADD COLUMN quorum_met INTEGER NOT NULL DEFAULT 0;
            -- Meetings closed before: counted again from their invitees by the same rules
            -- (MeetingRules.attendance; enum values as in meeting.proto).
            UPDATE meetings SET
                expected = (SELECT COUNT(*) FROM invitees i WHERE i.meeting_id = meetings.id
                            AND i.member_id != 0 AND i.required = 1 AND i.attendance NOT IN (3, 8)),
                present = (SELECT COUNT(*) FROM invitees i WHERE i.meeting_id = meetings.id
                           AND i.member_id != 0 AND i.required = 1 AND i.attendance = 6),
                on_leave = (SELECT COUNT(*) FROM invitees i WHERE i.meeting_id = meetings.id
                            AND i.member_id != 0 AND i.required = 1 AND i.attendance = 5),
                observers = (SELECT COUNT(*) FROM invitees i WHERE i.meeting_id = meetings.id
                             AND i.member_id != 0 AND i.required = 0 AND i.attendance = 6),
                participants = (SELECT COUNT(*) FROM invitees i WHERE i.meeting_id = meetings.id
                                AND i.member_id = 0 AND i.attendance = 6),
                quorum_required = (kind = 2)
            WHERE status = 3;
            UPDATE meetings SET absent = expected - present - on_leave,
                attendance_rate = CASE WHEN expected = 0 THEN 0 ELSE CAST(present AS REAL) / expected END,
                quorum_met = quorum_required AND present * 2 > expected
            WHERE status = 3;
            """, postgres: "")
        // #18: the next number of each numbered kind, set by staff in mid-term.
        migrations.add("scheduler-numbering", sqlite: """
            CREATE TABLE numbering (
                term INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                next INTEGER NOT NULL,
                PRIMARY KEY (term, kind)) WITHOUT ROWID;
            -- Kinds that are not numbered lose the ordinals earlier releases gave them.
            UPDATE meetings SET ordinal = 0 WHERE kind NOT IN (1, 2, 9);
            """, postgres: "")
        // #18: what staff recorded outside a meeting's times, and why (one line each).
        migrations.add("scheduler-record-notes", sqlite: """
            ALTER TABLE meetings ADD COLUMN record_notes TEXT NOT NULL DEFAULT '';
            """, postgres: "")
        // #18.9: documents under review on agenda items, where they stand, and votes.
        migrations.add("scheduler-agenda-decisions", sqlite: """
            ALTER TABLE agenda_items ADD COLUMN document INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE agenda_items ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE agenda_items ADD COLUMN needs_vote INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE agenda_items ADD COLUMN vote BLOB;
            ALTER TABLE agenda_items ADD COLUMN changes TEXT NOT NULL DEFAULT '';
            ALTER TABLE agenda_items ADD COLUMN referred_from INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE agenda_items ADD COLUMN referred_to INTEGER NOT NULL DEFAULT 0;
            """, postgres: "")
        // #18.12: the annual consultation plan, and the meetings that carry its items out.
        migrations.add("scheduler-consultation-plan", sqlite: """
            CREATE TABLE plan_items (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                year INTEGER NOT NULL,
                quarter INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                title TEXT NOT NULL,
                lead TEXT NOT NULL);
            CREATE INDEX plan_items_by_year ON plan_items(year, quarter);
            ALTER TABLE meetings ADD COLUMN plan_item_id INTEGER NOT NULL DEFAULT 0;
            """, postgres: "")
        // invitees_by_code (meeting_id, check_in_code) already leads with the meeting: the
        // index by meeting alone was written with every invitee and never needed.
        migrations.add("scheduler-drop-redundant-invitee-index", sqlite: """
            DROP INDEX invitees_by_meeting;
            """, postgres: "")
        // member-registry's directory and members, as its events describe them (RegistryModel):
        // what scheduling asks of the registry, answered here while the model is in step.
        migrations.add("scheduler-registry-model", sqlite: """
            CREATE TABLE registry_rooms (
                id INTEGER PRIMARY KEY,
                station_id INTEGER NOT NULL,
                body BLOB NOT NULL);
            CREATE INDEX registry_rooms_by_station ON registry_rooms(station_id);
            CREATE TABLE registry_terms (
                number INTEGER PRIMARY KEY,
                current INTEGER NOT NULL,
                body BLOB NOT NULL);
            CREATE TABLE registry_catalog (
                kind INTEGER NOT NULL,
                name TEXT NOT NULL,
                PRIMARY KEY (kind, name)) WITHOUT ROWID;
            CREATE TABLE registry_members (
                id INTEGER PRIMARY KEY,
                term INTEGER NOT NULL,
                status INTEGER NOT NULL,
                role INTEGER NOT NULL,
                sector TEXT NOT NULL,
                body BLOB NOT NULL);
            CREATE INDEX registry_members_by_term ON registry_members(term, status);
            CREATE TABLE registry_member_rooms (
                room_id INTEGER NOT NULL,
                member_id INTEGER NOT NULL,
                PRIMARY KEY (room_id, member_id)) WITHOUT ROWID;
            CREATE INDEX registry_member_rooms_by_member ON registry_member_rooms(member_id);
            CREATE TABLE registry_member_committees (
                committee TEXT NOT NULL,
                member_id INTEGER NOT NULL,
                PRIMARY KEY (committee, member_id)) WITHOUT ROWID;
            CREATE INDEX registry_member_committees_by_member ON registry_member_committees(member_id);
            """, postgres: "")
        // A member's busy times were kept twice in member-keyed order (the key by member and
        // meeting, and an index by member and start), so every hold wrote two pages where
        // members are spread: keyed by member, start and meeting, the one tree serves the
        // conflict checks, and the index by meeting the deletes.
        migrations.add("scheduler-member-busy-by-start", sqlite: """
            CREATE TABLE member_busy_keyed (
                member_id INTEGER NOT NULL,
                start_ms INTEGER NOT NULL,
                meeting_id INTEGER NOT NULL,
                end_ms INTEGER NOT NULL,
                PRIMARY KEY (member_id, start_ms, meeting_id)) WITHOUT ROWID;
            INSERT INTO member_busy_keyed (member_id, start_ms, meeting_id, end_ms)
                SELECT member_id, start_ms, meeting_id, end_ms FROM member_busy;
            DROP TABLE member_busy;
            ALTER TABLE member_busy_keyed RENAME TO member_busy;
            CREATE INDEX member_busy_by_meeting ON member_busy(meeting_id);
            """, postgres: """
            ALTER TABLE member_busy DROP CONSTRAINT member_busy_pkey;
            ALTER TABLE member_busy ADD PRIMARY KEY (member_id, start_ms, meeting_id);
            DROP INDEX member_busy_by_start;
            """)
        // The consultation plan lists each item's meetings: found by item, not by reading
        // every meeting once an item. Most meetings carry out no item, and are left out.
        migrations.add("scheduler-meetings-by-plan-item", sqlite: """
            CREATE INDEX meetings_by_plan_item ON meetings(plan_item_id, start_ms) WHERE plan_item_id != 0;
            """, postgres: """
            CREATE INDEX meetings_by_plan_item ON meetings(plan_item_id, start_ms) WHERE plan_item_id != 0;
            """)
        return migrations
    }

    /// The whole schema on PostgreSQL. Beyond SQLite's: a room cannot be held by two
    /// meetings at once (the exclusion constraint `meetings_room_once`, checked by the
    /// database against every replica's writes, so two replicas racing for a room cannot
    /// both win); the values SQLite keeps as 0/1 stay integers, so the stores bind and read
    /// them alike.
    static let postgresSchema = """
        CREATE EXTENSION IF NOT EXISTS btree_gist;
        CREATE TABLE meetings (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            title TEXT NOT NULL,
            kind INTEGER NOT NULL,
            term INTEGER NOT NULL,
            ordinal INTEGER NOT NULL DEFAULT 0,
            organiser TEXT NOT NULL,
            room_id BIGINT NOT NULL,
            room_name TEXT NOT NULL,
            venue TEXT NOT NULL,
            start_ms BIGINT NOT NULL,
            end_ms BIGINT NOT NULL,
            mode INTEGER NOT NULL,
            online_link TEXT NOT NULL,
            status INTEGER NOT NULL,
            cancel_reason TEXT NOT NULL DEFAULT '',
            sequence INTEGER NOT NULL DEFAULT 0,
            open_registration INTEGER NOT NULL,
            capacity INTEGER NOT NULL,
            minutes TEXT NOT NULL DEFAULT '',
            outcomes TEXT NOT NULL DEFAULT '',
            published_at_ms BIGINT NOT NULL DEFAULT 0,
            updated_at_ms BIGINT NOT NULL,
            attendance_rate DOUBLE PRECISION NOT NULL DEFAULT 0,
            expected INTEGER NOT NULL DEFAULT 0,
            present INTEGER NOT NULL DEFAULT 0,
            on_leave INTEGER NOT NULL DEFAULT 0,
            absent INTEGER NOT NULL DEFAULT 0,
            observers INTEGER NOT NULL DEFAULT 0,
            participants INTEGER NOT NULL DEFAULT 0,
            quorum_required INTEGER NOT NULL DEFAULT 0,
            quorum_met INTEGER NOT NULL DEFAULT 0,
            record_notes TEXT NOT NULL DEFAULT '',
            plan_item_id BIGINT NOT NULL DEFAULT 0,
            CONSTRAINT meetings_room_once EXCLUDE USING gist (room_id WITH =, int8range(start_ms, end_ms) WITH &&)
                WHERE (status IN (1, 2) AND room_id != 0));
        CREATE INDEX meetings_by_start ON meetings(start_ms);
        CREATE INDEX meetings_holding_rooms ON meetings(room_id, start_ms) WHERE status IN (1, 2) AND room_id != 0;
        CREATE INDEX meetings_by_kind ON meetings(term, kind, ordinal);
        CREATE TABLE meeting_groups (
            meeting_id BIGINT NOT NULL REFERENCES meetings(id),
            position INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            name TEXT NOT NULL,
            group_id BIGINT NOT NULL,
            PRIMARY KEY (meeting_id, position));
        CREATE TABLE agenda_items (
            meeting_id BIGINT NOT NULL REFERENCES meetings(id),
            position INTEGER NOT NULL,
            title TEXT NOT NULL,
            duration_minutes INTEGER NOT NULL,
            presenter TEXT NOT NULL,
            proposal_id TEXT NOT NULL,
            topic_id TEXT NOT NULL,
            document INTEGER NOT NULL DEFAULT 0,
            status INTEGER NOT NULL DEFAULT 0,
            needs_vote INTEGER NOT NULL DEFAULT 0,
            vote BYTEA,
            changes TEXT NOT NULL DEFAULT '',
            referred_from BIGINT NOT NULL DEFAULT 0,
            referred_to BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (meeting_id, position));
        CREATE TABLE invitees (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            meeting_id BIGINT NOT NULL REFERENCES meetings(id),
            member_id BIGINT NOT NULL,
            name TEXT NOT NULL,
            organisation TEXT NOT NULL,
            category INTEGER NOT NULL,
            required INTEGER NOT NULL,
            from_group INTEGER NOT NULL,
            attendance INTEGER NOT NULL,
            leave_type INTEGER NOT NULL DEFAULT 0,
            leave_reason TEXT NOT NULL DEFAULT '',
            check_in_code TEXT NOT NULL,
            checked_in_at_ms BIGINT NOT NULL DEFAULT 0,
            waitlist_position INTEGER NOT NULL DEFAULT 0);
        CREATE UNIQUE INDEX invitees_one_per_member ON invitees(meeting_id, member_id) WHERE member_id != 0;
        CREATE INDEX invitees_by_member ON invitees(member_id, meeting_id) WHERE member_id != 0;
        CREATE UNIQUE INDEX invitees_by_code ON invitees(meeting_id, check_in_code);
        CREATE TABLE member_busy (
            member_id BIGINT NOT NULL,
            meeting_id BIGINT NOT NULL,
            start_ms BIGINT NOT NULL,
            end_ms BIGINT NOT NULL,
            PRIMARY KEY (member_id, meeting_id));
        CREATE INDEX member_busy_by_start ON member_busy(member_id, start_ms);
        CREATE INDEX member_busy_by_meeting ON member_busy(meeting_id);
        CREATE TABLE conflict_overrides (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            meeting_id BIGINT NOT NULL,
            at_ms BIGINT NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT NOT NULL,
            conflicts TEXT NOT NULL);
        CREATE TABLE numbering (
            term INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            next INTEGER NOT NULL,
            PRIMARY KEY (term, kind));
        CREATE TABLE plan_items (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            year INTEGER NOT NULL,
            quarter INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            title TEXT NOT NULL,
            lead TEXT NOT NULL);
        CREATE INDEX plan_items_by_year ON plan_items(year, quarter);
        CREATE TABLE registry_rooms (
            id BIGINT PRIMARY KEY,
            station_id BIGINT NOT NULL,
            body BYTEA NOT NULL);
        CREATE INDEX registry_rooms_by_station ON registry_rooms(station_id);
        CREATE TABLE registry_terms (
            number INTEGER PRIMARY KEY,
            current INTEGER NOT NULL,
            body BYTEA NOT NULL);
        CREATE TABLE registry_catalog (
            kind INTEGER NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (kind, name));
        CREATE TABLE registry_members (
            id BIGINT PRIMARY KEY,
            term INTEGER NOT NULL,
            status INTEGER NOT NULL,
            role INTEGER NOT NULL,
            sector TEXT NOT NULL,
            body BYTEA NOT NULL);
        CREATE INDEX registry_members_by_term ON registry_members(term, status);
        CREATE TABLE registry_member_rooms (
            room_id BIGINT NOT NULL,
            member_id BIGINT NOT NULL,
            PRIMARY KEY (room_id, member_id));
        CREATE INDEX registry_member_rooms_by_member ON registry_member_rooms(member_id);
        CREATE TABLE registry_member_committees (
            committee TEXT NOT NULL,
            member_id BIGINT NOT NULL,
            PRIMARY KEY (committee, member_id));
        CREATE INDEX registry_member_committees_by_member ON registry_member_committees(member_id);
        """
}
