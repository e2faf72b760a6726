import ArgumentParser
import XieshangLabels
import XieshangWire

extension DutyV1.DutyKind: ExpressibleByArgument {}
extension DutyV1.Decision: ExpressibleByArgument {}

/// `gateway duty`: the members' 履职 record (duty-record).
struct DutyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duty",
        abstract: "The members' record of duty (履职档案): a member's year, the ranking, what staff record and review.",
        discussion: """
            Meetings attended, leave and absence, consultation activities, proposals filed (led and \
            co-signed) and 社情民意 (submitted, adopted, instructed on) come from the other services by \
            themselves; speeches, inspections, research, training and assistance are recorded here. \
            Points follow the committee's rules (duty-record --rules); a closed year keeps its points.
            """,
        subcommands: [Show.self, Ranking.self, Report.self, Record.self, Review.self, Dispute.self, Entry.self, Rules.self, Recalculate.self, CloseYear.self])

}

extension DutyV1.Entry {
    /// Where the entry came from, as staff read it: 登记 for what someone recorded by hand.
    var sourceText: String { source == "recorded" ? "登记 recorded" : source }
}

func entryOutput(_ entry: DutyV1.Entry?) -> Output {
    let e = entry ?? .init()
    var table = Table("字段 field", "值 value")
    for (field, value) in [
        ("id", String(e.id)), ("委员 member", String(e.memberID)), ("日期 date", e.date), ("类别 kind", e.kind.label), ("事项 title", e.title),
        ("来源 source", e.reference.isEmpty ? e.sourceText : "\(e.sourceText)，\(e.reference)"), ("证明 evidence", e.evidence),
        ("状态 status", e.status.label + (e.disputed ? "（有异议：\(e.disputeReason)）" : "")),
        ("分 points", "\(e.points)（规则第 \(e.rulesVersion) 版）"),
    ] where !value.isEmpty { table.add(field, value) }
    var output = Output(e, table)
    var history = Table("时间 at", "经办 by", "事项 action", "说明 note")
    for c in e.history { history.add(CommitteeClock.minute(c.atMs), c.by, c.action, c.note) }
    output.add(history)
    return output
}
