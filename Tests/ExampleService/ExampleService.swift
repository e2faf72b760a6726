// The example service: how a Xieshang service is written with the shared runtime, in a
// page. Notes can be added (a mutating, idempotent call that also writes an event) and
// listed. Its SQL is written for both engines, so it runs on SQLite (the default) and, in
// replicas, on PostgreSQL (`--database postgres://…`). The runtime's integration tests start
// it as a real process.
import ArgumentParser
import Foundation
import Logging
import XieshangRPC
import XieshangService
import XieshangWire
import XieshangZMQ

/// A whole service: its events, its schema, who may call what, and its methods.
struct Notes: RPCService {
    let database: ServiceDatabase
    let outbox: EventOutbox
    /// Test hook: the text of a note after whose commit the process dies.
    let crashAfterCommit: String?

    /// The one event this service writes, declared once.
    static let added = WireEvent<ExampleV1.NoteAdded>("note.added")

    /// The schema, as named migrations, for each engine.
    static var migrations: ServiceMigrations {
        var migrations = ServiceMigrations()
        migrations.add("notes-1-create", sqlite: """
            CREATE TABLE notes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                text TEXT NOT NULL,
                author TEXT NOT NULL,
                created_at_ms INTEGER NOT NULL)
            """, postgres: """
            CREATE TABLE notes (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                text TEXT NOT NULL,
                author TEXT NOT NULL,
                created_at_ms BIGINT NOT NULL)
            """)
        return migrations
    }

    /// Everyone authenticated adds and lists notes; the events are the administrators'.
    static var permissions: MethodPermissions {
        var p = MethodPermissions()
        p.allow(MethodPermissions.everyone, ExampleV1.Notes.add.name, ExampleV1.Notes.list.name)
        p.allow([.admin], EventV1.Events.since.name)
        return p
    }

    func register(into handlers: inout RPCHandlers) {
        let (database, outbox, crashAfterCommit) = (database, outbox, crashAfterCommit)
        handlers.register(ExampleV1.Notes.add, mutating: true) { request, context in
            // Validate first: bad input gets every problem at once and changes nothing.
            let text = request.text.trimmingCharacters(in: .whitespacesAndNewlines)
            var problems: [(String, String)] = []
            if text.isEmpty { problems.append(("text", "must not be empty")) }
            if text.count > 500 { problems.append(("text", "must be at most 500 characters, not \(text.count)")) }
            if !problems.isEmpty { throw RPCError.invalidArgument(problems) }

            // The change, its event and the stored reply commit together, once per request id.
            let (reply, replayed) = try await database.idempotentSession(context) { sql in
                var note = ExampleV1.Note()
                note.text = text
                note.author = context.principal.name
                note.createdAtMs = Date.nowMilliseconds
                note.id = try sql.value(
                    "INSERT INTO notes (text, author, created_at_ms) VALUES (?, ?, ?) RETURNING id",
                    [note.text, note.author, note.createdAtMs]) ?? 0
                var added = ExampleV1.NoteAdded()
                added.note = note
                try outbox.append(Notes.added, added, in: sql, traceID: context.traceID)
                var response = ExampleV1.AddNoteResponse()
                response.note = note
                return response
            }
            // Test hook: die after the commit and before the reply leaves, as a crash would.
            if !replayed, let crashAfterCommit, text == crashAfterCommit { kill(getpid(), SIGKILL) }
            return reply
        }
        handlers.register(ExampleV1.Notes.list) { _, _ in
            var response = ExampleV1.ListNotesResponse()
            response.notes = try await database.readSession { sql in
                try sql.rows("SELECT id, text, author, created_at_ms FROM notes ORDER BY id").map { row in
                    var note = ExampleV1.Note()
                    note.id = row["id"]
                    note.text = row["text"]
                    note.author = row["author"]
                    note.createdAtMs = row["created_at_ms"]
                    return note
                }
            }
            return response
        }
    }
}

@main
struct ExampleServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xieshang-example", abstract: "The runtime's example service (notes).")

    @OptionGroup var options: ServiceOptions

    @Option(help: .hidden) var crashAfterCommit: String?

    func run() async throws {
        let configuration = try options.resolve(
            name: "example-notes", version: "0.1.0",
            defaultRPC: "tcp://127.0.0.1:*", defaultEvents: "tcp://127.0.0.1:*")
        ServiceLogging.bootstrap(configuration)
        if try configuration.importSQLiteIfAsked(migrations: Notes.migrations) { return }
        let crash = crashAfterCommit
        let host = try ServiceHost(
            configuration: configuration, migrations: Notes.migrations,
            context: try ZMQContext(), logger: Logger(label: configuration.name)
        ) { database, outbox in
            Notes(database: database, outbox: outbox, crashAfterCommit: crash)
        }
        try await host.run()
    }
}
