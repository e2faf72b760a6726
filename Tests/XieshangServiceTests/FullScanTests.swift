import GRDB
import Logging
import Testing
@testable import XieshangService
import XieshangTestSupport

/// Statements that read a whole table are told of once each (`FullScans`).
@Suite("full table scans, told")
struct FullScanTests {
    @Test("a query or a write that no index serves, over 12,000 rows, is told of; the same table searched through its index, and a scan of a small table, are not")
    func fullScansTold() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            let session = SQLiteSession(db)
            _ = try session.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, note TEXT NOT NULL)")
            _ = try session.execute("CREATE INDEX visits_by_member ON visits(member_id) WHERE member_id != 0")
            _ = try session.execute("CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            for n in 0..<12_000 { _ = try session.execute("INSERT INTO visits (member_id, note) VALUES (?, ?)", [n % 300, "第\(n)次"]) }
            for n in 0..<100 { _ = try session.execute("INSERT INTO rooms (name) VALUES (?)", ["议事室\(n)"]) }

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

    @Test("what is found before the host hands in its logger waits for it; each statement is logged once with its SQL and counted every time")
    func toldThroughTheHostsLogger() throws {
        let queue = try DatabaseQueue()
        let scans = FullScans()
        let lines = CapturedLog()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            for n in 0..<10_500 { try db.execute(sql: "INSERT INTO notes (body) VALUES (?)", arguments: ["第\(n)条"]) }
            // The statements are stepped here, not through SQLiteSession, whose own check
            // would read and reset SQLite's count first.
            func run(_ sql: String, _ arguments: StatementArguments = []) throws {
                let statement = try db.cachedStatement(sql: sql)
                _ = try Row.fetchAll(statement, arguments: arguments)
                scans.check(statement)
            }
            let before = "SELECT id FROM notes WHERE body = '第1条' /* before the logger */"
            let after = "SELECT id FROM notes WHERE body = '第2条' /* after the logger */"
            try run(before)
            #expect(scans.count == 1 && scans.told(before))
            #expect(lines.all.isEmpty)
            scans.report(to: lines.logger())
            #expect(lines.all.count == 1)
            try run(before)
            try run(after)
            try run("SELECT id FROM notes WHERE id = 5")
            #expect(scans.count == 3, "each run past the threshold is counted; a lookup by key is not")
            let told = lines.all
            try #require(told.count == 2, "\(told)")
            #expect(told[0].level == .warning && told[0].metadata["sql", default: ""].contains("before the logger") && told[0].message.contains("rows scanning a whole table"), "\(told[0].message)")
            #expect(told[1].metadata["sql", default: ""].contains("after the logger"))

            // A statement built with an IN list is one statement whatever the list's length:
            // told once, with its shape (a busy service builds thousands of such texts).
            try run("SELECT id FROM notes WHERE body IN (?, ?) AND length(body) > 0", ["第1条", "第2条"])
            try run("SELECT id FROM notes WHERE body IN (?,?,?) AND length(body) > 0", ["第1条", "第2条", "第3条"])
            try run("SELECT id FROM notes WHERE body IN (?) AND length(body) > 0", ["第1条"])
            #expect(scans.count == 6)
            let built = lines.all.dropFirst(2).map { $0.metadata["sql", default: ""] }
            #expect(built == ["SELECT id FROM notes WHERE body IN (?, …) AND length(body) > 0",
                              "SELECT id FROM notes WHERE body IN (?) AND length(body) > 0"], "\(built)")
        }
    }
}
