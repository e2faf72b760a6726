import Foundation
import GRDB
import XieshangService

/// The parts of member files larger than one message, kept by principal and upload until the
/// last part arrives.
enum UploadStore {
    /// How many parts, and bytes, are kept for the upload.
    static func size(_ db: Database, principal: String, upload: String) throws -> (parts: Int, bytes: Int) {
        try Row.fetchOne(db, sql: """
            SELECT COUNT(*), COALESCE(SUM(LENGTH(bytes)), 0) FROM import_uploads WHERE principal = ? AND upload_id = ?
            """, arguments: [principal, upload]).map { ($0[0] as Int, $0[1] as Int) } ?? (0, 0)
    }

    /// The bytes kept for all of a principal's unfinished uploads.
    static func kept(_ db: Database, principal: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM import_uploads WHERE principal = ?", arguments: [principal]) ?? 0
    }

    /// Keeps a part, and forgets parts nobody finished within a day.
    static func keep(_ db: Database, principal: String, upload: String, part: Int, bytes: [UInt8]) throws {
        try db.execute(sql: "INSERT INTO import_uploads (principal, upload_id, part, bytes, created_at_ms) VALUES (?, ?, ?, ?, ?)",
                       arguments: [principal, upload, part, Data(bytes), Date.nowMilliseconds])
        try db.execute(sql: "DELETE FROM import_uploads WHERE created_at_ms < ?", arguments: [Date.nowMilliseconds - 86_400_000])
    }

    /// The parts kept so far, in order, as one buffer.
    static func bytes(_ db: Database, principal: String, upload: String) throws -> [UInt8] {
        try Data.fetchAll(db, sql: "SELECT bytes FROM import_uploads WHERE principal = ? AND upload_id = ? ORDER BY part",
                          arguments: [principal, upload]).flatMap { [UInt8]($0) }
    }

    static func forget(_ db: Database, principal: String, upload: String) throws {
        try db.execute(sql: "DELETE FROM import_uploads WHERE principal = ? AND upload_id = ?", arguments: [principal, upload])
    }
}
