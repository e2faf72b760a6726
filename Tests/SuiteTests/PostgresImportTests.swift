import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// An office moving to PostgreSQL: each service's SQLite data, after real use, copied into a
/// database of its own with the service's own `--import-sqlite`, then the service started on
/// it. (The tracker's and the registry's moves have tests of their own, with their ids and
/// numbers going on.)
@Suite("the suite's data moved from SQLite into PostgreSQL", .serialized)
struct PostgresImportTests {
    @Test("meeting-scheduler, the notifier and duty-record, after a meeting is scheduled, published and notified: every table's rows copied, the outbox and its identity kept, each serving on PostgreSQL")
    func everyServiceMoves() async throws {
        try await PostgresServer.with { server in
            let d = try await Deployment.start("import-all", .all, seed: Deployment.office)
            let scheduled = try await d.json("meeting", "schedule", "--title", "关于老旧小区加装电梯的协商议事", "--kind", "协商议事活动",
                                             "--start", "2027-03-10 09:00", "--minutes", "90", "--room", "1", "--group", "sector:经济界")
            let meeting = (scheduled["id"] as? NSNumber)?.stringValue ?? "0"
            try await d.json("meeting", "invite", meeting, "--member", "12", "--member", "13")
            try await d.json("meeting", "publish", meeting)
            // The notifier has told member 12 (invited by name) before the services stop.
            var told = false
            for _ in 0..<100 where !told {
                let inbox = try await d.gateway("inbox", "--member", "12", "--json")
                told = inbox.stdout.contains("关于老旧小区加装电梯的协商议事")
                if !told { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(told, "the notifier told member 12")
            let before = [
                "meeting-scheduler": try await eventsSince(d.scheduler.rpcEndpoint),
                "notifier": try await eventsSince(d.notifier!.rpcEndpoint),
                "duty-record": try await eventsSince(d.duty!.rpcEndpoint),
            ]
            _ = await d.stop()

            for (service, folder) in [("meeting-scheduler", "scheduler"), ("notifier", "notifier"), ("duty-record", "duty")] {
                let database = folder + "_moved"
                let url = try await server.createDatabase(database)
                let flags = ["--insecure", "--database", url, "--rpc-endpoint", "tcp://127.0.0.1:*", "--metrics-address", "off"]
                    + (service == "meeting-scheduler" ? ["--event-endpoint", "tcp://127.0.0.1:*"] : [])
                let imported = try await runCommand(builtExecutable(service), flags + ["--data-dir", d.directory + "/" + folder, "--import-sqlite"])
                #expect(imported.status == 0, "\(service): \(imported.stderr)")
                #expect(imported.stdout.contains("under the same identity"), "\(service): \(imported.stdout)")

                // Every table holds in PostgreSQL the rows it held in SQLite.
                let sqlite = d.directory + "/" + folder + "/" + service + ".sqlite"
                let tables = try await server.query(database, """
                    SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
                      AND tablename NOT IN ('runtime_migrations', 'outbox_head', 'runtime_starts', 'runtime_identity') ORDER BY tablename
                    """).split(separator: "\n").map(String.init)
                #expect(tables.count >= 5, "\(service): \(tables)")
                var differences: [String] = []
                for table in tables {
                    let inSQLite = try await runCommand("/usr/bin/sqlite3", [sqlite, "SELECT count(*) FROM \(table)"]).stdout
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                    let inPostgres = try await server.query(database, "SELECT count(*) FROM \(table)")
                    if inSQLite != inPostgres { differences.append("\(table): \(inSQLite) in SQLite, \(inPostgres) in PostgreSQL") }
                }
                #expect(differences.isEmpty, "\(service): \(differences)")

                // On PostgreSQL now: healthy, with the same outbox under the same identity.
                let moved = try await ServiceProcess(service, dataDir: d.directory + "/" + folder + "-pg", arguments: ["--database", url])
                let client = try testClient([moved.rpcEndpoint])
                let health = try await client.call(RpcV1.Health.check, RpcV1.HealthCheckRequest())
                // The notifier and duty-record follow services that no longer run here: once a
                // catch-up with one has failed, health says so ("FAILING: cannot catch up", after
                // the storage's own part), which is no fault of the storage; anything else is.
                let parts = health.storageDetail.components(separatedBy: "; ")
                let storagePart = parts.first ?? ""
                let storageFine = storagePart.hasPrefix("postgres") && !storagePart.contains("unreachable") && !storagePart.contains("standby")
                let failures = health.storageDetail.components(separatedBy: "FAILING: ").dropFirst()
                let onlyCatchUp = !failures.isEmpty && failures.allSatisfy { $0.hasPrefix("cannot catch up") }
                #expect(storageFine && (health.storageOk || onlyCatchUp), "\(service): \(health.storageDetail)")
                await client.close()
                let after = try await eventsSince(moved.rpcEndpoint)
                #expect(after.sourceIdentity == before[service]?.sourceIdentity, "\(service)")
                #expect(after.events.map(\.payload) == before[service]?.events.map(\.payload), "\(service)")
                #expect(await moved.stop() == 0)
            }
            #expect(try await server.query("scheduler_moved", "SELECT count(*) FROM meetings") == "1")
            #expect(try await server.query("notifier_moved", "SELECT count(*) FROM notifications WHERE recipient_id = 12") != "0")
        }
    }
}
