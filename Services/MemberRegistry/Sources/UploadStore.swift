import Foundation
import XieshangService

/// The parts of member files larger than one message, kept by principal and upload until the
/// last part arrives.
enum UploadStore {
    /// How many parts, and bytes, are kept for the upload.
    static func size(_ db: any SQLSession, principal: String, upload: String) throws -> (parts: Int, bytes: Int) {
        try db.row("""
            SELECT COUNT(*), COALESCE(SUM(LENGTH(bytes)), 0) FROM import_uploads WHERE principal = ? AND upload_id = ?
            """, [principal, upload]).map { ($0[0] as Int, $0[1] as Int) } ?? (0, 0)
    }

    /// The bytes kept for all of a principal's unfinished uploads.
    static func kept(_ db: any SQLSession, principal: String) throws -> Int {
        try db.value("SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM import_uploads WHERE principal = ?", [principal], as: Int.self) ?? 0
    }

    /// Keeps a part, and forgets parts nobody finished within a day.
    static func keep(_ db: any SQLSession, principal: String, upload: String, part: Int, bytes: [UInt8]) throws {
        try db.execute("INSERT INTO import_uploads (principal, upload_id, part, bytes, created_at_ms) VALUES (?, ?, ?, ?, ?)", [principal, upload, part, Data(bytes), Date.nowMilliseconds])
        try db.execute("DELETE FROM import_uploads WHERE created_at_ms < ?", [Date.nowMilliseconds - 86_400_000])
    }

    /// The parts kept so far, in order, as one buffer.
    static func bytes(_ db: any SQLSession, principal: String, upload: String) throws -> [UInt8] {
        try db.column("SELECT bytes FROM import_uploads WHERE principal = ? AND upload_id = ? ORDER BY part", [principal, upload], as: [UInt8].self).flatMap { [UInt8]($0) }
    }

    static func forget(_ db: any SQLSession, principal: String, upload: String) throws {
        try db.execute("DELETE FROM import_uploads WHERE principal = ? AND upload_id = ?", [principal, upload])
    }
}
