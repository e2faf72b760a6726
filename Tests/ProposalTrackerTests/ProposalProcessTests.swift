import Foundation
import Synchronization
import Testing
import XieshangRPC
import XieshangLabels
import XieshangTestSupport
import XieshangWire

/// member-registry, meeting-scheduler and proposal-tracker as processes, through the gateway.
@Suite("proposal-tracker with the registry and the scheduler, as processes", .serialized)
struct ProposalProcessTests {
    /// The session a proposal filed today gets in a term begun in January 2022, when the
    /// scheduler holds no plenary: one a year.
    static var yearSession: Int { CommitteeClock.calendar.component(.year, from: Date()) - 2022 + 1 }

    private func start() async throws -> Deployment {
        try await Deployment.start("tracker", .core, seed: [
            ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
            ["member", "import", demoMembersCSV],
            ["unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门"],
            ["unit", "add", "--name", "市教育局", "--kind", "政府部门"],
            ["station", "add", "--name", "雄关街道委员工作站"],
            ["room", "add", "--name", "新华社区协商议事室", "--station", "1", "--capacity", "30", "--has", "all"],
        ])
    }

    @Test("every path of the lifecycle, bad input refused, concurrent filing, a topic's six steps, statistics")
    func lifecycle() async throws {
        let d = try await start()

        // The long path: filed → assigned → replied → 不满意 → re-handled → 满意 → closed.
        let main = try await d.create("关于加快老旧小区加装电梯的建议", member: 12)
        try await d.act(main, "invite-cosigners", "--as", "member:12", "--member", "20", "--member", "21")
        try await d.act(main, "cosign", "--as", "member:20")
        try await d.act(main, "decline", "--as", "member:21")
        #expect(try await d.act(main, "submit", "--as", "member:12") == "PROPOSAL_STATE_SUBMITTED")
        let filed = try await d.json("proposal", "act", "\(main)", "file", "--as", "staff")
        // No plenary is recorded: one session a year from the term's start (January 2022).
        #expect((filed["proposal"] as? [String: Any])?["number"] as? String == "5-\(Self.yearSession)-0001")
        try await d.act(main, "assign", "--as", "staff", "--lead-unit", "1", "--assist", "2")
        try await d.act(main, "sign-for", "--as", "unit:1")
        // With an assisting unit, each reply waits for its 会签.
        #expect(try await d.act(main, "reply", "--as", "unit:1", "--class", "A", "--contact", "面谈", "--text", "已列入2027年计划") == "PROPOSAL_STATE_COUNTERSIGNING")
        #expect(try await d.act(main, "countersign", "--as", "unit:2") == "PROPOSAL_STATE_REPLIED")
        #expect(try await d.act(main, "feedback", "--as", "member:12", "--satisfaction", "不满意", "--reason", "进度太慢") == "PROPOSAL_STATE_IN_HANDLING")
        try await d.act(main, "reply", "--as", "unit:1", "--class", "B", "--contact", "座谈会", "--text", "加快推进")
        try await d.act(main, "countersign", "--as", "unit:2")
        #expect(try await d.act(main, "feedback", "--as", "member:12", "--satisfaction", "满意") == "PROPOSAL_STATE_FEEDBACK")
        #expect(try await d.act(main, "close", "--as", "staff") == "PROPOSAL_STATE_CLOSED")
        try await d.act(main, "track", "--as", "staff", "--reason", "首批12部电梯已开工")
        let history = try await d.gateway(["proposal", "history", "\(main)", "--json"])
        let steps = ((try history.json()) as? [[String: Any]])?.map { $0["action"] as? String ?? "" } ?? []
        #expect(steps == ["ACTION_UNSPECIFIED", "ACTION_INVITE_COSIGNERS", "ACTION_COSIGN", "ACTION_DECLINE", "ACTION_SUBMIT", "ACTION_FILE",
                          "ACTION_ASSIGN", "ACTION_SIGN_FOR", "ACTION_REPLY", "ACTION_COUNTERSIGN", "ACTION_FEEDBACK",
                          "ACTION_REPLY", "ACTION_COUNTERSIGN", "ACTION_FEEDBACK",
                          "ACTION_CLOSE", "ACTION_TRACK"])

        // Not filed, with a reason; merged into the main one; referred; withdrawn; returned and resubmitted.
        let notFiled = try await d.create("关于设立城市吉祥物的建议", member: 30)
        try await d.act(notFiled, "submit", "--as", "member:30")
        #expect(try await d.act(notFiled, "not-file", "--as", "staff", "--reason", "不属于提案范围") == "PROPOSAL_STATE_NOT_FILED")
        // Never assigned, it has no deadline: none is shown (not 0 ms, 1970-01-01 08:00).
        let shownText = try await d.gateway("proposal", "show", "\(notFiled)")
        #expect(shownText.status == 0 && !shownText.stdout.contains("1970") && !shownText.stdout.contains("期限"), "\(shownText.stdout)")
        let second = try await d.create("关于老旧小区电梯维保的建议", member: 40)
        try await d.act(second, "submit", "--as", "member:40")
        // The lead must be filed (or being handled): the closed main one is not.
        #expect(try await d.refused(second, "merge", "--as", "staff", "--into", "\(main)").status == 2)
        let lead = try await d.create("关于住宅电梯安全的建议", member: 41)
        try await d.act(lead, "submit", "--as", "member:41")
        try await d.act(lead, "file", "--as", "staff")
        #expect(try await d.act(second, "merge", "--as", "staff", "--into", "\(lead)") == "PROPOSAL_STATE_MERGED")
        let leadShown = try await d.json("proposal", "show", "\(lead)")
        #expect(((leadShown["proposal"] as? [String: Any])?["mergedProposers"] as? [String])?.isEmpty == false)
        let referred = try await d.create("关于某小区噪音扰民的反映", member: 42)
        try await d.act(referred, "submit", "--as", "member:42")
        #expect(try await d.act(referred, "refer", "--as", "staff", "--channel", "社情民意") == "PROPOSAL_STATE_REFERRED")
        let withdrawn = try await d.create("关于调整公交线路的建议", member: 43)
        #expect(try await d.act(withdrawn, "withdraw", "--as", "member:43", "--reason", "已另行反映") == "PROPOSAL_STATE_WITHDRAWN")
        let returned = try await d.create("关于发展戈壁农业的建议", member: 44)
        try await d.act(returned, "submit", "--as", "member:44")
        #expect(try await d.act(returned, "return", "--as", "staff", "--reason", "请补充调研数据") == "PROPOSAL_STATE_DRAFT")
        #expect(try await d.act(returned, "submit", "--as", "member:44") == "PROPOSAL_STATE_SUBMITTED")
        try await d.act(returned, "file", "--as", "staff")

        // Bad input: each refused, nothing written.
        let wrongState = try await d.refused(withdrawn, "submit", "--as", "member:43")
        #expect(wrongState.status == 2)
        #expect(wrongState.stderr.contains("withdrawn (撤案)"))
        let nonMember = try await d.gateway(["proposal", "create", "--member", "9999", "--title", "x", "--body", "y"])
        #expect(nonMember.status == 3 && nonMember.stderr.contains("proposer_member_id"))
        try await d.act(returned, "assign", "--as", "staff", "--lead-unit", "2")
        let unknownUnit = try await d.refused(lead, "assign", "--as", "staff", "--lead-unit", "99")
        #expect(unknownUnit.status == 3 && unknownUnit.stderr.contains("lead_unit_id"))
        try await d.act(returned, "sign-for", "--as", "unit:2")
        let noClass = try await d.refused(returned, "reply", "--as", "unit:2", "--contact", "电话", "--text", "已答复")
        #expect(noClass.status == 2 && noClass.stderr.contains("reply_class"))
        let wrongUnit = try await d.refused(returned, "reply", "--as", "unit:1", "--class", "C", "--contact", "电话", "--text", "x")
        #expect(wrongUnit.status == 5)
        try await d.act(returned, "reply", "--as", "unit:2", "--class", "C", "--contact", "电话", "--text", "暂不具备条件")
        let notProposer = try await d.refused(returned, "feedback", "--as", "member:45", "--satisfaction", "满意")
        #expect(notProposer.status == 5)
        #expect(try await d.act(returned, "feedback", "--as", "member:44", "--satisfaction", "基本满意") == "PROPOSAL_STATE_FEEDBACK")

        // A unit asks to be reassigned within ten days; staff reassign; staff extend the
        // deadline; the proposal comes due within a week and is listed as such.
        let handled = try await d.create("关于中小学课后服务的建议", member: 46)
        try await d.act(handled, "submit", "--as", "member:46")
        try await d.act(handled, "file", "--as", "staff")
        let soon = Self.day(daysFromNow: 5)
        try await d.act(handled, "assign", "--as", "staff", "--lead-unit", "1", "--deadline", soon)
        #expect(try await d.refused(handled, "request-return", "--as", "unit:2", "--reason", "x").status == 5)
        #expect(try await d.act(handled, "request-return", "--as", "unit:1", "--reason", "不属我局职责") == "PROPOSAL_STATE_RETURN_REQUESTED")
        #expect(try await d.act(handled, "reassign", "--as", "staff", "--lead-unit", "2", "--deadline", soon) == "PROPOSAL_STATE_ASSIGNED")
        let overdue = try await d.gateway(["proposal", "overdue", "--within", "7", "--json"])
        let listed = ((try overdue.json()) as? [[String: Any]])?.compactMap { (($0["proposal"] as? [String: Any])?["id"] as? NSNumber)?.intValue } ?? []
        #expect(listed == [handled])
        let earlier = try await d.refused(handled, "extend", "--as", "staff", "--deadline", Self.day(daysFromNow: 1))
        #expect(earlier.status == 2 && earlier.stderr.contains("deadline_ms"))
        try await d.act(handled, "extend", "--as", "staff", "--deadline", Self.day(daysFromNow: 60))
        let later = try await d.gateway(["proposal", "overdue", "--within", "7", "--json"])
        #expect(((try later.json()) as? [Any])?.isEmpty == true)

        // Concurrent filing: 20 proposals filed at once get 20 consecutive, unique numbers.
        var waiting: [Int] = []
        for index in 0..<20 {
            let id = try await d.create("并发立案测试 \(index)", member: 50 + index)
            try await d.act(id, "submit", "--as", "member:\(50 + index)")
            waiting.append(id)
        }
        let endpoint = d.tracker!.rpcEndpoint
        let numbers = Numbers()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in waiting {
                group.addTask {
                    let client = try testClient([endpoint], caller: "filer-\(id)", timeout: .seconds(20))
                    var request = ProposalV1.ActRequest()
                    request.id = Int64(id)
                    request.action = .file
                    var actor = ProposalV1.Actor()
                    actor.kind = .staff
                    request.actor = actor
                    let response = try await client.call(ProposalV1.Proposals.act, request)
                    numbers.add(response.proposal?.number ?? "")
                    await client.close()
                }
            }
            try await group.waitForAll()
        }
        // Four were filed before (main, lead, returned, handled): these are 0005 to 0024.
        #expect(numbers.sorted == (5...24).map { String(format: "5-%d-%04d", Self.yearSession, $0) })

        // A topic through the six steps, consulted at a real meeting.
        let meeting = try await d.json("meeting", "schedule", "--title", "加装电梯协商", "--kind", "协商议事活动",
                                       "--start", "2026-12-08 14:30", "--minutes", "90", "--room", "1")
        let meetingID = (meeting["id"] as? NSNumber)?.intValue ?? 0
        let topic = try await d.json("topic", "create", "--title", "老旧小区加装电梯", "--room", "1", "--theme", "基层民主", "--source", "民情大走访", "--description", "居民多次反映")
        let topicID = (topic["id"] as? NSNumber)?.intValue ?? 0
        let skip = try await d.gateway(["topic", "advance", "\(topicID)", "consulted", "--meeting", "\(meetingID)"])
        #expect(skip.status == 2 && skip.stderr.contains("确定议题"))
        _ = try await d.json("topic", "advance", "\(topicID)", "decided", "--notes", "列入第四季度议题")
        _ = try await d.json("topic", "advance", "\(topicID)", "researched", "--notes", "走访住户120户")
        let noMeeting = try await d.gateway(["topic", "advance", "\(topicID)", "consulted", "--meeting", "999"])
        #expect(noMeeting.status == 3 && noMeeting.stderr.contains("meeting_id"))
        _ = try await d.json("topic", "advance", "\(topicID)", "consulted", "--meeting", "\(meetingID)", "--notes", "1+7+3协商")
        _ = try await d.json("topic", "advance", "\(topicID)", "publicised", "--notes", "社区公示7天", "--notice", "协商意见公示",
                             "--posted-at", "社区公开栏", "--from", "2026-12-01", "--to", "2026-12-07")
        _ = try await d.json("topic", "advance", "\(topicID)", "implemented", "--notes", "住建局牵头实施")
        let done = try await d.json("topic", "advance", "\(topicID)", "feedback", "--notes", "已加装3部", "--solved", "--notice", "已加装3部",
                                   "--posted-at", "社区公开栏", "--from", "2026-12-08", "--to", "2026-12-15")
        #expect(done["step"] as? String == "TOPIC_STEP_FEEDBACK")
        #expect((done["meetingID"] as? NSNumber)?.intValue == meetingID)
        #expect((done["steps"] as? [Any])?.count == 7)

        // Statistics of what this test did.
        let stats = try await d.json("proposal", "stats", "--timeout", "10")
        #expect((stats["filed"] as? NSNumber)?.intValue == 24)
        #expect((stats["notFiled"] as? NSNumber)?.intValue == 1)
        #expect((stats["merged"] as? NSNumber)?.intValue == 1)
        #expect((stats["referred"] as? NSNumber)?.intValue == 1)
        let replies = (stats["repliesByClass"] as? [[String: Any]])?.reduce(into: [String: Int]()) { $0[$1["name"] as? String ?? ""] = ($1["count"] as? NSNumber)?.intValue ?? 0 }
        // The main proposal answered A, then (after 不满意) B, counts once, as B.
        #expect(replies == ["A": 0, "B": 1, "C": 1, "D": 0])
        #expect((stats["answered"] as? NSNumber)?.intValue == 2)
        #expect((stats["answeredOnTime"] as? NSNumber)?.intValue == 2)
        #expect(abs(((stats["answerRate"] as? NSNumber)?.doubleValue ?? 0) - 2.0 / 24.0) < 1e-9)
        let labels = (stats["replyClasses"] as? [[String: Any]])?.map { $0["label"] as? String ?? "" }
        #expect(labels == ["解决采纳", "列入计划", "留作参考", "不能解决"])
        #expect((stats["satisfied"] as? NSNumber)?.intValue == 1)
        #expect((stats["basicallySatisfied"] as? NSNumber)?.intValue == 1)
        // The main proposal counts once, by its last feedback (满意 after re-handling).
        #expect((stats["dissatisfied"] as? NSNumber)?.intValue ?? 0 == 0)
        #expect((stats["satisfactionRate"] as? NSNumber)?.doubleValue == 1.0)
        #expect((stats["topicsCollected"] as? NSNumber)?.intValue == 1)
        #expect((stats["topicsSolved"] as? NSNumber)?.intValue == 1)
        let byMember = stats["byMember"] as? [[String: Any]] ?? []
        let twelve = byMember.first { ($0["memberID"] as? NSNumber)?.intValue == 12 }
        #expect((twelve?["led"] as? NSNumber)?.intValue == 1)
        let twenty = byMember.first { ($0["memberID"] as? NSNumber)?.intValue == 20 }
        #expect((twenty?["cosigned"] as? NSNumber)?.intValue == 1)

        // Staff say the next plenary is the seventh: this is the sixth session, and a proposal
        // drafted now is numbered in it; a number already passed is refused.
        let numbering = try await d.json("meeting", "numbering", "--kind", "全体委员会议", "--next", "7")
        let plenary = (numbering["kinds"] as? [[String: Any]])?.first { $0["kind"] as? String == "MEETING_KIND_PLENARY" }
        #expect((plenary?["next"] as? NSNumber)?.intValue == 7)
        #expect(try await d.gateway(["meeting", "numbering", "--kind", "视察", "--next", "3"]).status == 2)
        let sixth = try await d.create("关于完善社区养老服务的建议", member: 30)
        try await d.act(sixth, "submit", "--as", "member:30")
        let sixthFiled = try await d.json("proposal", "act", "\(sixth)", "file", "--as", "staff")
        #expect((sixthFiled["proposal"] as? [String: Any])?["number"] as? String == "5-6-0001")

        // A SIGKILL loses nothing: the history reads the same after a restart.
        await d.tracker!.stop(signal: SIGKILL)
        try await d.tracker!.start()
        let again = try await d.gateway(["proposal", "history", "\(main)", "--json"])
        #expect(again.stdout == history.stdout)
        await d.tracker!.stop()
        await d.scheduler.stop()
        await d.registry.stop()
    }
}

