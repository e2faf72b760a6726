import Foundation
import GRDB
import Logging
import Testing
import XieshangRPC
import XieshangService
import XieshangTestSupport
import XieshangWire

/// The example service started as a real process, called over real sockets.
@Suite("The example service as a real process", .serialized)
struct ExampleServiceProcessTests {
    private func client(_ endpoint: String, attempts: Int = 5) throws -> RPCClient {
        return try testClient([endpoint], timeout: .seconds(15), attempts: attempts)
    }

    private func add(_ client: RPCClient, _ text: String, options: CallOptions = CallOptions()) async throws -> ExampleV1.Note {
        var request = ExampleV1.AddNoteRequest()
        request.text = text
        return try await client.call(ExampleV1.Notes.add, request, options: options).note ?? ExampleV1.Note()
    }

    private func notes(_ client: RPCClient) async throws -> [ExampleV1.Note] {
        try await client.call(ExampleV1.Notes.list, ExampleV1.ListNotesRequest(), options: .read).notes
    }

    @Test("it serves, reports its storage, refuses bad input without changing anything, and stops on SIGTERM")
    func servesAndStops() async throws {
        let service = try await ServiceProcess("xieshang-example", dataDir: try temporaryDirectory("example"))
        let client = try client(service.rpcEndpoint)
        let note = try await add(client, "第五届委员会第三次会议")
        #expect(note.id == 1)
        #expect(note.author == "local")

        let bad = await #expect(throws: RPCError.self) { try await add(client, "   ") }
        #expect(bad?.code == .invalidArgument)
        #expect(bad?.violations.first?.field == "text")
        #expect(try await notes(client).map(\.text) == ["第五届委员会第三次会议"])

        let health = try await client.call(RpcV1.Health.check, RpcV1.HealthCheckRequest())
        #expect(health.service == "example-notes")
        #expect(health.storageOk)
        #expect(health.storageDetail.contains("example-notes.sqlite (wal)"))
        let described = try await client.call(RpcV1.Reflection.describe, RpcV1.DescribeRequest())
        #expect(described.methods.first { $0.name == "example.v1.Notes/Add" }?.mutating == true)
        #expect(described.methods.contains { $0.name == "event.v1.Events/Since" })
        await client.close()
        #expect(await service.stop(signal: SIGTERM) == 0)
    }

    @Test("a crash after the commit loses no write: the retry gets the stored reply and the change happens once")
    func retryAfterCrash() async throws {
        let service = try await ServiceProcess(
            "xieshang-example", dataDir: try temporaryDirectory("crash"),
            arguments: ["--crash-after-commit", "crash here"])
        let client = try client(service.rpcEndpoint, attempts: 20)
        _ = try await add(client, "before")

        // The call commits, then the process dies before replying; restart it on the same
        // endpoint and data while the client retries with the same request id.
        async let reply = add(client, "crash here")
        #expect(await service.waitForExit() == SIGKILL)
        try await service.start()
        let note = try await reply
        #expect(note.text == "crash here")

        let all = try await notes(client)
        #expect(all.map(\.text) == ["before", "crash here"])
        #expect(all.last?.id == note.id)
        await client.close()
        await service.stop()
    }

    @Test("a consumer stopped while events were written catches up: none lost, none applied twice")
    func consumerCatchesUp() async throws {
        let service = try await ServiceProcess("xieshang-example", dataDir: try temporaryDirectory("source"))
        let sourceClient = try client(service.rpcEndpoint, attempts: 20)
        let consumerDirectory = try temporaryDirectory("consumer")
        var migrations = ServiceMigrations()
        migrations.add("seen-1") { db in
            // A second application of an event would break this primary key and the count.
            try db.execute(sql: "CREATE TABLE seen (sequence INTEGER PRIMARY KEY, note_id INTEGER NOT NULL)")
        }
        let database = try ServiceDatabase.open(dataDir: consumerDirectory, name: "consumer", migrations: migrations)
        let applications = Counter()

        func startConsumer() -> (EventConsumer, Task<Void, any Error>) {
            let consumer = EventConsumer(
                source: "example-notes", eventEndpoint: service.eventEndpoint, sourceClient: sourceClient,
                database: database, context: testContext, logger: quietLogger(), idleCatchUp: .milliseconds(200)
            ) { event, db in
                applications.increment()
                let added = try ExampleV1.NoteAdded(decoding: event.payload)
                try db.execute(sql: "INSERT INTO seen (sequence, note_id) VALUES (?, ?)",
                               arguments: [Int64(event.sequence), added.note?.id ?? 0])
            }
            return (consumer, Task { try await consumer.run() })
        }
        func waitFor(_ consumer: EventConsumer, cursor: UInt64) async throws {
            let started = ContinuousClock.now
            while try await consumer.cursor() < cursor {
                guard ContinuousClock.now - started < .seconds(20) else { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await consumer.cursor() == cursor)
        }

        var (consumer, running) = startConsumer()
        for index in 1...10 { _ = try await add(sourceClient, "live \(index)") }
        try await waitFor(consumer, cursor: 10)

        running.cancel()
        try await running.value
        for index in 1...15 { _ = try await add(sourceClient, "while stopped \(index)") }

        // The source crashes and comes back too; the consumer must still converge.
        await service.stop(signal: SIGKILL)
        try await service.start()
        (consumer, running) = startConsumer()
        for index in 1...5 { _ = try await add(sourceClient, "after restart \(index)") }
        try await waitFor(consumer, cursor: 30)

        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, note_id FROM seen ORDER BY sequence").map { (sequence: $0["sequence"] as Int64, note: $0["note_id"] as Int64) }
        }
        #expect(rows.map(\.sequence) == Array(1...30))
        #expect(rows.map(\.note) == Array(1...30))
        #expect(applications.count == 30)

        running.cancel()
        try await running.value
        await sourceClient.close()
        await service.stop()
    }

