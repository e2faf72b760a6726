import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension DutyCommand {
    struct Show: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "A member's year: every entry with its source and points, and the totals by kind.",
            discussion: "Examples: gateway duty show 13\n          gateway duty show 13 --year 2025")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member (a member's own key: their own, the default).") var member: Int64?
        @Option(help: "The year (default: this year).") var year: Int32?

        func perform() async throws -> Output {
            let year = self.year ?? CommitteeClock.thisYear
            let response = try await connection.call(DutyV1.Duty.show, options: .read) { request in
                request.memberID = member ?? 0
                request.year = year
            }
            let y = response.year ?? DutyV1.MemberYear()
            var output = Output(response)
            output.line("\(y.name)（委员 \(y.memberID)，\(y.sector)）\(y.year)年履职：\(y.points) 分，\(y.entries) 项\(response.closed ? "（已结算）" : "")"
                        + (y.pending > 0 ? "，待确认 \(y.pending) 项" : "") + (y.disputed > 0 ? "，有异议 \(y.disputed) 项" : ""))
            var totals = Table("类别 kind", "项 count", "分 points")
            for t in y.byKind { totals.add(t.name, String(t.count), String(t.points)) }
            output.add(totals)
            var entries = Table("id", "日期 date", "类别 kind", "事项 title", "来源 source", "状态 status", "分 points")
            for e in response.entries {
                entries.add(String(e.id), e.date, e.kind.label, e.title, e.reference.isEmpty ? e.sourceText : e.reference,
                            e.status.label + (e.disputed ? "（有异议）" : ""), String(e.points))
            }
            output.add(entries)
            return output
        }
    }
}
