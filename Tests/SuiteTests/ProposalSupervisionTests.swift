import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// 重点提案 and 会签 (docs/DOMAIN.md, "Proposals"), with CURVE keys, as the people involved
/// would use them: the office records the 主席会议's choice and its supervising leader, who
/// follows the proposal with their own key; the lead unit's reply waits for each assisting
/// unit's sign-off before the proposer hears of it; a co-signer gives an opinion, the
/// proposer's feedback decides; the figures count what happened.
@Suite("key proposals and 会签, with CURVE keys", .serialized)
struct ProposalSupervisionTests {
    /// 孔明, a 副主席 in the demo's members (member 7); 陆丽 (8) is another.
    static let viceChair = 7

    @Test("a 副主席 supervises a key proposal the 主席会议 chose and follows it with their own key; assisting units sign off the reply before the proposer hears; a co-signer's opinion; the figures")
    func supervisedAndCountersigned() async throws {
        let directory = try temporaryDirectory("supervision")
        let suite = try await SuiteProcesses.startWithKeys(in: directory)
        let keys = try #require(suite.keys)
        let admin = suite.gateway(identity: "admin")
        let people = [("wang", "staff", "wang"), ("m7", "member", "7"), ("m12", "member", "12"), ("m20", "member", "20"),
                      ("m30", "member", "30"), ("u1", "unit", "1"), ("u2", "unit", "2"), ("u3", "unit", "3")]
        #expect(try await admin.run(["keys", "generate"] + people.map(\.0) + ["--dir", keys]).status == 0)
        for (name, role, principal) in people {
            #expect(try await admin.run(["keys", "allow", name, "--role", role, "--principal", principal, "--dir", keys]).status == 0)
        }
        try await Task.sleep(for: .milliseconds(1500))
        let staff = admin.identity("wang")
        func member(_ id: Int) -> Gateway { admin.identity("m\(id)") }
        func unit(_ id: Int) -> Gateway { admin.identity("u\(id)") }
        for arguments in [
            ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
            ["member", "import", demoMembersCSV],
            ["unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门"],
            ["unit", "add", "--name", "市财政局", "--kind", "政府部门"],
            ["unit", "add", "--name", "市发展和改革委员会", "--kind", "政府部门"],
        ] {
            let result = try await staff.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        // The 主席会议 that chooses the key proposals, held; and a meeting of another kind.
        let council = try await staff.json(["meeting", "schedule", "--title", "确定年度重点提案", "--kind", "主席会议", "--start", "2026-12-15 09:00",
                                            "--minutes", "90", "--venue", "市政协机关第一会议室", "--group", "chairpersons-council"])
        let councilID = (council["id"] as? NSNumber)?.stringValue ?? "?"
        #expect(try await staff.run(["meeting", "publish", councilID]).status == 0)
        let forum = try await staff.json(["meeting", "schedule", "--title", "双月协商座谈会", "--kind", "双月协商座谈会", "--start", "2026-12-16 09:00",
                                          "--minutes", "90", "--venue", "市政协机关第二会议室", "--group", "sector:经济界"])
        let forumID = (forum["id"] as? NSNumber)?.stringValue ?? "?"

        // A member's proposal, not public, co-signed by 20, filed and assigned to a lead unit and two assisting units.
        let created = try await member(12).json(["proposal", "create", "--member", "12", "--title", "关于推进老旧小区加装电梯的建议", "--body", "正文",
                                                 "--category", "城市建设", "--not-public", "涉及尚未公开的改造名单"])
        let id = (created["id"] as? NSNumber)?.stringValue ?? "?"
        #expect(created["key"] as? Bool == false)
        func state(_ response: [String: Any]) -> String { (response["proposal"] as? [String: Any])?["state"] as? String ?? "" }
        @discardableResult func act(_ who: Gateway, _ arguments: String...) async throws -> [String: Any] {
            try await who.json(["proposal", "act", id] + arguments)
        }
        func refused(_ who: Gateway, _ arguments: String...) async throws -> CommandResult {
            try await who.run(["proposal", "act", id] + arguments)
        }
        try await act(member(12), "invite-cosigners", "--member", "20")
        try await act(member(20), "cosign")
        try await act(member(12), "submit")
        try await act(staff, "file")
        try await act(staff, "assign", "--lead-unit", "1", "--assist", "2", "--assist", "3")

        // 重点提案: only the office records it, with a 主席 or 副主席 and the 主席会议 that chose it.
        #expect(try await member(7).run(["proposal", "show", id]).status == 5, "not yet the supervisor: the proposal is not public")
        #expect(try await refused(member(12), "designate-key", "--supervisor", "\(Self.viceChair)", "--meeting", councilID).status == 5)
        let notLeader = try await refused(staff, "designate-key", "--supervisor", "30", "--meeting", councilID)
        #expect(notLeader.status == 2 && notLeader.stderr.contains("supervisor_member_id"), "\(notLeader.stderr)")
        let wrongMeeting = try await refused(staff, "designate-key", "--supervisor", "\(Self.viceChair)", "--meeting", forumID)
        #expect(wrongMeeting.status == 2 && wrongMeeting.stderr.contains("not a 主席会议"), "\(wrongMeeting.stderr)")
        let missing = try await refused(staff, "designate-key", "--supervisor", "\(Self.viceChair)")
        #expect(missing.status == 2 && missing.stderr.contains("meeting_id"), "\(missing.stderr)")
        let designated = try await act(staff, "designate-key", "--supervisor", "\(Self.viceChair)", "--meeting", councilID)
        let key = designated["proposal"] as? [String: Any] ?? [:]
        #expect(key["key"] as? Bool == true && key["supervisorName"] as? String == "孔明", "\(key)")
        #expect(state(designated) == "PROPOSAL_STATE_ASSIGNED", "no state change")

        // The supervisor follows it with their own key: it, its history, their list; nobody else does.
        #expect(try await member(7).run(["proposal", "show", id]).status == 0)
        #expect(try await member(7).run(["proposal", "history", id]).status == 0)
        let listed = try await member(7).run(["proposal", "list", "--json"])
        #expect(((try listed.json()) as? [[String: Any]])?.compactMap { ($0["id"] as? NSNumber)?.stringValue } == [id], "\(listed.stdout)")
        #expect(try await member(30).run(["proposal", "show", id]).status == 5)
        #expect(try await unit(1).run(["proposal", "act", id, "designate-key", "--supervisor", "8", "--meeting", councilID]).status == 5)

        // The lead unit replies; the reply waits for both assisting units (会签).
        try await act(unit(1), "sign-for")
        let drafted = try await act(unit(1), "reply", "--class", "B", "--contact", "面谈", "--text", "列入2027年改造计划")
        #expect(state(drafted) == "PROPOSAL_STATE_COUNTERSIGNING")
        let waiting = (drafted["proposal"] as? [String: Any])?["signoffs"] as? [[String: Any]] ?? []
        #expect(waiting.compactMap { ($0["unitID"] as? NSNumber)?.intValue } == [2, 3])
        #expect(waiting.allSatisfy { $0["decision"] as? String == "SIGNOFF_DECISION_PENDING" })
        #expect(try await refused(unit(1), "countersign").status == 5, "the lead unit does not sign off its own reply")
        #expect(try await refused(member(12), "feedback", "--satisfaction", "满意").status == 2, "nothing to give feedback on yet")
        #expect(state(try await act(unit(2), "countersign", "--reason", "同意")) == "PROPOSAL_STATE_COUNTERSIGNING")
        let twice = try await refused(unit(2), "countersign")
        #expect(twice.status == 2 && twice.stderr.contains("already"), "\(twice.stderr)")
        let noReason = try await refused(unit(3), "return-reply")
        #expect(noReason.status == 2 && noReason.stderr.contains("reason"), "\(noReason.stderr)")
        // One assisting unit disagrees: back to the lead unit, which replies again; both sign anew.
        #expect(state(try await act(unit(3), "return-reply", "--reason", "资金安排表述与预算不符")) == "PROPOSAL_STATE_IN_HANDLING")
        let again = try await act(unit(1), "reply", "--class", "A", "--contact", "面谈", "--text", "已安排资金，首批12部年内完工")
        #expect(((again["proposal"] as? [String: Any])?["signoffs"] as? [[String: Any]])?.allSatisfy { $0["decision"] as? String == "SIGNOFF_DECISION_PENDING" } == true)
        try await act(unit(2), "countersign")
        let sent = try await act(unit(3), "countersign", "--reason", "同意")
        #expect(state(sent) == "PROPOSAL_STATE_REPLIED")
        #expect(((sent["proposal"] as? [String: Any])?["repliedAtMs"] as? NSNumber)?.int64Value ?? 0 > 0)

        // A co-signer's opinion is recorded; the proposer's feedback decides.
        #expect(try await refused(member(30), "opinion", "--satisfaction", "不满意").status == 5)
        let opinion = try await act(member(20), "opinion", "--satisfaction", "基本满意", "--reason", "进度可再加快")
        #expect(state(opinion) == "PROPOSAL_STATE_REPLIED")
        let cosigner = ((opinion["proposal"] as? [String: Any])?["cosigners"] as? [[String: Any]])?.first
        #expect(cosigner?["opinion"] as? String == "SATISFACTION_BASICALLY" && cosigner?["opinionNote"] as? String == "进度可再加快")
        let secondOpinion = try await refused(member(20), "opinion", "--satisfaction", "满意")
        #expect(secondOpinion.status == 2 && secondOpinion.stderr.contains("already given an opinion"), "one opinion a reply: \(secondOpinion.stderr)")
        #expect(state(try await act(member(12), "feedback", "--satisfaction", "满意")) == "PROPOSAL_STATE_FEEDBACK")

        // Who was told what: the proposer once, when the reply was sent; each assisting unit at
        // each draft; the lead unit of the return; the supervisor of the choice, the reply and the feedback.
        let title = "关于推进老旧小区加装电梯的建议"
        let proposer = try await Self.inbox(admin, "member", 12, until: { $0.contains("提案答复：\(title)") })
        #expect(proposer.filter { $0 == "提案答复：\(title)" }.count == 1, "\(proposer)")
        #expect(proposer.contains("重点提案：\(title)"))
        for assisting in [2, 3] {
            let titles = try await Self.inbox(admin, "unit", assisting, until: { $0.filter { $0 == "答复会签：\(title)" }.count >= 2 })
            #expect(titles.filter { $0 == "答复会签：\(title)" }.count == 2, "unit \(assisting): \(titles)")
        }
        #expect(try await Self.inbox(admin, "unit", 1, until: { $0.contains("会签退回：\(title)") }).contains("会签退回：\(title)"))
        let supervisor = try await Self.inbox(admin, "member", Self.viceChair, until: { $0.contains("重点提案反馈：\(title)") })
        for heading in ["重点提案督办", "重点提案答复", "重点提案反馈"] {
            #expect(supervisor.contains("\(heading)：\(title)"), "\(heading): \(supervisor)")
        }

        // A member who writes the workflow's fields into a draft of their own gets a plain draft:
        // not a key proposal, no units (which could then read it), no number.
        let tracker = try keyedClient(keys, as: "m12", calling: "proposal-tracker", at: suite.tracker.rpcEndpoint)
        var forged = ProposalV1.Proposal()
        forged.title = "关于自己的建议"
        forged.body = "正文"
        forged.proposerMemberID = 12
        forged.notPublicReason = "不公开"
        forged.key = true
        forged.supervisorMemberID = 12
        forged.leadUnitID = 2
        forged.assistingUnitIDs = [3]
        forged.state = .closed
        forged.number = "5-5-9999"
        var create = ProposalV1.CreateProposalRequest()
        create.proposal = forged
        let plain = try await tracker.call(ProposalV1.Proposals.create, create).proposal ?? ProposalV1.Proposal()
        #expect(!plain.key && plain.supervisorMemberID == 0 && plain.leadUnitID == 0 && plain.assistingUnitIDs.isEmpty)
        #expect(plain.state == .draft && plain.number.isEmpty)
        #expect(try await unit(2).run(["proposal", "show", "\(plain.id)"]).status == 5)
        await tracker.close()

        // The figures: one key proposal, answered after 会签, A, by a member, in 城市建设.
        let stats = try await staff.json(["proposal", "stats"])
        let keyRows = stats["keyProposals"] as? [[String: Any]] ?? []
        #expect(keyRows.count == 1 && keyRows.first?["supervisorName"] as? String == "孔明", "\(keyRows)")
        #expect(keyRows.first?["replyClass"] as? String == "REPLY_CLASS_A")
        #expect((stats["countersigned"] as? NSNumber)?.intValue == 1)
        #expect((stats["answered"] as? NSNumber)?.intValue == 1 && (stats["filedByMembers"] as? NSNumber)?.intValue == 1)
        #expect((stats["filedByCategory"] as? [[String: Any]])?.first?["name"] as? String == "城市建设")
        let classes = (stats["repliesByClass"] as? [[String: Any]])?.reduce(into: [String: Int]()) { $0[$1["name"] as? String ?? ""] = ($1["count"] as? NSNumber)?.intValue }
        #expect(classes == ["A": 1, "B": 0, "C": 0, "D": 0], "the returned draft B was never sent")
        let report = try await staff.run(["report", "--from", "2026-01-01", "--to", "2099-12-31", "--format", "html"])
        #expect(report.status == 0 && report.stdout.contains("重点提案督办") && report.stdout.contains("孔明"))
        for (name, status) in await suite.stop() { #expect(status == 0, "\(name) exits cleanly") }
    }

    /// The titles in an inbox once `done` holds of them (or 20 s have passed).
    static func inbox(_ gateway: Gateway, _ kind: String, _ id: Int, until done: ([String]) -> Bool) async throws -> [String] {
        var titles: [String] = []
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(20) {
            let result = try await gateway.run(["inbox", "--\(kind)", "\(id)", "--limit", "500", "--json"])
            if result.status == 0, let inbox = try? result.json() as? [String: Any] {
                titles = (inbox["notifications"] as? [[String: Any]])?.compactMap { $0["title"] as? String } ?? []
                if done(titles) { break }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return titles
    }
}
