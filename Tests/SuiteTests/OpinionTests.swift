import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// 社情民意 (docs/DOMAIN.md, "社情民意") with CURVE keys: a member submits with their own key and
/// reads only their own; the office edits, sends up, records adoptions and instructions, and
/// the member hears of them; a proposal referred to 社情民意 becomes an item; the figures.
@Suite("社情民意, with CURVE keys", .serialized)
struct OpinionTests {
    @Test("a member submits and reads their own; the office edits, reports, records adoption and 批示; refusals change nothing; a referral becomes an item; the figures")
    func opinions() async throws {
        let directory = try temporaryDirectory("opinions")
        let suite = try await SuiteProcesses.startWithKeys(in: directory)
        let keys = try #require(suite.keys)
        let admin = suite.gateway(identity: "admin")
        let people = [("wang", "staff", "wang"), ("m12", "member", "12"), ("m30", "member", "30"), ("u1", "unit", "1")]
        #expect(try await admin.run(["keys", "generate"] + people.map(\.0) + ["--dir", keys]).status == 0)
        for (name, role, principal) in people {
            #expect(try await admin.run(["keys", "allow", name, "--role", role, "--principal", principal, "--dir", keys]).status == 0)
        }
        try await Task.sleep(for: .milliseconds(1500))
        let staff = admin.identity("wang"), m12 = admin.identity("m12"), m30 = admin.identity("m30"), u1 = admin.identity("u1")
        for arguments in [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd], ["member", "import", demoMembersCSV],
                          ["unit", "add", "--name", "市民政局", "--kind", "政府部门"]] {
            let result = try await staff.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        func id(_ response: [String: Any]) -> String { (response["id"] as? NSNumber)?.stringValue ?? "?" }
        func state(_ response: [String: Any]) -> String { (response["opinion"] as? [String: Any])?["state"] as? String ?? "" }

        // A member submits with their own key, as themselves only.
        let submitted = try await m12.json(["opinion", "submit", "--title", "关于农村留守老人助餐难的反映", "--body", "多个村反映老人就餐不便，建议推广村级助餐点。"])
        let item = id(submitted)
        #expect(submitted["state"] as? String == "OPINION_STATE_SUBMITTED" && (submitted["memberID"] as? NSNumber)?.intValue == 12)
        let sector = submitted["sector"] as? String ?? ""
        #expect(!sector.isEmpty)
        #expect(try await m12.run(["opinion", "submit", "--member", "30", "--title", "x", "--body", "y"]).status == 5)
        let blank = try await m12.run(["opinion", "submit", "--title", " ", "--body", "y"])
        #expect(blank.status == 2 && blank.stderr.contains("title"), "\(blank.stderr)")

        // Nobody else reads it; the member cannot act on it.
        #expect(try await m30.run(["opinion", "show", item]).status == 5)
        #expect(((try await m30.run(["opinion", "list", "--json"]).json()) as? [Any])?.isEmpty == true)
        #expect(try await u1.run(["opinion", "list"]).status == 5)
        #expect(try await m12.run(["opinion", "act", item, "report", "--level", "省级", "--to", "省政协办公厅"]).status == 5)
        #expect(try await m12.run(["opinion", "show", item]).status == 0)

        // The office: edit (saying what), send up, record adoption and an instruction.
        let noNote = try await staff.run(["opinion", "act", item, "edit", "--title", "关于破解农村留守老人助餐难的建议"])
        #expect(noNote.status == 2 && noNote.stderr.contains("note"), "\(noNote.stderr)")
        try await staff.json(["opinion", "act", item, "edit", "--title", "关于破解农村留守老人助餐难的建议", "--note", "精简标题"])
        let early = try await staff.run(["opinion", "act", item, "adopt", "--level", "省级", "--used-in", "省政协《社情民意》第12期"])
        #expect(early.status == 2 && early.stderr.contains("submitted (已提交)"), "\(early.stderr)")
        #expect(state(try await staff.json(["opinion", "act", item, "report", "--level", "省级", "--to", "省政协办公厅"])) == "OPINION_STATE_REPORTED")
        let twice = try await staff.run(["opinion", "act", item, "report", "--level", "省级", "--to", "省政协办公厅"])
        #expect(twice.status == 2 && twice.stderr.contains("already sent"), "\(twice.stderr)")
        try await staff.json(["opinion", "act", item, "report", "--level", "全国", "--to", "全国政协办公厅信息局"])
        #expect(state(try await staff.json(["opinion", "act", item, "adopt", "--level", "省级", "--used-in", "省政协《社情民意》2026年第12期"])) == "OPINION_STATE_ADOPTED")
        let city = try await staff.run(["opinion", "act", item, "adopt", "--level", "市级", "--used-in", "市委《信息专报》"])
        #expect(city.status == 2 && city.stderr.contains("not sent to the 市级 level"), "\(city.stderr)")
        let instructed = try await staff.json(["opinion", "act", item, "instruct", "--level", "省级", "--leader", "副省长", "--text", "请省民政厅研究推广"])
        #expect(state(instructed) == "OPINION_STATE_ADOPTED")
        let declined = try await staff.run(["opinion", "act", item, "decline", "--note", "x"])
        #expect(declined.status == 2 && declined.stderr.contains("adopted"), "\(declined.stderr)")
        let shown = try await m12.json(["opinion", "show", item])
        #expect(shown["title"] as? String == "关于破解农村留守老人助餐难的建议")
        #expect((shown["steps"] as? [Any])?.count == 6, "submit, edit, two reports, adopt, instruct: \(shown)")
        #expect((shown["reports"] as? [Any])?.count == 2 && (shown["adoptions"] as? [Any])?.count == 1)

        // The member hears of the adoption and the instruction.
        let title = "关于破解农村留守老人助餐难的建议"
        var inbox: [String] = []
        for _ in 0..<100 {
            let result = try await admin.run(["inbox", "--member", "12", "--json"])
            inbox = ((try? result.json()) as? [String: Any]).flatMap { $0["notifications"] as? [[String: Any]] }?.compactMap { $0["title"] as? String } ?? []
            if inbox.contains("社情民意批示：\(title)") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(inbox.contains("社情民意采用：\(title)") && inbox.contains("社情民意批示：\(title)"), "\(inbox)")

        // A proposal referred to 社情民意 becomes its proposer's item, which they read.
        let proposal = id(try await m30.json(["proposal", "create", "--member", "30", "--title", "关于某小区夜间施工扰民的反映", "--body", "反映"]))
        try await m30.json(["proposal", "act", proposal, "submit"])
        let referred = try await staff.json(["proposal", "act", proposal, "refer", "--channel", "社情民意"])
        #expect((referred["transition"] as? [String: Any])?["changes"] as? [String] == ["社情民意 item 2"], "\(referred)")
        let theirs = (try await m30.run(["opinion", "list", "--json"]).json()) as? [[String: Any]] ?? []
        #expect(theirs.count == 1 && (theirs.first?["proposalID"] as? NSNumber)?.stringValue == proposal, "\(theirs)")
        #expect(state(try await staff.json(["opinion", "act", "2", "decline", "--note", "已转有关部门处理"])) == "OPINION_STATE_NOT_ADOPTED")

        // The figures of the items submitted: two, one sent up, adopted at the province and instructed on.
        let stats = try await staff.json(["opinion", "stats"])
        let total = stats["total"] as? [String: Any] ?? [:]
        #expect((total["submitted"] as? NSNumber)?.intValue == 2 && (total["reported"] as? NSNumber)?.intValue == 1)
        #expect((total["adopted"] as? NSNumber)?.intValue == 1 && (total["instructed"] as? NSNumber)?.intValue == 1)
        let levels = (stats["adoptedByLevel"] as? [[String: Any]])?.reduce(into: [String: Int]()) { $0[$1["name"] as? String ?? ""] = ($1["count"] as? NSNumber)?.intValue }
        #expect(levels == ["市级": 0, "省级": 1, "全国": 0])
        #expect(((stats["byMember"] as? [[String: Any]])?.first?["memberID"] as? NSNumber)?.intValue == 12)
        #expect((stats["bySector"] as? [[String: Any]])?.contains { $0["name"] as? String == sector } == true)
        #expect(try await m12.run(["opinion", "stats"]).status == 5)
        // A member keeps at most 100 items waiting for the office; the 101st is refused.
        let own = try keyedClient(keys, as: "m30", calling: "proposal-tracker", at: suite.tracker.rpcEndpoint)
        var spam = ProposalV1.SubmitOpinionRequest()
        spam.title = "反映"
        spam.body = "正文"
        for _ in 0..<100 { _ = try await own.call(ProposalV1.Opinions.submit, spam) }
        do {
            _ = try await own.call(ProposalV1.Opinions.submit, spam)
            Issue.record("the 101st waiting item was taken")
        } catch {
            #expect(error.code == .resourceExhausted, "\(error)")
        }
        await own.close()
        let report = try await staff.run(["report", "--from", "2026-01-01", "--to", "2099-12-31", "--format", "html"])
        #expect(report.status == 0 && report.stdout.contains("社情民意信息"))
        for (name, status) in await suite.stop() { #expect(status == 0, "\(name) exits cleanly") }
    }
}
