import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

/// `gateway plan`: the annual consultation plan (年度协商计划).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "The annual consultation plan (年度协商计划): its items, and what was held for each.",
        subcommands: [Add.self, List.self])

    struct Add: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an item to a year's plan.",
            discussion: "Example: gateway plan add --year 2027 --quarter 2 --kind 双月协商座谈会 \\\n             --title 优化营商环境 --lead 经济委员会")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The plan's year.") var year: Int32
        @Option(help: "The quarter, 1 to 4.") var quarter: Int32
        @Option(help: "The form, a kind of meeting: 专题议政性常委会会议, 双月协商座谈会, 界别协商, 对口协商会, 提案办理协商会, 协商议事活动, ….")
        var kind: MeetingV1.MeetingKind
        @Option(help: "What is to be consulted on.") var title: String
        @Option(help: "Who leads it: 办公室, or a special committee.") var lead: String

        func perform() async throws -> Output {
            var item = MeetingV1.PlanItem()
            item.year = year
            item.quarter = quarter
            item.kind = kind
            item.title = title
            item.lead = lead
            let response = try await connection.call(MeetingV1.Meetings.addPlanItem) { $0.item = item }
            return planOutput(response.item.map { [$0] } ?? [])
        }
    }

    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "A year's plan, with the meetings scheduled and held for each item.",
            discussion: "Example: gateway plan list --year 2027")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The plan's year.") var year: Int32

        func perform() async throws -> Output {
            planOutput(try await connection.call(MeetingV1.Meetings.listPlan, options: .read) { $0.year = year }.items)
        }
    }
}

/// Where a plan item stands: 已开展 once a meeting for it was held, 已安排 while one is
/// scheduled, else 未安排.
/// 已开展 once a meeting for the item was held or a topic for it consulted; 已安排 while one is
/// scheduled or collected; 未安排 before. (`plan list` asks the scheduler only: its meetings.)
func planState(_ item: MeetingV1.PlanItem, topics: ProposalV1.PlanItemTopics? = nil) -> String {
    if item.held > 0 || (topics?.consulted ?? 0) > 0 { return "已开展" }
    return item.meetingIDs.isEmpty && (topics?.topics ?? 0) == 0 ? "未安排" : "已安排"
}

func planOutput(_ items: [MeetingV1.PlanItem]) -> Output {
    var table = Table("id", "年度 year", "季度 quarter", "形式 kind", "议题 title", "牵头 lead", "会议 meetings", "状态 state")
    for i in items {
        table.add(String(i.id), String(i.year), "第\(i.quarter)季度", i.kind.label, i.title, i.lead,
                  i.meetingIDs.map(String.init).joined(separator: ", "), planState(i))
    }
    return Output(items, table)
}
