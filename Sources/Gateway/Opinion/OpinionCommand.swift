import ArgumentParser
import XieshangLabels
import XieshangWire

extension ProposalV1.OpinionAction: ExpressibleByArgument {}
extension ProposalV1.OpinionLevel: ExpressibleByArgument {}
extension ProposalV1.OpinionState: ExpressibleByArgument {}

/// `gateway opinion`: 社情民意信息, from a member's item to its adoption and the leaders' instructions.
struct OpinionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opinion",
        abstract: "社情民意信息: members' reports of the public's views, sent up, adopted and instructed on.",
        discussion: """
            A member submits an item (or the office for them; a proposal referred with --channel 社情民意 \
            becomes one). The office then edits it, sends it to a level (report), records that a \
            level adopted it (adopt) and a leader's instruction on it (instruct), or closes it \
            unadopted (decline): `gateway opinion act ID ACTION …`. Levels: 市级, 省级, 全国.
            """,
        subcommands: [Submit.self, Act.self, Show.self, List.self, Stats.self])

}

func opinionOutput(_ opinion: ProposalV1.Opinion?) -> Output {
    let o = opinion ?? .init()
    var table = Table("字段 field", "值 value")
    for (field, value) in [
        ("id", String(o.id)), ("标题 title", o.title), ("委员 member", o.memberID == 0 ? o.memberName : "\(o.memberName)（委员 \(o.memberID)，\(o.sector)）"),
        ("状态 state", o.state.label), ("来自提案 from proposal", o.proposalID == 0 ? "" : String(o.proposalID)),
        ("报送 sent to", o.reports.map { "\($0.level.label)：\($0.recipient)" }.joined(separator: "；")),
        ("采用 adopted", o.adoptions.map { "\($0.level.label)：\($0.usedIn)" }.joined(separator: "；")),
        ("批示 instructions", o.instructions.map { "\($0.leader)：\($0.text)" }.joined(separator: "；")),
        ("不予采用 declined", o.declineReason), ("正文 body", o.body),
    ] where !value.isEmpty { table.add(field, value) }
    return Output(o, table)
}
