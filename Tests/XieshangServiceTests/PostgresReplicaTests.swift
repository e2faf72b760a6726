import Foundation
import Synchronization
import Testing
import XieshangRPC
import XieshangService
import XieshangTestSupport
import XieshangWire

/// The runtime on PostgreSQL: its SQL layer, and the example service in two replicas
/// sharing one database on a throwaway server (real processes, real sockets).
@Suite("The runtime on PostgreSQL, the example service in replicas", .serialized)
struct PostgresReplicaTests {
    private func client(_ endpoints: [String], attempts: Int = 5) throws -> RPCClient {
        return try testClient(endpoints, timeout: .seconds(30), attempts: attempts)
    }

    @discardableResult
    private func add(_ client: RPCClient, _ text: String, requestID: String? = nil) async throws -> ExampleV1.Note {
        var request = ExampleV1.AddNoteRequest()
        request.text = text
        var options = CallOptions()
        options.requestID = requestID
        options.perAttemptTimeout = .seconds(3)
        return try await client.call(ExampleV1.Notes.add, request, options: options).note ?? ExampleV1.Note()
    }

    private func notes(_ client: RPCClient) async throws -> [ExampleV1.Note] {
        try await client.call(ExampleV1.Notes.list, ExampleV1.ListNotesRequest(), options: .read).notes
    }

    private func since(_ client: RPCClient, after: UInt64 = 0) async throws -> EventV1.SinceResponse {
        var request = EventV1.SinceRequest()
        request.afterSequence = after
        return try await client.call(EventV1.Events.since, request, options: .read)
    }

    private func replica(_ name: String, url: String, in directory: String) async throws -> ServiceProcess {
        try await ServiceProcess("xieshang-example", dataDir: directory + "/" + name, arguments: ["--database", url])
    }

