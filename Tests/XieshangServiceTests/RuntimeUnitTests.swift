import Foundation
import GRDB
import Testing
import XieshangRPC
@testable import XieshangService
import XieshangTestSupport
import XieshangWire
import Logging
import ArgumentParser

@Suite("Service configuration")
struct ServiceOptionsTests {
    private func resolve(_ arguments: [String], _ environment: [String: String]) throws -> ServiceConfiguration {
        try ServiceOptions.parse(arguments + ["--insecure"]).resolve(
            name: "member-registry", version: "1", defaultRPC: "tcp://127.0.0.1:7101",
            defaultEvents: "tcp://127.0.0.1:7102", environment: environment)
    }

    @Test("flags win over XIESHANG_* variables, which win over defaults")
    func precedence() throws {
        let defaults = try resolve([], [:])
        #expect(defaults.rpcEndpoint == "tcp://127.0.0.1:7101")
        #expect(defaults.eventEndpoint == "tcp://127.0.0.1:7102")
        #expect(defaults.dataDir == "data/member-registry")
        #expect(defaults.logLevel == .info)
        #expect(defaults.maxInFlight == 512)

        let environment = ["XIESHANG_RPC_ENDPOINT": "tcp://0.0.0.0:9000", "XIESHANG_DATA_DIR": "/var/lib/x",
                           "XIESHANG_LOG_LEVEL": "DEBUG", "XIESHANG_MAX_IN_FLIGHT": "64"]
        let fromEnvironment = try resolve([], environment)
        #expect(fromEnvironment.rpcEndpoint == "tcp://0.0.0.0:9000")
        #expect(fromEnvironment.dataDir == "/var/lib/x")
        #expect(fromEnvironment.logLevel == .debug)
        #expect(fromEnvironment.maxInFlight == 64)

        let fromFlags = try resolve(["--rpc-endpoint", "ipc:///tmp/r", "--max-in-flight", "8"], environment)
        #expect(fromFlags.rpcEndpoint == "ipc:///tmp/r")
        #expect(fromFlags.maxInFlight == 8)
        #expect(fromFlags.dataDir == "/var/lib/x")
    }

    @Test("CURVE keys or an explicit --insecure: neither, or both, is refused")
    func securityMode() throws {
        func mode(_ arguments: [String], _ environment: [String: String]) throws -> SecurityMode {
            try ServiceOptions.parse(arguments).resolve(
                name: "member-registry", version: "1", defaultRPC: "tcp://127.0.0.1:7101", defaultEvents: nil,
                environment: environment).security
        }
        #expect { try mode([], [:]) } throws: { "\($0)".contains("needs CURVE keys: pass --keys DIR") }
        #expect(throws: (any Error).self) { try mode(["--keys", "/k", "--insecure"], [:]) }
        #expect(throws: (any Error).self) { try mode([], ["XIESHANG_KEYS_DIR": "/k", "XIESHANG_INSECURE": "1"]) }
        guard case .keys(let folder) = try mode([], ["XIESHANG_KEYS_DIR": "/etc/xieshang/keys"]) else {
            Issue.record("XIESHANG_KEYS_DIR did not give CURVE")
            return
        }
        #expect(folder.path == "/etc/xieshang/keys")
        guard case .insecure = try mode([], ["XIESHANG_INSECURE": "true"]) else {
            Issue.record("XIESHANG_INSECURE did not give insecure")
            return
        }
        // Off is off (keys still required), and a misspelling is refused rather than read as off.
        #expect { try mode([], ["XIESHANG_INSECURE": "no"]) } throws: { "\($0)".contains("needs CURVE keys") }
        #expect { try mode([], ["XIESHANG_INSECURE": "maybe"]) } throws: { "\($0)".contains("XIESHANG_INSECURE=\"maybe\"") }
    }

