import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// member-registry in two replicas on one PostgreSQL database (a throwaway server) beside the
/// same registry on SQLite, all as processes, driven by the gateway.
@Suite("member-registry in replicas on PostgreSQL, as processes", .serialized)
struct RegistryReplicaTests {
    @Test("two replicas serve one registry (as a role that only owns its database): the office's data written through either, search answering as on SQLite, one member number and one overlapping term won once, one gap-free outbox")
    func replicasServeOneRegistry() async throws {
        try await PostgresServer.with { server in
            // The registry's own role, no superuser: it owns its database, which is all its
            // migrations (pg_trgm, a trusted extension, among them) need.
            let url = try await server.createDatabase("registry", owner: "registry_office")
            let directory = try temporaryDirectory("registry-pg")
            let a = try await ServiceProcess("member-registry", dataDir: directory + "/a", arguments: ["--database", url])
            let b = try await ServiceProcess("member-registry", dataDir: directory + "/b", arguments: ["--database", url])
            let onSQLite = try await ServiceProcess("member-registry", dataDir: directory + "/sqlite")
            let (toA, toB, sqlite) = (Gateway(registry: a.rpcEndpoint), Gateway(registry: b.rpcEndpoint), Gateway(registry: onSQLite.rpcEndpoint))

            // The office's data, each step through one replica in turn, and the same on SQLite.
            for (index, arguments) in Deployment.office.enumerated() {
                try await (index % 2 == 0 ? toA : toB).json(arguments)
                try await sqlite.json(arguments)
            }
            let assigned = ["member", "assign", "3", "--room", "1"]
            try await toB.json(assigned)
            try await sqlite.json(assigned)

            // Search, filters and pages answer alike on both engines, from either replica.
            for (index, arguments) in [
                ["member", "search", "住房和城乡", "--all"], ["member", "search", "张伟", "--all"], ["member", "search", "局", "--all"],
                ["member", "search", "嘉峪关市教育", "--all", "--sector", "中共"], ["member", "search", "100%_", "--all"],
                ["member", "list", "--all", "--page-size", "7"], ["member", "list", "--all", "--room", "1"],
            ].enumerated() {
                let replica = index % 2 == 0 ? toA : toB
                let onPostgres = Self.ids(try await replica.json(arguments))
                #expect(onPostgres == Self.ids(try await sqlite.json(arguments)), "\(arguments)")
                if arguments[1] == "search" && arguments[2] != "100%_" { #expect(!onPostgres.isEmpty, "\(arguments)") }
            }
            #expect(Self.ids(try await toA.json(["member", "list", "--all", "--page-size", "500"])) == Array(1...175))

            // One member number, added through both replicas at once by eight callers: one wins.
            let environments = [toA.environment, toB.environment]
            let outcomes = try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await runCommand(builtExecutable("gateway"), [
                            "member", "add", "--number", "9001", "--name", "竞争者\(index)", "--sector", "中共", "--work-unit", "嘉峪关市第\(index)中学",
                        ], environment: environments[index % 2])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0.status == 0 }.count == 1, "\(outcomes.map(\.stderr))")
            #expect(outcomes.filter { $0.status != 0 }.allSatisfy { $0.stderr.contains("already exists") }, "\(outcomes.map(\.stderr))")
            #expect(try await server.query("registry", "SELECT count(*) FROM members WHERE member_number = '9001'") == "1")

            // Eight new terms overlapping each other, added through both replicas at once: one is added.
            let terms = try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await runCommand(builtExecutable("gateway"), [
                            "term", "add", "--number", "\(6 + index)", "--start", "\(2030 + index / 4)-0\(1 + index % 4)-15", "--end", "2034-01-14", "--current",
                        ], environment: environments[index % 2])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(terms.filter { $0.status == 0 }.count == 1, "\(terms.map(\.stderr))")
            #expect(try await server.query("registry", "SELECT count(*) FROM terms WHERE current = 1") == "1")

            // One outbox, numbered without gaps, the same from both replicas; the managed lists
            // are told first, as the directory's consumers need.
            let fromA = try await eventsSince(a.rpcEndpoint)
            let fromB = try await eventsSince(b.rpcEndpoint)
            #expect(fromA.events.map(\.sequence) == Array(1...UInt64(fromA.events.count)))
            #expect(fromB.events.map(\.sequence) == fromA.events.map(\.sequence))
            #expect(fromA.events.prefix(2).map(\.type) == ["catalog.changed", "catalog.changed"])
            #expect(fromA.events.filter { $0.type == "member.added" }.count == 176)
            // The same events as on SQLite, and the added member and the two terms (the new
            // current one, and the one it replaced).
            let onSQLiteTypes = try await eventsSince(onSQLite.rpcEndpoint).events.map(\.type)
            #expect(fromA.events.map(\.type) == onSQLiteTypes + ["member.added", "term.saved", "term.saved"], "\(fromA.events.suffix(4).map(\.type))")
            for service in [a, b, onSQLite] { #expect(await service.stop() == 0) }
        }
    }

