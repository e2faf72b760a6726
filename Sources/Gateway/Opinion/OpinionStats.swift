import ArgumentParser
import XieshangRPC
import XieshangWire

extension OpinionCommand {
    struct Stats: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats", abstract: "The items submitted in a period: sent up, adopted, instructed; by member, sector and month.",
            discussion: "Example: gateway opinion stats --from 2026-01-01 --to 2027-01-01")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "From.") var from: Moment?
        @Option(help: "Until.") var to: Moment?

        func perform() async throws -> Output {
            let s = try await connection.call(ProposalV1.Opinions.statistics, options: .read) { request in
                request.fromMs = from?.ms ?? 0
                request.toMs = to?.ms ?? 0
            }
            var output = Output(s)
            let total = s.total ?? ProposalV1.OpinionCount()
            var summary = Table("项目 measure", "数 count")
            summary.add("提交 submitted", String(total.submitted))
            summary.add("报送 sent up", String(total.reported))
            summary.add("采用 adopted", String(total.adopted))
            for c in s.adoptedByLevel { summary.add("  \(c.name)采用 adopted at", String(c.count)) }
            summary.add("获批示 instructed on", String(total.instructed))
            output.add(summary)
            for (heading, rows) in [("委员 member", s.byMember), ("界别 sector", s.bySector), ("月份 month", s.byMonth)] where !rows.isEmpty {
                var table = Table(heading, "提交 submitted", "报送 sent", "采用 adopted", "批示 instructed")
                for c in rows { table.add(c.name, String(c.submitted), String(c.reported), String(c.adopted), String(c.instructed)) }
                output.add(table)
            }
            return output
        }
    }
}
