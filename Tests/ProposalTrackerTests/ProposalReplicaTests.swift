import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// proposal-tracker in two replicas on one PostgreSQL database (a throwaway server), beside
/// the registry and the scheduler on SQLite, all as processes, driven by the gateway.
@Suite("proposal-tracker in replicas on PostgreSQL, as processes", .serialized)
struct ProposalReplicaTests {
    @Test("filings given to both replicas at once take consecutive numbers, each once; the replicas serve one set of proposals and one outbox")
    func filingAcrossReplicas() async throws {
        try await PostgresServer.with { server in
            let d = try await Deployment.start("tracker-pg", .scheduling, seed: Deployment.office)
            let url = try await server.createDatabase("tracker")
            let wiring = ["--registry", d.registry.rpcEndpoint, "--scheduler", d.scheduler.rpcEndpoint, "--database", url]
            let a = try await ServiceProcess("proposal-tracker", dataDir: d.directory + "/tracker-a", arguments: wiring)
            let b = try await ServiceProcess("proposal-tracker", dataDir: d.directory + "/tracker-b", arguments: wiring)

            let environment = d.environment
            func gateway(_ endpoint: String, _ arguments: [String]) async throws -> CommandResult {
                try await Self.gateway(environment, endpoint, arguments)
            }
            func json(_ endpoint: String, _ arguments: [String]) async throws -> [String: Any] {
                try await Self.json(environment, endpoint, arguments)
            }
            let both = "\(a.rpcEndpoint),\(b.rpcEndpoint)"

            // Twelve proposals by twelve members, written through either replica.
            var ids: [Int] = []
            for (index, member) in (12..<24).enumerated() {
                let replica = index % 2 == 0 ? a.rpcEndpoint : b.rpcEndpoint
                let created = try await json(replica, ["proposal", "create", "--member", "\(member)", "--title", "关于第\(index + 1)件事的建议", "--body", "正文"])
                let id = (created["id"] as? NSNumber)?.intValue ?? -1
                _ = try await json(both, ["proposal", "act", "\(id)", "submit", "--as", "member:\(member)"])
                ids.append(id)
            }
            #expect(ids == Array(1...12))

            // Filed all at once, half through each replica.
            let (endpointA, endpointB) = (a.rpcEndpoint, b.rpcEndpoint)
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for (index, id) in ids.enumerated() {
                    group.addTask {
                        let filed = try await Self.json(environment, index % 2 == 0 ? endpointA : endpointB, ["proposal", "act", "\(id)", "file", "--as", "staff"])
                        return (filed["proposal"] as? [String: Any])?["number"] as? String ?? ""
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let year = ProposalProcessTests.yearSession
            #expect(Set(numbers) == Set((1...12).map { String(format: "5-%d-%04d", year, $0) }), "\(numbers.sorted())")

            // Either replica lists all twelve, filed; the outbox has one event per step, numbered
            // without gaps, the same from both.
            let listed = try await gateway(a.rpcEndpoint, ["proposal", "list", "--state", "filed"])
            let rows = ((try? listed.json()) as? [[String: Any]]) ?? []
            #expect(rows.count == 12, "\(listed.stdout.prefix(300)) \(listed.stderr)")
            var sequences: [[UInt64]] = []
            for endpoint in [a.rpcEndpoint, b.rpcEndpoint] {
                let client = try testClient([endpoint])
                var request = EventV1.SinceRequest()
                request.afterSequence = 0
                sequences.append(try await client.call(EventV1.Events.since, request, options: .read).events.map(\.sequence))
                await client.close()
            }
            #expect(sequences[0] == Array(1...36), "created, submitted and filed: 36 events")
            #expect(sequences[1] == sequences[0])
            #expect(try await server.query("tracker", "SELECT last FROM filing_counters") == "12")

            for service in [a, b] { #expect(await service.stop() == 0) }
            _ = await d.stop()
        }
    }

    @Test("a committee's SQLite data moved into PostgreSQL: all of it is there, filing numbers, ids and events go on, and a second import changes nothing")
    func importFromSQLite() async throws {
        try await PostgresServer.with { server in
            let d = try await Deployment.start("tracker-move", .core, seed: Deployment.office)
            let environment = d.environment
            let onSQLite = d.tracker!.rpcEndpoint
            for member in [12, 13, 14] {
                let created = try await Self.json(environment, onSQLite, ["proposal", "create", "--member", "\(member)", "--title", "委员\(member)的建议", "--body", "正文"])
                let id = (created["id"] as? NSNumber)?.intValue ?? -1
                _ = try await Self.json(environment, onSQLite, ["proposal", "act", "\(id)", "submit", "--as", "member:\(member)"])
                if member != 14 { _ = try await Self.json(environment, onSQLite, ["proposal", "act", "\(id)", "file", "--as", "staff"]) }
            }
            let before = try await eventsSince(onSQLite)
            #expect(before.events.count == 8)
            #expect(await d.tracker!.stop() == 0)

            let url = try await server.createDatabase("moved")
            let wiring = ["--insecure", "--registry", d.registry.rpcEndpoint, "--scheduler", d.scheduler.rpcEndpoint, "--database", url]
            let imported = try await runCommand(builtExecutable("proposal-tracker"), wiring + ["--data-dir", d.directory + "/tracker", "--import-sqlite"])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("proposals 3") && imported.stdout.contains("goes on from event 9"), "\(imported.stdout)")
            let again = try await runCommand(builtExecutable("proposal-tracker"), wiring + ["--data-dir", d.directory + "/tracker", "--import-sqlite"])
            #expect(again.status != 0)
            #expect(again.stderr.contains("already holds rows"), "\(again.stderr)")
            #expect(try await server.query("moved", "SELECT count(*) FROM proposals") == "3")
            // A database a tracker has started on is refused though it holds no rows: the
            // service may be serving still, and would write beside the import.
            let usedURL = try await server.createDatabase("used")
            let usedWiring = ["--insecure", "--registry", d.registry.rpcEndpoint, "--scheduler", d.scheduler.rpcEndpoint, "--database", usedURL]
            let early = try await ServiceProcess("proposal-tracker", dataDir: d.directory + "/tracker-used", arguments: Array(usedWiring.dropFirst()))
            // Killed: what matters here is that it counted its start. (Stopped with SIGTERM
            // within a second of being ready, a tracker on a new PostgreSQL database twice
            // did not exit in 20 s, in about 25 runs; not understood yet.)
            await early.stop(signal: SIGKILL)
            let late = try await runCommand(builtExecutable("proposal-tracker"), usedWiring + ["--data-dir", d.directory + "/tracker", "--import-sqlite"])
            #expect(late.status != 0)
            #expect(late.stderr.contains("proposal-tracker has already run on this database (1 time)"), "\(late.stderr)")
            #expect(try await server.query("used", "SELECT count(*) FROM proposals") == "0")

            let moved = try await ServiceProcess("proposal-tracker", dataDir: d.directory + "/tracker-pg", arguments: Array(wiring.dropFirst()))
            let third = try await Self.json(environment, moved.rpcEndpoint, ["proposal", "act", "3", "file", "--as", "staff"])
            #expect((third["proposal"] as? [String: Any])?["number"] as? String == String(format: "5-%d-0003", ProposalProcessTests.yearSession))
            let fourth = try await Self.json(environment, moved.rpcEndpoint, ["proposal", "create", "--member", "15", "--title", "迁移后的建议", "--body", "正文"])
            #expect((fourth["id"] as? NSNumber)?.intValue == 4)
            let after = try await eventsSince(moved.rpcEndpoint)
            #expect(after.events.map(\.sequence) == Array(1...10))
            #expect(after.sourceIdentity == before.sourceIdentity, "consumers see the same source")
            #expect(after.events.prefix(8).map(\.payload) == before.events.map(\.payload))
            #expect(await moved.stop() == 0)
            _ = await d.stop()
        }
    }

    /// The gateway with the tracker at `endpoint` (one replica, or both as a list).
    private static func gateway(_ environment: [String: String], _ endpoint: String, _ arguments: [String]) async throws -> CommandResult {
        try await runCommand(builtExecutable("gateway"), arguments + ["--json"],
                             environment: environment.merging(["XIESHANG_TRACKER_ENDPOINT": endpoint]) { $1 })
    }

    private static func json(_ environment: [String: String], _ endpoint: String, _ arguments: [String]) async throws -> [String: Any] {
        let result = try await gateway(environment, endpoint, arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return (try? result.json()) as? [String: Any] ?? [:]
    }
}
