import Foundation
import MeetingScheduler
import Testing
import XieshangService
import XieshangTestSupport
import XieshangWire

/// meeting-scheduler's copy of member-registry (its read model, fed by the registry's events),
/// with both as processes.
@Suite("the scheduler's copy of the registry, as processes", .serialized)
struct RegistryModelProcessTests {
    /// Waits (at most `seconds`) until the scheduler's health says `text`; returns the last health line.
    @discardableResult
    static func health(_ gateway: Gateway, contains text: String, seconds: Int = 15, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        var last = ""
        for _ in 0..<(seconds * 10) {
            last = try await gateway.run(["health", "--service", "meeting-scheduler"]).stdout
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the scheduler's health never said \"\(text)\": \(last)", sourceLocation: sourceLocation)
        return last
    }

    @Test("changes reach the copy; with the registry down scheduling goes on from it until its staleness limit, then the registry is asked (UNAVAILABLE); a restart during the outage keeps the copy's age")
    func stalenessAndOutage() async throws {
        let directory = try temporaryDirectory("registry-model")
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler", arguments: [
            "--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint, "--registry-staleness-seconds", "20"])
        let gateway = Gateway(registry: registry.rpcEndpoint, scheduler: scheduler.rpcEndpoint)
        for arguments in [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
                          ["station", "add", "--name", "雄关街道委员工作站"],
                          ["room", "add", "--name", "第一协商议事室", "--station", "1", "--capacity", "40", "--has", "all"],
                          ["member", "add", "--number", "0001", "--name", "张伟", "--sector", "教育界", "--work-unit", "第一中学"],
                          ["member", "add", "--number", "0002", "--name", "李娜", "--sector", "教育界", "--work-unit", "市人民医院"]] {
            let result = try await gateway.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        try await Self.health(gateway, contains: "registry model: 2 members, 1 rooms, 1 terms, answering")

        // A change in the registry reaches the copy: the invitation carries the new work unit.
        #expect(try await gateway.run(["member", "update", "2", "--work-unit", "市第二人民医院"]).status == 0)
        try await Task.sleep(for: .milliseconds(1500))
        func schedule(_ day: Int) async throws -> CommandResult {
            try await gateway.run(["meeting", "schedule", "--title", "委员活动\(day)", "--kind", "调研", "--start", "2026-12-\(10 + day) 09:00",
                                   "--minutes", "60", "--room", "1", "--json"])
        }
        let first = try await schedule(1)
        #expect(first.status == 0, "\(first.stderr)")
        let meeting = (((try? first.json()) as? [String: Any])?["id"] as? NSNumber)?.intValue ?? 0
        let invited = try await gateway.run(["meeting", "invite", "\(meeting)", "--member", "2", "--json"])
        #expect(invited.status == 0 && invited.stdout.contains("市第二人民医院"), "\(invited.stdout) \(invited.stderr)")

        // The registry down: the room, the term and the members come from the copy.
        #expect(await registry.stop() == 0)
        let during = try await schedule(2)
        #expect(during.status == 0, "scheduled from the copy: \(during.stderr)")
        let second = (((try? during.json()) as? [String: Any])?["id"] as? NSNumber)?.intValue ?? 0
        let both = try await gateway.run(["meeting", "invite", "\(second)", "--member", "1", "--member", "2", "--json"])
        #expect(both.status == 0 && both.stdout.contains("张伟") && both.stdout.contains("李娜"), "\(both.stdout) \(both.stderr)")
        // A restart during the outage: the copy's age is kept, so it still answers.
        await scheduler.stop()
        try await scheduler.start()
        let afterRestart = try await schedule(3)
        #expect(afterRestart.status == 0, "scheduled from the copy after a restart: \(afterRestart.stderr)")
        // What the copy does not know is asked of the registry: UNAVAILABLE, and nothing changed.
        let stranger = try await gateway.run(["meeting", "invite", "\(second)", "--member", "3", "--timeout", "3"])
        #expect(stranger.status == 4 && stranger.stderr.contains("member-registry is unavailable"), "\(stranger.stderr)")

        // Past the limit (20 s since the copy last heard everything): the registry is asked, and is down.
        try await Self.health(gateway, contains: "asking member-registry", seconds: 40)
        let stale = try await gateway.run(["meeting", "schedule", "--title", "委员活动4", "--kind", "调研", "--start", "2026-12-14 09:00",
                                           "--minutes", "60", "--room", "1", "--timeout", "3"])
        #expect(stale.status == 4 && stale.stderr.contains("member-registry is unavailable"), "\(stale.stderr)")
        let listed = try await gateway.run(["meeting", "list", "--json"])
        #expect(listed.status == 0 && !listed.stdout.contains("委员活动4"), "nothing kept of the refused call: \(listed.stdout)")

        // The registry back: the copy catches up by itself and answers again.
        try await registry.start()
        try await Self.health(gateway, contains: "answering")
        let back = try await schedule(5)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(await scheduler.stop() == 0)
        #expect(await registry.stop() == 0)
    }

    @Test("SIGKILLed three times while the registry changes 60 members: the copy ends exactly as the registry is, each change applied once")
    func killedWhileFollowing() async throws {
        let directory = try temporaryDirectory("registry-model-kill")
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler", arguments: [
            "--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint])
        let gateway = Gateway(registry: registry.rpcEndpoint, scheduler: scheduler.rpcEndpoint)
        for arguments in Deployment.office {
            let result = try await gateway.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        // Sixty changes, each a gateway process, while the scheduler is killed three times.
        let changes = Task {
            for id in 1...60 {
                let arguments = id % 3 == 0 ? ["member", "assign", "\(id)", "--room", "1"] : ["member", "update", "\(id)", "--work-unit", "单位\(id)"]
                let result = try await gateway.run(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
            }
        }
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(1200))
            await scheduler.stop(signal: SIGKILL)
            try await Task.sleep(for: .milliseconds(200))
            try await scheduler.start()
        }
        try await changes.value
        // Caught up: every event the registry wrote applied (the health line says n/n).
        let said = try await Self.health(gateway, contains: "answering")
        let applied = said.range(of: #"member-registry (\d+)/(\d+)"#, options: .regularExpression).map { String(said[$0]) } ?? ""
        let parts = applied.split(separator: " ").last?.split(separator: "/") ?? []
        #expect(parts.count == 2 && parts[0] == parts[1], "\(said)")
        #expect(await scheduler.stop() == 0)

        // The copy, member by member, against the registry's own list.
        let listed = try await gateway.run(["member", "list", "--all", "--json", "--page-size", "500"])
        let members = ((try listed.json() as? [String: Any])?["members"] as? [[String: Any]]) ?? []
        #expect(members.count == 175)
        let database = try ServiceDatabase.open(dataDir: directory + "/scheduler", name: "meeting-scheduler", migrations: SchedulerSchema.migrations)
        let copied = try await database.readSession { db in try RegistryModel.members(db, (1...175).map(Int64.init)) }
        #expect(copied.count == 175)
        let byID = Dictionary(uniqueKeysWithValues: copied.map { ($0.id, $0) })
        var differences: [String] = []
        for member in members {
            let id = (member["id"] as? NSNumber)?.int64Value ?? 0
            let rooms = ((member["roomIDs"] as? [NSNumber]) ?? []).map(\.int64Value)
            guard let copy = byID[id] else { differences.append("\(id) missing"); continue }
            if copy.name != member["name"] as? String || copy.workUnit != (member["workUnit"] as? String ?? "") || copy.roomIDs != rooms {
                differences.append("\(id): \(copy.name) \(copy.workUnit) \(copy.roomIDs) vs \(member)")
            }
            // Kept for scheduling only: not a member's phone.
            if !copy.phone.isEmpty { differences.append("\(id) phone kept") }
        }
        #expect(differences.isEmpty, "\(differences.prefix(5))")
        #expect(byID[3]?.roomIDs == [1] && byID[4]?.workUnit == "单位4")

        // Every kind of group resolves in the copy to what the registry itself answers.
        let groups: [(MemberV1.GroupKind, String, [String])] = [
            (.allMembers, "", ["all"]), (.standingCommittee, "", ["standing-committee"]),
            (.chairpersonsCouncil, "", ["chairpersons-council"]), (.sector, "经济界", ["sector", "经济界"]),
            (.specialCommittee, "提案委员会", ["committee", "提案委员会"]), (.station, "", ["station", "1"]), (.room, "", ["room", "1"]),
        ]
        for (kind, name, arguments) in groups {
            var group = MeetingV1.GroupRef()
            group.kind = kind
            group.name = name
            group.id = kind == .station || kind == .room ? 1 : 0
            let asked = group
            let copy = try await database.readSession { db in try RegistryModel.resolve(db, asked, term: 0) }
            let answered = try await gateway.run(["member", "resolve"] + arguments + ["--json"])
            let theirs = ((try? answered.json()) as? [NSNumber])?.map(\.int64Value)
            #expect(copy != nil && copy == theirs && !(copy ?? []).isEmpty, "\(arguments): the copy \(copy ?? []), the registry \(theirs ?? [])")
        }
        var unknown = MeetingV1.GroupRef()
        unknown.kind = .sector
        unknown.name = "航天界"
        let unlisted = unknown
        #expect(try await database.readSession { db in try RegistryModel.resolve(db, unlisted, term: 0) } == nil, "a list name the copy does not know is the registry's to judge")
        #expect(await registry.stop() == 0)
    }

    @Test("a staleness limit that is no whole number, negative or past 30 days is refused by name at start, from the flag or the variable")
    func badStaleness() async throws {
        let directory = try temporaryDirectory("registry-model-flags")
        let scheduler = builtExecutable("meeting-scheduler")
        for (arguments, environment, said) in [
            (["--registry-staleness-seconds=-1"], [String: String](), "--registry-staleness-seconds must be between 0 and 2592000"),
            (["--registry-staleness-seconds", "9223372036854775807"], [:], "--registry-staleness-seconds must be between 0 and 2592000"),
            ([], ["XIESHANG_REGISTRY_STALENESS_SECONDS": "an hour"], "XIESHANG_REGISTRY_STALENESS_SECONDS=\"an hour\" is not a whole number"),
            ([], ["XIESHANG_CHECK_IN_OPENS_MINUTES": "2h"], "XIESHANG_CHECK_IN_OPENS_MINUTES=\"2h\" is not a whole number"),
        ] {
            let result = try await runCommand(scheduler, ["--insecure", "--data-dir", directory + "/s", "--metrics-address", "off"] + arguments,
                                              environment: environment, timeout: .seconds(30))
            #expect(result.status == 64 && result.stderr.contains(said), "\(arguments) \(environment): \(result.status) \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/s/meeting-scheduler.sqlite"), "refused before any storage was made")
    }
}