    @Test("bad settings are refused with a clear message")
    func validation() throws {
        #expect(throws: (any Error).self) { try resolve(["--log-level", "loud"], [:]) }
        #expect(throws: (any Error).self) { try resolve(["--rpc-endpoint", "127.0.0.1:80"], [:]) }
        #expect(throws: (any Error).self) { try resolve(["--max-in-flight", "0"], [:]) }
        #expect(throws: (any Error).self) { try resolve([], ["XIESHANG_MAX_IN_FLIGHT": "many"]) }
        // The database cap: at least 1 MiB, at most 16 TiB (a byte count that cannot wrap).
        #expect(throws: (any Error).self) { try resolve(["--max-database-mb", "0"], [:]) }
        #expect(throws: (any Error).self) { try resolve(["--max-database-mb", "9999999999999999"], [:]) }
        #expect(throws: (any Error).self) { try resolve([], ["XIESHANG_MAX_DATABASE_MB": "lots"]) }
        #expect((try? resolve(["--max-database-mb", "64"], [:]))?.maxDatabaseBytes == 64 << 20)
        #expect((try? resolve([], ["XIESHANG_MAX_DATABASE_MB": "2"]))?.maxDatabaseBytes == 2 << 20)
        // On/off variables: the spellings every program takes, and a misspelling refused by name.
        #expect(try resolve([], ["XIESHANG_ALLOW_EMPTY_DATABASE": "true"]).allowEmptyDatabase)
        #expect(try !resolve([], ["XIESHANG_ALLOW_EMPTY_DATABASE": "0"]).allowEmptyDatabase)
        #expect { try resolve([], ["XIESHANG_ALLOW_EMPTY_DATABASE": "yse"]) } throws: {
            ($0 as? ValidationError)?.message.contains("XIESHANG_ALLOW_EMPTY_DATABASE=\"yse\" is neither on") == true
        }
        #expect { try resolve([], ["XIESHANG_MAX_IN_FLIGHT": "many"]) } throws: {
            ($0 as? ValidationError)?.message == "XIESHANG_MAX_IN_FLIGHT=\"many\" is not a whole number"
        }
    }
}

@Suite("Idempotent writes and the outbox, on SQLite")
struct StorageTests {
    static let thingAdded = WireEvent<WiretestV1.Inner>("thing.added")