    @Test("a committee's registry moved from SQLite into PostgreSQL: every member, room and event is there, ids and events go on, search works, a second import is refused")
    func importFromSQLite() async throws {
        try await PostgresServer.with { server in
            let directory = try temporaryDirectory("registry-move")
            let onSQLite = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
            let sqlite = Gateway(registry: onSQLite.rpcEndpoint)
            for arguments in Deployment.office { try await sqlite.json(arguments) }
            try await sqlite.json(["member", "assign", "3", "--room", "1"])
            try await sqlite.json(["member", "decide", "4", "--decision", "remove", "--meeting", "五届常委会第十次会议", "--date", "2024-03-01", "--note", "本人因工作调动离开本市"])
            let before = try await eventsSince(onSQLite.rpcEndpoint)
            #expect(await onSQLite.stop() == 0)

            let url = try await server.createDatabase("moved")
            let wiring = ["--insecure", "--database", url, "--rpc-endpoint", "tcp://127.0.0.1:*", "--event-endpoint", "tcp://127.0.0.1:*", "--metrics-address", "off"]
            // A file PostgreSQL's tables do not fit is refused whole, naming the column, and
            // leaves the database new: mended, the same import goes through.
            let file = directory + "/registry/member-registry.sqlite"
            _ = try await runCommand("/usr/bin/sqlite3", [file, "ALTER TABLE member_audit ADD COLUMN remark TEXT"])
            let misfit = try await runCommand(builtExecutable("member-registry"), wiring + ["--data-dir", directory + "/registry", "--import-sqlite"])
            #expect(misfit.status != 0)
            #expect(misfit.stderr.contains("member_audit.remark is in the SQLite database but not in PostgreSQL's; nothing was copied"), "\(misfit.stderr)")
            #expect(try await server.query("moved", "SELECT count(*) FROM members") == "0")
            _ = try await runCommand("/usr/bin/sqlite3", [file, "ALTER TABLE member_audit DROP COLUMN remark"])
            let imported = try await runCommand(builtExecutable("member-registry"), wiring + ["--data-dir", directory + "/registry", "--import-sqlite"])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("members 175") && imported.stdout.contains("goes on from event \(before.events.count + 1)"), "\(imported.stdout)")
            let again = try await runCommand(builtExecutable("member-registry"), wiring + ["--data-dir", directory + "/registry", "--import-sqlite"])
            #expect(again.status != 0)
            #expect(again.stderr.contains("already holds rows"), "\(again.stderr)")

            let moved = try await ServiceProcess("member-registry", dataDir: directory + "/registry-pg", arguments: ["--database", url])
            let gateway = Gateway(registry: moved.rpcEndpoint)
            let three = try await gateway.json(["member", "get", "3"])
            #expect((three["roomIDs"] as? [NSNumber])?.map(\.intValue) == [1], "\(three)")
            let four = try await gateway.json(["member", "get", "4"])
            #expect((four["decisions"] as? [Any])?.count == 1, "\(four)")
            #expect(Self.ids(try await gateway.json(["member", "search", "住房和城乡", "--all"])).count >= 1)
            let added = try await gateway.json(["member", "add", "--number", "9002", "--name", "新委员", "--sector", "中共", "--work-unit", "嘉峪关市第一中学"])
            #expect((added["id"] as? NSNumber)?.intValue == 176, "\(added)")
            let station = try await gateway.run(["station", "add", "--name", "新城镇委员工作站", "--json"])
            let saved = (try? station.json()) as? [[String: Any]]
            #expect((saved?.first?["id"] as? NSNumber)?.intValue == 2, "\(station.stdout) \(station.stderr)")
            let after = try await eventsSince(moved.rpcEndpoint)
            #expect(after.events.map(\.sequence) == Array(1...UInt64(before.events.count + 1)))
            #expect(after.sourceIdentity == before.sourceIdentity, "consumers see the same source")
            #expect(after.events.prefix(before.events.count).map(\.payload) == before.events.map(\.payload))
            #expect(await moved.stop() == 0)
        }
    }

    /// The member ids a `member list` or `member search` printed, in order.
    private static func ids(_ listed: [String: Any]) -> [Int] {
        ((listed["members"] as? [[String: Any]]) ?? []).map { ($0["id"] as? NSNumber)?.intValue ?? -1 }
    }
}
