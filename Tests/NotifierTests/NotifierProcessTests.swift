import Foundation
import Testing
import XieshangTestSupport

/// All four services as processes: the notifier turns their events into inbox entries, once
/// each, across a graceful stop and a SIGKILL in the middle of a burst.
@Suite("notifier with the three other services, as processes", .serialized)
struct NotifierProcessTests {
    @Test("meeting and proposal events reach the right inboxes exactly once, through a stop and a SIGKILL")
    func exactlyOnce() async throws {
        let directory = try temporaryDirectory("notifier")
        let suite = try await SuiteProcesses.start(in: directory)
        let d = Deployment(directory: directory, suite: suite)
        let notifier = suite.notifier
        let csv = demoMembersCSV
        try await d.json("term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd)
        _ = try await runCommand(builtExecutable("gateway"), ["member", "import", csv], environment: d.environment)
        try await d.json("unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门")
        try await d.json("station", "add", "--name", "雄关街道委员工作站")
        try await d.json("room", "add", "--name", "第一议事室", "--station", "1", "--capacity", "40")

        // The chairperson's council (members 6, 7, 8, 9, 10, 17, 19, 23 in the demo data).
        let council = try await d.json("meeting", "schedule", "--title", "研究年度协商计划", "--kind", "主席会议",
                                          "--start", "2026-12-07 09:00", "--minutes", "120", "--room", "1", "--group", "chairpersons-council")
        let meeting = (council["id"] as? NSNumber)?.intValue ?? 0
        try await d.json("meeting", "publish", "\(meeting)")
        #expect(try await d.inbox("member", 6, expecting: 1) == ["会议通知：五届一次主席会议"])

        // A proposal filed and assigned: the proposer and the unit hear of it.
        let proposal = (try await d.json("proposal", "create", "--member", "13", "--title", "关于加装电梯的建议", "--body", "正文")["id"] as? NSNumber)?.intValue ?? 0
        try await d.json("proposal", "act", "\(proposal)", "submit", "--as", "member:13")
        try await d.json("proposal", "act", "\(proposal)", "file", "--as", "staff")
        try await d.json("proposal", "act", "\(proposal)", "assign", "--as", "staff", "--lead-unit", "1")
        #expect(try await d.inbox("unit", 1, expecting: 1) == ["交办通知：关于加装电梯的建议"])
        #expect(Set(try await d.inbox("member", 13, expecting: 2)) == ["提案立案：关于加装电梯的建议", "提案交办：关于加装电梯的建议"])

        // Stopped while things happen: on restart it catches up, once each.
        #expect(await notifier.stop(signal: SIGTERM) == 0)
        try await d.json("meeting", "cancel", "\(meeting)", "--reason", "与市委常委会冲突，另行安排")
        try await d.json("proposal", "act", "\(proposal)", "sign-for", "--as", "unit:1")
        try await d.json("proposal", "act", "\(proposal)", "reply", "--as", "unit:1", "--class", "A", "--contact", "面谈", "--text", "已列入计划")
        try await notifier.start()
        #expect(try await d.inbox("member", 6, expecting: 2) == ["会议取消：五届一次主席会议", "会议通知：五届一次主席会议"])
        #expect(try await d.inbox("member", 13, expecting: 3).filter { $0.hasPrefix("提案答复") }.count == 1)

        // A burst of 20 meetings for member 30, with the notifier killed in the middle.
        var ids: [Int] = []
        for index in 0..<20 {
            let scheduled = try await d.json("meeting", "schedule", "--title", "调研座谈 \(index)", "--kind", "调研",
                                                "--start", "2027-01-\(String(format: "%02d", 4 + index % 20)) 14:30", "--minutes", "60", "--venue", "市政协")
            ids.append((scheduled["id"] as? NSNumber)?.intValue ?? 0)
        }
        for (index, id) in ids.enumerated() {
            try await d.json("meeting", "invite", "\(id)", "--member", "30")
            try await d.json("meeting", "publish", "\(id)")
            if index == 9 { await notifier.stop(signal: SIGKILL) }
        }
        try await notifier.start()
        let thirty = try await d.inbox("member", 30, expecting: 20)
        #expect(thirty.count == 20)
        #expect(Set(thirty).count == 20)
        // A 调研 is not numbered: the notice names it by its title.
        #expect(thirty.allSatisfy { $0.hasPrefix("会议通知：调研座谈 ") })

        // Read marks.
        let marked = try await d.json("inbox", "--member", "30", "--read-all")
        #expect((marked["unread"] as? NSNumber)?.intValue ?? -1 == 0)
        let foreign = try await runCommand(builtExecutable("gateway"), ["inbox", "--member", "31", "--read", "1"], environment: d.environment)
        #expect(foreign.status == 3)

        await suite.stop()
    }

    @Test("events set aside are listed for the office, newest first, by source, and counted in health")
    func setAsideListed() async throws {
        let directory = try temporaryDirectory("notifier-set-aside")
        // No source service runs: the consumers only retry their catch-up meanwhile.
        let nobody = "tcp://127.0.0.1:1"
        let arguments = ["--registry", nobody, "--registry-events", nobody, "--scheduler", nobody, "--scheduler-events", nobody,
                         "--tracker", nobody, "--tracker-events", nobody]
        let notifier = try await ServiceProcess("notifier", dataDir: directory + "/notifier", arguments: arguments)
        let gateway = Gateway(notifier: notifier.rpcEndpoint)
        let empty = try await gateway.run(["notify", "set-aside", "--json"])
        let none = try empty.json() as? [String: Any]
        #expect(empty.status == 0 && ((none?["total"] as? NSNumber)?.intValue ?? 0) == 0
                && ((none?["events"] as? [Any])?.isEmpty ?? true), "none yet: \(empty.stdout)")
        #expect(await notifier.stop() == 0)
        // As the consumer writes them when an event keeps failing (EventConsumer's own test
        // makes one fail for real).
        let insert = """
            INSERT INTO event_failures (source, sequence, type, error, at_ms) VALUES
              ('meeting-scheduler', 41, 'meeting.published', 'the payload is not a MeetingEvent', 1795000000000),
              ('proposal-tracker', 7, 'proposal.assign', 'unknown unit 9', 1795000100000);
            """
        #expect(try await runCommand("/usr/bin/sqlite3", [directory + "/notifier/notifier.sqlite", insert]).status == 0)
        try await notifier.start()

        let all = try await gateway.run(["notify", "set-aside"])
        #expect(all.status == 0, "\(all.stderr)")
        let lines = all.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "a header, a rule and two rows: \(all.stdout)")
        #expect(lines.count == 4 && lines[2].hasPrefix("proposal-tracker") && lines[3].hasPrefix("meeting-scheduler"), "newest first: \(all.stdout)")
        #expect(all.stdout.contains("unknown unit 9") && all.stdout.contains("meeting.published"))
        let one = try await gateway.json(["notify", "set-aside", "--source", "meeting-scheduler"])
        #expect((one["total"] as? NSNumber)?.intValue == 1)
        #expect(((one["events"] as? [[String: Any]])?.first?["sequence"] as? NSNumber)?.intValue == 41)
        let health = try await gateway.run(["health", "--service", "notifier"])
        #expect(health.status == 0 && health.stdout.contains("2 events set aside"), "\(health.stdout)")
        let bad = try await gateway.run(["notify", "set-aside", "--limit", "0"])
        #expect(bad.status == 64, "\(bad.stderr)")
        let misspelt = try await gateway.run(["notify", "set-aside", "--source", "meeting-schedular"])
        #expect(misspelt.status == 64 && misspelt.stderr.contains("the notifier consumes"), "\(misspelt.stderr)")
        #expect(await notifier.stop() == 0)
    }
}

