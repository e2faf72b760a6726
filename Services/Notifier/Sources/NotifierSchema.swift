import GRDB
import XieshangService

/// The notifier's tables.
public enum NotifierSchema {
    public static var migrations: ServiceMigrations {
        var migrations = ServiceMigrations()
        migrations.add("notifier-1-inbox") { db in
            try db.execute(sql: """
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
                """)
        }
        return migrations
    }
}
