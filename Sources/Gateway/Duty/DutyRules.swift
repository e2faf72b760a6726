import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension DutyCommand {
    struct Rules: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "The scoring rules in force, the earlier versions, and what awaits recalculation.", discussion: "Example: gateway duty rules")
        @OptionGroup var connection: ConnectionOptions

        func perform() async throws -> Output {
            let response = try await connection.call(DutyV1.Duty.rules, options: .read)
            let current = response.current ?? DutyV1.RulesVersion()
            var output = Output(response)
            output.line("规则第 \(current.version) 版（\(CommitteeClock.minute(current.loadedAtMs)) 起）；已结算年度：\(response.closedYears.isEmpty ? "无" : response.closedYears.map(String.init).joined(separator: "、"))"
                        + (response.staleEntries > 0 ? "；\(response.staleEntries) 项按旧规则计分，待 gateway duty recalculate" : ""))
            var table = Table("类别 kind", "名称 name", "分 points")
            for r in current.rules { table.add(r.kind.identifier, r.name, String(r.points)) }
            output.add(table)
            return output
        }
    }
}
