import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// A service's dependency stops (SIGTERM) or hangs (SIGSTOP: connected, silent) while the
/// suite works: callers that need it get UNAVAILABLE naming it before their deadline, what
/// does not need it goes on, and everything converges once it is back.
@Suite("dependency outages, as processes", .serialized)
struct DependencyOutageTests {
    /// Runs a gateway command with `--timeout seconds` and checks that it failed with
    /// UNAVAILABLE (exit 4) naming `dependency`, and did not wait past its deadline (plus
    /// a second for starting the gateway process itself).
    static func expectUnavailable(_ gateway: Gateway, _ arguments: [String], timeout: Int, naming dependency: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let started = ContinuousClock.now
        let result = try await gateway.run(arguments + ["--timeout", "\(timeout)"])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 4, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("\(dependency) is unavailable"), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        // The message names the dependency, so the reply came from the service before the
        // gateway's own deadline; the elapsed time also counts starting the gateway process
        // and its CURVE handshake on a loaded two-core machine, hence the slack.
        #expect(elapsed < .seconds(timeout + 6), "\(arguments) took \(elapsed), past its \(timeout) s deadline", sourceLocation: sourceLocation)
    }

    /// Repeats a gateway command until it succeeds (the dependency is back and reconnected),
    /// for at most 15 s; returns what it printed.
    static func eventually(_ gateway: Gateway, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let started = ContinuousClock.now
        var last = ""
        while ContinuousClock.now - started < .seconds(15) {
            let result = try await gateway.run(arguments + ["--json"])
            if result.status == 0 { return (try result.json() as? [String: Any]) ?? [:] }
            last = result.stderr
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("\(arguments) did not succeed within 15 s: \(last)", sourceLocation: sourceLocation)
        return [:]
    }

    @Test("the registry stopped, then hung, under a load test: the scheduler goes on from its copy of the registry without an error; what the copy does not know is UNAVAILABLE in time")
    func registryUnderLoad() async throws {
        let d = try await Deployment.start("outage-registry", seed: Deployment.office)
        let gateway = d.gatewayCLI()
        let draft = try await gateway.json(["meeting", "schedule", "--title", "双月协商座谈会", "--kind", "双月协商座谈会",
                                            "--start", "2028-06-15 14:30", "--minutes", "120", "--venue", "市政协会议室",
                                            "--group", "sector:经济界"])
        let meeting = (draft["id"] as? NSNumber)?.intValue ?? 0
        #expect(try await gateway.schedulerCopyAnswers())

        let load = try BackgroundLoad([
            "--scheduler", d.scheduler.rpcEndpoint, "--registry", d.registry.rpcEndpoint,
            "--concurrency", "4", "--duration", "\(4 + 4 * soakFactor)", "--warmup", "0",
            "--mix", "schedule=40,query-room=30,query-member=30", "--rooms", "3", "--members", "20",
            "--timeout-ms", "2000", "--horizon-days", "180"], in: d.directory)
        for _ in 0..<600 where load.acknowledged().count < 10 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(load.acknowledged().count >= 10, "the load started")
        // The load test's own rooms and members reach the scheduler's copy before the outage.
        try await Task.sleep(for: .milliseconds(1500))

        var publishedCount: Int?
        for round in 0..<soakFactor {
            // Down: a member the copy does not know is asked of the registry, and that fails in time.
            #expect(await d.registry.stop() == 0)
            try await Self.expectUnavailable(gateway, ["meeting", "invite", "\(meeting)", "--member", "99999"], timeout: 4, naming: "member-registry")
            try await Self.expectUnavailable(gateway, ["proposal", "create", "--member", "13", "--title", "关于加装电梯的建议", "--body", "正文"],
                                             timeout: 4, naming: "member-registry")
            #expect(try await gateway.run(["meeting", "show", "\(meeting)"]).status == 0, "the scheduler's own reads go on")
            #expect(try await gateway.run(["proposal", "list"]).status == 0, "the tracker's own reads go on")
            if round == 0 {
                // Publishing to a sector needs its members: the copy knows them.
                let published = try await gateway.run(["meeting", "publish", "\(meeting)", "--json"])
                #expect(published.status == 0, "published with the registry down: \(published.stderr)")
                publishedCount = (((try? published.json()) as? [String: Any])?["meeting"] as? [String: Any])?["inviteeCount"] as? Int
            }
            // Hung: connected, and silent.
            try await d.registry.start()
            let pid = try #require(d.registry.pid)
            kill(pid, SIGSTOP)
            try await Self.expectUnavailable(gateway, ["meeting", "invite", "\(meeting)", "--member", "99999"], timeout: 4, naming: "member-registry")
            kill(pid, SIGCONT)
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(await load.wait() == 0)
        // Scheduling, and the reads by room and member, went on through the outages.
        #expect(load.errorsPerSecond().reduce(0, +) == 0, "\(load.progress())")
        let ids = load.acknowledged()
        #expect(Set(ids).count == ids.count)
        let lost = try await load.lostMeetings(scheduler: d.scheduler.rpcEndpoint)
        #expect(lost.isEmpty, "acknowledged but lost: \(lost)")

        // The sector as the copy resolved it is the sector as the registry has it.
        let sector = try await gateway.json(["member", "list", "--sector", "经济界", "--status", "active", "--page-size", "1"])
        #expect((sector["total"] as? NSNumber)?.intValue ?? 0 >= 15)
        #expect(publishedCount != nil && publishedCount == (sector["total"] as? NSNumber)?.intValue)
        let created = try await Self.eventually(gateway, ["proposal", "create", "--member", "13", "--title", "关于加装电梯的建议", "--body", "正文"])
        #expect((created["id"] as? NSNumber) != nil)
        for (name, status) in await d.stop() { #expect(status == 0, "\(name) exits cleanly") }
    }

    @Test("the tracker's peers stopped or hung: UNAVAILABLE naming the peer in time, nothing half-done, and it goes through once they are back")
    func trackerPeers() async throws {
        let d = try await Deployment.start("outage-tracker", seed: Deployment.office)
        let gateway = d.gatewayCLI()
        let consultation = try await gateway.json(["meeting", "schedule", "--title", "加装电梯协商议事会", "--kind", "协商议事活动",
                                                   "--start", "2026-12-16 09:00", "--minutes", "90", "--room", "1", "--group", "room:1"])
        let meeting = (consultation["id"] as? NSNumber)?.intValue ?? 0
        let topic = ((try await gateway.json(["topic", "create", "--title", "老旧小区加装电梯", "--room", "1", "--theme", "development", "--source", "visit"]))["id"] as? NSNumber)?.intValue ?? 0
        for step in ["decided", "researched"] {
            #expect(try await gateway.run(["topic", "advance", "\(topic)", step, "--notes", "已完成"]).status == 0)
        }
        let filed = try await gateway.json(["proposal", "create", "--member", "13", "--title", "关于加装电梯的建议", "--body", "正文"])
        let proposal = (filed["id"] as? NSNumber)?.intValue ?? 0
        #expect(try await gateway.run(["proposal", "act", "\(proposal)", "submit", "--as", "member:13"]).status == 0)
        #expect(try await gateway.run(["proposal", "act", "\(proposal)", "file", "--as", "staff"]).status == 0)

        // The scheduler down, then hung: recording the consultation needs its meeting.
        #expect(await d.scheduler.stop() == 0)
        try await Self.expectUnavailable(gateway, ["topic", "advance", "\(topic)", "consulted", "--meeting", "\(meeting)"],
                                         timeout: 4, naming: "meeting-scheduler")
        try await d.scheduler.start()
        let scheduler = try #require(d.scheduler.pid)
        kill(scheduler, SIGSTOP)
        try await Self.expectUnavailable(gateway, ["topic", "advance", "\(topic)", "consulted", "--meeting", "\(meeting)"],
                                         timeout: 4, naming: "meeting-scheduler")
        let unmoved = try await gateway.run(["topic", "show", "\(topic)", "--json"])
        #expect(unmoved.status == 0 && unmoved.stdout.lowercased().contains("researched") && !unmoved.stdout.lowercased().contains("consulted"), "the topic did not move: \(unmoved.stdout)")
        kill(scheduler, SIGCONT)
        _ = try await Self.eventually(gateway, ["topic", "advance", "\(topic)", "consulted", "--meeting", "\(meeting)"])

        // The registry hung: assigning checks the unit; a new proposal checks its member.
        let registry = try #require(d.registry.pid)
        kill(registry, SIGSTOP)
        try await Self.expectUnavailable(gateway, ["proposal", "act", "\(proposal)", "assign", "--as", "staff", "--lead-unit", "1"], timeout: 4, naming: "member-registry")
        try await Self.expectUnavailable(gateway, ["proposal", "create", "--member", "14", "--title", "关于社区养老的建议", "--body", "正文"],
                                         timeout: 4, naming: "member-registry")
        let shown = try await gateway.run(["proposal", "show", "\(proposal)"])
        #expect(shown.status == 0, "the tracker's own reads go on: \(shown.stderr)")
        let listed = try await gateway.run(["proposal", "list", "--json"])
        #expect(listed.status == 0 && listed.stdout.contains("关于加装电梯的建议") && !listed.stdout.contains("关于社区养老的建议"), "nothing half-created: \(listed.stdout)")
        kill(registry, SIGCONT)
        _ = try await Self.eventually(gateway, ["proposal", "act", "\(proposal)", "assign", "--as", "staff", "--lead-unit", "1"])
        _ = try await Self.eventually(gateway, ["proposal", "create", "--member", "14", "--title", "关于社区养老的建议", "--body", "正文"])
        for (name, status) in await d.stop() { #expect(status == 0, "\(name) exits cleanly") }
    }

    @Test("the notifier hung through a flood of published meetings: publishers are not held up, its inbox calls time out in time, and it catches up with every event, once")
    func notifierHungThroughFlood() async throws {
        let d = try await Deployment.start("outage-notifier", seed: Deployment.office)
        let gateway = d.gatewayCLI()
        let notifier = try #require(d.notifier!.pid)
        kill(notifier, SIGSTOP)
        let resumed = { kill(notifier, SIGCONT) }
        defer { _ = resumed() }

        let started = ContinuousClock.now
        let inbox = try await gateway.run(["inbox", "--member", "30", "--timeout", "2"])
        // A new connection's handshake gets no answer ("no connection"), an open one's call
        // no reply ("did not answer in time"): either way exit 4 within the deadline.
        #expect(inbox.status == 4 && (inbox.stderr.contains("is unavailable") || inbox.stderr.contains("did not answer in time")), "\(inbox.stderr)")
        // Two seconds of deadline, and room for starting a process on a loaded machine: a
        // hang would be forever.
        #expect(ContinuousClock.now - started < .seconds(8))

        // A flood: every scheduled meeting is published, an event each, with 2 to 5 invitees.
        let flood = try await runCommand(builtExecutable("loadtest"), [
            "run", "--scheduler", d.scheduler.rpcEndpoint, "--registry", d.registry.rpcEndpoint,
            "--concurrency", "4", "--duration", "\(3 * soakFactor)", "--warmup", "0", "--mix", "schedule=1",
            "--rooms", "5", "--members", "20", "--timeout-ms", "2000", "--json", "--quiet"], timeout: .seconds(120))
        #expect(flood.status == 0, "\(flood.stderr)")
        let result = try flood.json() as? [String: Any]
        #expect((result?["errorRate"] as? NSNumber)?.doubleValue == 0, "a hung subscriber holds nobody up: \(flood.stdout)")
        // And member 30 is invited to three meetings meanwhile.
        for day in 1...3 {
            let scheduled = try await gateway.json(["meeting", "schedule", "--title", "调研座谈 \(day)", "--kind", "research",
                                                    "--start", "2028-03-0\(day) 14:30", "--minutes", "60", "--venue", "市政协"])
            let id = (scheduled["id"] as? NSNumber)?.intValue ?? 0
            #expect(try await gateway.run(["meeting", "invite", "\(id)", "--member", "30"]).status == 0)
            #expect(try await gateway.run(["meeting", "publish", "\(id)"]).status == 0)
        }
        let published = try await sqlite(d.scheduler.dataDir + "/meeting-scheduler.sqlite",
                                          "SELECT COUNT(*) FROM outbox WHERE type = 'meeting.published'")
        let newest = try await sqlite(d.scheduler.dataDir + "/meeting-scheduler.sqlite", "SELECT MAX(sequence) FROM outbox")
        #expect(published >= 13, "the flood published meetings: \(published)")

        _ = resumed()
        // It catches up: its cursor reaches the scheduler's newest event.
        let notifierDatabase = d.notifier!.dataDir + "/notifier.sqlite"
        var cursor = -1
        for _ in 0..<300 where cursor < newest {
            cursor = (try? await sqlite(notifierDatabase, "SELECT last_sequence FROM event_cursors WHERE source = 'meeting-scheduler'")) ?? -1
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(cursor == newest, "caught up to \(newest): at \(cursor)")
        #expect(try await sqlite(notifierDatabase, "SELECT COUNT(*) FROM event_failures") == 0)
        // Every published meeting told its invitees, once: one notice per invitee and event.
        #expect(try await sqlite(notifierDatabase, "SELECT COUNT(DISTINCT sequence) FROM notifications WHERE source = 'meeting-scheduler' AND rule = 'meeting.published→invitees'") == published)
        let thirty = try await gateway.run(["inbox", "--member", "30", "--json"])
        #expect(thirty.status == 0 && thirty.stdout.components(separatedBy: "会议通知").count - 1 == 3, "\(thirty.stdout)")
        for (name, status) in await d.stop() { #expect(status == 0, "\(name) exits cleanly") }
    }

    private func sqlite(_ database: String, _ query: String) async throws -> Int {
        let result = try await runCommand("/usr/bin/sqlite3", [database, query])
        guard result.status == 0, let value = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ProcessFailure(description: "sqlite3 \(database) \(query): \(result.stdout) \(result.stderr)")
        }
        return value
    }
}
