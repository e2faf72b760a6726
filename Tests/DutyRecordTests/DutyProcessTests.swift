import Foundation
import Testing
import XieshangLabels
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// duty-record as a process beside the other four services: a member's record is exactly what
/// happened, however often the service is killed; a member reads, records and disputes only
/// their own; the rules change, the open years are rescored, a closed year keeps its points.
@Suite("duty-record with the other services, as processes", .serialized)
struct DutyProcessTests {
    /// One meeting of the burst: four members invited; two present, one on approved leave,
    /// one absent when it closes. Returns each member's kind of duty.
    static func meeting(_ gateway: Gateway, index: Int, members: [Int]) async throws -> [Int: String] {
        let scheduled = try await gateway.json(["meeting", "schedule", "--title", "界别协商会\(index)", "--kind", "界别协商",
                                                "--start", "2026-11-\(String(format: "%02d", index + 1)) 09:00", "--minutes", "60", "--venue", "市政协机关第\(index + 1)会议室"])
        let id = (scheduled["id"] as? NSNumber)?.stringValue ?? "?"
        try await gateway.json(["meeting", "invite", id] + members.flatMap { ["--member", "\($0)"] })
        try await gateway.json(["meeting", "publish", id])
        let shown = try await gateway.json(["meeting", "show", id])
        let invitees = (shown["invitees"] as? [[String: Any]] ?? []).reduce(into: [Int: String]()) {
            $0[($1["memberID"] as? NSNumber)?.intValue ?? 0] = ($1["id"] as? NSNumber)?.stringValue
        }
        for member in members.prefix(2) { try await gateway.json(["meeting", "check-in", id, "--invitee", invitees[member] ?? "?"]) }
        try await gateway.json(["meeting", "leave", id, "--invitee", invitees[members[2]] ?? "?", "--type", "出差", "--reason", "赴省里开会"])
        try await gateway.json(["meeting", "approve-leave", id, "--invitee", invitees[members[2]] ?? "?"])
        try await gateway.json(["meeting", "close", id, "--minutes", "形成协商意见"])
        return [members[0]: "DUTY_KIND_MEETING_ATTENDED", members[1]: "DUTY_KIND_MEETING_ATTENDED",
                members[2]: "DUTY_KIND_MEETING_LEAVE", members[3]: "DUTY_KIND_MEETING_ABSENT"]
    }

    /// Each member's counted entries of 2026 by kind, as the ranking shows them.
    static func record(_ gateway: Gateway) async throws -> [Int: [String: Int]] {
        let ranking = try await gateway.json(["duty", "ranking", "--year", "2026"])
        var record: [Int: [String: Int]] = [:]
        for m in ranking["members"] as? [[String: Any]] ?? [] {
            let member = (m["memberID"] as? NSNumber)?.intValue ?? 0
            for k in m["byKind"] as? [[String: Any]] ?? [] {
                record[member, default: [:]][k["kind"] as? String ?? "", default: 0] += (k["count"] as? NSNumber)?.intValue ?? 0
            }
        }
        return record
    }