    private static var migrations: ServiceMigrations {
        var migrations = ServiceMigrations()
        migrations.add("things-1") { db in
            try db.execute(sql: "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        }
        return migrations
    }

    private func context(_ requestID: String, principal: String = "staff-1", method: String = "thing.v1.Things/Add") -> RPCCallContext {
        RPCCallContext(method: method, requestID: requestID, deadline: .now + .seconds(5),
                       principal: Principal(name: principal, role: .staff))
    }

    private func reply(_ label: String) -> WiretestV1.Inner {
        var inner = WiretestV1.Inner()
        inner.label = label
        return inner
    }

    @Test("a repeated request id returns the stored reply and changes nothing again")
    func storedReply() async throws {
        let database = try ServiceDatabase.inMemory(migrations: Self.migrations)
        let runs = Counter()
        let add: @Sendable (Database) throws -> WiretestV1.Inner = { db in
            runs.increment()
            try db.execute(sql: "INSERT INTO things (name) VALUES ('a')")
            return WiretestV1.Inner(label: "thing \(db.lastInsertedRowID)")
        }
        let first = try await database.idempotent(context("r-1"), add)
        let again = try await database.idempotent(context("r-1"), add)
        #expect(first.reply.label == "thing 1")
        #expect(!first.replayed)
        #expect(again.reply == first.reply)
        #expect(again.replayed)
        #expect(runs.count == 1)
        // Another caller's request id is its own.
        let other = try await database.idempotent(context("r-1", principal: "staff-2"), add)
        #expect(other.reply.label == "thing 2")
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM things") } == 2)
    }

    @Test("a member's key makes at most its quota of changes a day; the office is not limited; a repeat is not a new change")
    func changeQuota() async throws {
        let database = try ServiceDatabase.inMemory(migrations: Self.migrations)
        let quota = try #require(ServiceDatabase.changesPerDay(.member))
        #expect(ServiceDatabase.changesPerDay(.staff) == nil && ServiceDatabase.changesPerDay(.service) == nil)
        let add: @Sendable (Database) throws -> WiretestV1.Inner = { db in
            try db.execute(sql: "INSERT INTO things (name) VALUES ('m')")
            return WiretestV1.Inner(label: "ok")
        }
        func member(_ requestID: String) -> RPCCallContext {
            RPCCallContext(method: "thing.v1.Things/Add", requestID: requestID, deadline: .now + .seconds(5),
                           principal: Principal(name: "12", role: .member))
        }
        for index in 0..<quota { _ = try await database.idempotent(member("m-\(index)"), add) }
        // A retry of an acknowledged change still gets its stored reply.
        #expect(try await database.idempotent(member("m-0"), add).replayed)
        do {
            _ = try await database.idempotent(member("m-over"), add)
            Issue.record("the change past the quota was made")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted && error.message.contains("member:12"), "\(error)")
        }
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM things") } == quota)
        // Staff are not limited by the members' quota.
        _ = try await database.idempotent(context("s-1"), add)
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM things") } == quota + 1)
    }

    @Test("written first (the hot path's small changes): a retry's change is rolled back and the stored reply answers, whether its checks or the reply's key refuse it; calls of one request id at once apply once")
    func writtenFirst() async throws {
        let database = try ServiceDatabase.inMemory(migrations: Self.migrations)
        let runs = Counter()
        func call(_ requestID: String, _ change: @escaping @Sendable (any SQLSession) throws -> WiretestV1.Inner) async throws -> (reply: WiretestV1.Inner, replayed: Bool) {
            try await database.idempotentSession(context(requestID), readStoredFirst: false) { session in
                runs.increment()
                return try change(session)
            }
        }
        // Refused by the reply's key: the retry's change runs again (nothing is read before
        // it) and what it wrote is rolled back.
        let add: @Sendable (any SQLSession) throws -> WiretestV1.Inner = { session in
            let id = try session.value("INSERT INTO things (name) VALUES ('same') RETURNING id", as: Int64.self) ?? 0
            return WiretestV1.Inner(label: "thing \(id)")
        }
        let first = try await call("r-same", add)
        let again = try await call("r-same", add)
        #expect(!first.replayed && again.replayed && again.reply == first.reply)
        #expect(runs.count == 2)
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM things") } == 1)

        // Refused by its own checks, as a booking finds its own room taken.
        let addOnce: @Sendable (any SQLSession) throws -> WiretestV1.Inner = { session in
            if try session.value("SELECT COUNT(*) FROM things WHERE name = 'once'", as: Int.self) != 0 {
                throw RPCError(.alreadyExists, "once is there")
            }
            let id = try session.value("INSERT INTO things (name) VALUES ('once') RETURNING id", as: Int64.self) ?? 0
            return WiretestV1.Inner(label: "thing \(id)")
        }
        let booked = try await call("r-once", addOnce)
        let retried = try await call("r-once", addOnce)
        #expect(retried.replayed && retried.reply == booked.reply)
        // Another request id gets the refusal itself; a request id of another method, its own refusal.
        await #expect(throws: RPCError(.alreadyExists, "once is there")) { _ = try await call("r-other", addOnce) }
        let reused = await #expect(throws: RPCError.self) {
            _ = try await database.idempotentSession(self.context("r-once", method: "thing.v1.Things/Delete"), readStoredFirst: false) { _ in
                WiretestV1.Inner()
            }
        }
        #expect(reused?.code == .failedPrecondition)

        // Sixteen calls of one new request id at once (in one group transaction or several):
        // one applies, the others get its reply.
        let outcomes = try await withThrowingTaskGroup(of: (WiretestV1.Inner, Bool).self) { group in
            for _ in 0..<16 { group.addTask { try await call("r-many", add) } }
            var outcomes: [(WiretestV1.Inner, Bool)] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(Set(outcomes.map(\.0)).count == 1)
        #expect(outcomes.filter { !$0.1 }.count == 1)
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM things WHERE name = 'same'") } == 2)
    }

    @Test("a request id reused for another method is refused")
    func methodMismatch() async throws {
        let database = try ServiceDatabase.inMemory(migrations: Self.migrations)
        _ = try await database.idempotent(context("r-1")) { _ in WiretestV1.Inner(label: "x") }
        let error = await #expect(throws: RPCError.self) {
            _ = try await database.idempotent(context("r-1", method: "thing.v1.Things/Delete")) { _ in WiretestV1.Inner() }
        }
        #expect(error?.code == .failedPrecondition)
    }

