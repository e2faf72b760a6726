import XieshangService

/// The notifier's tables, on SQLite or, for replicas, on PostgreSQL (each step in both forms).
public enum NotifierSchema {
    public static var migrations: ServiceMigrations {
        var migrations = ServiceMigrations()
        migrations.add("notifier-1-inbox", sqlite: """
            CREATE TABLE notifications (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                recipient_kind INTEGER NOT NULL,
                recipient_id INTEGER NOT NULL,
                rule TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                source TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                created_at_ms INTEGER NOT NULL,
                read_at_ms INTEGER NOT NULL DEFAULT 0,
                -- One event never tells the same recipient the same thing twice.
                UNIQUE (source, sequence, rule, recipient_kind, recipient_id));
            CREATE INDEX notifications_by_recipient ON notifications(recipient_kind, recipient_id, read_at_ms, id);
            """, postgres: """
            CREATE TABLE notifications (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                recipient_kind INTEGER NOT NULL,
                recipient_id BIGINT NOT NULL,
                rule TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                source TEXT NOT NULL,
                sequence BIGINT NOT NULL,
                created_at_ms BIGINT NOT NULL,
                read_at_ms BIGINT NOT NULL DEFAULT 0,
                UNIQUE (source, sequence, rule, recipient_kind, recipient_id));
            CREATE INDEX notifications_by_recipient ON notifications(recipient_kind, recipient_id, read_at_ms, id);
            """)
        migrations.add("notifier-2-deliveries", sqlite: """
            CREATE TABLE preferences (
                recipient_kind INTEGER NOT NULL,
                recipient_id INTEGER NOT NULL,
                webhook INTEGER NOT NULL,
                email INTEGER NOT NULL,
                digest INTEGER NOT NULL,
                PRIMARY KEY (recipient_kind, recipient_id)) WITHOUT ROWID;
            -- The intent to deliver is written with the notification; sending comes after,
            -- and a retry after a crash carries the same delivery id.
            CREATE TABLE deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                notification_id INTEGER NOT NULL REFERENCES notifications(id),
                channel TEXT NOT NULL,
                status INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_ms INTEGER NOT NULL,
                last_error TEXT NOT NULL DEFAULT '',
                created_at_ms INTEGER NOT NULL,
                sent_at_ms INTEGER NOT NULL DEFAULT 0,
                UNIQUE (notification_id, channel));
            CREATE INDEX deliveries_due ON deliveries(status, next_attempt_ms);
            -- Durable reminders, each sent once; rescheduled when what it is about moves.
            CREATE TABLE reminders (
                key TEXT PRIMARY KEY,
                due_ms INTEGER NOT NULL,
                sent INTEGER NOT NULL DEFAULT 0,
                recipients TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL) WITHOUT ROWID;
            CREATE INDEX reminders_due ON reminders(sent, due_ms);
            CREATE TABLE announcements (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                title TEXT NOT NULL,
                at_ms INTEGER NOT NULL);
            """, postgres: """
            CREATE TABLE preferences (
                recipient_kind INTEGER NOT NULL,
                recipient_id BIGINT NOT NULL,
                webhook INTEGER NOT NULL,
                email INTEGER NOT NULL,
                digest INTEGER NOT NULL,
                PRIMARY KEY (recipient_kind, recipient_id));
            CREATE TABLE deliveries (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                notification_id BIGINT NOT NULL REFERENCES notifications(id),
                channel TEXT NOT NULL,
                status INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_ms BIGINT NOT NULL,
                last_error TEXT NOT NULL DEFAULT '',
                created_at_ms BIGINT NOT NULL,
                sent_at_ms BIGINT NOT NULL DEFAULT 0,
                UNIQUE (notification_id, channel));
            CREATE INDEX deliveries_due ON deliveries(status, next_attempt_ms);
            CREATE TABLE reminders (
                key TEXT PRIMARY KEY,
                due_ms BIGINT NOT NULL,
                sent INTEGER NOT NULL DEFAULT 0,
                recipients TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL);
            CREATE INDEX reminders_due ON reminders(sent, due_ms);
            CREATE TABLE announcements (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                title TEXT NOT NULL,
                at_ms BIGINT NOT NULL);
            """)
        // A meeting's notification carries its .ics, which e-mail attaches.
        migrations.add("notifier-3-calendar-attachments", sqlite: """
            ALTER TABLE notifications ADD COLUMN ics TEXT NOT NULL DEFAULT ''
            """, postgres: """
            ALTER TABLE notifications ADD COLUMN ics TEXT NOT NULL DEFAULT ''
            """)
        return migrations
    }
}
