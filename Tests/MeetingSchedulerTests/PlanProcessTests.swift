import Foundation
import Testing
import XieshangTestSupport

/// The annual consultation plan through the gateway: items, the meetings that carry them
/// out, and the report's account of what was done.
@Suite("the annual consultation plan, as processes")
struct PlanProcessTests {
    @Test("plan items are added and checked; a meeting for one falls in its year; a topic carries one out; the plan and the report say what was done")
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

        // A consultation topic carries out the second item: collected, the item is 已安排; consulted, 已开展.
        let secondID = ((try plan.json() as? [[String: Any]])?.first?["id"] as? NSNumber)?.stringValue ?? "?"
        let topic = ["topic", "create", "--title", "发展普惠养老服务", "--station", "1", "--theme", "经济社会发展", "--source", "调查"]
        let nowhere = try await d.gateway(topic + ["--plan-item", "99"])
        #expect(nowhere.status == 3 && nowhere.stderr.contains("plan_item_id"), "\(nowhere.stderr)")
        let created = try await d.json(topic + ["--plan-item", secondID])
        let topicID = (created["id"] as? NSNumber)?.stringValue ?? "?"
        #expect((created["planItemID"] as? NSNumber)?.stringValue == secondID)
        func secondRow() async throws -> [String: Any] {
            let rows = try await d.json("report", "--from", "2026-10-01", "--to", "2026-12-31")["plan"] as? [[String: Any]] ?? []
            return rows.first { $0["title"] as? String == "养老服务" } ?? [:]
        }
        let collected = try await secondRow()
        #expect(collected["state"] as? String == "已安排" && (collected["topics"] as? NSNumber)?.intValue == 1, "\(collected)")
        try await d.json("topic", "advance", topicID, "decided", "--notes", "列入议题")
        try await d.json("topic", "advance", topicID, "researched", "--notes", "走访养老机构")
        try await d.json("topic", "advance", topicID, "consulted", "--meeting", meetingID, "--notes", "界别协商")
        let consulted = try await secondRow()
        #expect(consulted["state"] as? String == "已开展" && (consulted["topicsConsulted"] as? NSNumber)?.intValue == 1, "\(consulted)")
        await d.stop()
    }
}
