import GRDB
import Testing
@testable import XieshangService

/// Statements that read a whole table are told of once each (`FullScans`).
@Suite("full table scans, told")
struct FullScanTests {
    @Test("a query or a write that no index serves, over 12,000 rows, is told of; the same table searched through its index, and a scan of a small table, are not")
    func fullScansTold() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            let session = SQLiteSession(db)
            try session.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, note TEXT NOT NULL)")
            try session.execute("CREATE INDEX visits_by_member ON visits(member_id) WHERE member_id != 0")
            try session.execute("CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            for n in 0..<12_000 { try session.execute("INSERT INTO visits (member_id, note) VALUES (?, ?)", [n % 300, "第\(n)次"]) }
            for n in 0..<100 { try session.execute("INSERT INTO rooms (name) VALUES (?)", ["议事室\(n)"]) }

            // The partial index cannot serve `member_id = ?` alone: SQLite reads every row.
            let scanning = "SELECT id FROM visits WHERE member_id = ? /* full-scan test */"
            let searching = "SELECT id FROM visits WHERE member_id = ? AND member_id != 0 /* full-scan test */"
            let small = "SELECT id FROM rooms WHERE name = ? /* full-scan test */"
            let deleting = "DELETE FROM visits WHERE note = ? /* full-scan test */"
            #expect(try session.rows(scanning, [7]).count == 40)
            #expect(SQLiteSession.fullScans.told(scanning))
            #expect(try session.rows(searching, [7]).count == 40)
            #expect(!SQLiteSession.fullScans.told(searching))
            #expect(try session.rows(small, ["议事室5"]).count == 1)
            #expect(!SQLiteSession.fullScans.told(small))
            #expect(try session.execute(deleting, ["第3次"]) == 1)
            #expect(SQLiteSession.fullScans.told(deleting), "a write that scans is told of too")
        }
    }
}