    @Test("a change that fails stores nothing, so the retry runs it again")
    func failureStoresNothing() async throws {
        let database = try ServiceDatabase.inMemory(migrations: Self.migrations)
        let outbox = EventOutbox(source: "things", database: database)
        await #expect(throws: RPCError(.invalidArgument, "refused after a partial change")) {
            _ = try await database.idempotent(context("r-1")) { db -> WiretestV1.Inner in
                try db.execute(sql: "INSERT INTO things (name) VALUES ('half')")
                try outbox.append(Self.thingAdded, WiretestV1.Inner(label: "half"), in: db)
                throw RPCError(.invalidArgument, "refused after a partial change")
            }
        }
        #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM things") } == 0)
        #expect(try outbox.events(after: 0).events.isEmpty)
        let retried = try await database.idempotent(context("r-1")) { _ in WiretestV1.Inner(label: "ok") }
        #expect(!retried.replayed)
    }

    @Test("a database a newer release migrated is refused by an older binary, unchanged, naming the steps it does not know")
    func newerDatabaseRefused() async throws {
        let directory = try temporaryDirectory("newer-database")
        var newer = Self.migrations
        newer.add("things-2-colours", sql: "CREATE TABLE colours (name TEXT NOT NULL)")
        do {
            let database = try ServiceDatabase.open(dataDir: directory, name: "things", migrations: newer)
            try await database.write { try $0.execute(sql: "INSERT INTO colours (name) VALUES ('红')") }
        }
        // The first holder lets go of the folder's lock once its last reference is gone.
        func open(_ migrations: ServiceMigrations) async throws -> ServiceDatabase {
            for _ in 0..<100 {
                do {
                    return try ServiceDatabase.open(dataDir: directory, name: "things", migrations: migrations)
                } catch let error as ServiceDatabase.OpenError where error.reason.contains("another things process") {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            return try ServiceDatabase.open(dataDir: directory, name: "things", migrations: migrations)
        }
        await #expect {
            _ = try await open(Self.migrations)
        } throws: { error in
            "\(error)".contains("newer release") && "\(error)".contains("things-2-colours")
        }
        // Nothing was changed: the newer release opens it as it was.
        let again = try await open(newer)
        #expect(try await again.read { try String.fetchAll($0, sql: "SELECT name FROM colours") } == ["红"])
    }

    @Test("concurrent writes share transactions, and one that fails rolls back alone")
    func groupCommit() async throws {
        let directory = try temporaryDirectory("group-commit")
        let database = try ServiceDatabase.open(dataDir: directory, name: "things", migrations: Self.migrations)
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<60 {
                group.addTask {
                    do {
                        _ = try await database.idempotent(self.context("r-\(index)")) { db -> WiretestV1.Inner in
                            try db.execute(sql: "INSERT INTO things (name) VALUES (?)", arguments: ["n\(index)"])
                            if index % 7 == 0 { throw RPCError(.invalidArgument, "refused after writing") }
                            return WiretestV1.Inner(label: "n\(index)")
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var outcomes: [Bool] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.filter { $0 }.count == 51)
        let names = try await database.read { try String.fetchAll($0, sql: "SELECT name FROM things ORDER BY id") }
        #expect(names.count == 51)
        #expect(!names.contains("n0") && !names.contains("n7") && names.contains("n8"))
        let replies = try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM rpc_replies") }
        #expect(replies == 51)
        // What the metrics tell: sixty writes, in fewer transactions (those arriving while
        // one commits wait for the next together).
        let totals = database.groupCommit.totals
        #expect(totals.writes == 60)
        #expect(totals.transactions >= 1 && totals.transactions < 60, "\(totals.transactions) transactions for 60 concurrent writes")
    }

    @Test("a call's savepoint journal is kept in memory, and a call that changed hundreds of pages then failed rolls back alone")
    func savepointJournalInMemory() async throws {
        let directory = try temporaryDirectory("subjournal")
        let database = try ServiceDatabase.open(dataDir: directory, name: "things", migrations: Self.migrations)
        // Rows enough that the page changes of each call pass the 64 KiB SQLite keeps of a
        // sub-journal before it writes one to a temporary file.
        try await database.write { db in
            for index in 0..<2_000 { try db.execute(sql: "INSERT INTO things (name) VALUES (?)", arguments: [String(repeating: "旧", count: 60) + "\(index)"]) }
        }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<6 {
                group.addTask {
                    do {
                        _ = try await database.idempotent(self.context("big-\(index)")) { db -> WiretestV1.Inner in
                            try db.execute(sql: "UPDATE things SET name = ? || id WHERE id % 6 = ?", arguments: [String(repeating: "新\(index)", count: 40), index])
                            if index == 3 { throw RPCError(.invalidArgument, "refused after rewriting a sixth of the table") }
                            return WiretestV1.Inner(label: "b\(index)")
                        }
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            var outcomes: [Int: Bool] = [:]
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
        #expect(outcomes == [0: true, 1: true, 2: true, 3: false, 4: true, 5: true])
        let (rewritten, untouched, stores) = try await database.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM things WHERE name LIKE '新%'") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM things WHERE id % 6 = 3 AND name LIKE '旧%'") ?? -1,
             try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? -1)
        }
        // Ids 1 to 2,000: 333 of them leave 3 when divided by 6 (3, 9, …, 1,995).
        #expect(untouched == 333)
        #expect(rewritten == 2_000 - 333)
        let writerStore = try await database.write { try Int.fetchOne($0, sql: "PRAGMA temp_store") }
        #expect(stores == 2 && writerStore == 2, "temp_store MEMORY on every connection")
    }

    @Test("events get gap-free sequence numbers and are served in order, in batches")
    func outboxOrder() async throws {
        let directory = try temporaryDirectory("outbox")
        let database = try ServiceDatabase.open(dataDir: directory, name: "things", migrations: Self.migrations)
        let outbox = EventOutbox(source: "things", database: database)
        for index in 1...1_205 {
            _ = try await database.write { db in
                try outbox.append(Self.thingAdded, WiretestV1.Inner(label: "n\(index)"), in: db)
            }
        }
        let first = try outbox.events(after: 0)
        #expect(first.events.count == EventOutbox.maxBatch)
        #expect(first.lastSequence == 1_205)
        let rest = try outbox.events(after: first.events.last!.sequence, limit: 5_000)
        let all = first.events + rest.events
        #expect(all.map(\.sequence) == Array(1...1_205))
        #expect(all.allSatisfy { $0.source == "things" && $0.payloadType == "xieshang.wiretest.v1.Inner" })
        #expect(try WiretestV1.Inner(decoding: all[41].payload).label == "n42")
        #expect(try outbox.events(after: 1_200, limit: 2).events.map(\.sequence) == [1_201, 1_202])
        // The file is WAL, as Health/Check reports.
        let health = await database.healthCheck()
        #expect(health.ok)
        #expect(health.detail.contains("wal"))
    }

    @Test("a data directory that cannot be made, or a file that is not a database, is a clear error")
    func openErrors() throws {
        let blocker = try temporaryDirectory("open-errors") + "/plain-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        #expect {
            try ServiceDatabase.open(dataDir: blocker + "/data", name: "things", migrations: Self.migrations)
        } throws: { error in
            "\(error)".hasPrefix("cannot open the database at \(blocker)/data: cannot create the data directory")
        }
        let directory = try temporaryDirectory("not-a-database")
        let garbage = [UInt8](repeating: 0x5A, count: 8192)
        try Data(garbage).write(to: URL(fileURLWithPath: directory + "/things.sqlite"))
        #expect {
            try ServiceDatabase.open(dataDir: directory, name: "things", migrations: Self.migrations)
        } throws: { error in
            "\(error)" == "cannot open the database at \(directory)/things.sqlite: file is not a database"
        }
        // Nothing was changed: the garbage is still there, byte for byte.
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/things.sqlite")) == Data(garbage))
    }
}

extension WiretestV1.Inner {
    init(label: String) {
        self.init()
        self.label = label
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    @discardableResult func increment() -> Int { value.withLock { $0 += 1; return $0 } }
    var count: Int { value.withLock { $0 } }
}

import Synchronization

@Suite("SQL sessions on SQLite")
struct SQLiteSessionTests {
    @Test("a statement's columns are known once and stay right: the same query again, and `SELECT *` after a column is added")
    func statementShapes() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            let session = SQLiteSession(db)
            try session.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
            try session.execute("INSERT INTO notes (text) VALUES (?), (?)", ["一", "二"])
            let first = try session.rows("SELECT * FROM notes ORDER BY id")
            let again = try session.rows("SELECT * FROM notes ORDER BY id")
            #expect(first.map { $0["text"] as String } == ["一", "二"])
            #expect(again.first?.shape === first.first?.shape, "the same statement's columns, built once")
            try session.execute("ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")
            try session.execute("UPDATE notes SET pinned = 1 WHERE id = 2")
            let widened = try session.rows("SELECT * FROM notes ORDER BY id")
            #expect(widened.first?.columns == ["id", "text", "pinned"])
            #expect(widened.map { $0["pinned"] as Int64 } == [0, 1])
            // Another query has its own columns.
            #expect(try session.rows("SELECT text AS body, id FROM notes WHERE id = ?", [1]).first?.columns == ["body", "id"])
        }
    }

    @Test("every kind of value comes back as stored: NULL (first of its row too), integers at their limits, reals, Chinese text, blobs empty and not")
    func valuesReadBack() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            let session = SQLiteSession(db)
            try session.execute("CREATE TABLE v (n, i, r, t, b)")
            let text = "政协委员 🙂"
            let rows: [[SQLValue]] = [
                [.null, .integer(Int64.min), .real(-0.5), .text(text), .blob([0, 255, 7])],
                [.null, .integer(Int64.max), .real(1e300), .text(""), .blob([])],
            ]
            for row in rows { try session.execute("INSERT INTO v VALUES (?, ?, ?, ?, ?)", row) }
            let read = try session.rows("SELECT n, i, r, t, b FROM v ORDER BY rowid")
            #expect(read.map(\.values) == rows)
            #expect(read.first.map { $0["t"] as String } == text)
            #expect(try session.value("SELECT n FROM v", as: Int64.self) == nil)
            #expect(try session.column("SELECT b FROM v ORDER BY rowid", as: [UInt8].self) == [[0, 255, 7], []])
            #expect(try session.rows("SELECT * FROM v WHERE 0").isEmpty)
        }
    }

    @Test("a cached statement run again binds only its new values; a wrong count of values is refused and the statement still runs; text keeps an embedded NUL")
    func bindingsReplaced() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            let session = SQLiteSession(db)
            try session.execute("CREATE TABLE v (a, b)")
            let insert = "INSERT INTO v (a, b) VALUES (?, ?)"
            try session.execute(insert, [Int64(1), "一"])
            try session.execute(insert, [SQLValue.null, [UInt8]([9])])
            try session.execute(insert, [2.5, "a\u{0}b"])
            for wrong: [any SQLValueConvertible] in [[Int64(3)], [Int64(3), "x", "y"], []] {
                #expect(throws: DatabaseError.self) { try session.execute(insert, wrong) }
            }
            try session.execute(insert, [Int64(4), ""])
            let read = try session.rows("SELECT a, b FROM v WHERE a IS NULL OR a != ? ORDER BY rowid", [Int64(2)])
            #expect(read.map(\.values) == [
                [.integer(1), .text("一")], [.null, .blob([9])], [.real(2.5), .text("a\u{0}b")], [.integer(4), .text("")],
            ])
            #expect(try session.value("SELECT length(CAST(b AS BLOB)) FROM v WHERE a = 2.5", as: Int64.self) == 3)
            #expect(try session.value("SELECT COUNT(*) FROM v", as: Int64.self) == 4, "the refused runs wrote nothing")
        }
    }

    @Test("a savepoint that throws undoes only its own writes, nested or not, again and again; outside a transaction one still works")
    func savepoints() throws {
        struct Refused: Error {}
        let queue = try DatabaseQueue()
        try queue.writeWithoutTransaction { db in
            let session = SQLiteSession(db)
            try session.execute("CREATE TABLE t (n INTEGER NOT NULL)")
            // Outside a transaction: GRDB's, which opens one.
            _ = try session.savepoint { try session.execute("INSERT INTO t VALUES (1)") }
            #expect(!db.isInsideTransaction)
            try db.inTransaction {
                for round in 0..<3 {
                    try session.savepoint {
                        try session.execute("INSERT INTO t VALUES (?)", [Int64(10 + round)])
                        #expect(throws: Refused.self) {
                            try session.savepoint {
                                try session.execute("INSERT INTO t VALUES (?)", [Int64(100 + round)])
                                throw Refused()
                            }
                        }
                    }
                    #expect(throws: Refused.self) {
                        try session.savepoint {
                            try session.execute("INSERT INTO t VALUES (?)", [Int64(200 + round)])
                            throw Refused()
                        }
                    }
                }
                #expect(db.isInsideTransaction, "the transaction goes on")
                return .commit
            }
            #expect(try session.column("SELECT n FROM t ORDER BY n", as: Int64.self) == [1, 10, 11, 12])
        }
    }

    @Test("an insert returns the key of the row it wrote, after rows deleted and keys given by hand; one that writes no row, or two, is an error")
    func insertReturnsKey() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            let session = SQLiteSession(db)
            try session.execute("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)")
            let insert = "INSERT INTO t (name) VALUES (?)"
            #expect(try session.insert(insert, ["一"], returning: "id") == 1)
            #expect(try session.insert(insert, ["二"], returning: "id") == 2)
            try session.execute("DELETE FROM t WHERE id = 2")
            try session.execute("INSERT INTO t (id, name) VALUES (10, '十')")
            #expect(try session.insert(insert, ["十一"], returning: "id") == 11)
            #expect(try session.value("SELECT name FROM t WHERE id = 11", as: String.self) == "十一")
            #expect(throws: RPCError.self) { try session.insert("INSERT INTO t (name) SELECT name FROM t WHERE 0", [], returning: "id") }
            #expect(throws: RPCError.self) { try session.insert("INSERT INTO t (name) SELECT name FROM t WHERE id IN (1, 10)", [], returning: "id") }
        }
    }
}
