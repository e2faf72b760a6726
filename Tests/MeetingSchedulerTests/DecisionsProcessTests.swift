import Foundation
import Testing
import XieshangTestSupport

/// Reports passed from a 主席会议 to a 常委会会议 and voted on there, through the gateway, as
/// the office records them after the meetings.
@Suite("reports and votes, as processes")
struct DecisionsProcessTests {
    @Test("a 主席会议 passes a report on; the 常委会会议 votes it through with its quorum; the gateway shows both")
    func reportPassedOnAndVoted() async throws {
        let d = try await Deployment.start("decisions", .core, seed: Deployment.office)
        let council = try await d.json("meeting", "schedule", "--title", "研究停车难问题监督性调研报告", "--kind", "主席会议",
                                       "--start", "2026-10-12 09:00", "--minutes", "120", "--venue", "市政协机关第一会议室",
                                       "--group", "chairpersons-council")
        let councilID = (council["id"] as? NSNumber)?.stringValue ?? "?"
        let agenda = try await d.gateway("meeting", "agenda", councilID, "--item", "关于城区停车难问题的监督性调研报告|60|提案委员会",
                                         "--document", "1=监督性调研报告", "--vote", "1")
        #expect(agenda.status == 0 && agenda.stdout.contains("监督性调研报告：草案，待表决"), "\(agenda.stdout) \(agenda.stderr)")
        let badDocument = try await d.gateway("meeting", "agenda", councilID, "--item", "x|10|", "--document", "2=监督性调研报告")
        #expect(badDocument.status == 64, "\(badDocument.stderr)")
        #expect(try await d.gateway("meeting", "publish", councilID).status == 0)

        // With no 常委会会议 in draft yet, passing it on says what to do.
        let nowhere = try await d.gateway("meeting", "decide", councilID, "--item", "1", "--outcome", "提请常委会")
        #expect(nowhere.status == 2 && nowhere.stderr.contains("schedule it"), "\(nowhere.stderr)")
        let standing = try await d.json("meeting", "schedule", "--title", "审议监督性调研报告", "--kind", "常委会会议",
                                        "--start", "2026-10-20 09:00", "--minutes", "120", "--venue", "市政协机关常委会议室",
                                        "--group", "standing-committee")
        let standingID = (standing["id"] as? NSNumber)?.stringValue ?? "?"
        let passed = try await d.gateway("meeting", "decide", councilID, "--item", "1", "--outcome", "提请常委会")
        #expect(passed.status == 0 && passed.stdout.contains("提请常委会会议 \(standingID)"), "\(passed.stdout) \(passed.stderr)")
        #expect(try await d.gateway("meeting", "publish", standingID).status == 0)

        // The 常委会会议: more than half of 应到 check in, then the vote.
        let shown = try await d.json("meeting", "show", standingID)
        let invitees = (shown["invitees"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.stringValue }
        #expect(invitees.count >= 30)
        let quorum = invitees.count / 2 + 1
        for invitee in invitees.prefix(quorum) {
            #expect(try await d.gateway("meeting", "check-in", standingID, "--invitee", invitee).status == 0)
        }
        let short = try await d.gateway("meeting", "decide", standingID, "--item", "1", "--outcome", "常委会通过",
                                        "--for", "\(quorum - 1)", "--abstain", "1")
        #expect(short.status == 2 && short.stderr.contains("未通过"), "more than half of 应到 must vote for it: \(short.stderr)")
        let voted = try await d.gateway("meeting", "decide", standingID, "--item", "1", "--outcome", "常委会通过", "--for", "\(quorum)")
        #expect(voted.status == 0 && voted.stdout.contains("常委会通过") && voted.stdout.contains("通过）"), "\(voted.stdout) \(voted.stderr)")
        let again = try await d.gateway("meeting", "decide", standingID, "--item", "1", "--outcome", "未通过", "--for", "1")
        #expect(again.status == 2 && again.stderr.contains("decided already"), "\(again.stderr)")

        // The 主席会议's item records where it went and how it was decided.
        let origin = try await d.json("meeting", "show", councilID)
        let item = ((origin["meeting"] as? [String: Any])?["agenda"] as? [[String: Any]])?.first ?? [:]
        #expect(item["status"] as? String == "ITEM_STATUS_REFERRED")
        #expect((item["vote"] as? [String: Any])?["passed"] as? Bool == true, "\(item)")

        // The report's documents decided: the 主席会议 passing it on, then the 常委会会议's approval with its vote.
        let report = try await d.json("report", "--from", "2026-10-01", "--to", "2026-10-31")
        let decisions = report["decisions"] as? [[String: Any]] ?? []
        #expect(decisions.compactMap { $0["outcome"] as? String } == ["提请常委会", "常委会通过"], "\(decisions)")
        #expect(decisions.allSatisfy { $0["document"] as? String == "监督性调研报告" })
        #expect((decisions.last?["vote"] as? String)?.contains("赞成 \(quorum)") == true, "\(decisions)")
        let csv = try await d.gateway("report", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "csv")
        #expect(csv.stdout.contains(",关于城区停车难问题的监督性调研报告,监督性调研报告,常委会通过,"), "\(csv.stdout.prefix(600))")
        await d.stop()
    }
}
