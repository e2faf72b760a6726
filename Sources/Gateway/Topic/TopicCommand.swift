import ArgumentParser
import XieshangLabels
import XieshangWire

struct TopicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topic",
        abstract: "Consultation topics (协商议题) through the six steps, per work station or room.",
        subcommands: [Create.self, Advance.self, Show.self, List.self])
}

func topicOutput(_ topic: ProposalV1.Topic?) -> Output {
    let t = topic ?? .init()
    var output = Output(t)
    output.line("议题 \(t.id)：\(t.title)（\(t.theme.label.isEmpty ? "" : t.theme.label + "，")\(t.source.label)\(t.proposalID == 0 ? "" : "，提案 \(t.proposalID)")\(t.planItemID == 0 ? "" : "，协商计划第\(t.planItemID)项")）— \(t.step.label)\(t.meetingID == 0 ? "" : "，会议 \(t.meetingID)")\(t.step == .feedback ? (t.solved ? "，已解决" : "，未解决") : "")")
    var table = Table("步骤 step", "时间 time", "记录 notes")
    for s in t.steps {
        let notice = s.notice.map { "公告：\($0.text)（\($0.postedAt)，\($0.fromDate) 至 \($0.toDate)）" }
        table.add(s.step.label, CommitteeClock.second(ifSet: s.atMs), [s.notes, notice ?? ""].filter { !$0.isEmpty }.joined(separator: "；"))
    }
    output.add(table)
    return output
}
