import Foundation
import Testing
import XieshangTestSupport

/// The annual consultation plan through the gateway: items, the meetings that carry them
/// out, and the report's account of what was done.
@Suite("the annual consultation plan, as processes")
struct PlanProcessTests {
    @Test("plan items are added and checked; a meeting for one falls in its year; the plan and the report say what was held")
    func planCarriedOut() async throws {
        let d = try await Deployment.start("plan", .core, seed: [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]])
        let added = try await d.gateway("plan", "add", "--year", "2026", "--quarter", "4", "--kind", "双月协商座谈会",
                                        "--title", "优化营商环境", "--lead", "经济委员会", "--json")
        let item = (try added.json() as? [[String: Any]])?.first?["id"] as? NSNumber
        let plan = try await d.gateway("plan", "add", "--year", "2026", "--quarter", "4", "--kind", "界别协商", "--title", "养老服务", "--lead", "社会法制委员会", "--json")
        #expect(plan.status == 0)
        let badQuarter = try await d.gateway("plan", "add", "--year", "2026", "--quarter", "5", "--kind", "界别协商", "--title", "x", "--lead", " ")
        #expect(badQuarter.status == 2 && badQuarter.stderr.contains("item.quarter") && badQuarter.stderr.contains("item.lead"), "\(badQuarter.stderr)")
        let later = try await d.gateway("plan", "add", "--year", "2027", "--quarter", "1", "--kind", "界别协商", "--title", "明年", "--lead", "办公室", "--json")
        let laterID = ((try later.json() as? [[String: Any]])?.first?["id"] as? NSNumber)?.stringValue ?? "?"

        let itemID = item?.stringValue ?? "?"
        let schedule = ["meeting", "schedule", "--title", "优化营商环境双月协商座谈会", "--kind", "双月协商座谈会",
                        "--start", "2026-10-15 09:00", "--minutes", "120", "--venue", "市政协机关第一会议室"]
        let missing = try await d.gateway(schedule + ["--plan-item", "99"])
        #expect(missing.status == 3 && missing.stderr.contains("plan item 99"), "\(missing.stderr)")
        let wrongYear = try await d.gateway(schedule + ["--plan-item", laterID])
        #expect(wrongYear.status == 2 && wrongYear.stderr.contains("2027"), "\(wrongYear.stderr)")
        let meeting = try await d.json(schedule + ["--plan-item", itemID])
        let meetingID = (meeting["id"] as? NSNumber)?.stringValue ?? "?"
        #expect((meeting["planItemID"] as? NSNumber)?.stringValue == itemID)
        let scheduled = try await d.gateway("plan", "list", "--year", "2026")
        #expect(scheduled.stdout.contains("已安排") && scheduled.stdout.contains("未安排"), "\(scheduled.stdout)")

        #expect(try await d.gateway("meeting", "publish", meetingID).status == 0)
        #expect(try await d.gateway("meeting", "close", meetingID, "--minutes", "形成意见5条").status == 0)
        let listed = try await d.gateway("plan", "list", "--year", "2026", "--json")
        let items = (try listed.json() as? [[String: Any]]) ?? []
        #expect((items.first { ($0["id"] as? NSNumber)?.stringValue == itemID }?["held"] as? NSNumber)?.intValue == 1, "\(items)")

        let report = try await d.json("report", "--from", "2026-10-01", "--to", "2026-12-31")
        let rows = report["plan"] as? [[String: Any]] ?? []
        #expect(rows.compactMap { $0["state"] as? String } == ["已开展", "未安排"], "\(rows)")
        #expect(rows.first?["title"] as? String == "优化营商环境" && (rows.first?["held"] as? NSNumber)?.intValue == 1)
        await d.stop()
    }
}
