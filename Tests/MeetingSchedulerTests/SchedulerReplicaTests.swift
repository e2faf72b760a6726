import Foundation
import Synchronization
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// meeting-scheduler in two replicas on one PostgreSQL database (a throwaway server), each
/// following member-registry (on SQLite) into the shared copy of the registry, all as
/// processes.
@Suite("meeting-scheduler in replicas on PostgreSQL, as processes", .serialized)
struct SchedulerReplicaTests {
    /// The registry with the fifth term, a station, two rooms and the demo's members, and two
    /// scheduler replicas on `url`.
    private func start(_ server: PostgresServer, _ name: String) async throws -> (Deployment, ServiceProcess, ServiceProcess) {
        let d = try await Deployment.start(name, .scheduling, seed: [
            ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
            ["station", "add", "--name", "雄关街道委员工作站"],
            ["room", "add", "--name", "第一协商议事室", "--station", "1", "--capacity", "40", "--has", "all"],
            ["room", "add", "--name", "第二协商议事室", "--station", "1", "--capacity", "20"],
            ["member", "import", demoMembersCSV],
        ])
        let url = try await server.createDatabase(name.replacingOccurrences(of: "-", with: "_"))
        let wiring = ["--registry", d.registry.rpcEndpoint, "--registry-events", d.registry.eventEndpoint, "--database", url]
        let a = try await ServiceProcess("meeting-scheduler", dataDir: d.directory + "/scheduler-a", arguments: wiring)
        let b = try await ServiceProcess("meeting-scheduler", dataDir: d.directory + "/scheduler-b", arguments: wiring)
        return (d, a, b)
    }

    private static func client(_ endpoints: [String], _ caller: String) throws -> RPCClient {
        var configuration = RPCClientConfiguration(endpoints: endpoints, caller: caller)
        configuration.defaultTimeout = .seconds(30)
        return try RPCClient(configuration: configuration, context: testContext, logger: quietLogger())
    }

    private static func schedule(_ client: RPCClient, _ title: String, room: Int64, start: String, hours: Int64 = 2) async throws -> MeetingV1.Meeting {
        var meeting = MeetingV1.Meeting()
        meeting.title = title
        meeting.kind = .grassroots
        meeting.startMs = CommitteeMs.at(start)
        meeting.endMs = meeting.startMs + hours * 3_600_000
        meeting.roomID = room
        var request = MeetingV1.ScheduleMeetingRequest()
        request.meeting = meeting
        return try await client.call(MeetingV1.Meetings.schedule, request).meeting ?? MeetingV1.Meeting()
    }

    @Test("clients racing for one room and time through both replicas: exactly one wins, round after round; the outbox stays one gap-free sequence")
    func roomRaceAcrossReplicas() async throws {
        try await PostgresServer.with { server in
            let (d, a, b) = try await start(server, "sched-race")
            let endpoints = [a.rpcEndpoint, b.rpcEndpoint]
            for round in 0..<6 {
                let outcomes = RaceOutcomes()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<16 {
                        group.addTask {
                            // Each racer on one replica, half on each.
                            let client = try Self.client([endpoints[index % 2]], "racer-\(round)-\(index)")
                            do {
                                let won = try await Self.schedule(client, "第\(round)轮第\(index)号申请", room: 1, start: "2026-12-1\(round) 14:30")
                                outcomes.wins.withLock { $0.append(won.id) }
                            } catch let error as RPCError {
                                outcomes.refusals.withLock { $0.append(error.code) }
                            }
                            await client.close()
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(outcomes.wins.withLock { $0.count } == 1, "round \(round): one winner")
                #expect(outcomes.refusals.withLock { $0 } == Array(repeating: StatusCode.failedPrecondition, count: 15), "round \(round)")
                // The winner published through the other replica: one event each round.
                if let won = outcomes.wins.withLock({ $0.first }) {
                    let other = try Self.client([endpoints[(round + 1) % 2]], "publisher")
                    var publish = MeetingV1.PublishMeetingRequest()
                    publish.id = won
                    _ = try await other.call(MeetingV1.Meetings.publish, publish)
                    await other.close()
                }
            }
            // The database holds six bookings of room 1, none overlapping another.
            let overlapping = try await server.query("sched_race", """
                SELECT count(*) FROM meetings x JOIN meetings y ON x.id < y.id AND x.room_id = y.room_id
                WHERE x.status IN (1, 2) AND y.status IN (1, 2) AND x.start_ms < y.end_ms AND y.start_ms < x.end_ms
                """)
            #expect(overlapping == "0")
            #expect(try await server.query("sched_race", "SELECT count(*) FROM meetings WHERE room_id = 1") == "6")
            let outbox = try await server.query("sched_race", "SELECT count(*) || '/' || COALESCE(max(sequence), 0) FROM outbox")
            #expect(outbox == "6/6", "one event a round, numbered 1…6 without gaps: \(outbox)")
            for service in [a, b] { #expect(await service.stop() == 0) }
            _ = await d.stop()
        }
    }

    @Test("both replicas follow the registry into the one copy: each event applied once; a publish by group works through either")
    func sharedRegistryCopy() async throws {
        try await PostgresServer.with { server in
            let (d, a, b) = try await start(server, "sched-copy")
            // Both consumers apply the registry's events to one copy: the cursor's row makes
            // them take turns, so each member is in it once and the cursor is the registry's newest.
            let newest = try await Self.registryNewest(d)
            var copied = ""
            for _ in 0..<100 {
                copied = try await server.query("sched_copy", "SELECT (SELECT count(*) FROM registry_members) || '/' || (SELECT last_sequence FROM event_cursors WHERE source = 'member-registry')")
                if copied == "175/\(newest)" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(copied == "175/\(newest)")
            let both = try Self.client([a.rpcEndpoint, b.rpcEndpoint], "tests")
            for (index, group) in ["sector:经济界", "standing-committee"].enumerated() {
                var meeting = MeetingV1.Meeting()
                meeting.title = "协商座谈会\(index)"
                meeting.kind = .bimonthlyForum
                meeting.startMs = CommitteeMs.at("2026-12-2\(index) 09:00")
                meeting.endMs = meeting.startMs + 7_200_000
                meeting.venue = "市政协会议室"
                var ref = MeetingV1.GroupRef()
                if group.hasPrefix("sector:") {
                    ref.kind = .sector
                    ref.name = String(group.dropFirst(7))
                } else {
                    ref.kind = .standingCommittee
                }
                meeting.groups = [ref]
                var request = MeetingV1.ScheduleMeetingRequest()
                request.meeting = meeting
                let scheduled = try await both.call(MeetingV1.Meetings.schedule, request).meeting ?? MeetingV1.Meeting()
                var publish = MeetingV1.PublishMeetingRequest()
                publish.id = scheduled.id
                let published = try await both.call(MeetingV1.Meetings.publish, publish).meeting
                #expect((published?.inviteeCount ?? 0) > 0, "\(group)")
            }
            await both.close()
            for service in [a, b] { #expect(await service.stop() == 0) }
            _ = await d.stop()
        }
    }

    private static func registryNewest(_ d: Deployment) async throws -> UInt64 {
        let client = try client([d.registry.rpcEndpoint], "tests")
        var request = EventV1.SinceRequest()
        request.afterSequence = UInt64(Int64.max)
        let newest = try await client.call(EventV1.Events.since, request, options: .read).lastSequence
        await client.close()
        return newest
    }
}