    @Test("SIGKILLed twice in a burst of meetings closing and proposals filed, every member's record is exactly right: each duty once")
    func killedInBurst() async throws {
        let d = try await Deployment.start("duty-burst", .all, seed: Deployment.office)
        let gateway = d.gatewayCLI()
        let duty = try #require(d.duty)
        // The burst runs while the service is killed and restarted twice.
        let burst = Task { () throws -> [Int: [String: Int]] in
            var expected: [Int: [String: Int]] = [:]
            for index in 0..<8 {
                let members = (0..<4).map { 20 + index * 4 + $0 }
                for (member, kind) in try await Self.meeting(gateway, index: index, members: members) { expected[member, default: [:]][kind, default: 0] += 1 }
                if index < 4 {
                    // A proposal of member 60+, co-signed by 70+, filed.
                    let proposer = 60 + index, cosigner = 70 + index
                    let created = try await gateway.json(["proposal", "create", "--member", "\(proposer)", "--title", "关于第\(index)项工作的建议", "--body", "正文"])
                    let id = (created["id"] as? NSNumber)?.stringValue ?? "?"
                    try await gateway.json(["proposal", "act", id, "invite-cosigners", "--as", "member:\(proposer)", "--member", "\(cosigner)"])
                    try await gateway.json(["proposal", "act", id, "cosign", "--as", "member:\(cosigner)"])
                    try await gateway.json(["proposal", "act", id, "submit", "--as", "member:\(proposer)"])
                    try await gateway.json(["proposal", "act", id, "file", "--as", "staff"])
                    expected[proposer, default: [:]]["DUTY_KIND_PROPOSAL_LED", default: 0] += 1
                    expected[cosigner, default: [:]]["DUTY_KIND_PROPOSAL_COSIGNED", default: 0] += 1
                }
            }
            return expected
        }
        for pause in [1500, 2500] {
            try await Task.sleep(for: .milliseconds(pause))
            _ = await duty.stop(signal: SIGKILL)
            try await duty.start()
        }
        let expected = try await burst.value
        // It catches up by itself; then the record is exactly what happened.
        var record: [Int: [String: Int]] = [:]
        for _ in 0..<100 {
            record = try await Self.record(gateway)
            if record == expected { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(record == expected)
        let show = try await gateway.json(["duty", "show", "20", "--year", "2026"])
        let entries = show["entries"] as? [[String: Any]] ?? []
        #expect(entries.count == 1 && entries.first?["source"] as? String == "meeting-scheduler", "\(entries)")
        #expect(((show["year"] as? [String: Any])?["points"] as? NSNumber)?.intValue == 2, "出席会议 is 2 points by the default rules")
        // The annual 履职报告: a row per active member (175), with who did nothing.
        let csvFile = d.directory + "/duty-2026.csv"
        #expect(try await gateway.run(["duty", "report", "--year", "2026", "--format", "csv", "--output", csvFile]).status == 0)
        let lines = try String(contentsOfFile: csvFile, encoding: .utf8).split(separator: "\r\n").map(String.init)
        #expect(lines.count == 1 + 175, "a header and every member")
        #expect(lines.first?.contains("出席") == true)
        let twenty = lines.first { $0.split(separator: ",").dropFirst().first == "5020" }?.split(separator: ",").map(String.init) ?? []
        #expect(twenty.count == 18 && twenty[4] == "2" && twenty[5] == "1", "member 20: 2 points, attended once: \(twenty)")
        let html = try await gateway.run(["duty", "report", "--year", "2026", "--format", "html"])
        #expect(html.status == 0 && html.stdout.contains("委员履职报告 2026年度") && html.stdout.contains("无履职记录的委员（"), "\(html.stderr)")
        for (name, status) in await d.stop() { #expect(status == 0, "\(name) exits cleanly") }
    }

    @Test("with keys: a member reads, records and disputes only their own; staff confirm and amend, the history kept; new rules rescore the open year; a closed year keeps its points")
    func ownRecordRulesAndYears() async throws {
        let directory = try temporaryDirectory("duty-keys")
        let suite = try await SuiteProcesses.startWithKeys(in: directory)
        let keys = try #require(suite.keys)
        let admin = suite.gateway(identity: "admin")
        let people = [("wang", "staff", "wang"), ("m20", "member", "20"), ("m21", "member", "21"), ("u1", "unit", "1")]
        #expect(try await admin.run(["keys", "generate"] + people.map(\.0) + ["--dir", keys]).status == 0)
        for (name, role, principal) in people {
            #expect(try await admin.run(["keys", "allow", name, "--role", role, "--principal", principal, "--dir", keys]).status == 0)
        }
        try await Task.sleep(for: .milliseconds(1500))
        let staff = admin.identity("wang"), m20 = admin.identity("m20"), m21 = admin.identity("m21"), u1 = admin.identity("u1")
        for arguments in [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd], ["member", "import", demoMembersCSV],
                          ["unit", "add", "--name", "市民政局", "--kind", "政府部门"]] {
            let result = try await staff.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        // A meeting of 2025 and one of 2026, each with 20 and 21 invited: 20 present, 21 absent.
        for (index, start) in ["2025-11-03 09:00", "2026-11-03 09:00"].enumerated() {
            let scheduled = try await staff.json(["meeting", "schedule", "--title", "委员培训会\(index)", "--kind", "专委会会议", "--start", start,
                                                  "--minutes", "60", "--venue", "市政协机关第一会议室"])
            let id = (scheduled["id"] as? NSNumber)?.stringValue ?? "?"
            try await staff.json(["meeting", "invite", id, "--member", "20", "--member", "21"])
            try await staff.json(["meeting", "publish", id])
            let invitees = (try await staff.json(["meeting", "show", id]))["invitees"] as? [[String: Any]] ?? []
            let twenty = invitees.first { ($0["memberID"] as? NSNumber)?.intValue == 20 }.flatMap { ($0["id"] as? NSNumber)?.stringValue } ?? "?"
            try await staff.json(["meeting", "check-in", id, "--invitee", twenty])
            try await staff.json(["meeting", "close", id, "--minutes", "完成"])
        }
        func year(_ gateway: Gateway, _ member: String, _ year: Int) async throws -> (points: Int, entries: [[String: Any]]) {
            let shown = try await gateway.json(["duty", "show", member, "--year", "\(year)"])
            return (((shown["year"] as? [String: Any])?["points"] as? NSNumber)?.intValue ?? 0, shown["entries"] as? [[String: Any]] ?? [])
        }
        var absent: [[String: Any]] = []
        for _ in 0..<100 {
            absent = try await year(staff, "21", 2026).entries
            if !absent.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(absent.first?["kind"] as? String == "DUTY_KIND_MEETING_ABSENT", "\(absent)")
        let absence = (absent.first?["id"] as? NSNumber)?.stringValue ?? "?"
        #expect(try await year(staff, "21", 2026).points == -3)

        // Their own, and no one else's.
        #expect(try await m21.run(["duty", "show", "--year", "2026"]).status == 0)
        let thisYear = try await m21.run(["duty", "show"])
        #expect(thisYear.status == 0 && thisYear.stdout.contains("\(CommitteeClock.thisYear)年履职"), "without --year, this year: \(thisYear.stdout)")
        #expect(try await m21.run(["duty", "show", "20", "--year", "2026"]).status == 5)
        #expect(try await m20.run(["duty", "entry", absence]).status == 5)
        #expect(try await m21.run(["duty", "ranking", "--year", "2026"]).status == 5)
        #expect(try await u1.run(["duty", "show", "21", "--year", "2026"]).status == 5)

        // A member records a research visit: it waits for staff, who confirm it.
        let recorded = try await m21.json(["duty", "record", "--kind", "参加调研", "--date", "2026-10-20", "--title", "农村养老服务调研", "--evidence", "调研通知第12号"])
        #expect(recorded["status"] as? String == "ENTRY_STATUS_PENDING" && (recorded["points"] as? NSNumber)?.intValue == 0)
        // Staff read where it came from in their own words, not the field's value.
        let table = try await staff.run(["duty", "show", "21", "--year", "2026"]).stdout
        #expect(table.contains("农村养老服务调研  登记 recorded") && table.contains("待确认"), "\(table)")
        #expect(try await m21.run(["duty", "record", "--member", "20", "--kind", "参加调研", "--date", "2026-10-20", "--title", "x", "--evidence", "y"]).status == 5)
        let notRecorded = try await m21.run(["duty", "record", "--kind", "出席会议", "--date", "2026-10-20", "--title", "x", "--evidence", "y"])
        #expect(notRecorded.status == 2 && notRecorded.stderr.contains("kind"), "\(notRecorded.stderr)")
        #expect(try await m21.run(["duty", "review", (recorded["id"] as? NSNumber)?.stringValue ?? "?", "confirm"]).status == 5)
        try await staff.json(["duty", "review", (recorded["id"] as? NSNumber)?.stringValue ?? "?", "confirm"])
        #expect(try await year(staff, "21", 2026).points == -1, "−3 absent, +2 research")
        let ancient = try await m21.run(["duty", "record", "--kind", "参加调研", "--date", "1999-10-20", "--title", "x", "--evidence", "y"])
        #expect(ancient.status == 2 && ancient.stderr.contains("2000 to 2100"), "\(ancient.stderr)")
        // A member keeps at most 50 entries waiting for staff; the 51st is refused, nothing written.
        let own = try keyedClient(keys, as: "m21", calling: "duty-record", at: suite.duty.rpcEndpoint)
        var waiting = DutyV1.RecordRequest()
        waiting.kind = .training
        waiting.date = "2026-09-01"
        waiting.title = "培训"
        waiting.evidence = "签到表"
        for _ in 0..<50 { _ = try await own.call(DutyV1.Duty.record, waiting) }
        do {
            _ = try await own.call(DutyV1.Duty.record, waiting)
            Issue.record("the 51st waiting entry was taken")
        } catch {
            #expect(error.code == .resourceExhausted, "\(error)")
        }
        await own.close()
        let pendingNow = ((try await staff.json(["duty", "show", "21", "--year", "2026"]))["year"] as? [String: Any])?["pending"] as? NSNumber
        #expect(pendingNow?.intValue == 50)

        // The member disputes the absence; staff find they had asked for leave and amend it.
        #expect(try await m20.run(["duty", "dispute", absence, "--reason", "x"]).status == 5)
        let disputed = try await m21.json(["duty", "dispute", absence, "--reason", "会前已书面请假"])
        #expect(disputed["disputed"] as? Bool == true)
        let twice = try await m21.run(["duty", "dispute", absence, "--reason", "会前已书面请假"])
        #expect(twice.status == 2 && twice.stderr.contains("说明：这条记录已提出过异议，正在等待办公室处理。"), "\(twice.stderr)")
        let noNote = try await staff.run(["duty", "review", absence, "amend", "--kind", "会议请假"])
        #expect(noNote.status == 2 && noNote.stderr.contains("note"), "\(noNote.stderr)")
        let amended = try await staff.json(["duty", "review", absence, "amend", "--kind", "会议请假", "--note", "核实请假条"])
        #expect(amended["kind"] as? String == "DUTY_KIND_MEETING_LEAVE" && amended["disputed"] as? Bool == false)
        let history = (amended["history"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        #expect(history == ["recorded", "disputed", "amended", "amend"], "\(history)")
        #expect(try await year(staff, "21", 2026).points == 2, "leave 0, research 2")
        #expect(try await staff.run(["duty", "review", absence, "void", "--note", "x"]).status == 2, "no longer disputed")

        // 2025 is closed; then new rules (出席会议 4 points) rescore 2026 only, once recalculated.
        #expect(try await year(staff, "20", 2025).points == 2)
        #expect(try await year(staff, "20", 2026).points == 2)
        let closed = try await staff.json(["duty", "close-year", "--year", "2025"])
        #expect((closed["rulesVersion"] as? NSNumber)?.intValue == 1)
        #expect(try await staff.run(["duty", "close-year", "--year", "2025"]).status == 2)
        let rules = directory + "/rules.txt"
        let standard = (try await staff.json(["duty", "rules"]))["current"] as? [String: Any] ?? [:]
        let lines = (standard["rules"] as? [[String: Any]] ?? []).map { rule -> String in
            let kind = (rule["kind"] as? String ?? "").replacingOccurrences(of: "DUTY_KIND_", with: "").lowercased().replacingOccurrences(of: "_", with: "-")
            let points = kind == "meeting-attended" ? 4 : (rule["points"] as? NSNumber)?.intValue ?? 0
            return "\(kind) | \(rule["name"] as? String ?? "") | \(points)"
        }
        try ("# 新的积分规则\n" + lines.joined(separator: "\n") + "\n").write(toFile: rules, atomically: true, encoding: .utf8)
        #expect(await suite.duty.stop() == 0)
        try await suite.duty.start(extra: ["--rules", rules])
        let after = try await staff.json(["duty", "rules"])
        #expect(((after["current"] as? [String: Any])?["version"] as? NSNumber)?.intValue == 2)
        #expect((after["staleEntries"] as? NSNumber)?.intValue ?? 0 > 0)
        #expect(try await year(staff, "20", 2026).points == 2, "not rescored until staff recalculate")
        let recalculated = try await staff.json(["duty", "recalculate"])
        #expect((recalculated["changed"] as? NSNumber)?.intValue == 1, "20's attendance in 2026")
        #expect(try await year(staff, "20", 2026).points == 4)
        #expect(try await year(staff, "20", 2025).points == 2, "the closed year keeps its points")
        let late = try await staff.run(["duty", "record", "--member", "20", "--kind", "参加培训", "--date", "2025-12-01", "--title", "x", "--evidence", "y"])
        #expect(late.status == 2 && late.stderr.contains("2025 is closed"), "\(late.stderr)")
        #expect(late.stderr.contains("说明：2025 年度的履职记录已经结束（定稿），不能再登记或提出异议。"), "\(late.stderr)")
        // A rules file the service cannot use stops it with the line named.
        try "meeting-attended | 出席会议 | lots\n".write(toFile: rules, atomically: true, encoding: .utf8)
        #expect(await suite.duty.stop() == 0)
        let refused = try await runCommand(builtExecutable("duty-record"), ["--insecure", "--data-dir", directory + "/refused", "--rules", rules])
        #expect(refused.status != 0 && refused.stderr.contains("rules.txt:1"), "\(refused.stderr)")
        try await suite.duty.start()
        // Serving again before it is stopped: a service prints its ready line a moment before
        // it traps SIGTERM (see the closing note), and this test is about the record, not that.
        #expect(try await staff.run(["duty", "rules"]).status == 0)
        for (name, status) in await suite.stop() { #expect(status == 0, "\(name) exits cleanly") }
    }
}