extension ProposalProcessTests {
    /// A date `days` from now, as the gateway takes it.
    static func day(daysFromNow days: Int) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }
}

final class Numbers: Sendable {
    private let values = Mutex<[String]>([])
    func add(_ value: String) { values.withLock { $0.append(value) } }
    var sorted: [String] { values.withLock { $0.sorted() } }
}

extension ProposalProcessTests {
    @Test("the reply classes are the committee's: proposal-tracker --reply-classes, and a wrong file refused at start")
    func replyClassesConfigured() async throws {
        let directory = try temporaryDirectory("reply-classes")
        let bad = directory + "/bad.txt", good = directory + "/good.txt"
        try "A | 已解决 | 已经解决\n".write(toFile: bad, atomically: true, encoding: .utf8)
        try "A | 已解决 | 已经解决\nB | 部分解决 | 部分解决\nC | 列入计划 | 逐步解决\nD | 留作参考 | 条件所限\n".write(toFile: good, atomically: true, encoding: .utf8)
        let refused = try await runCommand(builtExecutable("proposal-tracker"),
                                           ["--insecure", "--data-dir", directory + "/refused", "--reply-classes", bad])
        #expect(refused.status != 0 && refused.stderr.contains("no definition of class B, C, D"), "\(refused.stderr)")

        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler", arguments: ["--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint])
        let tracker = try await ServiceProcess("proposal-tracker", dataDir: directory + "/tracker", arguments: [
            "--registry", registry.rpcEndpoint, "--scheduler", scheduler.rpcEndpoint, "--reply-classes", good])
        let gateway = Gateway(registry: registry.rpcEndpoint, scheduler: scheduler.rpcEndpoint, tracker: tracker.rpcEndpoint)
        let stats = try await gateway.json(["proposal", "stats"])
        let labels = (stats["replyClasses"] as? [[String: Any]])?.map { $0["label"] as? String ?? "" }
        #expect(labels == ["已解决", "部分解决", "列入计划", "留作参考"])
        let table = try await gateway.run(["proposal", "stats"])
        #expect(table.stdout.contains("答复 B类 部分解决"))
        for service in [tracker, scheduler, registry] { #expect(await service.stop() == 0) }
    }
}

/// The proposal steps these tests take, through the gateway.
private extension Deployment {
    /// Runs an action and returns the proposal's state afterwards.
    @discardableResult
    func act(_ id: Int, _ action: String, _ extra: String...) async throws -> String {
        let response = try await json(["proposal", "act", "\(id)", action] + extra)
        return (response["proposal"] as? [String: Any])?["state"] as? String ?? ""
    }

    func refused(_ id: Int, _ action: String, _ extra: String...) async throws -> CommandResult {
        try await gateway(["proposal", "act", "\(id)", action] + extra)
    }

    func create(_ title: String, member: Int) async throws -> Int {
        let created = try await json("proposal", "create", "--member", "\(member)", "--title", title, "--body", "正文：\(title)")
        return (created["id"] as? NSNumber)?.intValue ?? -1
    }
}
