import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension ProposalCommand {
    struct Overdue: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Proposals whose handling deadline has passed, or comes within --within days, by unit.",
            discussion: "Example: gateway proposal overdue --within 7")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Also those due within this many days.") var within: Int32 = 0
        @Option(help: "Only this unit's.") var unit: Int64?

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Proposals.overdue, options: .read) { request in
                request.withinDays = within
                request.unitID = unit ?? 0
            }
            var output = Output(response.proposals)
            var table = Table("id", "编号 number", "案由 title", "主办 lead unit", "期限 deadline", "剩余 days left")
            for o in response.proposals {
                let p = o.proposal ?? ProposalV1.Proposal()
                table.add(String(p.id), p.number, p.title, p.leadUnitName, CommitteeClock.minute(p.deadlineMs), o.daysLeft < 0 ? "逾期 \(-o.daysLeft) 天" : "\(o.daysLeft) 天")
            }
            output.add(table)
            return output
        }
    }
}
