import Foundation
import Synchronization
import Testing
import XieshangRPC
import XieshangService
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

    /// How many pairs of active bookings of one room overlap in `database` (the scheduler's).
    private static func overlappingBookings(_ server: PostgresServer, _ database: String) async throws -> String {
        try await server.query(database, """
            SELECT count(*) FROM meetings x JOIN meetings y ON x.id < y.id AND x.room_id = y.room_id AND x.room_id != 0
            WHERE x.status IN (1, 2) AND y.status IN (1, 2) AND x.start_ms < y.end_ms AND y.start_ms < x.end_ms
            """)
    }

    /// The newest event of `database`'s outbox, expecting every number up to it there once.
    private static func newestOfGapFreeOutbox(_ server: PostgresServer, _ database: String) async throws -> String {
        let outbox = try await server.query(database, "SELECT count(*) || '/' || COALESCE(max(sequence), 0) FROM outbox")
        let newest = outbox.split(separator: "/").last.map(String.init) ?? ""
        #expect(outbox == "\(newest)/\(newest)", "one gap-free outbox: \(outbox)")
        return newest
    }

    /// The last event of `source` that `database`'s consumers applied, once it is `newest` (or
    /// after 20 s).
    private static func applied(_ server: PostgresServer, _ database: String, from source: String, upTo newest: String) async throws -> String {
        try await server.query(database, "SELECT last_sequence FROM event_cursors WHERE source = '\(source)'", until: newest)
    }

    private static func client(_ endpoints: [String], _ caller: String) throws -> RPCClient {
        return try testClient(endpoints, caller: caller, timeout: .seconds(30))
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
            #expect(try await Self.overlappingBookings(server, "sched_race") == "0")
            #expect(try await server.query("sched_race", "SELECT count(*) FROM meetings WHERE room_id = 1") == "6")
            let outbox = try await server.query("sched_race", "SELECT count(*) || '/' || COALESCE(max(sequence), 0) FROM outbox")
            #expect(outbox == "6/6", "one event a round, numbered 1…6 without gaps: \(outbox)")
            for service in [a, b] { #expect(await service.stop() == 0) }
            _ = await d.stop()
        }
    }

    @Test("both replicas follow the registry into the one copy (and duty-record's two into theirs): each event applied once; a publish by group works through either")
    func sharedRegistryCopy() async throws {
        try await PostgresServer.with { server in
            let (d, a, b) = try await start(server, "sched-copy")
            // Both consumers apply the registry's events to one copy: the cursor's row makes
            // them take turns, so each member is in it once and the cursor is the registry's newest.
            let newest = try await Self.registryNewest(d)
            let copied = try await server.query("sched_copy", "SELECT (SELECT count(*) FROM registry_members) || '/' || (SELECT last_sequence FROM event_cursors WHERE source = 'member-registry')",
                                                until: "175/\(newest)", within: 10)
            #expect(copied == "175/\(newest)")
            // duty-record in two replicas on a database of its own follows the registry the same way.
            let duty = try await server.createDatabase("duty")
            let dutyWiring = ["--registry", d.registry.rpcEndpoint, "--registry-events", d.registry.eventEndpoint,
                              "--scheduler", "\(a.rpcEndpoint),\(b.rpcEndpoint)", "--scheduler-events", "\(a.eventEndpoint),\(b.eventEndpoint)",
                              "--database", duty]
            let dutyA = try await ServiceProcess("duty-record", dataDir: d.directory + "/duty-a", arguments: dutyWiring)
            let dutyB = try await ServiceProcess("duty-record", dataDir: d.directory + "/duty-b", arguments: dutyWiring)
            let followed = try await server.query("duty", "SELECT (SELECT count(*) FROM members) || '/' || (SELECT last_sequence FROM event_cursors WHERE source = 'member-registry')",
                                                  until: "175/\(newest)", within: 10)
            #expect(followed == "175/\(newest)", "duty-record's replicas hold each member once")
            for service in [dutyA, dutyB] { #expect(await service.stop() == 0) }
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

    @Test("replicas SIGKILLed three times under load: every acknowledged meeting exists once, no room is double-booked, and the notifier (two replicas too) gets every event once")
    func replicaKilledUnderLoad() async throws {
        try await PostgresServer.with { server in
            let (d, a, b) = try await start(server, "sched-kill")
            let schedulers = "\(a.rpcEndpoint),\(b.rpcEndpoint)"
            let events = "\(a.eventEndpoint),\(b.eventEndpoint)"
            let tracker = try await ServiceProcess("proposal-tracker", dataDir: d.directory + "/tracker",
                                                   arguments: ["--registry", d.registry.rpcEndpoint, "--scheduler", schedulers])
            // The notifier in two replicas on a database of its own.
            let notify = try await server.createDatabase("notify")
            var notifiers: [ServiceProcess] = []
            for name in ["notifier-a", "notifier-b"] {
                notifiers.append(try await ServiceProcess("notifier", dataDir: d.directory + "/" + name, arguments: [
                    "--registry", d.registry.rpcEndpoint, "--registry-events", d.registry.eventEndpoint,
                    "--scheduler", schedulers, "--scheduler-events", events,
                    "--tracker", tracker.rpcEndpoint, "--tracker-events", tracker.eventEndpoint, "--database", notify,
                ]))
            }
            let both = try testClient([a.rpcEndpoint, b.rpcEndpoint], caller: "load", timeout: .seconds(60), attempts: 40)

            // Four callers schedule and publish to 经济界 (15 members), each meeting in a
            // two-hour slot of its own, alternating the two rooms.
            let state = LoadState()
            let base = CommitteeMs.at("2027-01-04 08:00")
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for caller in 0..<4 {
                        group.addTask {
                            var index = 0
                            while !state.stop.load(ordering: .relaxed) {
                                let title = "第\(caller)-\(index)次协商"
                                index += 1
                                let n = state.slot.add(1, ordering: .relaxed).newValue
                                var meeting = MeetingV1.Meeting()
                                meeting.title = title
                                meeting.kind = .grassroots
                                meeting.roomID = n % 2 + 1
                                meeting.startMs = base + n * 3 * 3_600_000
                                meeting.endMs = meeting.startMs + 2 * 3_600_000
                                var group = MeetingV1.GroupRef()
                                group.kind = .sector
                                group.name = "经济界"
                                meeting.groups = [group]
                                var request = MeetingV1.ScheduleMeetingRequest()
                                request.meeting = meeting
                                do {
                                    let scheduled = try await both.call(MeetingV1.Meetings.schedule, request).meeting ?? MeetingV1.Meeting()
                                    state.acknowledged.withLock { $0[title] = false }
                                    var publish = MeetingV1.PublishMeetingRequest()
                                    publish.id = scheduled.id
                                    _ = try await both.call(MeetingV1.Meetings.publish, publish)
                                    state.acknowledged.withLock { $0[title] = true }
                                } catch {
                                    state.failures.withLock { $0.append("\(title): \(error)") }
                                }
                            }
                        }
                    }
                }
            }
            // a (the first started, so the publisher), then b (by then publishing), then a again.
            for victim in [a, b, a] {
                try await Task.sleep(for: .milliseconds(1500))
                #expect(await victim.stop(signal: SIGKILL) == SIGKILL)
                try await Task.sleep(for: .milliseconds(1000))
                try await victim.start()
            }
            try await Task.sleep(for: .milliseconds(1500))
            state.stop.store(true, ordering: .relaxed)
            await load.value
            await both.close()
            let acked = state.acknowledged.withLock { $0 }
            #expect(state.failures.withLock { $0 }.isEmpty, "\(state.failures.withLock { $0.prefix(3) })")
            #expect(acked.count > 20, "the load went on: \(acked.count) meetings")

            // Each acknowledged meeting once; published ones published; no room held twice.
            let stored = try await server.query("sched_kill", "SELECT title || '|' || status FROM meetings ORDER BY id")
                .split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
            let titles = stored.map(\.[0])
            #expect(Set(titles).count == titles.count, "no meeting twice")
            for (title, published) in acked {
                let row = stored.first { $0[0] == title }
                #expect(row != nil, "\(title) was acknowledged and is there")
                if published { #expect(row?[1] == "\(MeetingV1.MeetingStatus.published.rawValue)", "\(title) is published") }
            }
            #expect(try await Self.overlappingBookings(server, "sched_kill") == "0")
            let newest = try await Self.newestOfGapFreeOutbox(server, "sched_kill")
            let publishedEvents = try await server.query("sched_kill", "SELECT count(*) FROM outbox WHERE type = 'meeting.published'")

            // The notifier's two replicas follow both schedulers into one inbox: its cursor
            // reaches the newest event, and it told each of the 15 members of each published
            // meeting once.
            #expect(try await Self.applied(server, "notify", from: "meeting-scheduler", upTo: newest) == newest, "the notifier applied every event")
            let told = try await server.query("notify", """
                SELECT count(DISTINCT sequence) || '/' || count(*) FROM notifications WHERE source = 'meeting-scheduler' AND rule = 'meeting.published→invitees'
                """)
            #expect(told == "\(publishedEvents)/\((Int(publishedEvents) ?? 0) * 15)", "each publication once, to its 15 members: \(told)")

            for service in notifiers + [tracker, a, b] { _ = await service.stop() }
            _ = await d.stop()
        }
    }

    @Test("loadtest against the scheduling side all in replicas on PostgreSQL (registry, scheduler, notifier, two each), scheduler replicas SIGKILLed three times and a registry replica once: every acknowledged meeting exists once, no room double-booked, every event told once")
    func suiteInReplicasUnderLoadtest() async throws {
        try await PostgresServer.with { server in
            let directory = try temporaryDirectory("replicas-loadtest")
            // Each service its own role that owns its database and is no superuser.
            let (registryURL, schedulerURL, notifierURL) = (try await server.createDatabase("reg", owner: "registry_role"),
                                                            try await server.createDatabase("sched", owner: "scheduler_role"),
                                                            try await server.createDatabase("notify", owner: "notifier_role"))
            var registries: [ServiceProcess] = []
            for name in ["registry-a", "registry-b"] {
                registries.append(try await ServiceProcess("member-registry", dataDir: directory + "/" + name, arguments: ["--database", registryURL]))
            }
            let registryCalls = registries.map(\.rpcEndpoint).joined(separator: ",")
            let registryEvents = registries.map(\.eventEndpoint).joined(separator: ",")
            var schedulers: [ServiceProcess] = []
            for name in ["scheduler-a", "scheduler-b"] {
                schedulers.append(try await ServiceProcess("meeting-scheduler", dataDir: directory + "/" + name, arguments: [
                    "--registry", registryCalls, "--registry-events", registryEvents, "--database", schedulerURL,
                ]))
            }
            let (a, b) = (schedulers[0], schedulers[1])
            let schedulerCalls = "\(a.rpcEndpoint),\(b.rpcEndpoint)"
            var notifiers: [ServiceProcess] = []
            for name in ["notifier-a", "notifier-b"] {
                notifiers.append(try await ServiceProcess("notifier", dataDir: directory + "/" + name, arguments: [
                    "--registry", registryCalls, "--registry-events", registryEvents,
                    "--scheduler", schedulerCalls, "--scheduler-events", "\(a.eventEndpoint),\(b.eventEndpoint)", "--database", notifierURL,
                ]))
            }

            let load = try BackgroundLoad([
                "--scheduler", schedulerCalls, "--registry", registryCalls,
                "--concurrency", "6", "--duration", "16", "--warmup", "0", "--mix", "schedule=1",
                "--rooms", "3", "--members", "20", "--timeout-ms", "3000"], in: directory)
            for _ in 0..<600 where load.acknowledged().count < 10 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(load.acknowledged().count >= 10, "the load started: \(load.progress())")
            // a (the publisher, started first), b (publishing by then), a again; and one of the
            // registry's replicas, which both schedulers' copies and calls then do without.
            for victim in [a, b, a] {
                #expect(await victim.stop(signal: SIGKILL) == SIGKILL)
                try await Task.sleep(for: .milliseconds(500))
                try await victim.start()
                try await Task.sleep(for: .milliseconds(1500))
            }
            #expect(await registries[1].stop(signal: SIGKILL) == SIGKILL)
            #expect(await load.wait() == 0, "\(load.progress().suffix(4))")
            let after = try load.again(for: 3)
            #expect(await after.wait() == 0)
            #expect(after.ranWithoutErrors, "the errors stop after the restarts: \(after.progress())")

            // Every acknowledged meeting exists, once; no room holds two meetings at once.
            let acknowledged = load.acknowledged()
            #expect(Set(acknowledged).count == acknowledged.count)
            #expect(acknowledged.count > 30, "the load went on: \(acknowledged.count)")
            let stored = Set(try await server.query("sched", "SELECT id FROM meetings").split(separator: "\n").compactMap { Int64($0) })
            let lost = acknowledged.filter { !stored.contains($0) }
            #expect(lost.isEmpty, "acknowledged but lost: \(lost)")
            #expect(try await Self.overlappingBookings(server, "sched") == "0")
            let newest = try await Self.newestOfGapFreeOutbox(server, "sched")

            // The notifier's replicas applied every event of the schedulers once: each
            // publication told each of its invitees once.
            #expect(try await Self.applied(server, "notify", from: "meeting-scheduler", upTo: newest) == newest, "the notifier applied every event")
            let published = try await server.query("sched", "SELECT count(*) FROM outbox WHERE type = 'meeting.published'")
            let invited = try await server.query("sched", """
                SELECT count(*) FROM invitees i JOIN meetings m ON m.id = i.meeting_id WHERE m.status = \(MeetingV1.MeetingStatus.published.rawValue)
                """)
            let told = try await server.query("notify", """
                SELECT count(DISTINCT sequence) || '/' || count(*) FROM notifications WHERE source = 'meeting-scheduler' AND rule = 'meeting.published→invitees'
                """)
            #expect(Int(published) ?? 0 > 30)
            #expect(told == "\(published)/\(invited)", "each publication once, to each invitee once: \(told)")

            for service in notifiers + schedulers + [registries[0]] { _ = await service.stop() }
        }
    }

    @Test("PostgreSQL restarted under loadtest against two scheduler replicas: calls fail UNAVAILABLE while it is away and health says so, then the load goes on by itself; every acknowledged meeting is there once")
    func databaseRestartedUnderLoadtest() async throws {
        try await PostgresServer.with { server in
            let directory = try temporaryDirectory("pg-restart-load")
            let url = try await server.createDatabase("sched")
            let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
            var schedulers: [ServiceProcess] = []
            for name in ["scheduler-a", "scheduler-b"] {
                schedulers.append(try await ServiceProcess("meeting-scheduler", dataDir: directory + "/" + name, arguments: [
                    "--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint, "--database", url,
                ]))
            }
            let calls = schedulers.map(\.rpcEndpoint).joined(separator: ",")
            let load = try BackgroundLoad([
                "--scheduler", calls, "--registry", registry.rpcEndpoint,
                "--concurrency", "4", "--duration", "16", "--warmup", "0", "--mix", "schedule=1",
                "--rooms", "3", "--members", "20", "--timeout-ms", "2000"], in: directory)
            for _ in 0..<600 where load.acknowledged().count < 10 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(load.acknowledged().count >= 10, "the load started: \(load.progress())")
            try await Task.sleep(for: .seconds(2))

            await server.stop()
            try await Task.sleep(for: .milliseconds(500))
            let gateway = Gateway(scheduler: calls)
            let health = try await gateway.run(["health", "--service", "meeting-scheduler"])
            #expect(health.stdout.contains("unreachable"), "\(health.stdout) \(health.stderr)")
            try await Task.sleep(for: .seconds(2))
            try await server.start()

            #expect(await load.wait() == 0, "\(load.progress().suffix(4))")
            #expect(load.errorsPerSecond().reduce(0, +) > 0, "the outage was noticed: \(load.progress())")
            let after = try load.again(for: 3)
            #expect(await after.wait() == 0)
            #expect(after.ranWithoutErrors, "the load goes on by itself: \(after.progress())")
            let acknowledged = load.acknowledged()
            #expect(Set(acknowledged).count == acknowledged.count)
            let stored = Set(try await server.query("sched", "SELECT id FROM meetings").split(separator: "\n").compactMap { Int64($0) })
            #expect(acknowledged.filter { !stored.contains($0) }.isEmpty, "acknowledged but lost")
            #expect(stored.count >= acknowledged.count)
            #expect(try await gateway.run(["health", "--service", "meeting-scheduler"]).stdout.contains("ok: postgres"))
            for service in schedulers + [registry] { _ = await service.stop() }
        }
    }

    @Test("two notifier replicas on one database send each webhook once: a staff announcement to all 175 members")
    func notifierDeliversOnce() async throws {
        try await PostgresServer.with { server in
            let (d, a, b) = try await start(server, "sched-hooks")
            let hooks = d.directory + "/hooks"
            try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
            let receiver = try ChildProcess("/usr/bin/python3", ["-c", Self.receiver, hooks], environment: ProcessInfo.processInfo.environment,
                                            stdout: hooks + "/out", stderr: hooks + "/err")
            defer { receiver.signal(SIGKILL) }
            var port = ""
            for _ in 0..<100 where port.isEmpty {
                port = (try? String(contentsOfFile: hooks + "/port", encoding: .utf8)) ?? ""
                if port.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            let notify = try await server.createDatabase("hooks")
            var notifiers: [ServiceProcess] = []
            for name in ["notifier-a", "notifier-b"] {
                notifiers.append(try await ServiceProcess("notifier", dataDir: d.directory + "/" + name, arguments: [
                    "--registry", d.registry.rpcEndpoint, "--registry-events", d.registry.eventEndpoint,
                    "--scheduler", "\(a.rpcEndpoint),\(b.rpcEndpoint)", "--scheduler-events", "\(a.eventEndpoint),\(b.eventEndpoint)",
                    "--database", notify, "--webhook-url", "http://127.0.0.1:\(port)/hook", "--webhook-secret", "replica-test-secret",
                ]))
            }
            // Sent through one replica, then the other: two announcements, 350 webhooks.
            for (index, notifier) in notifiers.enumerated() {
                let sent = try await runCommand(builtExecutable("gateway"), ["notify", "send", "--group", "all", "--title", "通知\(index)", "--body", "请于12月10日前提交调研报告"],
                                                environment: d.environment.merging(["XIESHANG_NOTIFIER_ENDPOINT": notifier.rpcEndpoint]) { $1 })
                #expect(sent.status == 0, "\(sent.stderr)")
            }
            let pending = try await server.query("hooks", "SELECT count(*) FROM deliveries WHERE status <> \(NotificationV1.DeliveryStatus.sent.rawValue)",
                                                 until: "0", within: 30)
            #expect(pending == "0", "every webhook delivered")
            let deliveries = try await server.query("hooks", "SELECT count(*) FROM deliveries WHERE channel = 'webhook'")
            #expect(deliveries == "350")
            let posted = ((try? String(contentsOfFile: hooks + "/posts", encoding: .utf8)) ?? "").split(separator: "\n")
            #expect(posted.count == 350 && Set(posted).count == 350, "\(posted.count) POSTs, \(Set(posted).count) distinct, for 350 deliveries")
            for service in notifiers + [a, b] { _ = await service.stop() }
            _ = await d.stop()
        }
    }

    /// Notes each POST's delivery id in DIR/posts and accepts it. Usage: -c RECEIVER DIR.
    static let receiver = """
        import http.server, os, sys, threading
        directory = sys.argv[1]
        lock = threading.Lock()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock, open(os.path.join(directory, "posts"), "a") as f:
                    f.write(self.headers.get("X-Xieshang-Delivery", "?") + "\\n")
                self.send_response(200); self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        with open(os.path.join(directory, "port.tmp"), "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(os.path.join(directory, "port.tmp"), os.path.join(directory, "port"))
        server.serve_forever()
        """

    private static func registryNewest(_ d: Deployment) async throws -> UInt64 {
        let client = try client([d.registry.rpcEndpoint], "tests")
        var request = EventV1.SinceRequest()
        request.afterSequence = UInt64(Int64.max)
        let newest = try await client.call(EventV1.Events.since, request, options: .read).lastSequence
        await client.close()
        return newest
    }
}

/// What the load's callers share.
final class LoadState: Sendable {
    let acknowledged = Mutex<[String: Bool]>([:])
    let failures = Mutex<[String]>([])
    let stop = Atomic<Bool>(false)
    let slot = Atomic<Int64>(0)
}