    @Test("an event the consumer's logic keeps failing on is set aside, and later events still flow")
    func poisonEventSetAside() async throws {
        struct Refused: Error {}
        let service = try await ServiceProcess("xieshang-example", dataDir: try temporaryDirectory("poison-source"))
        let sourceClient = try client(service.rpcEndpoint, attempts: 20)
        var migrations = ServiceMigrations()
        migrations.add("seen-1") { db in
            try db.execute(sql: "CREATE TABLE seen (sequence INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        }
        let database = try ServiceDatabase.open(
            dataDir: try temporaryDirectory("poison-consumer"), name: "consumer", migrations: migrations)
        let poisonAttempts = Counter()
        let log = CapturedLog()
        let consumer = EventConsumer(
            source: "example-notes", eventEndpoint: service.eventEndpoint, sourceClient: sourceClient,
            database: database, context: testContext, logger: log.logger(), idleCatchUp: .milliseconds(100)
        ) { event, db in
            let added = try ExampleV1.NoteAdded(decoding: event.payload)
            let text = added.note?.text ?? ""
            if text == "poison" {
                poisonAttempts.increment()
                throw Refused()
            }
            try db.execute(sql: "INSERT INTO seen (sequence, text) VALUES (?, ?)", arguments: [Int64(event.sequence), text])
        }
        let running = Task { try await consumer.run() }
        for text in ["before", "poison", "after"] { _ = try await add(sourceClient, text) }

        let started = ContinuousClock.now
        while try await consumer.cursor() < 3, ContinuousClock.now - started < .seconds(20) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await consumer.cursor() == 3)
        let seen = try await database.read { db in try String.fetchAll(db, sql: "SELECT text FROM seen ORDER BY sequence") }
        #expect(seen == ["before", "after"])
        let setAside = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT source, sequence, type FROM event_failures").map { (source: $0["source"] as String, sequence: $0["sequence"] as Int64) }
        }
        #expect(setAside.count == 1)
        #expect(setAside.first?.sequence == 2)
        #expect(setAside.first?.source == "example-notes")
        #expect(poisonAttempts.count == EventConsumer.attemptsBeforeSettingAside)
        // What an operator sees: the list (Consumer/ListSetAside) and the health detail.
        let listed = try await database.read { db in try EventConsumer.setAside(db, source: "example-notes", limit: 0) }
        #expect(listed.total == 1)
        #expect(listed.events.map(\.sequence) == [2])
        #expect(listed.events.first?.type == "note.added")
        #expect(listed.events.first?.error.contains("Refused") == true)
        #expect(try await database.read { db in try EventConsumer.setAside(db, source: "elsewhere", limit: 0) }.total == 0)
        let health = await database.healthCheck()
        #expect(health.ok && health.detail.contains("1 event set aside"), "\(health.detail)")
        // What the log says: the failed tries (the catch-up's, a warning), then the setting
        // aside, at error, naming the event.
        let retries = log.all.filter { $0.message.hasSuffix("failed; will retry") && $0.metadata["error"] == "Refused()" }
        let setAsideLines = log.all.filter { $0.level == .error && $0.message == "set an event aside after repeated failures" }
        #expect(!retries.isEmpty, "\(log.all.map(\.message))")
        #expect(setAsideLines.count == 1 && setAsideLines.first?.metadata["event.sequence"] == "2" && setAsideLines.first?.metadata["event.type"] == "note.added",
                "\(setAsideLines)")

