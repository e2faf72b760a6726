import Foundation
import Testing
import XieshangTestSupport

/// `gateway report` against a scenario whose every count is known.
@Suite("the committee report", .serialized)
struct ReportTests {
    @Test("the report's numbers match a scenario with known counts, in json, table, csv and html")
    func knownCounts() async throws {
        let directory = try temporaryDirectory("report")
        let (registry, scheduler, tracker) = try await SuiteProcesses.startCore(in: directory)
        let gateway = Gateway(registry: registry.rpcEndpoint, scheduler: scheduler.rpcEndpoint, tracker: tracker.rpcEndpoint)
        func run(_ arguments: String...) async throws {
            let result = try await gateway.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        try await run("term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd)
        try await run("member", "import", demoMembersCSV)          // 175 members, all active
        try await run("member", "resign", "175", "--reason", "工作调动")  // asked: still 在任
        try await run("member", "decide", "175", "--decision", "accept-resignation", "--meeting", "十届二十三次常委会会议")  // 174 active
        try await run("station", "add", "--name", "雄关街道委员工作站")
        try await run("room", "add", "--name", "新华社区协商议事室", "--station", "1", "--capacity", "30", "--has", "all")
        try await run("room", "add", "--name", "胜利社区协商议事室", "--station", "1", "--capacity", "20", "--has", "site,sign")
        try await run("member", "assign", "1", "--room", "1")
        try await run("member", "assign", "2", "--room", "1")
        try await run("member", "assign", "2", "--room", "2")     // counted once
        try await run("unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门")

        // A 1+7+3 activity: members 1, 2, 3 and one resident. Member 3 on leave, member 1
        // and the resident present, member 2 absent.
        let scheduled = try await gateway.json(["meeting", "schedule", "--title", "加装电梯协商", "--kind", "协商议事活动",
                                                "--start", "2026-06-10 14:30", "--minutes", "90", "--room", "1"])
        let meeting = "\((scheduled["id"] as? NSNumber)?.intValue ?? 0)"
        try await run("meeting", "invite", meeting, "--member", "1", "--member", "2", "--member", "3",
                      "--participant", "王秀兰|新华社区|群众代表")
        try await run("meeting", "publish", meeting)
        let shown = try await gateway.json(["meeting", "show", meeting])
        let invitees = (shown["invitees"] as? [[String: Any]]) ?? []
        func invitee(member: Int) -> String { "\((invitees.first { ($0["memberID"] as? NSNumber)?.intValue == member }?["id"] as? NSNumber)?.intValue ?? 0)" }
        let resident = "\((invitees.first { ($0["memberID"] as? NSNumber)?.intValue ?? 0 == 0 }?["id"] as? NSNumber)?.intValue ?? 0)"
        try await run("meeting", "leave", meeting, "--invitee", invitee(member: 3), "--type", "出差", "--reason", "赴兰州培训")
        try await run("meeting", "approve-leave", meeting, "--invitee", invitee(member: 3))
        try await run("meeting", "check-in", meeting, "--invitee", invitee(member: 1))
        try await run("meeting", "check-in", meeting, "--invitee", resident)
        try await run("meeting", "close", meeting, "--minutes", "形成意见2条")

        // Proposals: member 1's is filed, answered A and found 满意; member 2's, co-signed
        // by member 1, is not filed.
        let first = "\((try await gateway.json(["proposal", "create", "--member", "1", "--title", "关于加装电梯的建议", "--body", "正文"])["id"] as? NSNumber)?.intValue ?? 0)"
        try await run("proposal", "act", first, "submit", "--as", "member:1")
        try await run("proposal", "act", first, "file", "--as", "staff")
        try await run("proposal", "act", first, "assign", "--as", "staff", "--lead-unit", "1")
        try await run("proposal", "act", first, "sign-for", "--as", "unit:1")
        try await run("proposal", "act", first, "reply", "--as", "unit:1", "--class", "A", "--contact", "面谈", "--text", "已列入计划")
        try await run("proposal", "act", first, "feedback", "--as", "member:1", "--satisfaction", "满意")
        let second = "\((try await gateway.json(["proposal", "create", "--member", "2", "--title", "关于城市吉祥物的建议", "--body", "正文"])["id"] as? NSNumber)?.intValue ?? 0)"
        try await run("proposal", "act", second, "invite-cosigners", "--as", "member:2", "--member", "1")
        try await run("proposal", "act", second, "cosign", "--as", "member:1")
        try await run("proposal", "act", second, "submit", "--as", "member:2")
        try await run("proposal", "act", second, "not-file", "--as", "staff", "--reason", "不属于提案范围")
        // A topic collected and decided, not solved.
        try await run("topic", "create", "--title", "老旧小区加装电梯", "--room", "1", "--theme", "基层民主", "--source", "民情大走访", "--description", "居民反映")
        try await run("topic", "advance", "1", "确定议题", "--notes", "列入年度计划")

        let period = ["--from", "2026-01-01", "--to", "2026-12-31"]
        let report = try await gateway.json(["report"] + period)
        func int(_ key: String) -> Int? { (report[key] as? NSNumber)?.intValue }
        #expect(int("topicsCollected") == 1 && int("topicsDecided") == 1 && int("topicsSolved") == 0)
        #expect(int("consultationActivities") == 1)
        #expect(int("participantPersonTimes") == 2)
        let kinds = report["meetingsByKind"] as? [[String: Any]] ?? []
        #expect(kinds.count == 1)
        // 应到 3 (member 3's leave counted in it), 实到 1 (the resident is a participant, not
        // a member), 请假 1, 缺席 1: 33.3%, not the 100% that taking leave out of 应到 gave.
        func kindFigure(_ key: String) -> Int? { (kinds.first?[key] as? NSNumber)?.intValue }
        #expect(kindFigure("expected") == 3 && kindFigure("present") == 1 && kindFigure("onLeave") == 1 && kindFigure("absent") == 1)
        #expect(abs(((kinds.first?["attendanceRate"] as? NSNumber)?.doubleValue ?? 0) - 1.0 / 3.0) < 1e-9)
        #expect(int("proposalsSubmitted") == 2 && int("proposalsFiled") == 1 && int("proposalsNotFiled") == 1)
        #expect(int("proposalsMerged") == 0 && int("proposalsReferred") == 0)
        let classes = (report["repliesByClass"] as? [[String: Any]] ?? []).reduce(into: [String: Int]()) {
            $0[$1["name"] as? String ?? ""] = ($1["count"] as? NSNumber)?.intValue
        }
        #expect(classes["A"] == 1 && classes["B"] == 0)
        #expect(int("satisfied") == 1 && int("dissatisfied") == 0)
        // The handling table for the 常委会: the one unit, one proposal filed, answered, A, 满意.
        let units = report["unitHandling"] as? [[String: Any]] ?? []
        #expect(units.count == 1)
        #expect(units.first?["name"] as? String == "市住房和城乡建设局")
        #expect((units.first?["answered"] as? NSNumber)?.intValue == 1 && (units.first?["satisfied"] as? NSNumber)?.intValue == 1)
        #expect((report["satisfactionRate"] as? NSNumber)?.doubleValue == 1)
        #expect(int("rooms") == 2 && int("roomsMeetingSixHaves") == 1)
        let short = report["roomsShort"] as? [[String: Any]] ?? []
        #expect(short.first?["name"] as? String == "胜利社区协商议事室")
        #expect(short.first?["missing"] as? [String] == ["有设施", "有制度", "有活动记录", "有固定成员"])
        #expect(int("activeMembers") == 174 && int("membersInRooms") == 2)
        #expect(abs(((report["sinkingCoverage"] as? NSNumber)?.doubleValue ?? 0) - 2.0 / 174.0) < 1e-9)
        let duty = (report["members"] as? [[String: Any]] ?? []).reduce(into: [Int: [String: Any]]()) {
            $0[($1["memberID"] as? NSNumber)?.intValue ?? -1] = $1
        }
        #expect(duty.count == 174 && duty[175] == nil)
        func figure(_ member: Int, _ key: String) -> Int? { (duty[member]?[key] as? NSNumber)?.intValue }
        #expect(figure(1, "attended") == 1 && figure(1, "consultationActivities") == 1 && figure(1, "proposalsLed") == 1 && figure(1, "proposalsCosigned") == 1)
        #expect(figure(2, "absent") == 1 && figure(2, "attended") == 0 && figure(2, "proposalsLed") == 1)
        #expect(figure(3, "onLeave") == 1 && figure(3, "absent") == 0)
        #expect(figure(4, "attended") == 0 && figure(4, "proposalsLed") == 0)

        // A period before all of it: zeros, and still every active member.
        let empty = try await gateway.json(["report", "--from", "2020-01-01", "--to", "2020-12-31"])
        #expect((empty["proposalsSubmitted"] as? NSNumber)?.intValue == 0 && (empty["consultationActivities"] as? NSNumber)?.intValue == 0)
        #expect((empty["members"] as? [Any])?.count == 174)

        // The table lines up Chinese text; CSV and HTML carry the same figures.
        let table = try await gateway.run(["report"] + period)
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("类别 section") })
        let filed = try #require(lines.first { $0.contains("立案 filed") })
        #expect(columnOf("数值 value", in: header) == columnOf("1", in: filed, after: "立案 filed"))
        let csvFile = directory + "/report.csv"
        let wrote = try await gateway.run(["report"] + period + ["--format", "csv", "--output", csvFile])
        #expect(wrote.status == 0 && wrote.stdout.contains(csvFile))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: csvFile))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "a UTF-8 byte-order mark for spreadsheets")
        let csv = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(csv.hasPrefix("类别 section,项目 item,数值 value\r\n"))
        #expect(csv.contains("提案 proposals,立案 filed,1\r\n"))
        #expect(csv.contains("\r\n\r\n编号 number,姓名 name,"))
        let html = try await gateway.run(["report"] + period + ["--format", "html"])
        #expect(html.stdout.hasPrefix("<!DOCTYPE html>") && html.stdout.contains("<svg") && html.stdout.contains("胜利社区协商议事室"))
        // Self-contained: no scripts, no linked style sheets or images.
        #expect(!html.stdout.contains("<script") && !html.stdout.contains("<link") && !html.stdout.contains("src="))

        // Bad periods are usage errors.
        #expect(try await gateway.run(["report", "--from", "2026-12-31", "--to", "2026-01-01"]).status == 64)
        #expect(try await gateway.run(["report", "--from", "yesterday", "--to", "2026-01-01"]).status == 64)

        await tracker.stop()
        await scheduler.stop()
        await registry.stop()
    }

    /// The terminal column where `text` starts in `line` (after `marker`, if given).
    private func columnOf(_ text: String, in line: String, after marker: String? = nil) -> Int? {
        var searchFrom = line.startIndex
        if let marker, let range = line.range(of: marker) { searchFrom = range.upperBound }
        guard let range = line.range(of: text, range: searchFrom..<line.endIndex) else { return nil }
        return line[..<range.lowerBound].unicodeScalars.reduce(0) { total, scalar in
            let v = scalar.value
            return total + ((0x3000...0x9FFF).contains(v) || (0xFF00...0xFF60).contains(v) ? 2 : 1)
        }
    }
}