    @Test("a PostgreSQL server that does not answer is a clear error at start, with libpq's own words")
    func serverNotThere() throws {
        var configuration = ServiceConfiguration(name: "kinds")
        configuration.databaseURL = "postgres://xieshang@127.0.0.1:1/none"
        var migrations = ServiceMigrations()
        migrations.add("kinds-1", sqlite: "CREATE TABLE kinds (id INTEGER PRIMARY KEY)", postgres: "CREATE TABLE kinds (id BIGINT PRIMARY KEY)")
        #expect {
            _ = try ServiceDatabase.open(configuration, migrations: migrations)
        } throws: { error in
            let text = "\(error)"
            return text.contains("cannot connect") && text.contains("port 1") && text.contains("refused")
        }
    }

    @Test("values go in and come back alike on both engines; a failed statement names its SQLSTATE and changes nothing")
    func sqlLayerOnBothEngines() async throws {
        try await PostgresServer.with { server in
            var migrations = ServiceMigrations()
            migrations.add("kinds-1", sqlite: "CREATE TABLE kinds (id INTEGER PRIMARY KEY, small INTEGER, big INTEGER, flag INTEGER, ratio REAL, words TEXT, bytes BLOB)",
                           postgres: "CREATE TABLE kinds (id BIGINT PRIMARY KEY, small INTEGER, big BIGINT, flag BOOLEAN, ratio DOUBLE PRECISION, words TEXT, bytes BYTEA)")
            var onPostgres = ServiceConfiguration(name: "kinds")
            onPostgres.databaseURL = try await server.createDatabase("kinds")
            let databases = [try ServiceDatabase.inMemory(migrations: migrations), try ServiceDatabase.open(onPostgres, migrations: migrations)]
            #expect(databases.map(\.engine) == [.sqlite, .postgres])
            let bytes: [UInt8] = [0, 1, 2, 0, 255, 39, 63]
            for database in databases {
                try await database.writeSession { sql in
                    try sql.execute("INSERT INTO kinds (id, small, big, flag, ratio, words, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                    [1, Int32(-7), Int64.min + 1, true, -2.5, "政协 'quoted' ? mark", bytes])
                    try sql.execute("INSERT INTO kinds (id) VALUES (?)", [2])
                }
                let rows = try await database.readSession { sql in
                    try sql.rows("SELECT id, small, big, flag, ratio, words, bytes, '?' AS mark FROM kinds ORDER BY id")
                }
                #expect(rows.count == 2)
                #expect(rows[0]["small"] as Int32 == -7)
                #expect(rows[0]["big"] as Int64 == Int64.min + 1)
                #expect(rows[0]["flag"] as Bool)
                #expect(rows[0]["ratio"] as Double == -2.5)
                #expect(rows[0]["words"] as String == "政协 'quoted' ? mark")
                #expect(rows[0]["bytes"] as [UInt8] == bytes)
                #expect(rows[0]["mark"] as String == "?")
                #expect(rows[1]["small"] as Int32? == nil)
                #expect(rows[1]["bytes"] as [UInt8]? == nil)

                // A duplicate key in the middle of a transaction: nothing of it is kept.
                await #expect(throws: (any Error).self) {
                    try await database.writeSession { sql in
                        try sql.execute("INSERT INTO kinds (id) VALUES (?)", [3])
                        try sql.execute("INSERT INTO kinds (id) VALUES (?)", [1])
                    }
                }
                let ids = try await database.readSession { sql in try sql.rows("SELECT id FROM kinds ORDER BY id").map { $0["id"] as Int64 } }
                #expect(ids == [1, 2])
            }
            let failure = await #expect(throws: PostgresError.self) {
                try await databases[1].writeSession { sql in try sql.execute("INSERT INTO kinds (id) VALUES (?)", [1]) }
            }
            #expect(failure?.sqlState == "23505")
            // A key the store did not check first is a change committed in between: asked
            // again, the store sees it.
            #expect(failure?.rpcError.code == .aborted)
            let syntax = await #expect(throws: PostgresError.self) {
                try await databases[1].writeSession { sql in try sql.execute("INSERT INTO nowhere (id) VALUES (?)", [1]) }
            }
            #expect(syntax?.sqlState == "42P01")
            #expect(syntax?.rpcError.code == .internal)
        }
    }

    @Test("a retry that lands on the other replica gets the stored reply: the note is added once")
    func retryOnOtherReplica() async throws {
        let directory = try temporaryDirectory("pg-retry")
        try await PostgresServer.with { server in
            let url = try await server.createDatabase("notes")
            let a = try await replica("a", url: url, in: directory)
            let b = try await replica("b", url: url, in: directory)
            let (toA, toB) = (try client([a.rpcEndpoint]), try client([b.rpcEndpoint]))

            let first = try await add(toA, "第一次", requestID: "call-1")
            let again = try await add(toB, "第一次", requestID: "call-1")
            #expect(again == first)
            #expect(try await notes(toB).map(\.text) == ["第一次"])
            #expect(try await since(toA).events.map(\.sequence) == [1])

            // The same call given to both replicas at once, twenty times: each applies once
            // (the later replica waits on the earlier's stored reply, then returns it).
            let pairs = try await withThrowingTaskGroup(of: (ExampleV1.Note, ExampleV1.Note).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        async let onA = add(toA, "同时 \(index)", requestID: "race-\(index)")
                        async let onB = add(toB, "同时 \(index)", requestID: "race-\(index)")
                        return (try await onA, try await onB)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(pairs.allSatisfy { $0.0 == $0.1 })
            let texts = try await notes(toA).map(\.text)
            #expect(texts.count == 21 && Set(texts).count == 21)
            #expect(try await since(toB).events.map(\.sequence) == Array(1...21))

            #expect(try await server.query("notes", "SELECT count(*) FROM rpc_replies") == "21")

            let health = try await toB.call(RpcV1.Health.check, RpcV1.HealthCheckRequest())
            #expect(health.storageOk)
            #expect(health.storageDetail.hasPrefix("postgres notes on socket"))
            for client in [toA, toB] { await client.close() }
            await a.stop()
            await b.stop()
        }
    }

    @Test("calls spread over both replicas make one gap-free outbox; each event is published once, by one replica; Since is the same from either")
    func oneOutboxPublishedOnce() async throws {
        let directory = try temporaryDirectory("pg-outbox")
        try await PostgresServer.with { server in
            let url = try await server.createDatabase("notes")
            let a = try await replica("a", url: url, in: directory)
            let b = try await replica("b", url: url, in: directory)

            let tap = try EventTap(context: testContext, endpoints: [a.eventEndpoint, b.eventEndpoint])
            defer { tap.close() }
            try await Task.sleep(for: .seconds(1.5))  // the lease taken, the subscriptions made

            let both = try client([a.rpcEndpoint, b.rpcEndpoint], attempts: 10)
            let count = 60
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask { try await add(both, "note \(index)") }
                }
                try await group.waitForAll()
            }
            let all = try await notes(both)
            #expect(all.count == count)
            #expect(Set(all.map(\.text)).count == count)

            let (toA, toB) = (try client([a.rpcEndpoint]), try client([b.rpcEndpoint]))
            let fromA = try await since(toA), fromB = try await since(toB)
            #expect(fromA.events.map(\.sequence) == Array(1...UInt64(count)))
            #expect(fromB.events.map(\.sequence) == fromA.events.map(\.sequence))
            #expect(fromA.sourceIdentity == fromB.sourceIdentity && !fromA.sourceIdentity.isEmpty)
            // Both replicas wrote some of them (the client spreads its calls).
            let authors = try await server.query("notes", "SELECT count(DISTINCT id) FROM notes")
            #expect(authors == "\(count)")

            let published = try tap.receive(for: .seconds(10)) { $0.count >= count }
            try await Task.sleep(for: .milliseconds(500))
            let late = try tap.receive(for: .milliseconds(300))
            let sequences = (published + late).map(\.sequence)
            #expect(sequences.count == count, "each event once, not once per replica")
            #expect(Set(sequences) == Set(1...UInt64(count)))
            for client in [both, toA, toB] { await client.close() }
            await a.stop()
            await b.stop()
        }
    }

    @Test("a replica SIGKILLed under load: every acknowledged note exists once, the load goes on through the other, which takes over publishing")
    func replicaKilledUnderLoad() async throws {
        let directory = try temporaryDirectory("pg-kill")
        try await PostgresServer.with { server in
            let url = try await server.createDatabase("notes")
            let a = try await replica("a", url: url, in: directory)
            try await Task.sleep(for: .seconds(1.2))  // a holds the publisher lease
            let b = try await replica("b", url: url, in: directory)
            let both = try client([a.rpcEndpoint, b.rpcEndpoint], attempts: 30)

            let acknowledged = Tally()
            let stop = Tally()
            let failures = Tally()
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for caller in 0..<4 {
                        group.addTask {
                            var index = 0
                            while stop.value == 0 {
                                do {
                                    try await add(both, "c\(caller)-\(index)")
                                    acknowledged.add("c\(caller)-\(index)")
                                } catch {
                                    failures.add("\(error)")
                                }
                                index += 1
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .seconds(1))
            let before = acknowledged.value
            #expect(await a.stop(signal: SIGKILL) == SIGKILL)
            try await Task.sleep(for: .seconds(3))
            stop.add("stop")
            await load.value
            #expect(acknowledged.value > before, "the load went on through the surviving replica")
            #expect(failures.names.isEmpty, "\(failures.names.prefix(3))")

            let toB = try client([b.rpcEndpoint])
            let stored = try await notes(toB).map(\.text)
            #expect(Set(stored).count == stored.count, "no note twice")
            #expect(Set(acknowledged.names).isSubset(of: Set(stored)), "every acknowledged note is there")
            var sequences: [UInt64] = []
            while true {
                let page = try await since(toB, after: sequences.last ?? 0)
                sequences += page.events.map(\.sequence)
                if page.events.isEmpty || sequences.last == page.lastSequence { break }
            }
            #expect(sequences == Array(1...UInt64(stored.count)), "one event per note, numbered without gaps (\(sequences.count) events, \(stored.count) notes)")

            // b took the lease over: a new note is published live on its socket.
            let tap = try EventTap(context: testContext, endpoints: [b.eventEndpoint])
            defer { tap.close() }
            try await Task.sleep(for: .seconds(2))
            _ = try await add(toB, "after the kill")
            let heard = try tap.receive(for: .seconds(10)) { !$0.isEmpty }
            #expect(heard.map(\.sequence) == [UInt64(stored.count + 1)])
            for client in [both, toB] { await client.close() }
            await b.stop()
        }
    }

    @Test("PostgreSQL restarted: health says unreachable while it is down, calls fail UNAVAILABLE, and the service recovers by itself")
    func serverRestart() async throws {
        let directory = try temporaryDirectory("pg-restart")
        try await PostgresServer.with { server in
            let url = try await server.createDatabase("notes")
            let a = try await replica("a", url: url, in: directory)
            let toA = try client([a.rpcEndpoint], attempts: 1)
            _ = try await add(toA, "before")

            await server.stop()
            let health = try await toA.call(RpcV1.Health.check, RpcV1.HealthCheckRequest())
            #expect(!health.storageOk)
            #expect(health.storageDetail.contains("unreachable"))
            let refused = await #expect(throws: RPCError.self) { try await add(toA, "while down") }
            #expect(refused?.code == .unavailable)

            try await server.start()
            // The pool's connections broke with the server: the first call on one may still fail
            // UNAVAILABLE, which a client retries (with the same request id) as it does any outage.
            let retrying = try client([a.rpcEndpoint], attempts: 10)
            _ = try await add(retrying, "after")
            await retrying.close()
            #expect(try await notes(toA).map(\.text) == ["before", "after"])
            #expect(try await toA.call(RpcV1.Health.check, RpcV1.HealthCheckRequest()).storageOk)
            await toA.close()
            await a.stop()
        }
    }

    @Test("over TCP with TLS: a service verifying the server (sslmode=verify-full) serves on it through encrypted connections; one whose root certificate did not sign the server's, or without TLS, is refused at start with the reason")
    func tls() async throws {
        let directory = try temporaryDirectory("pg-tls")
        try await PostgresServer.with { server in
            let (port, authority) = try await server.enableTLS()
            _ = try await server.createDatabase("notes")
            let onTCP = "postgresql://xieshang@localhost:\(port)/notes?sslmode=verify-full&sslrootcert=\(authority)"
            let service = try await replica("tls", url: onTCP, in: directory)
            let toService = try client([service.rpcEndpoint])
            _ = try await add(toService, "over TLS")
            #expect(try await notes(toService).map(\.text) == ["over TLS"])
            let encrypted = try await server.query("notes", """
                SELECT count(*) FILTER (WHERE s.ssl) || '/' || count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
                WHERE a.datname = 'notes' AND a.client_addr IS NOT NULL
                """)
            let parts = encrypted.split(separator: "/")
            #expect(parts.count == 2 && parts[0] == parts[1] && parts[0] != "0", "the service's connections all use TLS: \(encrypted)")
            await toService.close()
            #expect(await service.stop() == 0)

            let stranger = try await PostgresServer.certificateAuthority(in: directory, named: "stranger")
            let wiring = ["--insecure", "--data-dir", directory + "/refused", "--rpc-endpoint", "tcp://127.0.0.1:*", "--metrics-address", "off"]
            let unverified = try await runCommand(builtExecutable("xieshang-example"), wiring + [
                "--database", "postgresql://xieshang@localhost:\(port)/notes?sslmode=verify-full&sslrootcert=\(stranger)",
            ])
            #expect(unverified.status != 0)
            #expect(unverified.stderr.contains("certificate verify failed"), "\(unverified.stderr)")
            let plain = try await runCommand(builtExecutable("xieshang-example"), wiring + [
                "--database", "postgresql://xieshang@localhost:\(port)/notes?sslmode=disable",
            ])
            #expect(plain.status != 0)
            #expect(plain.stderr.contains("no encryption"), "\(plain.stderr)")
            #expect(try await server.query("notes", "SELECT count(*) FROM notes") == "1")
        }
    }

    @Test("a service with a migration for SQLite alone refuses a PostgreSQL database, and a database URL of another kind is refused, both with the reason")
    func refusals() async throws {
        let directory = try temporaryDirectory("pg-refusals")
        try await PostgresServer.with { server in
            var migrations = ServiceMigrations()
            migrations.add("things-1", sqlite: "CREATE TABLE things (id INTEGER PRIMARY KEY)", postgres: "CREATE TABLE things (id BIGINT PRIMARY KEY)")
            migrations.add("things-2-sqlite", sql: "CREATE VIRTUAL TABLE things_fts USING fts5(name)")
            var configuration = ServiceConfiguration(name: "things")
            configuration.databaseURL = try await server.createDatabase("things")
            let refused = #expect(throws: (any Error).self) { try ServiceDatabase.open(configuration, migrations: migrations) }
            #expect("\(refused.map { "\($0)" } ?? "")".contains("runs on SQLite only for now (its migration \"things-2-sqlite\""))
            #expect(try await server.query("things", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0", "nothing was created")

            let example = try await runCommand(builtExecutable("xieshang-example"), [
                "--insecure", "--data-dir", directory + "/e", "--database", "mysql://localhost/notes",
            ])
            #expect(example.status != 0)
            #expect(example.stderr.contains("must be sqlite: (a file under --data-dir) or a postgres:// URL"))
        }
    }
}

/// Names noted by concurrent tasks.
final class Tally: Sendable {
    private let noted = Mutex<[String]>([])
    func add(_ name: String) { noted.withLock { $0.append(name) } }
    var names: [String] { noted.withLock { $0 } }
    var value: Int { noted.withLock { $0.count } }
}