        running.cancel()
        try await running.value
        await sourceClient.close()
        await service.stop()
    }

    @Test("a consumer far behind applies a caught-up batch together; one event of it its logic refuses is tried three times and set aside, the rest applied once")
    func poisonInCaughtUpBatch() async throws {
        struct Refused: Error {}
        let service = try await ServiceProcess("xieshang-example", dataDir: try temporaryDirectory("batch-source"))
        let sourceClient = try client(service.rpcEndpoint, attempts: 20)
        // Written before the consumer starts: its first catch-up brings them in one batch.
        let texts = (1...40).map { $0 == 17 ? "poison" : "note \($0)" }
        for text in texts { _ = try await add(sourceClient, text) }
        var migrations = ServiceMigrations()
        migrations.add("seen-1") { db in
            try db.execute(sql: "CREATE TABLE seen (sequence INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        }
        let database = try ServiceDatabase.open(dataDir: try temporaryDirectory("batch-consumer"), name: "consumer", migrations: migrations)
        let poisonAttempts = Counter()
        let applications = Counter()
        let log = CapturedLog()
        let consumer = EventConsumer(
            source: "example-notes", eventEndpoint: service.eventEndpoint, sourceClient: sourceClient,
            database: database, context: testContext, logger: log.logger(), idleCatchUp: .milliseconds(100)
        ) { event, db in
            let text = try ExampleV1.NoteAdded(decoding: event.payload).note?.text ?? ""
            if text == "poison" {
                poisonAttempts.increment()
                throw Refused()
            }
            applications.increment()
            try db.execute(sql: "INSERT INTO seen (sequence, text) VALUES (?, ?)", arguments: [Int64(event.sequence), text])
        }
        let running = Task { try await consumer.run() }
        let started = ContinuousClock.now
        while try await consumer.cursor() < 40, ContinuousClock.now - started < .seconds(20) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await consumer.cursor() == 40)
        let seen = try await database.read { db in try String.fetchAll(db, sql: "SELECT text FROM seen ORDER BY sequence") }
        #expect(seen == texts.filter { $0 != "poison" })
        #expect(poisonAttempts.count == EventConsumer.attemptsBeforeSettingAside)
        let setAside = try await database.read { db in try EventConsumer.setAside(db, source: "example-notes", limit: 0) }
        #expect(setAside.events.map(\.sequence) == [17])
        #expect(log.all.filter { $0.message == "set an event aside after repeated failures" }.map { $0.metadata["event.sequence"] } == ["17"])
        // The first batch was tried whole and rolled back at the poison, so the sixteen before
        // it were applied more than once by the logic — but stored once, in order.
        #expect(applications.count >= 39)

        running.cancel()
        try await running.value
        await sourceClient.close()
        await service.stop()
    }

    @Test("live events that arrive while the consumer is busy are applied together: a burst of 60 in a few transactions, each event once, in order")
    func liveBurstAppliedTogether() async throws {
        let service = try await ServiceProcess("xieshang-example", dataDir: try temporaryDirectory("burst-source"))
        let sourceClient = try client(service.rpcEndpoint, attempts: 20)
        var migrations = ServiceMigrations()
        migrations.add("seen-1") { db in
            try db.execute(sql: "CREATE TABLE seen (sequence INTEGER PRIMARY KEY, text TEXT NOT NULL, transaction_date REAL NOT NULL)")
        }
        let database = try ServiceDatabase.open(dataDir: try temporaryDirectory("burst-consumer"), name: "consumer", migrations: migrations)
        let released = Counter()
        let consumer = EventConsumer(
            source: "example-notes", eventEndpoint: service.eventEndpoint, sourceClient: sourceClient,
            // No idle catch-up during the burst: what is applied comes over PUB/SUB.
            database: database, context: testContext, logger: quietLogger(), idleCatchUp: .seconds(5)
        ) { event, db in
            let text = try ExampleV1.NoteAdded(decoding: event.payload).note?.text ?? ""
            // The first event holds the consumer's writer until the whole burst was sent (and
            // published), however long that takes on a loaded machine.
            if text == "slow" {
                let held = ContinuousClock.now
                while released.count == 0, ContinuousClock.now - held < .seconds(120) { Thread.sleep(forTimeInterval: 0.01) }
            }
            // Constant within one transaction (GRDB sets it at BEGIN): which events went together.
            try db.execute(sql: "INSERT INTO seen (sequence, text, transaction_date) VALUES (?, ?, ?)",
                           arguments: [Int64(event.sequence), text, try db.transactionDate.timeIntervalSince1970])
        }
        let running = Task { try await consumer.run() }
        // Connected and in step (the first catch-up found nothing) before the burst.
        let ready = ContinuousClock.now
        while !consumer.inStep(within: .seconds(60)), ContinuousClock.now - ready < .seconds(20) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(consumer.inStep(within: .seconds(60)))
        try await Task.sleep(for: .milliseconds(300))  // the SUB socket's subscription reaches the PUB
        let texts = ["slow"] + (1...60).map { "burst \($0)" }
        for text in texts { _ = try await add(sourceClient, text) }
        try await Task.sleep(for: .milliseconds(500))  // the last ones reach the SUB socket
        released.increment()

        let started = ContinuousClock.now
        while try await consumer.cursor() < 61, ContinuousClock.now - started < .seconds(20) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await consumer.cursor() == 61)
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT text, transaction_date FROM seen ORDER BY sequence")
                .map { (text: $0["text"] as String, transaction: $0["transaction_date"] as Double) }
        }
        #expect(rows.map(\.text) == texts)
        let transactions = Set(rows.map(\.transaction))
        // One for "slow"; what arrived meanwhile goes in one or a few more (a transaction an
        // event, before: 61).
        #expect(transactions.count <= 6, "the burst took \(transactions.count) transactions")

        running.cancel()
        try await running.value
        await sourceClient.close()
        await service.stop()
    }
}