extension NotifierProcessTests {
    @Test("a topic's 公开公示 and 结果反馈 notices reach its room's members, and a step without its notice is refused")
    func topicNotices() async throws {
        let d = try await Deployment.start("topic-notices", .all, seed: [
            ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
            ["station", "add", "--name", "雄关街道委员工作站"],
            ["room", "add", "--name", "新华社区协商议事室", "--station", "1", "--capacity", "30"],
            ["member", "add", "--number", "9001", "--name", "委员一", "--sector", "经济界"],
            ["member", "add", "--number", "9002", "--name", "委员二", "--sector", "经济界"],
            ["member", "add", "--number", "9003", "--name", "委员三", "--sector", "经济界"],
            ["member", "assign", "1", "--room", "1"],
            ["member", "assign", "2", "--room", "1"],
        ])
        let meeting = try await d.json("meeting", "schedule", "--title", "加装电梯协商", "--kind", "协商议事活动",
                                       "--start", "2026-11-24 14:30", "--minutes", "90", "--room", "1")
        let meetingID = (meeting["id"] as? NSNumber)?.stringValue ?? "?"
        // A topic has a theme; one from 提案办理 names its proposal.
        #expect(try await d.gateway("topic", "create", "--title", "x", "--room", "1", "--source", "民情大走访").status == 64)
        let unlinked = try await d.gateway("topic", "create", "--title", "x", "--room", "1", "--theme", "中心工作", "--source", "提案办理")
        #expect(unlinked.status == 2 && unlinked.stderr.contains("proposal_id"), "\(unlinked.stderr)")
        let nowhere = try await d.gateway("topic", "create", "--title", "x", "--room", "1", "--theme", "中心工作", "--source", "提案办理", "--proposal", "999")
        #expect(nowhere.status == 3, "\(nowhere.stderr)")
        let topic = try await d.json("topic", "create", "--title", "老旧小区加装电梯", "--room", "1", "--theme", "基层民主",
                                     "--source", "民情大走访", "--description", "居民多次反映")
        let id = (topic["id"] as? NSNumber)?.stringValue ?? "?"
        #expect(topic["theme"] as? String == "TOPIC_THEME_GRASSROOTS_DEMOCRACY")
        try await d.json("topic", "advance", id, "decided", "--notes", "列入议题")
        try await d.json("topic", "advance", id, "researched", "--notes", "走访住户")
        try await d.json("topic", "advance", id, "consulted", "--meeting", meetingID, "--notes", "1+7+3协商")
        let bare = try await d.gateway("topic", "advance", id, "publicised", "--notes", "公示")
        #expect(bare.status == 2 && bare.stderr.contains("notice"), "\(bare.stderr)")
        let backwards = try await d.gateway("topic", "advance", id, "publicised", "--notes", "公示", "--notice", "意见公示",
                                            "--posted-at", "居务公开栏", "--from", "2026-12-09", "--to", "2026-12-02")
        #expect(backwards.status == 2 && backwards.stderr.contains("before from_date"), "\(backwards.stderr)")
        let posted = try await d.json("topic", "advance", id, "publicised", "--notes", "公示", "--notice", "加装电梯按业主自愿推进",
                                      "--posted-at", "新华社区居务公开栏", "--from", "2026-12-02", "--to", "2026-12-09")
        let notice = ((posted["steps"] as? [[String: Any]])?.last?["notice"] as? [String: Any]) ?? [:]
        #expect(notice["postedAt"] as? String == "新华社区居务公开栏" && notice["toDate"] as? String == "2026-12-09", "\(posted)")
        // The room's two members hear of it; the third, elsewhere, does not.
        #expect(try await d.inbox("member", 1, expecting: 1) == ["协商成果公示：老旧小区加装电梯"])
        #expect(try await d.inbox("member", 2, expecting: 1) == ["协商成果公示：老旧小区加装电梯"])
        #expect(try await d.inbox("member", 3, expecting: 0).isEmpty)
        try await d.json("topic", "advance", id, "implemented", "--notes", "实施")
        try await d.json("topic", "advance", id, "feedback", "--notes", "已加装", "--solved", "--notice", "首批3部电梯投入使用",
                         "--posted-at", "新华社区居务公开栏", "--from", "2026-12-10", "--to", "2026-12-17")
        #expect(try await d.inbox("member", 1, expecting: 2).contains("协商结果反馈：老旧小区加装电梯"))
        await d.stop()
    }
}

private extension Deployment {
    /// The titles in a member's (or unit's) inbox, once the notifier has caught up to
    /// `expected` entries (or 20 s have passed).
    func inbox(_ kind: String, _ id: Int, expecting expected: Int) async throws -> [String] {
        let started = ContinuousClock.now
        var titles: [String] = []
        while ContinuousClock.now - started < .seconds(20) {
            let result = try await runCommand(builtExecutable("gateway"), ["inbox", "--\(kind)", "\(id)", "--limit", "500", "--json"], environment: environment)
            if result.status == 0, let inbox = try? result.json() as? [String: Any] {
                titles = (inbox["notifications"] as? [[String: Any]])?.compactMap { $0["title"] as? String } ?? []
                if titles.count >= expected { break }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        // Wait a moment more: anything extra (a duplicate) would show now.
        try await Task.sleep(for: .milliseconds(1500))
        let result = try await runCommand(builtExecutable("gateway"), ["inbox", "--\(kind)", "\(id)", "--limit", "500", "--json"], environment: environment)
        let inbox = try result.json() as? [String: Any]
        return (inbox?["notifications"] as? [[String: Any]])?.compactMap { $0["title"] as? String } ?? []
    }
}
