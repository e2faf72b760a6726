import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension DutyCommand {
    struct Ranking: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "The year's ranking of every active member by points, with who did nothing.",
            discussion: "Example: gateway duty ranking --year 2026 --sector 教育界")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The year (default: this year).") var year: Int32?
        @Option(help: "Only this sector.") var sector: String?

        func perform() async throws -> Output {
            let year = self.year ?? CommitteeClock.thisYear
            let response = try await connection.call(DutyV1.Duty.ranking, options: .read) { request in
                request.year = year
                request.sector = sector ?? ""
            }
            var result = Output(response)
            var table = Table("名次 rank", "委员 member", "姓名 name", "界别 sector", "积分 points", "项 entries")
            for (index, m) in response.members.enumerated() {
                table.add(String(index + 1), String(m.memberID), m.name, m.sector, String(m.points), String(m.entries))
            }
            result.add(table)
            let idle = response.members.filter { $0.entries == 0 }
            result.line("\(year)年\(response.closed ? "（已结算）" : "")：\(response.members.count) 名委员，\(idle.count) 名无履职记录；规则第 \(response.rulesVersion) 版")
            return result
        }
    }
}
